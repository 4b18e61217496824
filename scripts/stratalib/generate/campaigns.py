"""The planted campaigns: audiences on the send day, planted conversions, raw_campaign_sends rows.

The two campaigns of CAMPAIGNS (treatment and control) draw from the chunk's generator; the
creative test VARIANT_TEST (control and two variants with coupons) from a generator of its own,
so adding it left the two campaigns' audiences and conversions as they were."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .arrays import fixed_strings, take, timestamps
from .catalogues import CAMPAIGNS, COUPONS, SCHEMAS, VARIANT_TEST
from .counters import Counters
from .kinds import Audience, TargetLayer, TestGroup, names
from .settings import DAY, SECOND, RunParameters
from .users import Users


@dataclass(frozen=True)
class Sends:
    user: np.ndarray
    campaign: np.ndarray  # kinds.Audience (position in CAMPAIGNS; Audience.CREATIVE: VARIANT_TEST)
    group: np.ndarray  # kinds.TestGroup
    layer: np.ndarray  # kinds.TargetLayer
    sent_us: np.ndarray

    @property
    def control(self) -> np.ndarray:
        return self.group == TestGroup.CONTROL


def concat_sends(*parts: Sends) -> Sends:
    return Sends(*(np.concatenate([getattr(part, name) for part in parts])
                   for name in ("user", "campaign", "group", "layer", "sent_us")))


CAMPAIGN_IDS = tuple(c.campaign_id for c in CAMPAIGNS) + (VARIANT_TEST.campaign_id,)  # by kinds.Audience
CAMPAIGN_CHANNELS = tuple(c.channel for c in CAMPAIGNS) + (VARIANT_TEST.channel,)


def pick(rng: np.random.Generator, eligible: np.ndarray, share: float, cap: int) -> np.ndarray:
    """Positions of about `share` of the eligible users, at most `cap` of them."""
    chosen = np.flatnonzero(eligible & (rng.random(len(eligible)) < share))
    return np.sort(rng.choice(chosen, cap, replace=False)) if len(chosen) > cap else chosen


def choose_targets(rng: np.random.Generator, run: RunParameters, users: Users, order_user: np.ndarray,
                   order_us: np.ndarray) -> Sends:
    """Audiences of the two planted campaigns, as seen on the send day."""
    settings = run.settings.campaigns
    n, send = len(users.numbers), run.send_day_us
    before = order_us < send
    last_order = np.full(n, np.iinfo(np.int64).min)
    np.maximum.at(last_order, order_user[before], order_us[before])
    has_ordered = last_order > np.iinfo(np.int64).min
    reachable = users.opt_in & (users.registered_us < send)
    silent = reachable & has_ordered & (last_order < send - settings.silent_days * DAY)
    new = reachable & ~has_ordered & (users.registered_us >= send - settings.new_user_days * DAY)
    active = reachable & has_ordered & (last_order >= send - settings.active_buyer_days * DAY)
    eligible_by_audience = {Audience.WINBACK: silent, Audience.NUDGE: new | active}
    audiences = []
    for audience, campaign in zip(Audience, CAMPAIGNS):
        cap = -(-campaign.max_users * n // run.users)  # the run's cap, shared out over chunks
        user = pick(rng, eligible_by_audience[audience], campaign.audience_share, cap)
        control = np.zeros(len(user), bool)
        control[rng.permutation(len(user))[: round(campaign.control_share * len(user))]] = True
        if audience == Audience.WINBACK:
            layer = np.full(len(user), TargetLayer.AT_RISK, np.int64)
        else:
            layer = np.where(new[user], TargetLayer.NEW, TargetLayer.ACTIVE)
        audiences.append((user, np.full(len(user), int(audience)), control, layer))
    user, campaign_index, control, layer = (np.concatenate(parts) for parts in zip(*audiences))
    window_seconds = settings.send_window_hours * 3600
    sent = send + rng.integers(0, window_seconds, len(user)) * SECOND
    group = np.where(control, TestGroup.CONTROL, TestGroup.TREATMENT).astype(np.int64)
    return Sends(user, campaign_index, group, layer, sent)


def choose_variant_targets(rng: np.random.Generator, run: RunParameters, users: Users,
                           taken: np.ndarray) -> Sends:
    """The creative test's audience: a share of the opted-in users registered before the send day
    and in no other campaign, split exactly by the declared shares (each group's share rounded,
    the last group takes the rest)."""
    send = run.send_day_us
    eligible = users.opt_in & (users.registered_us < send)
    eligible[taken] = False
    cap = -(-VARIANT_TEST.max_users * len(users.numbers) // run.users)
    user = pick(rng, eligible, VARIANT_TEST.audience_share, cap)
    sizes = [round(variant.share * len(user)) for variant in VARIANT_TEST.variants[:-1]]
    sizes.append(len(user) - sum(sizes))
    group = np.repeat([int(variant.test_group) for variant in VARIANT_TEST.variants], sizes)[rng.permutation(len(user))]
    window_seconds = run.settings.campaigns.send_window_hours * 3600
    sent = send + rng.integers(0, window_seconds, len(user)) * SECOND
    return Sends(user, np.full(len(user), int(Audience.CREATIVE)), group.astype(np.int64),
                 np.full(len(user), int(TargetLayer.ALL_USERS)), sent)


def plant_variant_conversions(rng: np.random.Generator, run: RunParameters,
                              sends: Sends) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(user, ordered_at, coupon) of the creative test's planted conversions: rate p0 x (1 + the
    group's uplift); a share of each variant's conversions redeems its coupon (index in COUPONS)."""
    variants = {int(variant.test_group): variant for variant in VARIANT_TEST.variants}
    uplift = np.array([variants[group].relative_uplift for group in sends.group])
    converts = rng.random(len(sends.user)) < VARIANT_TEST.baseline_rate * (1.0 + uplift)
    window_seconds = run.settings.campaigns.conversion_window_days * 86_400
    ordered = sends.sent_us[converts] + rng.integers(60, window_seconds - 60, converts.sum()) * SECOND
    coupon_of_group = {group: (COUPONS.index(v.coupon_code) if v.coupon_code else -1) for group, v in variants.items()}
    share_of_group = {group: v.coupon_share for group, v in variants.items()}
    groups = sends.group[converts]
    redeems = rng.random(len(groups)) < np.array([share_of_group[group] for group in groups])
    coupon = np.where(redeems, [coupon_of_group[group] for group in groups], -1).astype(np.int64)
    return sends.user[converts], ordered, coupon


