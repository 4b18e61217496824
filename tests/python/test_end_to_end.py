"""End to end: generate dirty data with planted answers, build, compare the marts with them.

The ground truth is computed by the generator from the rows it wrote, independently of the SQL.
"""

from __future__ import annotations

import re
from decimal import Decimal

from helpers import BuiltSample, query


def test_the_dbt_unit_tests_ran_in_the_shared_build(dirty_sample: BuiltSample) -> None:
    """The other builds of the suite pass --skip-unit-tests; this one runs every unit test (and a
    failing one fails the fixture)."""
    finished = re.search(r"Finished running .*?(\d+) unit tests", dirty_sample.build_log)
    assert finished and int(finished.group(1)) > 0, dirty_sample.build_log[-2000:]
    assert re.search(r"Done\. PASS=\d+ WARN=\d+ ERROR=0 ", dirty_sample.build_log), dirty_sample.build_log[-2000:]


def test_every_bad_row_is_quarantined_with_its_reason(dirty_sample: BuiltSample) -> None:
    rows = query(
        dirty_sample.warehouse,
        "select source_table, quarantine_reason, rows_quarantined from marts.data_quality_summary",
    )
    planted = dirty_sample.truth["bad_rows"]
    seen = {(table, reason): count for table, reason, count in rows}
    for table, reasons in planted.items():
        for reason, count in reasons.items():
            assert (table, reason) in seen, f"reason {table}.{reason} is not catalogued"
            assert seen[(table, reason)] == count, f"{table}.{reason}: {seen[(table, reason)]} != planted {count}"
    unexpected = {
        key: count for key, count in seen.items() if count and planted.get(key[0], {}).get(key[1], 0) == 0
    }
    assert unexpected == {}, f"rows quarantined for reasons nothing planted: {unexpected}"
    assert sum(sum(reasons.values()) for reasons in planted.values()) > 0, "the sample has no dirt to find"


def test_rows_read_match_rows_written(dirty_sample: BuiltSample) -> None:
    rows = query(
        dirty_sample.warehouse,
        "select distinct source_table, rows_read, rows_kept, rows_quarantined_total from marts.data_quality_summary",
    )
    written = dirty_sample.truth["rows_written"]
    for table, rows_read, rows_kept, quarantined in rows:
        assert rows_read == written[table], table
        assert rows_read == rows_kept + quarantined, table


def test_valid_orders_revenue_and_buyers(dirty_sample: BuiltSample) -> None:
    truth = dirty_sample.truth
    [(orders, revenue, buyers)] = query(
        dirty_sample.warehouse,
        "select count(*), sum(order_amount), count(distinct user_id) from marts.fct_orders",
    )
    assert orders == truth["valid_orders"]
    assert Decimal(revenue) == Decimal(str(truth["revenue_amount"])).quantize(Decimal("0.01"))
    assert buyers == truth["buyers"]


def test_default_as_of_date_is_latest_valid_order(dirty_sample: BuiltSample) -> None:
    [(as_of_date,)] = query(dirty_sample.warehouse, "select as_of_date from intermediate.int_as_of_date")
    assert as_of_date.isoformat() == dirty_sample.truth["default_as_of_date"]


def test_normalised_statuses_are_kept(dirty_sample: BuiltSample) -> None:
    by_status = dict(
        query(
            dirty_sample.warehouse,
            "select status, count(*) from intermediate.int_orders_validated "
            "where quarantine_reason is null group by status",
        )
    )
    assert by_status == dirty_sample.truth["orders_by_status"]


def test_users_and_personal_data(dirty_sample: BuiltSample) -> None:
    [(users, clear_emails)] = query(
        dirty_sample.warehouse,
        "select count(*), count(*) filter (where email_hash like '%@%' or phone_hash like '+%') from marts.dim_users",
    )
    assert users == dirty_sample.truth["clean_users"]
    assert clear_emails == 0
    columns = {
        name
        for (name,) in query(
            dirty_sample.warehouse,
            "select column_name from information_schema.columns where table_schema = 'marts'",
        )
    }
    assert not {"email", "phone"} & columns


def test_sessions_cover_every_event(dirty_sample: BuiltSample) -> None:
    [(events, in_sessions, derived)] = query(
        dirty_sample.warehouse,
        "select (select count(*) from marts.fct_events), (select sum(event_count) from marts.fct_sessions), "
        "(select count(*) from marts.fct_sessions where is_session_derived)",
    )
    assert events == in_sessions
    assert derived > 0, "the generator leaves some session ids empty, so some sessions must be derived"
