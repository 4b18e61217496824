"""Every rate, probability and shape parameter of the generator, named, in one frozen object.

`Settings()` holds the values the generator has always used; `RunParameters` holds what the
caller chooses (users, days, start, seed, bad_rate, chunk size) and the settings. Times in
microseconds, durations in the unit their name says.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

SECOND = 1_000_000  # timestamps are int64 microseconds since 1970-01-01 (UTC, naive)
HOUR = 3_600 * SECOND
DAY = 24 * HOUR
SECONDS_PER_DAY = 86_400
EPOCH = date(1970, 1, 1)
CHUNK_USERS = 25_000


@dataclass(frozen=True)
class UserSettings:
    signup_growth: float = 1.5  # sign-up density is 1 + growth x t over the period (t in [0, 1))
    churn_share: float = 0.5  # users who stop buying and visiting some time after sign-up
    churn_mean_days: float = 75  # exponential delay from sign-up to churn
    marketing_opt_in_share: float = 0.6
    two_devices_share: float = 0.3
    device_platform_shares: tuple[float, float, float] = (0.5, 0.3, 0.2)  # app, mini_program, web
    gender_shares: tuple[float, float, float] = (0.55, 0.38, 0.07)  # female, male, not given
    birth_year_mean: float = 1993
    birth_year_sd: float = 9
    birth_year_range: tuple[int, int] = (1950, 2008)
    birth_year_missing_share: float = 0.06
    email_missing_share: float = 0.08
    phone_missing_share: float = 0.12


@dataclass(frozen=True)
class CatalogueSettings:
    products: int = 300
    price_median: float = 60.0  # lognormal unit price
    price_sigma: float = 0.8
    min_price_cents: int = 100
    popularity_exponent: float = 0.9  # Zipf-like: product k drawn with weight 1 / k^exponent


@dataclass(frozen=True)
class OrderSettings:
    orders_per_buyer_dispersion: float = 0.3  # buyers place 1 + NegBin(dispersion, mean) orders
    extra_orders_mean: float = 1.0
    first_order_mean_days: float = 10.0  # exponential delay of the first order after sign-up
    recent_days: int = 10  # orders this close to the end are mostly still 'paid'
    completed_share_recent: float = 0.3
    completed_share_older: float = 0.85
    cancelled_share: float = 0.03  # never a planted conversion
    refunded_share: float = 0.05
    status_update_delay_days: tuple[int, int] = (1, 10)  # completed / refunded: updated_at this much later
    amount_median: float = 130.0  # lognormal gross amount
    amount_sigma: float = 0.6
    min_amount_cents: int = 100
    discount_share: float = 0.25  # orders with a coupon
    discount_range: tuple[float, float] = (0.05, 0.3)  # fraction of the gross amount
    store_share_offline_users: float = 0.5  # orders placed in a store, offline_store users
    store_share_other_users: float = 0.04
    second_device_share: float = 0.4  # orders of two-device users placed on the second one
    line_count_shares: tuple[float, ...] = (0.45, 0.25, 0.15, 0.1, 0.05)  # 1..5 lines
    quantity_shares: tuple[float, ...] = (0.7, 0.2, 0.1)  # 1..3 per line


@dataclass(frozen=True)
class CampaignSettings:
    send_days_before_end: int = 60  # when the run has at least min_days_for_late_send days
    min_days_for_late_send: int = 120  # shorter runs send mid-period
    send_hour: int = 9  # sends are spread over [send_hour, send_hour + send_window_hours) UTC
    send_window_hours: int = 2
    silent_days: int = 45  # win-back audience: buyers without an order in this many days
    new_user_days: int = 30  # nudge audience: signed up this recently without ordering ...
    active_buyer_days: int = 30  # ... or ordered this recently
    conversion_window_days: int = 14


@dataclass(frozen=True)
class SpendSettings:
    spend_noise_sigma: float = 0.25  # lognormal noise on expected sign-ups x CAC
    cpm_noise_sigma: float = 0.1
    base_spend_cents: int = 100  # added to every day's spend


@dataclass(frozen=True)
class SessionSettings:
    anonymous_lookback_days: int = 14  # anonymous visits happen in the days before sign-up
    anonymous_visitor_share: float = 0.4  # users with anonymous sessions before sign-up
    max_anonymous_sessions: int = 3
    browse_sessions_per_active_day: float = 0.14  # mean; per-user rate is Gamma-distributed
    browse_rate_gamma_shape: float = 0.6  # heavy tail of browsing rates
    second_device_browse_share: float = 0.4
    later_session_utm_share: float = 0.15  # paid users' later sessions that carry UTM tags again
    missing_session_id_share: float = 0.15
    login_share: float = 0.08  # order and browse sessions that start with a login
    # Mean number of extra browsing events (geometric) by session kind: anonymous, register, order, browse.
    extra_browse_events_mean: tuple[float, float, float, float] = (2, 1.5, 2, 4)
    product_view_share: float = 0.6  # browse / anonymous sessions that view a product
    add_to_cart_share: float = 0.3  # of those that viewed
    checkout_share: float = 0.4  # of those that added to cart
    share_event_share: float = 0.04
    review_share: float = 0.03  # browse sessions
    browse_event_shares: tuple[float, float, float] = (0.45, 0.2, 0.35)  # page_view, search, product_view
    # A planted DAU dip (ground_truth.json dau_dip): on the day this many days before the end, this
    # share of the app's browse sessions does not happen, so the app explains the day's drop.
    dau_dip_days_before_end: int = 21
    dau_dip_drop_share: float = 0.8


@dataclass(frozen=True)
class EventTimeSettings:
    mean_gap_seconds: float = 40.0  # exponential gap between events of a session
    skewed_clock_share: float = 0.15  # sessions whose client clock is minutes off
    skewed_clock_sd_seconds: float = 120
    clock_sd_seconds: float = 4
    delivery_median_ms: float = 800  # lognormal delay from occurred_at to received_at
    delivery_sigma: float = 1.0
    max_delivery_ms: int = 10_000
    late_share: float = 0.02  # events that arrive days late
    late_delay_days: tuple[int, int] = (1, 5)


@dataclass(frozen=True)
class DirtSettings:
    future_years: tuple[int, int] = (2090, 2099)
    past_years: tuple[int, int] = (1970, 1999)
    duplicate_user_delay_seconds: tuple[int, int] = (3_600, 30 * SECONDS_PER_DAY)  # later registered_at
    duplicate_user_opt_in_flip_share: float = 0.5
    immediate_redelivery_share: float = 0.3  # duplicate events with the same received_at
    max_redelivery_hours: int = 6


@dataclass(frozen=True)
class Settings:
    """The shape of the synthetic data (what `generate` always draws from)."""

    users: UserSettings = field(default_factory=UserSettings)
    catalogue: CatalogueSettings = field(default_factory=CatalogueSettings)
    orders: OrderSettings = field(default_factory=OrderSettings)
    campaigns: CampaignSettings = field(default_factory=CampaignSettings)
    spend: SpendSettings = field(default_factory=SpendSettings)
    sessions: SessionSettings = field(default_factory=SessionSettings)
    event_times: EventTimeSettings = field(default_factory=EventTimeSettings)
    dirt: DirtSettings = field(default_factory=DirtSettings)


@dataclass(frozen=True)
class RunParameters:
    """What the caller asked for, and the settings to draw with."""

    users: int
    days: int
    start: date
    seed: int
    bad_rate: float
    chunk_users: int
    settings: Settings = field(default_factory=Settings)

    @property
    def start_us(self) -> int:
        return (self.start - EPOCH).days * DAY

    @property
    def end_us(self) -> int:
        return self.start_us + self.days * DAY

    @property
    def send_day_us(self) -> int:
        """send_hour UTC on the campaign send day (send_days_before_end before the end, or mid-period)."""
        campaigns = self.settings.campaigns
        if self.days >= campaigns.min_days_for_late_send:
            offset = self.days - campaigns.send_days_before_end
        else:
            offset = self.days // 2
        return self.start_us + offset * DAY + campaigns.send_hour * HOUR

    @property
    def dau_dip_day_us(self) -> int | None:
        """Midnight UTC of the planted DAU dip day, or None when the period is too short for it."""
        days_before_end = self.settings.sessions.dau_dip_days_before_end
        return self.end_us - days_before_end * DAY if self.days > 2 * days_before_end else None

    @property
    def user_width(self) -> int:
        return max(7, len(str(5 * self.users + 1)))  # junk users are numbered up to ~5 x users
