"""Orders of one chunk (natural orders, statuses, amounts, platforms) and their order items."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .arrays import fixed_strings, group_positions, money, take, timestamps
from .catalogues import BUYER_PROBABILITY, CHANNELS, COUPONS, NATURAL_COUPONS, SCHEMAS, VARIANT_TEST
from .counters import Counters
from .kinds import OrderStatus, Platform, names
from .products import Catalogue
from .settings import DAY, HOUR, SECOND, SECONDS_PER_DAY, RunParameters
from .users import Users


@dataclass(frozen=True)
class Orders:
    user: np.ndarray  # position of the buyer in the chunk's Users
    ordered_us: np.ndarray
    planted: np.ndarray  # a planted campaign conversion
    status: np.ndarray  # kinds.OrderStatus
    amount_cents: np.ndarray
    discount_cents: np.ndarray
    coupon: np.ndarray  # index into COUPONS, -1 = none
    device: np.ndarray  # which of the user's devices (0/1)
    platform: np.ndarray  # kinds.Platform
    updated_us: np.ndarray
    ids: pa.Array

    @property
    def is_valid(self) -> np.ndarray:
        """Paid or completed (every clean order belongs to a clean user)."""
        return (self.status == OrderStatus.PAID) | (self.status == OrderStatus.COMPLETED)


def natural_order_times(rng: np.random.Generator, run: RunParameters, users: Users) -> tuple[np.ndarray, np.ndarray]:
    """(user position, ordered_at) of every natural order, between sign-up and churn."""
    settings = run.settings.orders
    window_start = users.registered_us + HOUR
    window = users.active_end_us - HOUR - window_start
    buy_probability = np.array([BUYER_PROBABILITY[c] for c in CHANNELS])[users.channel] * users.ad_buyer_factor()
    buys = (rng.random(len(window)) < buy_probability) & (window > HOUR)
    dispersion = settings.orders_per_buyer_dispersion
    per_buyer = 1 + rng.negative_binomial(dispersion, dispersion / (dispersion + settings.extra_orders_mean),
                                          len(window))  # heavy tail
    owner, position = group_positions(np.where(buys, per_buyer, 0))
    span = window[owner]
    uniform = (rng.random(len(owner)) * span).astype(np.int64)
    soon = (rng.exponential(settings.first_order_mean_days, len(owner)) * DAY).astype(np.int64)
    offset = np.where((position == 0) & (soon < span), soon, uniform)  # the first order comes soon after sign-up
    return owner, (window_start[owner] + offset) // SECOND * SECOND


def finish_orders(rng: np.random.Generator, run: RunParameters, users: Users, user: np.ndarray,
                  ordered: np.ndarray, planted: np.ndarray, counters: Counters,
                  planted_coupon: np.ndarray | None = None) -> Orders:
    """Statuses, amounts, discounts and platforms. planted_coupon (COUPONS index or -1 per order):
    an order redeeming a planted campaign coupon carries that code and its variant's
    discount_rate of the gross amount (cents, rounded), whatever was drawn for it."""
    settings = run.settings.orders
    m = len(user)
    recent = ordered >= run.end_us - settings.recent_days * DAY
    completed_share = np.where(recent, settings.completed_share_recent, settings.completed_share_older)
    status = np.where(rng.random(m) < completed_share, OrderStatus.COMPLETED, OrderStatus.PAID)
    fate = rng.random(m)
    cancelled_below = settings.cancelled_share
    refunded_below = settings.cancelled_share + settings.refunded_share
    status = np.where(~planted & (fate < cancelled_below), OrderStatus.CANCELLED, status)  # planted stay valid
    status = np.where(~planted & (fate >= cancelled_below) & (fate < refunded_below), OrderStatus.REFUNDED, status)
    changed_later = (status == OrderStatus.COMPLETED) | (status == OrderStatus.REFUNDED)
    shortest, longest = settings.status_update_delay_days
    delay = rng.integers(shortest * SECONDS_PER_DAY, longest * SECONDS_PER_DAY, m) * SECOND
    updated = np.where(changed_later, np.maximum(ordered, np.minimum(ordered + delay, run.end_us - SECOND)), ordered)
    gross = np.maximum(settings.min_amount_cents,
                       np.round(rng.lognormal(np.log(settings.amount_median), settings.amount_sigma, m) * 100))
    gross = gross.astype(np.int64)
    has_discount = rng.random(m) < settings.discount_share
    discount = np.where(has_discount, np.round(gross * rng.uniform(*settings.discount_range, m)), 0).astype(np.int64)
    coupon = np.where(has_discount, rng.integers(0, len(NATURAL_COUPONS), m), -1)
    if planted_coupon is not None and (planted_coupon >= 0).any():
        rates = {COUPONS.index(v.coupon_code): v.discount_rate for v in VARIANT_TEST.variants if v.coupon_code}
        redeemed = planted_coupon >= 0
        rate = np.array([rates[code] for code in planted_coupon[redeemed]])
        discount[redeemed] = np.round(gross[redeemed] * rate).astype(np.int64)
        coupon[redeemed] = planted_coupon[redeemed]
    offline_user = users.channel[user] == CHANNELS.index("offline_store")
    store_share = np.where(offline_user, settings.store_share_offline_users, settings.store_share_other_users)
    store = rng.random(m) < store_share
    device = np.where((users.n_devices[user] == 2) & (rng.random(m) < settings.second_device_share), 1, 0)
    numbers = counters.order + np.arange(m)
    counters.order += m
    return Orders(
        user=user, ordered_us=ordered, planted=planted, status=status,
        amount_cents=gross - discount, discount_cents=discount,
        coupon=coupon,
        device=device, platform=np.where(store, Platform.STORE, users.device_platform[user, device]),
        updated_us=updated, ids=fixed_strings("o", (numbers, 8)),
    )


def orders_table(users: Users, orders: Orders) -> pa.Table:
    return pa.table({
        "order_id": orders.ids,
        "user_id": pc.take(users.ids, pa.array(orders.user)),
        "ordered_at": timestamps(orders.ordered_us),
        "status": take(names(OrderStatus), orders.status),
        "order_amount": money(orders.amount_cents),
        "discount_amount": money(orders.discount_cents),
        "coupon_code": take(COUPONS, orders.coupon),
        "platform": take(names(Platform), orders.platform),
        "updated_at": timestamps(orders.updated_us),
    }, schema=SCHEMAS["raw_orders"])


def make_items(rng: np.random.Generator, run: RunParameters, orders: Orders,
               catalogue: Catalogue) -> tuple[pa.Table, np.ndarray]:
    """1-5 lines per order; also returns the first line's product per order (for the events)."""
    settings = run.settings.orders
    line_shares, quantity_shares = settings.line_count_shares, settings.quantity_shares
    lines = rng.choice(len(line_shares), len(orders.user), p=line_shares) + 1
    owner, position = group_positions(lines)
    product = rng.choice(catalogue.size, len(owner), p=catalogue.popularity)
    product_index = pa.array(product)
    table = pa.table({
        "order_id": pc.take(orders.ids, pa.array(owner)),
        "line_number": pa.array((position + 1).astype(np.int32)),
        "product_id": pc.take(catalogue.product_ids, product_index),
        "product_name": pc.take(catalogue.names, product_index),
        "category": pc.take(catalogue.categories, product_index),
        "quantity": pa.array((rng.choice(len(quantity_shares), len(owner), p=quantity_shares) + 1).astype(np.int32)),
        "unit_price": money(catalogue.price_cents[product]),
    }, schema=SCHEMAS["raw_order_items"])
    return table, product[np.cumsum(lines) - lines]
