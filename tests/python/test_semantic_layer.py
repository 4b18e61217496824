"""The semantic layer (MetricFlow) on the session's dirty sample: `strata metrics query` (mf) gives,
for every metric, the numbers that SQL written here over the fact tables gives, and the numbers of
the mart with the same formula (doc block semantic_metrics). Counts and money must match exactly
(to the cent); ratios to 1e-9.

mf opens the warehouse through dbt's adapter (read-write), so each module works on a copy of the
shared warehouse."""

from __future__ import annotations

import csv
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from helpers import BuiltSample, MakeFolder, copy_warehouse, query, run_strata

Key = tuple[str, ...]
CENT = Decimal("0.01")


@pytest.fixture(scope="module")
def warehouse(dirty_sample: BuiltSample, module_temp: MakeFolder) -> Path:
    """A copy of the session's sample warehouse that mf may open."""
    return copy_warehouse(dirty_sample.warehouse, module_temp("semantic"))


def mf_query(warehouse: Path, out: Path, *arguments: str) -> list[dict[str, str]]:
    """Rows of `strata metrics query ARGUMENTS` (written with mf's --csv), as strings."""
    completed = run_strata("metrics", "--warehouse", warehouse, "query", *arguments, "--quiet", "--csv", out)
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    with out.open(newline="") as handle:
        return list(csv.DictReader(handle))


def keyed(rows: list[dict[str, str]], *key_columns: str) -> dict[Key, dict[str, str]]:
    """mf rows by their group-by values; a time bucket ('2024-03-01 00:00:00') by its date."""
    def key(row: dict[str, str]) -> Key:
        return tuple(row[column][:10] if column.startswith("metric_time") else row[column] for column in key_columns)

    result = {key(row): row for row in rows}
    assert len(result) == len(rows), "mf returned a group twice"
    return result


def as_table(rows: list[tuple], columns: int = 1) -> dict[Key, tuple]:
    """SQL rows by their first `columns` values (as strings)."""
    return {tuple(str(value) for value in row[:columns]): tuple(row[columns:]) for row in rows}


def money(text: str) -> Decimal:
    """An amount of mf's CSV; empty is 0."""
    return Decimal(text or "0")


def ratio(text: str) -> float | None:
    return float(text) if text else None


def assert_close(actual: float | None, expected: float | None, tolerance: float = 1e-9) -> None:
    assert (actual is None) == (expected is None), (actual, expected)
    if expected is not None:
        assert actual == pytest.approx(expected, abs=tolerance), (actual, expected)


def assert_same_groups(got: dict[Key, dict[str, str]], expected: dict[Key, tuple], check: Callable) -> None:
    """Every expected group is in mf's answer with the same values, and mf has no other group."""
    assert set(got) == set(expected), (sorted(set(got) ^ set(expected)))[:10]
    for key, values in expected.items():
        check(got[key], *values)


def test_revenue_orders_buyers_aov_by_month_and_value_tier(warehouse: Path, tmp_path: Path) -> None:
    """Two dimensions: the order month and the user's current value tier (user_layers)."""
    rows = mf_query(
        warehouse, tmp_path / "revenue.csv",
        "--metrics", "revenue,orders,buyers,average_order_value", "--group-by", "metric_time__month,user__value_tier",
    )  # fmt: skip
    expected = as_table(query(warehouse, """
        select
            date_trunc('month', o.order_date)::date, l.value_tier,
            sum(o.order_amount), count(*), count(distinct o.user_id), sum(o.order_amount) / count(*)
        from marts.fct_orders as o
        inner join marts.user_layers as l on o.user_id = l.user_id
        group by all
    """), columns=2)  # fmt: skip
    assert len(expected) > 20 and {key[1] for key in expected} == {"core", "normal", "low"}

    def check(row: dict[str, str], revenue: Decimal, orders: int, buyers: int, aov: Decimal) -> None:
        assert money(row["revenue"]) == revenue
        assert int(row["orders"]) == orders and int(row["buyers"]) == buyers
        assert_close(ratio(row["average_order_value"]), float(aov))

    assert_same_groups(keyed(rows, "metric_time__month", "user__value_tier"), expected, check)
    # The same totals as the KPI mart (kpi_monthly, net_revenue and orders overall).
    kpi = dict(query(warehouse, """
        select metric_name, sum(metric_value) from marts.kpi_monthly
        where breakdown = 'overall' and metric_name in ('net_revenue', 'orders') group by metric_name
    """))
    assert sum(money(row["revenue"]) for row in rows) == Decimal(str(kpi["net_revenue"])).quantize(CENT)
    assert sum(int(row["orders"]) for row in rows) == kpi["orders"]


