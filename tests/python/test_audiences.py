"""Audiences end to end on a 2,000-user sample: consent and contact, layers of the day before,
a stable and configured treatment/control split, and the contact export.

The sample is the session's shared build (conftest.py `dirty_sample`); tests that rebuild part of it
with plain dbt (another as-of date, a full refresh) work on a copy."""

from __future__ import annotations

import csv
import math
import re
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from helpers import (
    SAMPLE_LOAD_TIME,
    BuiltSample,
    MakeFolder,
    copy_warehouse,
    failing_data_tests,
    query,
    run_dbt,
    run_strata,
)

MEMBERS_FINGERPRINT = """
    select count(*), md5(string_agg(concat_ws('|', audience_date, audience_name, user_id, test_group), ','
        order by audience_date, audience_name, user_id))
    from marts.audience_members
"""

# The audience rules of seeds/audiences.csv, recomputed independently for layers date $d: each
# user goes to the qualifying audience of lowest priority (the seed's order). The contact cap never
# binds here: the audience dates of these warehouses are weeks apart.
EXPECTED_AUDIENCES = """
    with
    layers as (select * from marts.user_layer_history where as_of_date = $d),
    last_orders as (
        select user_id, max(order_date) as last_order_date from marts.fct_orders
        where order_date <= $d group by user_id
    ),
    logins as (
        select user_id, bool_or(platform = 'app') as app, bool_or(platform = 'mini_program') as mini
        from marts.fct_events where user_id is not null and event_date <= $d group by user_id
    ),
    portraits as (
        select layers.*, date_diff('day', last_orders.last_order_date, $d) as recency_days,
            users.marketing_opt_in, users.has_email, users.has_phone,
            coalesce(logins.app, false) as app, coalesce(logins.mini, false) as mini
        from layers join marts.dim_users as users using (user_id)
        left join last_orders using (user_id) left join logins using (user_id)
        where users.marketing_opt_in
    ),
    deal_seekers as (
        select user_id from marts.user_tag_history
        where as_of_date = $d and tag_group = 'price_sensitivity' and tag = 'deal_seeker'
    ),
    abandoned_carts as (
        select user_id from marts.user_tag_history
        where as_of_date = $d and tag_group = 'cart' and tag = 'abandoned'
    ),
    qualified as (
        select 1 as priority, 'high_value_at_risk' as audience_name, user_id from portraits
        where lifecycle_stage = 'at_risk' and value_tier = 'core' and has_phone
        union all
        select 2, 'abandoned_cart_recovery', user_id from portraits
        where user_id in (select user_id from abandoned_carts) and (has_phone or has_email or app or mini)
        union all
        select 3, 'deal_seeker_at_risk', user_id from portraits
        where lifecycle_stage = 'at_risk' and user_id in (select user_id from deal_seekers)
            and (has_phone or has_email or app or mini)
        union all
        select 4, 'win_back_silent_buyers', user_id from portraits
        where recency_days >= 30 and order_count >= 2 and has_phone
        union all
        select 5, 'churned_reactivation', user_id from portraits where lifecycle_stage = 'churned' and has_email
        union all
        select 6, 'new_user_nurture', user_id from portraits where lifecycle_stage = 'new' and app
        union all
        select 7, 'silent_user_recall', user_id from portraits
        where behaviour_tier = 'churned' and (has_phone or has_email or app or mini)
    )
    select audience_name, user_id from qualified
    qualify row_number() over (partition by user_id order by priority) = 1
"""


def members(warehouse: Path, audience_date: date) -> set[tuple[str, str]]:
    return set(query(
        warehouse,
        f"select audience_name, user_id from marts.audience_members where audience_date = '{audience_date}'",
    ))


def expected(warehouse: Path, layers_date: date) -> set[tuple[str, str]]:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return set(connection.execute(EXPECTED_AUDIENCES, {"d": layers_date}).fetchall())


@pytest.fixture(scope="module")
def as_of(dirty_sample: BuiltSample) -> date:
    return date.fromisoformat(dirty_sample.truth["default_as_of_date"])


@pytest.fixture(scope="module")
def past(backfilled_sample: Path, as_of: date) -> date:
    """The backfilled sample's snapshot date nearest to 40 days before the as-of date."""
    dates = [row[0] for row in query(backfilled_sample, "select distinct as_of_date from marts.user_layer_history")]
    return min((day for day in dates if day < as_of), key=lambda day: abs((as_of - day).days - 40))


@pytest.fixture(scope="module")
def two_dates(
    backfilled_sample: Path, dirty_sample: BuiltSample, past: date, module_temp: MakeFolder
) -> Path:
    """A copy of the backfilled sample (layer snapshots of past dates, today's audience) with the
    next-day audience of the past snapshot date too."""
    warehouse = copy_warehouse(backfilled_sample, module_temp("audiences"))
    audience_vars = {"as_of_date": past.isoformat(), "audience_date": (past + timedelta(days=1)).isoformat()}
    run_dbt(warehouse, dirty_sample.raw_dir, "run", "--select", "audience_members+",
            dbt_vars={**audience_vars, "load_time": SAMPLE_LOAD_TIME})  # fmt: skip
    return warehouse


