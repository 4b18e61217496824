"""Ad content and keyword (ad_performance, funnel_conversion) and ROAS per attribution model
(channel_roas) on the generated sample.

The generator plants a best ad content (utm_content) and a best keyword (utm_term) per utm_source
(ground_truth.json `ads`): a paid user's buyer probability is multiplied by 0.1, plus 1.35 for the
best content and 1.35 again for the best keyword, so a user of the best keyword buys 1.9 / 0.55 =
3.5 times as often as one of another keyword. Why 2,000 users (the shared `dirty_sample`) are
enough to rank them: the smallest cell is apple_search_ads (~5 % of users, ~35 per keyword, base
probability 0.3): 0.57 against 0.17 with a standard error of the gap of ~0.10, 4 standard errors;
wechat (~60 per keyword, base 0.2): 0.38 against 0.11, SE ~0.075, 3.6 standard errors. The
generator is seeded, so the result is reproducible.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from decimal import Decimal

from helpers import PROJECT_DIR, BuiltSample, query

MODELS = ("first_touch", "last_touch", "linear", "position_based")


def test_the_planted_best_keyword_and_content_rank_first(dirty_sample: BuiltSample) -> None:
    planted = dirty_sample.truth["ads"]
    for column, best_of_source in (("utm_term", planted["best_term"]), ("utm_content", planted["best_content"])):
        rows = query(
            dirty_sample.warehouse,
            f"select utm_source, {column}, sum(buyers), sum(acquired_users) from marts.ad_performance group by all",
        )
        for source, best in best_of_source.items():
            shares = {value: buyers / users for row_source, value, buyers, users in rows if row_source == source}
            assert max(shares, key=shares.get) == best, (column, source, shares)


def test_acquired_users_are_the_sign_ups_of_each_paid_campaign(dirty_sample: BuiltSample) -> None:
    """A paid sign-up's first session carries the tags of their acquisition campaign, so each ad's
    media and campaign, renamed to spend names, count the users of that acquisition channel and
    campaign: all of them but the few whose tagged session the dirt removed, and never more."""
    names = spend_names()["utm_source"]
    acquired: dict[tuple[str, str], int] = defaultdict(int)
    for source, campaign, users in query(
        dirty_sample.warehouse, "select utm_source, utm_campaign, sum(acquired_users) from marts.ad_performance group by 1, 2"
    ):
        acquired[(names[source], campaign)] += users
    registered = {
        (channel, campaign): users
        for channel, campaign, users in query(
            dirty_sample.warehouse,
            "select acquisition_channel, acquisition_campaign, count(*) from marts.dim_users group by 1, 2",
        )
    }
    assert len(acquired) == 5, acquired  # the generator's five paid campaigns
    for key, users in acquired.items():
        assert 0.95 * registered[key] <= users <= registered[key], (key, users, registered[key])


def test_funnels_break_down_by_keyword_and_content(dirty_sample: BuiltSample) -> None:
    planted = dirty_sample.truth["ads"]
    for breakdown, best_of_source in (("utm_term", planted["best_term"]), ("utm_content", planted["best_content"])):
        values = {
            value
            for (value,) in query(
                dirty_sample.warehouse,
                f"select distinct breakdown_value from marts.funnel_conversion where breakdown = '{breakdown}'",
            )
        }
        assert set(best_of_source.values()) <= values and "(none)" in values, (breakdown, values)


def spend_names() -> dict[str, dict[str, str]]:
    """The seed utm_spend_names as {utm_field: {utm_value: spend_value}}."""
    names: dict[str, dict[str, str]] = {"utm_source": {}, "utm_campaign": {}}
    with (PROJECT_DIR / "seeds" / "utm_spend_names.csv").open() as seed:
        for row in csv.DictReader(seed):
            names[row["utm_field"]][row["utm_value"]] = row["spend_value"]
    return names


def test_channel_roas_credits_every_first_order_once_per_model(dirty_sample: BuiltSample) -> None:
    first_orders = dict(
        query(
            dirty_sample.warehouse,
            "select date_trunc('month', order_date)::date, count(*) from marts.fct_orders where is_first_order group by 1",
        )
    )
    credited = query(
        dirty_sample.warehouse,
        "select attribution_model, month_date, sum(attributed_orders) from marts.channel_roas group by 1, 2",
    )
    assert {model for model, _, _ in credited} == set(MODELS)
    for model, month, orders in credited:
        assert abs(orders - first_orders.get(month, 0)) < 1e-6, (model, month, orders)
    spend = query(
        dirty_sample.warehouse,
        """
        select
            (select sum(spend_amount) from staging.stg_raw__marketing_spend
             where quarantine_reason is null and spend_date <= (select max(as_of_date) from intermediate.int_as_of_date)),
            sum(spend_amount) filter (where attribution_model = 'last_touch')
        from marts.channel_roas
        """,
    )[0]
    assert spend[0] == spend[1] and spend[0] > 0


def test_last_touch_revenue_meets_spend_under_the_mapped_names(dirty_sample: BuiltSample) -> None:
    """Each first order's last tagged session (of its stitched user, in the 30 days up to the
    order), found here in SQL over fct_sessions, and its media renamed with the seed in Python:
    the revenue per spend channel equals channel_roas's last_touch revenue."""
    last_touches = query(
        dirty_sample.warehouse,
        """
        select orders.order_amount, arg_max(sessions.utm_source, (sessions.started_at, sessions.session_id))
        from marts.fct_orders as orders
        left join marts.fct_sessions as sessions
            on sessions.stitched_user_id = orders.user_id and sessions.utm_source is not null
            and sessions.started_at between orders.ordered_at - interval 30 day and orders.ordered_at
        where orders.is_first_order
        group by orders.order_id, orders.order_amount
        """,
    )
    names = spend_names()["utm_source"]
    expected: dict[str, Decimal] = defaultdict(Decimal)
    for amount, source in last_touches:
        expected[names.get(source, source) if source else "(direct)"] += amount
    got = dict(
        query(
            dirty_sample.warehouse,
            "select channel, sum(attributed_revenue_amount) from marts.channel_roas "
            "where attribution_model = 'last_touch' group by 1 having sum(attributed_orders) > 0",
        )
    )
    assert got == dict(expected)
    assert {"paid_search", "paid_social", "app_store", "(direct)"} <= set(got)
