"""Tests of the synthetic data generator (scripts/stratalib/generate.py) at small sizes.

The ground truth the generator writes is checked against counts re-derived here from the
Parquet files alone, with DuckDB SQL that applies the rules of the raw contract; nothing
below reads the generator's internals.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from helpers import MakeFolder

from stratalib.generate import generate

TS = pa.timestamp("us")
MONEY = pa.decimal128(18, 2)
CONTRACT = {  # column names, order and Arrow types, transcribed from the raw contract
    "raw_users": [("user_id", pa.string()), ("registered_at", TS), ("acquisition_channel", pa.string()),
                  ("acquisition_campaign", pa.string()), ("gender", pa.string()), ("birth_year", pa.int32()),
                  ("city", pa.string()), ("city_tier", pa.int32()), ("email", pa.string()),
                  ("phone", pa.string()), ("marketing_opt_in", pa.bool_())],
    "raw_orders": [("order_id", pa.string()), ("user_id", pa.string()), ("ordered_at", TS),
                   ("status", pa.string()), ("order_amount", MONEY), ("discount_amount", MONEY),
                   ("coupon_code", pa.string()), ("platform", pa.string()), ("updated_at", TS)],
    "raw_order_items": [("order_id", pa.string()), ("line_number", pa.int32()), ("product_id", pa.string()),
                        ("product_name", pa.string()), ("category", pa.string()), ("quantity", pa.int32()),
                        ("unit_price", MONEY)],
    "raw_events": [("event_id", pa.string()), ("user_id", pa.string()), ("anonymous_id", pa.string()),
                   ("session_id", pa.string()), ("event_name", pa.string()), ("occurred_at", TS),
                   ("received_at", TS), ("platform", pa.string()), ("page", pa.string()),
                   ("utm_source", pa.string()), ("utm_medium", pa.string()), ("utm_campaign", pa.string()),
                   ("utm_content", pa.string()), ("utm_term", pa.string()), ("properties", pa.string())],
    "raw_marketing_spend": [("spend_date", pa.date32()), ("channel", pa.string()), ("campaign", pa.string()),
                            ("spend", MONEY), ("impressions", pa.int64()), ("clicks", pa.int64())],
    "raw_campaign_sends": [("send_id", pa.string()), ("campaign_id", pa.string()), ("user_id", pa.string()),
                           ("channel", pa.string()), ("test_group", pa.string()), ("sent_at", TS),
                           ("target_layer", pa.string())],
}
DIRTY = {"users": 1500, "days": 365, "seed": 11, "bad_rate": 0.02, "progress": False, "chunk_users": 600}
VALID_STATUSES = "('paid', 'completed')"
KNOWN_STATUSES = "('paid', 'completed', 'cancelled', 'refunded')"


@pytest.fixture(scope="module")
def dirty(module_temp: MakeFolder) -> tuple[Path, dict]:
    out = module_temp("dirty")
    return out, generate(out, **DIRTY)


@pytest.fixture(scope="module")
def clean(module_temp: MakeFolder) -> tuple[Path, dict]:
    out = module_temp("clean")
    return out, generate(out, users=400, days=90, seed=3, bad_rate=0.0, progress=False, chunk_users=150)


def connect(raw: Path) -> duckdb.DuckDBPyConnection:
    """Views over the raw files plus the contract's cleaning rules, written out in SQL."""
    con = duckdb.connect()
    for table in CONTRACT:
        source = f"{raw}/raw_events/*.parquet" if table == "raw_events" else f"{raw}/{table}.parquet"
        con.execute(f"create view {table} as select * from read_parquet('{source}')")
    con.execute("""
        create view users_ranked as
        select *, row_number() over (partition by user_id order by registered_at) as copy_number
        from raw_users where user_id is not null;
        create view clean_users as
        select * from users_ranked
        where copy_number = 1 and registered_at >= timestamp '2000-01-01' and registered_at <= now()::timestamp;
        create view orders_distinct as
        select *, count(*) as copies from raw_orders where order_id is not null group by all;
        create view orders_latest as
        select *, row_number() over (partition by order_id order by updated_at desc) as version_rank
        from orders_distinct;
        create view orders_checked as
        select *, lower(trim(status)) as clean_status,
            case
                when user_id is null then 'missing_user_id'
                when not exists (select 1 from raw_users as u where u.user_id = o.user_id) then 'unknown_user'
                when ordered_at < timestamp '2000-01-01' then 'timestamp_before_2000'
                when ordered_at > now()::timestamp then 'future_timestamp'
                when lower(trim(status)) not in """ + KNOWN_STATUSES + """ then 'unknown_status'
                when order_amount < 0 then 'negative_amount'
            end as reason
        from orders_latest as o where version_rank = 1;
        create view valid_orders as
        select * from orders_checked
        where reason is null and clean_status in """ + VALID_STATUSES + """
            and user_id in (select user_id from clean_users);
        create view events_ranked as
        select *, row_number() over (partition by event_id order by received_at) as delivery
        from raw_events where event_id is not null;
    """)
    return con