def test_cac_and_roas_by_month_and_channel(warehouse: Path, tmp_path: Path) -> None:
    """The saved query monthly_cac_roas_by_channel: spend rows and users of the same channel."""
    rows = mf_query(warehouse, tmp_path / "cac.csv", "--saved-query", "monthly_cac_roas_by_channel")
    expected = as_table(query(warehouse, """
        with
        as_of as (select as_of_date from intermediate.int_as_of_date),
        spend as (
            select date_trunc('month', spend_date)::date as month, channel, sum(spend_amount) as spend
            from staging.stg_raw__marketing_spend
            where quarantine_reason is null and spend_date <= (select as_of_date from as_of)
            group by all
        ),
        users as (
            select u.user_id, u.acquisition_channel as channel, u.registered_date,
                   min(o.order_date) as first_order_date
            from marts.dim_users as u left join marts.fct_orders as o on u.user_id = o.user_id
            group by all
        ),
        registrations as (
            select date_trunc('month', u.registered_date)::date as month, u.channel, count(*) as registrations,
                   coalesce(sum((
                       select sum(o.order_amount) from marts.fct_orders as o
                       where o.user_id = u.user_id and o.order_date >= u.registered_date
                         and o.order_date < u.registered_date + interval 90 day
                   )), 0) as early_revenue
            from users as u where u.registered_date <= (select as_of_date from as_of)
            group by all
        ),
        new_buyers as (
            select date_trunc('month', first_order_date)::date as month, channel, count(*) as new_buyers
            from users where first_order_date is not null group by all
        ),
        keys as (
            select month, channel from spend union select month, channel from registrations
            union select month, channel from new_buyers
        )
        select keys.month, keys.channel, s.spend, r.registrations, r.early_revenue, n.new_buyers
        from keys
        left join spend as s using (month, channel)
        left join registrations as r using (month, channel)
        left join new_buyers as n using (month, channel)
    """), columns=2)  # fmt: skip
    assert any(values[0] for values in expected.values()) and any(values[3] for values in expected.values())

    def check(row: dict[str, str], spend: Decimal | None, registrations: int | None,
              early_revenue: Decimal | None, new_buyers: int | None) -> None:  # fmt: skip
        assert money(row["marketing_spend"]) == (spend or 0)
        assert int(row["registrations"] or 0) == (registrations or 0)
        assert money(row["early_revenue"]) == (early_revenue or 0)
        assert int(row["new_buyers"] or 0) == (new_buyers or 0)
        # A channel without spend (organic) has CAC 0, as in kpi_monthly and channel_performance.
        assert_close(ratio(row["cac"]), float((spend or 0) / new_buyers) if new_buyers else None)
        assert_close(ratio(row["roas"]), float((early_revenue or 0) / spend) if spend else None)

    got = keyed(rows, "metric_time__month", "channel")
    assert_same_groups(got, expected, check)
    # The marts with the same formulas: kpi_monthly's cac by acquisition channel, channel_performance's
    # spend and early revenue (summed over campaigns).
    for month, channel, cac in query(warehouse, """
        select month_date, breakdown_value, metric_value from marts.kpi_monthly
        where breakdown = 'acquisition_channel' and metric_name = 'cac' and metric_value is not null
    """):
        assert_close(ratio(got[(str(month), channel)]["cac"]), cac)
    for month, channel, spend, early_revenue in query(warehouse, """
        select month_date, acquisition_channel, sum(spend_amount), sum(early_revenue_amount)
        from marts.channel_performance group by all
    """):
        assert money(got[(str(month), channel)]["marketing_spend"]) == spend
        assert money(got[(str(month), channel)]["early_revenue"]) == early_revenue


