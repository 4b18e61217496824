"""The planted answers: accumulated over chunks, written as ground_truth.json."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .campaigns import Sends
from .catalogues import (
    AD_BASE_FACTOR,
    AD_BEST_BONUS,
    BAD_KINDS,
    BEST_AD_CONTENT,
    BEST_AD_TERM,
    BUYER_PROBABILITY,
    CAMPAIGNS,
    CHANNELS,
    COUPONS,
    SCHEMAS,
    VARIANT_TEST,
)
from .kinds import Audience, OrderStatus, TestGroup, names
from .orders import Orders
from .settings import DAY, RunParameters
from .users import Users


@dataclass
class Truth:
    """Ground-truth accumulators, summed over chunks."""

    rows: dict[str, int] = field(default_factory=lambda: {t: 0 for t in SCHEMAS})
    bad: dict[str, dict[str, int]] = field(
        default_factory=lambda: {t: {k: 0 for k in kinds} for t, kinds in BAD_KINDS.items()})
    normalised_status: int = 0
    valid_orders: int = 0
    revenue_cents: int = 0
    buyers: int = 0
    latest_valid_us: int | None = None
    orders_by_status: dict[str, int] = field(default_factory=lambda: {s: 0 for s in names(OrderStatus)})
    clean_users: int = 0
    channel_users: dict[str, int] = field(default_factory=lambda: {c: 0 for c in CHANNELS})
    channel_buyers: dict[str, int] = field(default_factory=lambda: {c: 0 for c in CHANNELS})
    # [kinds.Audience, kinds.TestGroup]
    campaign_users: np.ndarray = field(default_factory=lambda: np.zeros((len(CAMPAIGNS), len(TestGroup)), np.int64))
    campaign_converted: np.ndarray = field(
        default_factory=lambda: np.zeros((len(CAMPAIGNS), len(TestGroup)), np.int64))
    # the creative test (VARIANT_TEST), by kinds.TestGroup
    variant_users: np.ndarray = field(default_factory=lambda: np.zeros(len(TestGroup), np.int64))
    variant_converted: np.ndarray = field(default_factory=lambda: np.zeros(len(TestGroup), np.int64))
    variant_coupon_orders: np.ndarray = field(default_factory=lambda: np.zeros(len(TestGroup), np.int64))
    variant_coupon_cents: np.ndarray = field(default_factory=lambda: np.zeros(len(TestGroup), np.int64))
    events: dict[str, int] = field(default_factory=lambda: {
        "clean_rows": 0, "anonymous": 0, "late_arrivals": 0, "without_session_id": 0})

    def add_bad(self, table: str, counts: dict[str, int]) -> None:
        for kind, count in counts.items():
            self.bad[table][kind] += count


def tally(run: RunParameters, truth: Truth, users: Users, orders: Orders, sends: Sends) -> None:
    """Add one chunk's clean facts. Every clean order belongs to a clean user, so an order is
    valid exactly when its status is paid or completed."""
    n = len(users.numbers)
    valid = orders.is_valid
    truth.clean_users += n
    truth.valid_orders += int(valid.sum())
    truth.revenue_cents += int(orders.amount_cents[valid].sum())
    if valid.any():
        latest = int(orders.ordered_us[valid].max())
        truth.latest_valid_us = max(latest, truth.latest_valid_us or latest)
    buyers = np.unique(orders.user[valid])
    truth.buyers += len(buyers)
    for status, count in zip(names(OrderStatus), np.bincount(orders.status, minlength=len(OrderStatus))):
        truth.orders_by_status[status] += int(count)
    users_per_channel = np.bincount(users.channel, minlength=len(CHANNELS))
    buyers_per_channel = np.bincount(users.channel[buyers], minlength=len(CHANNELS))
    for channel, users_count, buyers_count in zip(CHANNELS, users_per_channel, buyers_per_channel):
        truth.channel_users[channel] += int(users_count)
        truth.channel_buyers[channel] += int(buyers_count)

    sent_of_user = np.full(n, -1, np.int64)
    sent_of_user[sends.user] = sends.sent_us
    sent = sent_of_user[orders.user]
    window_end = sent + run.settings.campaigns.conversion_window_days * DAY
    in_window = valid & (sent >= 0) & (orders.ordered_us >= sent) & (orders.ordered_us < window_end)
    converted = np.zeros(n, bool)
    converted[orders.user[in_window]] = True
    two_group = sends.campaign < len(CAMPAIGNS)
    campaign, group, user = sends.campaign[two_group], sends.group[two_group], sends.user[two_group]
    np.add.at(truth.campaign_users, (campaign, group), 1)
    np.add.at(truth.campaign_converted, (campaign, group), converted[user].astype(np.int64))
    tally_variant_test(truth, orders, sends, in_window, converted, n)


def tally_variant_test(truth: Truth, orders: Orders, sends: Sends, in_window: np.ndarray, converted: np.ndarray,
                       n: int) -> None:
    """The creative test's users, converters and coupon cost per group: the discounts of valid
    orders in the user's window that carry one of the test's coupon codes."""
    creative = sends.campaign == Audience.CREATIVE
    group, user = sends.group[creative], sends.user[creative]
    np.add.at(truth.variant_users, group, 1)
    np.add.at(truth.variant_converted, group, converted[user].astype(np.int64))
    group_of_user = np.full(n, -1, np.int64)
    group_of_user[user] = group
    codes = [COUPONS.index(code) for code in VARIANT_TEST.coupon_codes]
    redeemed = in_window & np.isin(orders.coupon, codes) & (group_of_user[orders.user] >= 0)
    np.add.at(truth.variant_coupon_orders, group_of_user[orders.user[redeemed]], 1)
    np.add.at(truth.variant_coupon_cents, group_of_user[orders.user[redeemed]], orders.discount_cents[redeemed])


def variant_test_dict(run: RunParameters, truth: Truth) -> dict:
    """ground_truth.json "variant_tests" entry of the creative test."""
    groups = {}
    for variant in VARIANT_TEST.variants:
        code = int(variant.test_group)
        users, converted = int(truth.variant_users[code]), int(truth.variant_converted[code])
        groups[variant.test_group.name.lower()] = {
            "intended_share": variant.share, "planted_relative_uplift": variant.relative_uplift,
            "coupon_code": variant.coupon_code, "coupon_share_of_conversions": variant.coupon_share,
            "discount_rate": variant.discount_rate, "users": users, "converted_users": converted,
            "realised_conversion_rate": converted / users if users else None,
            "coupon_orders": int(truth.variant_coupon_orders[code]),
            "coupon_cost_amount": round(int(truth.variant_coupon_cents[code]) / 100, 2),
            "coupon_cost_cents": int(truth.variant_coupon_cents[code]),
        }
    return {
        "campaign_id": VARIANT_TEST.campaign_id, "channel": VARIANT_TEST.channel,
        "baseline_conversion_rate": VARIANT_TEST.baseline_rate, "coupon_codes": list(VARIANT_TEST.coupon_codes),
        "conversion_window_days": run.settings.campaigns.conversion_window_days,
        "groups": groups,
        "notes": "coupon_cost counts the discounts of every group's users; a campaign's cost counts only the "
                 "variants' (control's is 0: control users get no coupon)",
    }


def truth_dict(run: RunParameters, truth: Truth) -> dict:
    groups = names(TestGroup)[: TestGroup.CONTROL + 1]  # treatment and control
    campaigns = []
    for index, campaign in enumerate(CAMPAIGNS):
        users = {group: int(truth.campaign_users[index, code]) for code, group in enumerate(groups)}
        converted = {group: int(truth.campaign_converted[index, code]) for code, group in enumerate(groups)}
        campaigns.append({
            "campaign_id": campaign.campaign_id, "channel": campaign.channel,
            "planted_relative_uplift": campaign.relative_uplift, "control_share": campaign.control_share,
            "conversion_window_days": run.settings.campaigns.conversion_window_days,
            "baseline_conversion_rate": campaign.baseline_rate,
            "users": users, "converted_users": converted,
            "realised_conversion_rate": {g: (converted[g] / users[g] if users[g] else None) for g in users},
        })
    latest = truth.latest_valid_us
    return {
        "params": {"users": run.users, "days": run.days, "start": run.start.isoformat(), "seed": run.seed,
                   "bad_rate": run.bad_rate},
        "rows_written": dict(truth.rows),
        "bad_rows": truth.bad,
        "normalised_values": {"raw_orders.status": truth.normalised_status},
        "default_as_of_date": None if latest is None else str(np.datetime64(latest, "us").astype("datetime64[D]")),
        "dau_dip": None if run.dau_dip_day_us is None else {
            "date": str(np.datetime64(run.dau_dip_day_us, "us").astype("datetime64[D]")), "platform": "app",
            "drop_share_of_app_browse_sessions": run.settings.sessions.dau_dip_drop_share},
        "valid_orders": truth.valid_orders,
        "revenue_amount": round(truth.revenue_cents / 100, 2),
        "revenue_cents": truth.revenue_cents,
        "buyers": truth.buyers,
        "orders_by_status": truth.orders_by_status,
        "clean_users": truth.clean_users,
        "campaigns": campaigns,
        "variant_tests": [variant_test_dict(run, truth)],
        "channels": {c: {"buyer_probability": BUYER_PROBABILITY[c], "users": truth.channel_users[c],
                         "buyers": truth.channel_buyers[c]} for c in CHANNELS},
        "ads": {"best_content": BEST_AD_CONTENT, "best_term": BEST_AD_TERM,
                "buyer_factor": {"base": AD_BASE_FACTOR, "best_bonus": AD_BEST_BONUS}},
        "events": truth.events,
        "notes": "order item totals do not reconcile with order_amount by design",
    }