def scalar(con: duckdb.DuckDBPyConnection, sql: str) -> object:
    return con.execute(sql).fetchone()[0]


def rederive_bad_rows(raw: Path) -> dict[str, dict[str, int]]:
    con = connect(raw)
    users = {
        "missing_user_id": scalar(con, "select count(*) from raw_users where user_id is null"),
        "duplicate_user_id": scalar(con, "select count(*) from users_ranked where copy_number > 1"),
        "future_timestamp": scalar(con, "select count(*) from users_ranked where copy_number = 1 "
                                        "and registered_at > now()::timestamp"),
        "timestamp_before_2000": scalar(con, "select count(*) from users_ranked where copy_number = 1 "
                                             "and registered_at < timestamp '2000-01-01'"),
    }
    orders = {
        "missing_order_id": scalar(con, "select count(*) from raw_orders where order_id is null"),
        "duplicate_row": scalar(con, "select coalesce(sum(copies - 1), 0) from orders_distinct"),
        "superseded_version": scalar(con, "select count(*) from orders_latest where version_rank > 1"),
    }
    orders |= dict(con.execute("select reason, count(*) from orders_checked where reason is not null "
                               "group by reason").fetchall())
    events = {
        "missing_event_id": scalar(con, "select count(*) from raw_events where event_id is null"),
        "duplicate_event": scalar(con, "select count(*) from events_ranked where delivery > 1"),
    }
    events |= dict(con.execute("""
        select case
                when occurred_at > now()::timestamp then 'future_timestamp'
                when occurred_at < timestamp '2000-01-01' then 'timestamp_before_2000'
                when user_id is not null and user_id not in (select user_id from raw_users where user_id is not null)
                    then 'unknown_user'
                when properties is not null and properties <> '' and not json_valid(properties) then 'invalid_json'
            end as reason,
            count(*)
        from events_ranked where delivery = 1 group by reason having reason is not null
    """).fetchall())
    items = scalar(con, "select coalesce(sum(copies - 1), 0) from (select *, count(*) as copies from raw_order_items "
                        "group by all)")
    spend = scalar(con, "select count(*) from raw_marketing_spend where spend < 0")
    found = {"raw_users": users, "raw_orders": orders, "raw_events": events,
             "raw_order_items": {"duplicate_row": items}, "raw_marketing_spend": {"negative_amount": spend},
             "raw_campaign_sends": {}}
    return {table: {kind: int(count) for kind, count in kinds.items() if count} for table, kinds in found.items()}


def nonzero(bad_rows: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    return {table: {kind: n for kind, n in kinds.items() if n} for table, kinds in bad_rows.items()}


def all_files(root: Path) -> dict[str, bytes]:
    return {str(path.relative_to(root)): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()}


# --- layout, schema, determinism -----------------------------------------------------------


def test_layout_and_returned_truth(dirty: tuple[Path, dict]) -> None:
    raw, truth = dirty
    for table in CONTRACT:
        if table != "raw_events":
            assert (raw / f"{table}.parquet").is_file(), table
    parts = sorted(p.name for p in (raw / "raw_events").iterdir())
    assert parts == ["part-00000.parquet", "part-00001.parquet", "part-00002.parquet"]  # 1500 users / 600
    assert json.loads((raw / "ground_truth.json").read_text()) == truth
    assert truth["params"] == {"users": 1500, "days": 365, "start": "2024-01-01", "seed": 11, "bad_rate": 0.02}


def test_schemas_match_the_contract(dirty: tuple[Path, dict]) -> None:
    raw, _ = dirty
    for table, columns in CONTRACT.items():
        files = sorted((raw / table).glob("*.parquet")) if table == "raw_events" else [raw / f"{table}.parquet"]
        for path in files:
            schema = pq.read_schema(path)
            assert [(f.name, f.type) for f in schema] == columns, path.name


def test_rows_written(dirty: tuple[Path, dict]) -> None:
    raw, truth = dirty
    con = connect(raw)
    assert {t: scalar(con, f"select count(*) from {t}") for t in CONTRACT} == truth["rows_written"]


def test_same_seed_same_bytes_other_seed_other_data(dirty: tuple[Path, dict], tmp_path: Path) -> None:
    raw, truth = dirty
    again = generate(tmp_path / "again", **DIRTY)
    assert again == truth
    assert all_files(tmp_path / "again") == all_files(raw)
    other = generate(tmp_path / "other", **(DIRTY | {"seed": 12}))
    assert other != truth
    assert (tmp_path / "other" / "raw_users.parquet").read_bytes() != (raw / "raw_users.parquet").read_bytes()


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"users": 0}, "users"), ({"days": 29}, "days"),
    ({"bad_rate": 0.25}, "bad_rate"), ({"bad_rate": -0.01}, "bad_rate"),
])
def test_invalid_arguments_are_refused(tmp_path: Path, kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message) as error:
        generate(tmp_path, progress=False, **kwargs)
    assert "\n" not in str(error.value)
    assert not any(tmp_path.iterdir()), "nothing is written for invalid arguments"


