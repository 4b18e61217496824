# strata: two commands do all the set-up on a fresh machine (Python 3.11, make).
#   make build   venv from the pinned lock, sample data, warehouse, checks, docs, the visual report
#   make test    the whole test suite: pytest (incl. an end-to-end build), dbt unit and data tests, sqlfluff
# Both also install headless Chromium and a CJK font when missing (Debian packages, needs root) and
# the data docs' scripts (npm ci), so every page they leave opens offline.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STRATA := $(VENV)/bin/strata
# The bundled sample's folder: the var raw_dir of dbt_project.yml (its default, written once).
SAMPLE_DIR := $(shell sed -n 's/^  raw_dir: "\(.*\)"$$/\1/p' dbt_project.yml)
SAMPLE_USERS ?= 5000
export DO_NOT_TRACK := 1

.PHONY: build test sample warehouse history check docs report lint pytest clean spark-check spark-parity bench

# The pinned lock first, then the project itself (pyproject.toml: the `strata` command, editable).
# --no-compile: Python compiles only the modules that are imported, on first import (faster set-up).
$(VENV)/.installed: requirements.lock pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "need $(PYTHON) on PATH (or make PYTHON=python3)"; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet --no-compile --only-binary=dbt-core-experimental-parser -r requirements.lock
	$(VENV)/bin/pip install --quiet --no-deps -e .
	touch $@

# Debian's chromium and fonts-noto-cjk for the browser tests, installed when missing. The stamp is
# left only once /usr/bin/chromium is there: without root or apt-get the script says what to
# install and the browser tests skip (fail under CI=true).
BROWSER := $(VENV)/.browser
$(BROWSER): scripts/setup_browser.sh $(VENV)/.installed
	scripts/setup_browser.sh
	@if [ -x /usr/bin/chromium ]; then touch $@; fi

# The scripts and stylesheets of the Great Expectations data docs, at the versions its templates
# name (package-lock.json), which strata check copies next to the docs (stratalib/offline_docs.py).
DOCS_ASSETS_DIR := scripts/data_docs_assets
DOCS_ASSETS := $(DOCS_ASSETS_DIR)/node_modules/.installed
$(DOCS_ASSETS): $(DOCS_ASSETS_DIR)/package-lock.json $(BROWSER)
	@command -v npm >/dev/null 2>&1 || { echo "no npm: the data docs will load their scripts from CDNs"; [ "$${CI:-}" != true ]; exit $$?; }; \
	cd $(DOCS_ASSETS_DIR) && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error && touch node_modules/.installed

# history builds the whole warehouse too (past snapshots first), so build needs no warehouse step.
build: $(VENV)/.installed $(BROWSER) sample history check docs report

sample: $(VENV)/.installed
	$(STRATA) generate --out $(SAMPLE_DIR) --users $(SAMPLE_USERS) --seed 42 --quiet

warehouse: $(VENV)/.installed
	$(STRATA) build --raw-dir $(SAMPLE_DIR)

# Month-end layer snapshots of the bundled sample (its data covers 2024), so layer_migrations
# shows movement on a fresh build.
history: $(VENV)/.installed
	$(STRATA) backfill --raw-dir $(SAMPLE_DIR) --from 2024-06-30 --to 2024-11-30 --every month

# Great Expectations suites of expectations/ on the marts; data docs in target/ge_docs/index.html.
check: $(VENV)/.installed $(DOCS_ASSETS)
	$(STRATA) check

docs: $(VENV)/.installed
	$(STRATA) docs

# The visual report of the published warehouse, in both languages: target/report/report.en.html
# and report.zh.html, each one file that opens offline.
report: $(VENV)/.installed
	$(STRATA) report --lang en
	$(STRATA) report --lang zh

# pytest and lint side by side: pytest's dbt runs leave a core idle often enough that the lint's
# one process finishes within them. Each target's output is printed whole when it ends.
test: $(VENV)/.installed
	$(MAKE) --no-print-directory -j2 --output-sync=target pytest lint