def apply_campaigns(rng: np.random.Generator, variant_rng: np.random.Generator, run: RunParameters, n_users: int,
                    sends: Sends, variant_sends: Sends, order_user: np.ndarray,
                    order_us: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Drop targeted users' natural orders in their window; plant conversions at p0 (x (1 + uplift)).
    Returns (user, ordered_at, planted, coupon): coupon is the COUPONS index a planted conversion
    of the creative test redeems, else -1."""
    window_days = run.settings.campaigns.conversion_window_days
    sent_of_user = np.full(n_users, -1, np.int64)
    sent_of_user[sends.user] = sends.sent_us
    sent_of_user[variant_sends.user] = variant_sends.sent_us
    sent = sent_of_user[order_user]
    keep = ~((sent >= 0) & (order_us >= sent) & (order_us < sent + window_days * DAY))
    baseline = np.array([c.baseline_rate for c in CAMPAIGNS])[sends.campaign]
    uplift = np.array([c.relative_uplift for c in CAMPAIGNS])[sends.campaign]
    rate = baseline * np.where(sends.control, 1.0, 1.0 + uplift)
    converts = rng.random(len(rate)) < rate
    window_seconds = window_days * 86_400
    planted_us = sends.sent_us[converts] + rng.integers(60, window_seconds - 60, converts.sum()) * SECOND
    variant_user, variant_us, variant_coupon = plant_variant_conversions(variant_rng, run, variant_sends)
    user = np.concatenate([order_user[keep], sends.user[converts], variant_user])
    ordered = np.concatenate([order_us[keep], planted_us, variant_us])
    planted = np.concatenate([np.zeros(keep.sum(), bool), np.ones(converts.sum() + len(variant_user), bool)])
    coupon = np.concatenate([np.full(keep.sum() + converts.sum(), -1, np.int64), variant_coupon])
    order = np.lexsort((ordered, user))
    return user[order], ordered[order], planted[order], coupon[order]


def sends_table(users: Users, sends: Sends, counters: Counters) -> pa.Table:
    numbers = counters.send + np.arange(len(sends.user))
    counters.send += len(sends.user)
    return pa.table({
        "send_id": fixed_strings("snd", (numbers, 8)),
        "campaign_id": take(CAMPAIGN_IDS, sends.campaign),
        "user_id": pc.take(users.ids, pa.array(sends.user)),
        "channel": take(CAMPAIGN_CHANNELS, sends.campaign),
        "test_group": take(names(TestGroup), sends.group),
        "sent_at": timestamps(sends.sent_us),
        "target_layer": take(names(TargetLayer), sends.layer),
    }, schema=SCHEMAS["raw_campaign_sends"])
