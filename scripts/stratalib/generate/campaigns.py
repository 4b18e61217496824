"""The two planted campaigns: audiences on the send day, planted conversions, raw_campaign_sends rows."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .arrays import fixed_strings, take, timestamps
from .catalogues import CAMPAIGNS, SCHEMAS
from .counters import Counters
from .kinds import Audience, TargetLayer, TestGroup, names
from .settings import DAY, SECOND, RunParameters
from .users import Users


@dataclass(frozen=True)
class Sends:
    user: np.ndarray
    campaign: np.ndarray  # kinds.Audience (position in CAMPAIGNS)
    control: np.ndarray
    layer: np.ndarray  # kinds.TargetLayer
    sent_us: np.ndarray


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
    return Sends(user, campaign_index, control, layer, sent)


def apply_campaigns(rng: np.random.Generator, run: RunParameters, n_users: int, sends: Sends,
                    order_user: np.ndarray, order_us: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Drop targeted users' natural orders in their window; plant conversions at p0 (x (1 + uplift))."""
    window_days = run.settings.campaigns.conversion_window_days
    sent_of_user = np.full(n_users, -1, np.int64)
    sent_of_user[sends.user] = sends.sent_us
    sent = sent_of_user[order_user]
    keep = ~((sent >= 0) & (order_us >= sent) & (order_us < sent + window_days * DAY))
    baseline = np.array([c.baseline_rate for c in CAMPAIGNS])[sends.campaign]
    uplift = np.array([c.relative_uplift for c in CAMPAIGNS])[sends.campaign]
    rate = baseline * np.where(sends.control, 1.0, 1.0 + uplift)
    converts = rng.random(len(rate)) < rate
    window_seconds = window_days * 86_400
    planted_us = sends.sent_us[converts] + rng.integers(60, window_seconds - 60, converts.sum()) * SECOND
    user = np.concatenate([order_user[keep], sends.user[converts]])
    ordered = np.concatenate([order_us[keep], planted_us])
    planted = np.concatenate([np.zeros(keep.sum(), bool), np.ones(converts.sum(), bool)])
    order = np.lexsort((ordered, user))
    return user[order], ordered[order], planted[order]


def sends_table(users: Users, sends: Sends, counters: Counters) -> pa.Table:
    numbers = counters.send + np.arange(len(sends.user))
    counters.send += len(sends.user)
    return pa.table({
        "send_id": fixed_strings("snd", (numbers, 8)),
        "campaign_id": take([c.campaign_id for c in CAMPAIGNS], sends.campaign),
        "user_id": pc.take(users.ids, pa.array(sends.user)),
        "channel": take([c.channel for c in CAMPAIGNS], sends.campaign),
        "test_group": take(names(TestGroup), sends.control.astype(np.int64)),
        "sent_at": timestamps(sends.sent_us),
        "target_layer": take(names(TargetLayer), sends.layer),
    }, schema=SCHEMAS["raw_campaign_sends"])