# --- dirt and planted answers, re-derived from the files -------------------------------------


def test_bad_row_counts_rederived(dirty: tuple[Path, dict]) -> None:
    raw, truth = dirty
    assert rederive_bad_rows(raw) == nonzero(truth["bad_rows"])
    for table, kinds in truth["bad_rows"].items():
        assert all(count >= 1 for count in kinds.values()), f"{table}: every kind of dirt is planted"
    events = truth["rows_written"]["raw_events"]
    assert 0.005 * events < truth["bad_rows"]["raw_events"]["duplicate_event"] < 0.04 * events


def test_no_dirt_when_bad_rate_is_zero(clean: tuple[Path, dict]) -> None:
    raw, truth = clean
    assert rederive_bad_rows(raw) == nonzero(truth["bad_rows"]) == {t: {} for t in CONTRACT}
    assert truth["normalised_values"] == {"raw_orders.status": 0}
    con = connect(raw)
    assert scalar(con, f"select count(*) from raw_orders where status not in {KNOWN_STATUSES}") == 0


def test_order_truth_rederived(dirty: tuple[Path, dict]) -> None:
    raw, truth = dirty
    con = connect(raw)
    orders, revenue, buyers, latest = con.execute(
        "select count(*), sum(order_amount), count(distinct user_id), max(ordered_at)::date from valid_orders"
    ).fetchone()
    assert orders == truth["valid_orders"]
    assert revenue == Decimal(str(truth["revenue_amount"])).quantize(Decimal("0.01"))
    assert buyers == truth["buyers"]
    assert latest.isoformat() == truth["default_as_of_date"]
    by_status = dict(con.execute("select clean_status, count(*) from orders_checked where reason is null "
                                 "group by all").fetchall())
    assert by_status == truth["orders_by_status"]
    variants = scalar(con, f"select count(*) from raw_orders where status <> lower(trim(status)) "
                           f"and lower(trim(status)) in {KNOWN_STATUSES}")
    assert variants == truth["normalised_values"]["raw_orders.status"] > 0
    assert scalar(con, "select count(*) from clean_users") == truth["clean_users"] == 1500


def test_channel_truth_rederived(dirty: tuple[Path, dict]) -> None:
    raw, truth = dirty
    rows = connect(raw).execute("""
        select acquisition_channel, count(*),
            count(*) filter (where user_id in (select user_id from valid_orders))
        from clean_users group by all
    """).fetchall()
    assert {c: (n, b) for c, n, b in rows} == {c: (v["users"], v["buyers"]) for c, v in truth["channels"].items()}
    rate = {c: v["buyers"] / v["users"] for c, v in truth["channels"].items()}
    assert rate["referral"] > rate["paid_social"] + 0.15, "buyer probability is planted per channel"


def test_campaign_truth_rederived(dirty: tuple[Path, dict]) -> None:
    raw, truth = dirty
    con = connect(raw)
    rows = con.execute("""
        select s.campaign_id, s.test_group, count(*) as users,
            count(*) filter (where exists (
                select 1 from valid_orders as o
                where o.user_id = s.user_id and o.ordered_at >= s.sent_at
                    and o.ordered_at < s.sent_at + interval 14 day)) as converted
        from raw_campaign_sends as s group by all
    """).fetchall()
    found = {(c, g): (n, k) for c, g, n, k in rows}
    for campaign in truth["campaigns"]:
        for group in ("treatment", "control"):
            users, converted = found[(campaign["campaign_id"], group)]
            assert users == campaign["users"][group]
            assert converted / users == pytest.approx(campaign["realised_conversion_rate"][group])
        share = campaign["users"]["control"] / sum(campaign["users"].values())
        assert share == pytest.approx(campaign["control_share"], abs=0.03)
    # The planted answer is exact only if targeted users have no other clean orders in their window.
    crowded = scalar(con, """
        select count(*) from (
            select s.send_id from raw_campaign_sends as s
            join orders_checked as o
                on o.user_id = s.user_id and o.ordered_at >= s.sent_at and o.ordered_at < s.sent_at + interval 14 day
            where o.reason is null
            group by s.send_id having count(*) > 1 or bool_or(o.clean_status not in """ + VALID_STATUSES + """)
        )
    """)
    assert crowded == 0



