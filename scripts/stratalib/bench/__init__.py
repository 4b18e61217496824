"""strata bench (`strata bench`, `make bench`): run.py measures and reports, child.py is each
measured process, peers.py the DuckDB, polars and chDB versions of the four core results, and
compare.py checks their answers against strata's marts."""