def test_repurchase_rate_by_month(warehouse: Path, tmp_path: Path) -> None:
    """The saved query monthly_repurchase_rate: new buyers' second order within 30 days."""
    rows = mf_query(warehouse, tmp_path / "repurchase.csv", "--saved-query", "monthly_repurchase_rate")
    expected = as_table(query(warehouse, """
        with firsts as (
            select user_id,
                   min(order_date) filter (where order_sequence = 1) as first_date,
                   min(order_date) filter (where order_sequence = 2) as second_date
            from marts.fct_orders group by user_id
        )
        select date_trunc('month', first_date)::date, count(*),
               count(*) filter (where second_date - first_date <= 30)
        from firsts group by all
    """))  # fmt: skip
    assert any(values[1] for values in expected.values())

    def check(row: dict[str, str], new_buyers: int, repurchased: int) -> None:
        assert int(row["new_buyers"]) == new_buyers
        assert int(row["new_buyers_repurchased"]) == repurchased
        assert_close(ratio(row["repurchase_rate"]), repurchased / new_buyers)

    got = keyed(rows, "metric_time__month")
    assert_same_groups(got, expected, check)
    for month, rate in query(warehouse, """
        select order_month, new_customer_repurchase_rate from marts.repurchase_monthly where new_customers > 0
    """):
        assert_close(ratio(got[(str(month),)]["repurchase_rate"]), rate)


def test_retention_rate_by_cohort_month_and_period(warehouse: Path, tmp_path: Path) -> None:
    """The saved query retention_by_cohort_month: members of each first-order month who ordered
    again n months later, over the cohort's members."""
    rows = mf_query(warehouse, tmp_path / "retention.csv", "--saved-query", "retention_by_cohort_month")
    active = as_table(query(warehouse, """
        with cohorts as (
            select user_id, date_trunc('month', min(order_date))::date as cohort_month
            from marts.fct_orders group by user_id
        ),
        sizes as (select cohort_month, count(*) as size from cohorts group by all)
        select c.cohort_month,
               datediff('month', c.cohort_month, date_trunc('month', o.order_date)::date),
               count(distinct o.user_id), any_value(sizes.size)
        from marts.fct_orders as o
        inner join cohorts as c on o.user_id = c.user_id
        inner join sizes on c.cohort_month = sizes.cohort_month
        group by all
    """), columns=2)  # fmt: skip
    got = keyed(rows, "metric_time__month", "cohort_period__period_number")
    assert set(active) <= set(got) and any(key[1] != "0" and values[0] for key, values in active.items())
    sizes = {key[0]: values[1] for key, values in active.items()}
    for key, row in got.items():
        retained, size = active.get(key, (0, sizes[key[0]]))
        assert int(row["retained_member_periods"]) == retained and int(row["cohort_member_periods"]) == size
        assert_close(ratio(row["retention_rate"]), retained / size)
    for month, period, rate in query(warehouse, """
        select cohort_month, period_number, retention_rate from marts.cohort_retention_monthly
    """):
        assert_close(ratio(got[(str(month), str(period))]["retention_rate"]), rate)


def test_campaign_incremental_revenue_by_campaign(warehouse: Path, tmp_path: Path) -> None:
    """The saved query campaign_incremental_revenue: (treated - control revenue per user) x treated
    users, the variants of a campaign pooled; campaign_results has it per variant for segment
    'overall', and the variants' rows add up to it."""
    rows = mf_query(warehouse, tmp_path / "campaigns.csv", "--saved-query", "campaign_incremental_revenue")
    expected = as_table(query(warehouse, """
        select campaign_id,
               count(*) filter (where test_group != 'control'), count(*) filter (where test_group = 'control'),
               coalesce(sum(revenue_amount) filter (where test_group != 'control'), 0),
               coalesce(sum(revenue_amount) filter (where test_group = 'control'), 0)
        from marts.campaign_user_outcomes group by campaign_id
    """))  # fmt: skip
    assert len(expected) >= 2

    def check(row: dict[str, str], treatment: int, control: int, treatment_revenue: Decimal,
              control_revenue: Decimal) -> None:  # fmt: skip
        assert int(row["campaign_treatment_users"]) == treatment and int(row["campaign_control_users"]) == control
        assert money(row["campaign_treatment_revenue"]) == treatment_revenue
        assert money(row["campaign_control_revenue"]) == control_revenue
        incremental = float(treatment_revenue) - float(control_revenue) * treatment / control if control else None
        assert_close(ratio(row["campaign_incremental_revenue"]), incremental, tolerance=1e-6)

    got = keyed(rows, "campaign")
    assert_same_groups(got, expected, check)
    variants = query(warehouse, "select count(*) from marts.campaign_results where segment = 'overall'")[0][0]
    assert variants > len(expected)  # the sample's creative test has two variants
    for campaign, amount, rows_of_campaign in query(warehouse, """
        select campaign_id, sum(incremental_revenue_amount), count(*) from marts.campaign_results
        where segment = 'overall' group by campaign_id
    """):  # fmt: skip
        # Each variant's row is rounded to cents.
        assert abs(Decimal(got[(campaign,)]["campaign_incremental_revenue"]) - amount) <= Decimal("0.005") * rows_of_campaign


