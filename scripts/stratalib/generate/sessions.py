"""Sessions of one chunk: anonymous visits, sign-up, one per order, browsing; and their slots."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from .arrays import fixed_strings, group_positions
from .catalogues import ACQUISITION
from .counters import Counters
from .kinds import SLOT_EVENT, Platform, SessionKind, Slot
from .orders import Orders
from .settings import DAY, HOUR, RunParameters
from .users import Users


@dataclass(frozen=True)
class Sessions:
    user: np.ndarray
    kind: np.ndarray  # kinds.SessionKind
    anchor_us: np.ndarray  # time of the anchor event (register / order_paid / first event)
    order: np.ndarray  # order position for ORDER sessions, else -1
    device: np.ndarray
    platform: np.ndarray  # kinds.Platform
    has_utm: np.ndarray
    ids: pa.Array
    no_id: np.ndarray  # session_id left null


def make_sessions(rng: np.random.Generator, run: RunParameters, users: Users, orders: Orders,
                  counters: Counters) -> Sessions:
    settings = run.settings.sessions
    n, registered = len(users.numbers), users.registered_us
    earliest = np.maximum(run.start_us, registered - settings.anonymous_lookback_days * DAY)
    latest = registered - HOUR
    visits_before_signup = (latest > earliest) & (rng.random(n) < settings.anonymous_visitor_share)
    visits = rng.integers(1, settings.max_anonymous_sessions + 1, n)
    n_anonymous = np.where(visits_before_signup, visits, 0)
    anonymous_user, _ = group_positions(n_anonymous)
    anonymous_at = earliest[anonymous_user] + (
        rng.random(len(anonymous_user)) * (latest - earliest)[anonymous_user]).astype(np.int64)
    browse_span = np.maximum(0, users.active_end_us - registered - 2 * HOUR)
    shape = settings.browse_rate_gamma_shape
    rate = rng.gamma(shape, settings.browse_sessions_per_active_day / shape, n)
    browse_user, _ = group_positions(rng.poisson(rate * browse_span / DAY))
    browse_at = registered[browse_user] + HOUR + (
        rng.random(len(browse_user)) * browse_span[browse_user]).astype(np.int64)
    second_device = (users.n_devices[browse_user] == 2) & (
        rng.random(len(browse_user)) < settings.second_device_browse_share)

    n_orders, n_browse, n_before = len(orders.user), len(browse_user), len(anonymous_user) + n
    user = np.concatenate([anonymous_user, np.arange(n), orders.user, browse_user])
    kind = np.concatenate([np.full(len(anonymous_user), SessionKind.ANONYMOUS), np.full(n, SessionKind.REGISTER),
                           np.full(n_orders, SessionKind.ORDER), np.full(n_browse, SessionKind.BROWSE)])
    anchor = np.concatenate([anonymous_at, registered, orders.ordered_us, browse_at]) // 1000 * 1000
    order = np.concatenate([np.full(n_before, -1), np.arange(n_orders), np.full(n_browse, -1)])
    device = np.concatenate([np.zeros(n_before, np.int64), orders.device, second_device.astype(np.int64)])
    order_platform = np.append(orders.platform, 0)[order]  # order -1 reads the padding
    platform = np.where(order >= 0, order_platform, users.device_platform[user, device])
    by_time = np.lexsort((anchor, user))
    user, kind, anchor, order, device, platform = (a[by_time] for a in (user, kind, anchor, order, device, platform))
    kept = ~planted_dip(rng, run, kind, anchor, platform)
    user, kind, anchor, order, device, platform = (a[kept] for a in (user, kind, anchor, order, device, platform))

    first_of_user = np.r_[True, user[1:] != user[:-1]]
    paid_user = np.array([a.utm_source is not None for a in ACQUISITION])[users.acquisition]
    tagged_again = rng.random(len(user)) < settings.later_session_utm_share
    has_utm = paid_user[user] & (first_of_user | tagged_again) & (platform != Platform.STORE)
    numbers = counters.session + np.arange(len(user))
    counters.session += len(user)
    return Sessions(user, kind, anchor, order, device, platform, has_utm, fixed_strings("s", (numbers, 10)),
                    rng.random(len(user)) < settings.missing_session_id_share)


def planted_dip(rng: np.random.Generator, run: RunParameters, kind: np.ndarray, anchor: np.ndarray,
                platform: np.ndarray) -> np.ndarray:
    """The app browse sessions of the planted DAU dip day that do not happen (a share of them)."""
    dip_day = run.dau_dip_day_us
    drawn = rng.random(len(kind)) < run.settings.sessions.dau_dip_drop_share
    if dip_day is None:
        return np.zeros(len(kind), dtype=bool)
    on_dip_day = (anchor >= dip_day) & (anchor < dip_day + DAY)
    return (kind == SessionKind.BROWSE) & (platform == Platform.APP) & on_dip_day & drawn


def session_slot_counts(rng: np.random.Generator, run: RunParameters, sessions: Sessions) -> np.ndarray:
    """(sessions x slots) number of events of each slot; a session's events follow slot order."""
    settings = run.settings.sessions
    n, kind = len(sessions.kind), sessions.kind
    online = sessions.platform != Platform.STORE  # store orders are a lone order_paid
    is_order = kind == SessionKind.ORDER
    counts = np.zeros((n, len(SLOT_EVENT)), np.int64)
    counts[:, Slot.OPENER] = online
    counts[:, Slot.LOGIN] = online & (kind >= SessionKind.ORDER) & (rng.random(n) < settings.login_share)
    counts[:, Slot.REGISTER] = kind == SessionKind.REGISTER
    browse_p = 1 / (1 + np.array(settings.extra_browse_events_mean))[kind]  # geometric, minus the first
    counts[:, Slot.BROWSE] = np.where(online, rng.geometric(browse_p) - 1, 0)
    browsing = (kind == SessionKind.BROWSE) | (kind == SessionKind.ANONYMOUS)
    view = np.where(is_order, online, browsing & (rng.random(n) < settings.product_view_share))
    cart = np.where(is_order, online, view & (rng.random(n) < settings.add_to_cart_share))
    counts[:, Slot.VIEW] = view
    counts[:, Slot.CART] = cart
    counts[:, Slot.CHECKOUT] = np.where(is_order, online, cart & (rng.random(n) < settings.checkout_share))
    counts[:, Slot.PAID] = is_order
    counts[:, Slot.SHARE] = online & (kind != SessionKind.ANONYMOUS) & (rng.random(n) < settings.share_event_share)
    counts[:, Slot.REVIEW] = (kind == SessionKind.BROWSE) & (rng.random(n) < settings.review_share)
    return counts
