"""The comparison of the parity test (parity.py) finds what it must, and only that: planted
differences in a small DuckDB warehouse and a Parquet export of 'Spark's' rows. Needs no Spark."""

from __future__ import annotations

from pathlib import Path

import duckdb

from parity import compare_marts

DUCK_ROWS = """
    select * from (values
        ('u1', 3, 10.25::decimal(18, 2), 0.5::double, date '2024-01-01'),
        ('u2', 1, 99.99::decimal(18, 2), 0.125::double, date '2024-01-02'),
        ('u3', 0, null::decimal(18, 2), null::double, null::date)
    ) as t(user_id, order_count, revenue_amount, retention_rate, first_date)
"""


def build(tmp_path: Path, spark_select: str) -> tuple[Path, Path]:
    """A DuckDB warehouse with marts.m of DUCK_ROWS, and a Parquet export of `spark_select` as m."""
    warehouse, export = tmp_path / "w.duckdb", tmp_path / "export"
    (export / "m").mkdir(parents=True)
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute("create schema marts")
        connection.execute(f"create table marts.m as {DUCK_ROWS}")
        connection.execute(f"copy ({spark_select}) to '{export / 'm' / 'part-0.parquet'}' (format parquet)")
    return warehouse, export


def problems(tmp_path: Path, spark_select: str) -> list[str]:
    warehouse, export = build(tmp_path, spark_select)
    [diff] = compare_marts(warehouse, export, {"m": ["user_id"]})
    return diff.problems


def test_equal_rows_in_another_order_and_floats_within_tolerance_match(tmp_path: Path) -> None:
    spark = f"select user_id, order_count, revenue_amount, retention_rate + 4e-10 as retention_rate, first_date " \
            f"from ({DUCK_ROWS}) order by user_id desc"  # fmt: skip
    assert problems(tmp_path, spark) == []


def test_a_cent_a_float_beyond_tolerance_and_a_null_are_differences(tmp_path: Path) -> None:
    spark = f"""
        select
            user_id,
            order_count,
            case when user_id = 'u1' then 10.26::decimal(18, 2) else revenue_amount end as revenue_amount,
            case when user_id = 'u2' then retention_rate + 2e-9 else retention_rate end as retention_rate,
            case when user_id = 'u3' then date '2024-01-03' else first_date end as first_date
        from ({DUCK_ROWS})
    """
    found = "\n".join(problems(tmp_path, spark))
    assert "column revenue_amount (DECIMAL(18,2)): 1 of 3 rows differ" in found
    assert "{'user_id': 'u1'}: DuckDB Decimal('10.25'), Spark Decimal('10.26')" in found
    assert "column retention_rate (DOUBLE): 1 of 3 rows differ" in found
    assert "column first_date (DATE): 1 of 3 rows differ" in found
    assert "order_count" not in found


def test_money_as_floating_point_and_a_missing_row_are_differences(tmp_path: Path) -> None:
    as_double = f"select user_id, order_count, revenue_amount::double as revenue_amount, retention_rate, first_date " \
                f"from ({DUCK_ROWS})"  # fmt: skip
    assert problems(tmp_path, as_double) == ["column revenue_amount: DECIMAL(18,2) on DuckDB, DOUBLE on Spark"]
    missing_row = f"select * from ({DUCK_ROWS}) where user_id <> 'u2'"
    found = problems(tmp_path / "second", missing_row)
    assert found[0] == "row count: 3 on DuckDB, 2 on Spark"
    assert "1 grain keys only on DuckDB, e.g. [('u2',)]" in found[1]