# Two pytest-xdist workers, a module per worker at a time (its module fixtures are built once);
# PYTEST_WORKERS=0 runs in one process.
PYTEST_WORKERS ?= 2
pytest: $(VENV)/.installed $(BROWSER) $(DOCS_ASSETS)
	$(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadfile tests/python

lint: $(VENV)/.installed
	$(VENV)/bin/sqlfluff lint models tests/dbt analyses snapshots

# The Spark target: build and test every node of the project (seeds, models, data
# and unit tests) on Spark in-process (needs Java 17), on a 500-user sample. dbt-spark's session
# mode runs no dbt Python models: on Spark their SQL stand-ins (models/**/spark/) call the same
# stratalib code as Spark table functions, which stratalib.spark_build registers in dbt's Spark
# session before it runs dbt build (one process). Not part of make test: it installs pyspark and
# takes several minutes.
SPARK_VENV := .venv-spark
SPARK_SAMPLE := $(CURDIR)/data/spark-sample
SPARK_DIR := $(CURDIR)/warehouse/spark
# On Spark the personal-data hashes are keyed by the var pii_salt (no default): a random one per run.
SPARK_PII_SALT = $(shell $(PYTHON) -c 'import secrets; print(secrets.token_hex(16))')

$(SPARK_VENV)/.installed: requirements-spark.lock requirements.lock pyproject.toml
	$(PYTHON) -m venv $(SPARK_VENV)
	$(SPARK_VENV)/bin/pip install --quiet --upgrade pip
	$(SPARK_VENV)/bin/pip install --quiet --only-binary=dbt-core-experimental-parser -r requirements-spark.lock
	$(SPARK_VENV)/bin/pip install --quiet --no-deps -e .
	touch $@

spark-check: $(SPARK_VENV)/.installed
	$(SPARK_VENV)/bin/strata generate --out $(SPARK_SAMPLE) --users 500 --seed 7 --quiet
	rm -rf $(SPARK_DIR) && mkdir -p $(SPARK_DIR)
	STRATA_TARGET=spark STRATA_SPARK_DIR=$(SPARK_DIR) PYTHONPATH=$(CURDIR)/scripts \
		$(SPARK_VENV)/bin/python -m stratalib.spark_build --profiles-dir profiles --target-path target/spark \
		--vars '{raw_dir: $(SPARK_SAMPLE), pii_salt: $(SPARK_PII_SALT)}'

# Parity of the engines (tests/spark): one dirty generated sample (2,000 users) built on DuckDB and
# on Spark in-process, a smaller one on a local standalone cluster (a master and a worker on
# 127.0.0.1, started and stopped by the test); every mart Spark builds is compared row by row with
# DuckDB's. Needs Java 17; installs the Spark venv itself. .ci/run runs it after make test.
spark-parity: $(SPARK_VENV)/.installed
	$(SPARK_VENV)/bin/python -m pytest -v -s -p no:cacheprovider tests/spark

# strata bench: a full build and a daily run per size, and the four core results against DuckDB,
# polars and chDB; tables in target/bench/. The peers' engines (requirements-bench.lock) are
# installed into .venv here only, so make build and make test never download them.
# make bench BENCH_SIZES=10000,200000,1000000 adds the million (an hour or more);
# BENCH_DAILY_RUNS=2 adds a second daily run (the mornings after the first).
BENCH_SIZES ?= 10000,200000
BENCH_DAILY_RUNS ?= 1
$(VENV)/.bench-installed: requirements-bench.lock $(VENV)/.installed
	$(VENV)/bin/pip install --quiet --no-compile -r requirements-bench.lock
	touch $@

bench: $(VENV)/.bench-installed
	$(STRATA) bench --sizes $(BENCH_SIZES) --daily-runs $(BENCH_DAILY_RUNS)

clean:
	rm -rf target logs dbt_packages warehouse/*.duckdb warehouse/*.check_state.json $(SAMPLE_DIR) $(SPARK_DIR)