def test_funnel_conversion_by_funnel(warehouse: Path, tmp_path: Path) -> None:
    """Identities with an attempt reaching the last step over those starting the funnel."""
    rows = mf_query(
        warehouse, tmp_path / "funnels.csv",
        "--metrics", "funnel_started_identities,funnel_completed_identities,funnel_conversion",
        "--group-by", "funnel_attempt_step__funnel_name",
    )  # fmt: skip
    expected = as_table(query(warehouse, """
        with last_steps as (
            select funnel_name, max(step_number) as last_step from intermediate.int_funnel_steps group by all
        )
        select a.funnel_name,
               count(distinct a.identity_id) filter (where a.step_number = 1),
               count(distinct a.identity_id) filter (where a.step_number = l.last_step)
        from intermediate.int_funnel_attempt_steps as a
        inner join last_steps as l on a.funnel_name = l.funnel_name
        group by all
    """))  # fmt: skip
    assert expected and all(completed for _, completed in expected.values())

    def check(row: dict[str, str], started: int, completed: int) -> None:
        assert int(row["funnel_started_identities"]) == started
        assert int(row["funnel_completed_identities"]) == completed
        assert_close(ratio(row["funnel_conversion"]), completed / started)

    got = keyed(rows, "funnel_attempt_step__funnel_name")
    assert_same_groups(got, expected, check)
    for funnel, rate in query(warehouse, """
        select funnel_name, conversion_from_start from marts.funnel_conversion
        where breakdown = 'overall'
        qualify step_number = max(step_number) over (partition by funnel_name)
    """):
        assert_close(ratio(got[(funnel,)]["funnel_conversion"]), rate)


def test_gmv_placed_orders_coupon_cost_and_mau_by_month(warehouse: Path, tmp_path: Path) -> None:
    """The saved query monthly_gmv_and_active_users, against SQL over the kept orders and the
    logged-in activity days, and against kpi_monthly (overall) for the months before the as-of
    month (kpi_monthly stops at the as-of date; the fact keeps later placed orders)."""
    got = keyed(mf_query(warehouse, tmp_path / "kpis.csv", "--saved-query", "monthly_gmv_and_active_users"),
                "metric_time__month")  # fmt: skip
    orders = as_table(query(warehouse, """
        select date_trunc('month', order_date)::date, count(*), sum(order_amount + discount_amount),
               sum(discount_amount) filter (where coupon_code is not null and status in ('paid', 'completed'))
        from intermediate.int_orders_validated where quarantine_reason is null group by 1
    """))  # fmt: skip
    active = as_table(query(warehouse, """
        select date_trunc('month', activity_date)::date, count(distinct user_id)
        from intermediate.int_user_activity_days group by 1
    """))  # fmt: skip
    assert len(orders) > 6
    for (month,), (placed, gmv, coupon_cost) in orders.items():
        row = got[(month,)]
        assert int(row["placed_orders"]) == placed and money(row["gmv"]) == gmv, month
        assert money(row["coupon_cost"]) == (coupon_cost or 0), month
    for (month,), (users,) in active.items():
        assert int(got[(month,)]["active_users"]) == users, month
    as_of_month = query(warehouse, "select date_trunc('month', max(as_of_date))::date from intermediate.int_as_of_date")[0][0]
    kpis = query(warehouse, """
        select month_date, metric_name, metric_value from marts.kpi_monthly
        where breakdown = 'overall' and metric_name in ('gmv', 'placed_orders', 'coupon_cost', 'mau')
    """)  # fmt: skip
    names = {"gmv": "gmv", "placed_orders": "placed_orders", "coupon_cost": "coupon_cost", "mau": "active_users"}
    compared = 0
    for month, name, value in kpis:
        if month < as_of_month and (str(month),) in got:
            assert money(got[(str(month),)][names[name]]) == Decimal(str(value)).quantize(CENT), (month, name)
            compared += 1
    assert compared > 20


def test_every_metric_dimension_and_saved_query_runs_on_the_warehouse(warehouse: Path) -> None:
    """mf validate-configs: the semantic manifest is consistent, and a query of every measure,
    dimension, entity and metric runs on the built warehouse."""
    completed = run_strata("metrics", "--warehouse", warehouse, "validate-configs")
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output[-3000:]
    parts = ("the semantics of built manifest", "dimensions against data warehouse", "metrics against data warehouse")
    for part in parts:
        assert f"Successfully validated {part} (ERRORS: 0," in output, output[-3000:]