def test_variant_test_truth_rederived(dirty: tuple[Path, dict]) -> None:
    """The creative test's groups, converters and coupon cost, counted again from the raw files."""
    raw, truth = dirty
    [planted] = truth["variant_tests"]
    codes = "(" + ", ".join(f"'{code}'" for code in planted["coupon_codes"]) + ")"
    rows = connect(raw).execute(f"""
        select s.test_group, count(*) as users,
            count(*) filter (where exists (
                select 1 from valid_orders as o
                where o.user_id = s.user_id and o.ordered_at >= s.sent_at
                    and o.ordered_at < s.sent_at + interval 14 day)) as converted,
            coalesce(sum((
                select sum(o.discount_amount) from valid_orders as o
                where o.user_id = s.user_id and o.ordered_at >= s.sent_at
                    and o.ordered_at < s.sent_at + interval 14 day and o.coupon_code in {codes})), 0) as coupon_cost
        from raw_campaign_sends as s where s.campaign_id = '{planted["campaign_id"]}' group by all
    """).fetchall()
    found = {group: (users, converted, cost) for group, users, converted, cost in rows}
    assert set(found) == set(planted["groups"])
    total = sum(users for users, _, _ in found.values())
    for group, expected in planted["groups"].items():
        users, converted, cost = found[group]
        assert (users, converted) == (expected["users"], expected["converted_users"])
        assert cost == Decimal(expected["coupon_cost_cents"]) / 100
        assert abs(users - expected["intended_share"] * total) <= 1, "split exactly by the declared shares"
    assert found["control"][2] == 0 and found["creative_a"][2] > 0 and found["creative_b"][2] > 0


def test_ids_unique_and_events_reference_real_users(dirty: tuple[Path, dict]) -> None:
    raw, truth = dirty
    con = connect(raw)
    assert scalar(con, "select count(*) - count(distinct user_id) from clean_users") == 0
    assert scalar(con, "select count(distinct event_id) from raw_events") == scalar(
        con, "select count(*) from events_ranked where delivery = 1")
    assert scalar(con, "select count(*) - count(distinct send_id) from raw_campaign_sends") == 0
    assert scalar(con, "select count(*) from raw_order_items where order_id not in "
                       "(select order_id from raw_orders where order_id is not null)") == 0
    paid_events = scalar(con, "select count(distinct json_extract_string(properties, '$.order_id')) from raw_events "
                              "where event_name = 'order_paid' and json_valid(properties)")
    assert paid_events == sum(truth["orders_by_status"].values()), "one order_paid event per clean order"


def test_realistic_shapes(dirty: tuple[Path, dict]) -> None:
    raw, truth = dirty
    con = connect(raw)
    events_per_user = truth["events"]["clean_rows"] / truth["clean_users"]
    assert 50 < events_per_user < 200
    orders_per_buyer = sum(truth["orders_by_status"].values()) / scalar(
        con, "select count(distinct user_id) from orders_checked where reason is null")
    assert 1.5 < orders_per_buyer < 3
    no_session = scalar(con, "select avg((session_id is null)::int) from events_ranked where delivery = 1")
    assert 0.05 < no_session < 0.3
    anonymous = scalar(con, "select count(*) from events_ranked where delivery = 1 and user_id is null")
    assert anonymous > 0
    utm = con.execute("""
        select distinct u.acquisition_channel, e.utm_source from raw_events as e
        join clean_users as u using (user_id) where e.utm_source is not null
    """).fetchall()
    assert {c for c, _ in utm} <= {"paid_search", "paid_social", "app_store"}
    assert ("paid_search", "baidu") in utm
    first_half, second_half = con.execute(f"""
        select count(*) filter (where registered_at < timestamp '2024-07-01'),
               count(*) filter (where registered_at >= timestamp '2024-07-01')
        from clean_users
    """).fetchone()
    assert second_half > first_half, "sign-ups grow"