def test_default_audience_is_tomorrows_from_todays_layers(dirty_sample: BuiltSample, as_of: date) -> None:
    dates = query(dirty_sample.warehouse, "select distinct audience_date, layers_date from marts.audience_members")
    assert dates == [(as_of + timedelta(days=1), as_of)]
    assert members(dirty_sample.warehouse, as_of + timedelta(days=1)) == expected(dirty_sample.warehouse, as_of)


def test_no_member_without_consent_or_contact(dirty_sample: BuiltSample) -> None:
    offending = query(dirty_sample.warehouse, """
        select members.audience_name, members.user_id
        from marts.audience_members as members
        join marts.dim_users as users using (user_id)
        where not users.marketing_opt_in
            or (members.channel = 'sms' and not users.has_phone)
            or (members.channel = 'email' and not users.has_email)
            or (members.channel in ('push', 'wechat') and not exists (
                select 1 from marts.fct_events as events
                where events.user_id = members.user_id and events.event_date <= members.layers_date
                    and events.platform = case members.channel when 'push' then 'app' else 'mini_program' end))
    """)
    assert offending == []
    [(orphans,)] = query(dirty_sample.warehouse, """
        select count(*) from marts.audience_members
        where user_id not in (select user_id from marts.dim_users)
    """)
    assert orphans == 0
    assert query(dirty_sample.warehouse, "select count(distinct audience_name) from marts.audience_members") == [(7,)]


def test_audience_of_a_date_uses_the_layers_of_the_day_before(two_dates: Path, as_of: date, past: date) -> None:
    dates = query(two_dates, "select distinct audience_date, layers_date from marts.audience_members order by 1")
    assert dates == [(past + timedelta(days=1), past), (as_of + timedelta(days=1), as_of)]
    for layers_date in (past, as_of):
        assert members(two_dates, layers_date + timedelta(days=1)) == expected(two_dates, layers_date)
    # The two snapshots differ, so the check above can tell them apart.
    assert expected(two_dates, past) != expected(two_dates, as_of)


# Three of the data tests of audience_members, which all check the audience date of the run
# (macro audience_of_last_run): its two grain tests and a column's accepted values.
AUDIENCE_TESTS = (
    "unique_combination_audience_members_audience_date__audience_name__user_id",
    "unique_combination_audience_members_one_audience_a_day",
    "accepted_values_audience_members_test_group",
)


def repeat_a_member(warehouse: Path, audience_date: date) -> None:
    """Insert a second copy of one member of audience_date, with a test_group no audience has."""
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute(
            "insert into marts.audience_members select * replace ('neither' as test_group) "
            "from marts.audience_members where audience_date = ? order by audience_name, user_id limit 1",
            [audience_date],
        )


def test_audience_tests_check_the_date_the_run_wrote(
    two_dates: Path, dirty_sample: BuiltSample, as_of: date, past: date, tmp_path: Path
) -> None:
    """A run writes one audience date: var audience_date, else the as-of date + 1. Its tests
    check that date, so a member repeated on another date is left to the run that wrote it (and
    found with scope_tests_to_last_run false); repeated on the run's date, it fails all three."""
    raw_dir = dirty_sample.raw_dir
    past_vars = {"as_of_date": past.isoformat(), "audience_date": (past + timedelta(days=1)).isoformat()}
    assert failing_data_tests(two_dates, raw_dir, *AUDIENCE_TESTS, scope_tests_to_last_run=False) == []
    earlier = copy_warehouse(two_dates, tmp_path / "earlier")
    repeat_a_member(earlier, past + timedelta(days=1))
    assert failing_data_tests(earlier, raw_dir, *AUDIENCE_TESTS) == []
    assert failing_data_tests(earlier, raw_dir, *AUDIENCE_TESTS, **past_vars) == sorted(AUDIENCE_TESTS)
    every_date = failing_data_tests(earlier, raw_dir, *AUDIENCE_TESTS, scope_tests_to_last_run=False)
    assert every_date == sorted(AUDIENCE_TESTS)
    current = copy_warehouse(two_dates, tmp_path / "current")
    repeat_a_member(current, as_of + timedelta(days=1))
    assert failing_data_tests(current, raw_dir, *AUDIENCE_TESTS) == sorted(AUDIENCE_TESTS)
    assert failing_data_tests(current, raw_dir, *AUDIENCE_TESTS, **past_vars) == []


def test_split_is_stable_across_rebuilds(dirty_sample: BuiltSample, tmp_path: Path) -> None:
    warehouse = copy_warehouse(dirty_sample.warehouse, tmp_path)
    before = query(warehouse, MEMBERS_FINGERPRINT)
    run_dbt(warehouse, dirty_sample.raw_dir, "run", "--select", "audience_members+", "--full-refresh")
    assert query(warehouse, MEMBERS_FINGERPRINT) == before


def test_split_is_close_to_the_configured_share(dirty_sample: BuiltSample) -> None:
    rows = query(dirty_sample.warehouse, """
        select audience_name, count(*), sum(case when test_group = 'control' then 1 else 0 end), min(control_share)
        from marts.audience_members group by audience_name
    """)
    total = sum(count for _, count, _, _ in rows)
    control = sum(controls for _, _, controls, _ in rows)
    assert total >= 200
    # every audience is configured with 0.2; 4 binomial standard errors of slack
    assert abs(control / total - 0.2) < 4 * math.sqrt(0.2 * 0.8 / total), (control, total)
    for name, count, controls, share in rows:
        assert abs(controls / count - share) < 4 * math.sqrt(share * (1 - share) / count) + 1 / count, name


def test_export_writes_the_treatment_contacts(dirty_sample: BuiltSample, as_of: date, tmp_path: Path) -> None:
    out = tmp_path / "win_back.csv"
    completed = run_strata("export-audience", "win_back_silent_buyers", "--out", out,
                           "--warehouse", dirty_sample.warehouse, check=True)
    assert "contacts" in completed.stdout
    with out.open() as handle:
        rows = list(csv.DictReader(handle))
    treatment = query(dirty_sample.warehouse, """
        select user_id from marts.audience_members
        where audience_name = 'win_back_silent_buyers' and test_group = 'treatment'
    """)
    assert sorted(row["user_id"] for row in rows) == sorted(user for (user,) in treatment)
    # Phones are exported in E.164 form (the generator writes "+86 1XX XXXX XXXX").
    assert rows and all(row["channel"] == "sms" and re.fullmatch(r"\+861[3-9][0-9]{9}", row["contact"]) for row in rows)
    dated = tmp_path / "dated.csv"
    run_strata("export-audience", "win_back_silent_buyers", "--date", str(as_of + timedelta(days=1)), "--out", dated,
               "--warehouse", dirty_sample.warehouse, check=True)
    assert dated.read_text() == out.read_text()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [(("no_such_audience",), "unknown audience"), (("win_back_silent_buyers", "--date", "2001-01-01"), "no audience")],
)
def test_export_rejects_unknown_audience_and_date(
    dirty_sample: BuiltSample, tmp_path: Path, arguments: tuple[str, ...], message: str
) -> None:
    completed = run_strata("export-audience", *arguments, "--out", tmp_path / "x.csv",
                           "--warehouse", dirty_sample.warehouse)
    assert completed.returncode == 2
    assert message in completed.stderr and len(completed.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "x.csv").exists()


def test_export_reports_a_locked_warehouse(dirty_sample: BuiltSample, tmp_path: Path) -> None:
    warehouse = copy_warehouse(dirty_sample.warehouse, tmp_path)
    with duckdb.connect(str(warehouse)):  # a writer holds the file, as a build would
        completed = run_strata("export-audience", "win_back_silent_buyers", "--out", tmp_path / "x.csv",
                               "--warehouse", warehouse)
    assert completed.returncode == 2
    assert "locked" in completed.stderr and len(completed.stderr.strip().splitlines()) == 1


def test_silent_user_recall_reaches_never_buyers_on_their_cheapest_channel(dirty_sample: BuiltSample) -> None:
    """The shipped recall audience (behaviour_tier churned, channel cheapest) holds registered users
    who never bought, and nobody in it can be reached on a channel cheaper than the one picked."""
    [(members, never_bought)] = query(dirty_sample.warehouse, """
        select count(*), count(*) filter (where order_count = 0)
        from marts.audience_members where audience_name = 'silent_user_recall'
    """)
    assert members > 0 and never_bought > 0
    dearer = query(dirty_sample.warehouse, """
        with costs as (select channel, cost_per_message_amount as cost from reference.message_costs)
        select members.user_id, members.channel, cheaper.channel
        from marts.audience_members as members
        join costs as picked on members.channel = picked.channel
        join costs as cheaper on cheaper.cost < picked.cost
        where members.audience_name = 'silent_user_recall'
            and case cheaper.channel
                when 'sms' then members.has_phone when 'email' then members.has_email
                when 'push' then members.has_app_login when 'wechat' then members.has_mini_program_login
            end
    """)
    assert dearer == []



def test_an_audience_date_without_its_tags_stops_the_build(
    backfilled_sample: Path, dirty_sample: BuiltSample, past: date, tmp_path: Path
) -> None:
    """deal_seeker_at_risk filters on tags: an audience date whose layers date has no tag snapshot
    would silently fail every has_tags, so dbt stops with a message naming the way out."""
    warehouse = copy_warehouse(backfilled_sample, tmp_path)
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute("delete from marts.user_tag_history where as_of_date = ?", [past])
    audience_vars = {"as_of_date": past.isoformat(), "audience_date": (past + timedelta(days=1)).isoformat()}
    with pytest.raises(AssertionError, match="holds no tags of that day"):
        run_dbt(warehouse, dirty_sample.raw_dir, "run", "--select", "audience_members",
                dbt_vars={**audience_vars, "load_time": SAMPLE_LOAD_TIME})  # fmt: skip
