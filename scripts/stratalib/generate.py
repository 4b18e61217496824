"""Synthetic raw export for strata, with planted answers written to ground_truth.json.

`generate(out_dir, ...)` writes the six tables of the raw contract (docs: shared raw_contract.md)
as Parquet, plus `ground_truth.json`, the answers the warehouse must reproduce. Same arguments
give byte-identical files (for the same `chunk_users`; each chunk draws from its own
SeedSequence([seed, 0, chunk_index])). Work is done in chunks of users (a loop per chunk, numpy
inside it), so memory stays flat however many users are asked for (~1.1 GB peak at the default
25,000 users per chunk): each chunk appends one row group to the single-file tables and writes
one part file `raw_events/part-NNNNN.parquet`. Rows of users, orders and events are sorted by
registered_at, updated_at and received_at, except that each events part ends with its bad rows.
Event parts are written from dictionary-encoded columns without the embedded Arrow schema, so
every reader sees plain strings.

Shapes of the clean data
------------------------
* users: sign-ups grow over the period (density rises 1x -> ~2.5x from first to last day).
  acquisition channel/campaign from ACQUISITION; gender, birth year, ~20 cities with tiers,
  email/phone mostly present, ~60 % marketing opt-in. Half the users churn: they stop buying
  and stop being active some weeks after sign-up (`active_end`).
* orders: a user ever buys with a probability that depends on the channel (PLANTED, see
  BUYER_PROBABILITY); buyers place 1 + NegBin(0.3, mean 1) orders (most buy once, a long tail
  buys dozens of times) between sign-up and churn. Status: ~3 % cancelled, ~5 % refunded,
  otherwise completed (older orders) or paid (recent ones). updated_at = ordered_at, or 1-10
  days later for completed/refunded orders (capped at the end of the period).
  Amounts are lognormal around 150 (cents exact); 25 % carry a coupon discount.
* order items: 1-5 lines from a ~300-product catalogue with fixed category, name and unit
  price. Item totals deliberately do NOT reconcile with order_amount (the order amount is
  what the customer paid after discounts, shipping, etc.); do not test that they match.
* events: sessions of 1..n events. Kinds: anonymous sessions before sign-up (user_id null,
  anonymous_id = device), the sign-up session (anonymous until the `register` event), one
  session per order ending in `order_paid` (properties {"order_id": ...}; store orders are a
  lone order_paid with platform 'store') and browsing sessions with the funnel product_view ->
  add_to_cart -> checkout_start and drop-off. A user has 1-2 devices. ~15 % of sessions have
  no session_id. occurred_at carries a per-session client clock skew (seconds, sometimes
  minutes); received_at = occurred_at + < 10 s, ~2 % arrive 1-5 days late. The first event
  of the first session (and of ~15 % of later sessions) of a paid-channel user carries
  utm_source/medium/campaign matching the user's acquisition campaign. Browsing sessions are
  placed at random times, so two of them may lie closer than 30 minutes.
* marketing spend: one row per day and paid campaign, spend ~ expected sign-ups x CAC.
* campaign sends (PLANTED EFFECT), both sent on one day about 60 days before the end (mid-period
  when days < 120) between 09:00 and 11:00 UTC, to opted-in users only, 20 % control:
  'cmp_winback_uplift' (sms) to 80 % of silent buyers (ordered before, not in the last 45 days;
  target_layer 'at_risk'), 'cmp_nudge_null' (push) to 50 % of users who signed up in the last
  30 days without ordering ('new') or ordered in the last 30 days ('active'); each capped at
  50,000 users. Natural orders of targeted users inside
  [sent_at, sent_at + 14 days) are removed and replaced by planted conversions with rate
  p0 (control) and p0 * (1 + uplift) (treatment); uplift 0.5 and 0.0 respectively.

Dirt (bad_rate)
---------------
Each bad row is an extra row with exactly one defect, about bad_rate x clean rows of its table
per kind (binomial per chunk, at least one per kind in the first chunk when bad_rate > 0),
counted from what was written. Bad rows are copies of random clean rows with one field changed;
rows needing a new key get fresh ids (junk users own user_ids above the real ones and have no
orders or events; bad orders other than duplicates/older versions have no items):
raw_users missing_user_id, duplicate_user_id (later registered_at), future_timestamp,
timestamp_before_2000; raw_orders missing_order_id, duplicate_row, superseded_version,
missing_user_id, unknown_user, timestamp_before_2000, future_timestamp, unknown_status,
negative_amount (plus harmless ' PAID '-style status variants among clean orders, counted in
normalised_values); raw_events missing_event_id, duplicate_event, future_timestamp,
timestamp_before_2000, unknown_user, invalid_json; raw_order_items duplicate_row;
raw_marketing_spend negative_amount (these replace clean rows, to keep one row per day and
campaign). bad_rate = 0 writes no bad rows and no variants.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from tqdm import tqdm

SECOND = 1_000_000  # timestamps are int64 microseconds since 1970-01-01 (UTC, naive)
HOUR = 3_600 * SECOND
DAY = 24 * HOUR
EPOCH = date(1970, 1, 1)
CHUNK_USERS = 25_000

# --- catalogues ------------------------------------------------------------------------------

CHANNELS = ("organic", "paid_search", "paid_social", "referral", "offline_store", "app_store")
CHANNEL_SHARE = (0.30, 0.20, 0.20, 0.10, 0.10, 0.10)
BUYER_PROBABILITY = {  # PLANTED: P(user ever buys | acquisition_channel)
    "organic": 0.45,
    "paid_search": 0.35,
    "paid_social": 0.20,
    "referral": 0.55,
    "offline_store": 0.50,
    "app_store": 0.30,
}


@dataclass(frozen=True)
class Acquisition:
    """One acquisition campaign; paid ones (with a CAC) get marketing spend and UTM tags."""

    channel: str
    campaign: str | None
    share_in_channel: float
    utm_source: str | None = None
    utm_medium: str | None = None
    cac: float = 0.0  # spend per sign-up
    ctr: float = 0.0
    cpm: float = 0.0


ACQUISITION = (
    Acquisition("organic", None, 1.0),
    Acquisition("paid_search", "ps_brand", 0.4, "baidu", "cpc", cac=22.0, ctr=0.045, cpm=30.0),
    Acquisition("paid_search", "ps_generic", 0.6, "baidu", "cpc", cac=45.0, ctr=0.015, cpm=25.0),
    Acquisition("paid_social", "social_wechat", 0.5, "wechat", "social", cac=35.0, ctr=0.008, cpm=40.0),
    Acquisition("paid_social", "social_douyin", 0.5, "douyin", "social", cac=30.0, ctr=0.011, cpm=35.0),
    Acquisition("referral", "ref_invite", 1.0),
    Acquisition("offline_store", "store_signup", 1.0),
    Acquisition("app_store", "asa_brand", 0.5, "apple_search_ads", "cpi", cac=40.0, ctr=0.05, cpm=20.0),
    Acquisition("app_store", None, 0.5),
)

CITIES = (  # (city, tier, weight)
    ("Shanghai", 1, 9), ("Beijing", 1, 9), ("Guangzhou", 1, 7), ("Shenzhen", 1, 7),
    ("Chengdu", 2, 6), ("Hangzhou", 2, 6), ("Wuhan", 2, 5), ("Nanjing", 2, 5), ("Chongqing", 2, 5),
    ("Xi'an", 2, 4), ("Suzhou", 2, 4), ("Changsha", 2, 4), ("Hefei", 3, 3), ("Kunming", 3, 3),
    ("Xiamen", 3, 3), ("Nanning", 3, 2), ("Lanzhou", 4, 2), ("Yichang", 4, 2), ("Ganzhou", 5, 1),
    ("Zhangye", 5, 1),
)

CATEGORIES = {  # category -> product nouns
    "beauty": ("Serum", "Lipstick", "Face Mask"), "snacks": ("Nut Mix", "Seaweed Chips", "Mooncake"),
    "apparel": ("Hoodie", "Down Jacket", "Sneakers"), "electronics": ("Earbuds", "Power Bank", "Phone Case"),
    "home": ("Pillow", "Storage Box", "Kettle"), "baby": ("Diapers", "Formula", "Stroller Fan"),
    "sports": ("Yoga Mat", "Running Socks", "Dumbbell"), "books": ("Novel", "Cookbook", "Notebook"),
    "pet": ("Cat Food", "Dog Leash", "Pet Bed"), "health": ("Vitamin C", "Fish Oil", "Thermometer"),
    "beverages": ("Green Tea", "Coffee Beans", "Oat Milk"), "accessories": ("Backpack", "Sunglasses", "Watch Strap"),
}
BRANDS = ("Lumi", "Hexa", "Yunfeng", "Bamboo", "Qing", "Nova", "Panda", "Jade", "Aurora", "Kite")
N_PRODUCTS = 300
SEARCH_QUERIES = ("lipstick", "running shoes", "phone case", "baby formula", "green tea",
                  "face mask", "down jacket", "cat food", "yoga mat", "snack gift box")
COUPONS = ("NEW10", "SAVE20", "VIP15", "FLASH5", "DOUBLE11")

STATUSES = ("paid", "completed", "cancelled", "refunded")
PAID, COMPLETED, CANCELLED, REFUNDED = range(4)
STATUS_VARIANTS = (" PAID ", "Paid", "COMPLETED", "Completed ", " completed")  # normalise to valid
BAD_STATUSES = ("pending_review", "???", "shipped", "PAID_PARTIAL")
BROKEN_JSON = ('{"product_id": ', "{'order_id': 'o1'}", '{"category": "beauty"', "[object Object]")
PLATFORMS = ("app", "mini_program", "web", "store")
APP, MINI, WEB, STORE = range(4)

EVENT_NAMES = ("app_open", "page_view", "search", "product_view", "add_to_cart", "checkout_start",
               "order_paid", "register", "login", "share", "review")
EV = {name: code for code, name in enumerate(EVENT_NAMES)}
PAGES = ("home", "category", "promo", "search_results", "account", "search", "product_detail",
         "checkout", "order_confirmation", "register", "login", "order_review")
BROWSE_PAGES = (0, 1, 2, 3, 4)  # page_view lands on one of these
EVENT_PAGE = np.array([0, -1, 5, 6, 6, 7, 8, 9, 10, 6, 11])  # by event code; -1 = random page
PRODUCT_EVENTS = (EV["product_view"], EV["add_to_cart"], EV["share"], EV["review"])

# Session kinds and the fixed slots of a session (events appear in slot order).
ANON, REGISTER, ORDER, BROWSE = range(4)
SLOT_OPENER, SLOT_LOGIN, SLOT_REGISTER, SLOT_BROWSE, SLOT_VIEW, SLOT_CART, SLOT_CHECKOUT, \
    SLOT_PAID, SLOT_SHARE, SLOT_REVIEW = range(10)
SLOT_EVENT = np.array([-1, EV["login"], EV["register"], -1, EV["product_view"], EV["add_to_cart"],
                       EV["checkout_start"], EV["order_paid"], EV["share"], EV["review"]])

CONVERSION_WINDOW_DAYS = 14


@dataclass(frozen=True)
class PlantedCampaign:
    campaign_id: str
    channel: str
    relative_uplift: float
    baseline_rate: float
    control_share: float = 0.2
    max_users: int = 50_000  # across the whole run


CAMPAIGNS = (
    PlantedCampaign("cmp_winback_uplift", "sms", 0.5, 0.08),
    PlantedCampaign("cmp_nudge_null", "push", 0.0, 0.10),
)
WINBACK, NUDGE = range(2)
LAYERS = ("at_risk", "new", "active")

BAD_KINDS = {
    "raw_users": ("missing_user_id", "duplicate_user_id", "future_timestamp", "timestamp_before_2000"),
    "raw_orders": ("missing_order_id", "duplicate_row", "superseded_version", "missing_user_id",
                   "unknown_user", "timestamp_before_2000", "future_timestamp", "unknown_status",
                   "negative_amount"),
    "raw_events": ("missing_event_id", "duplicate_event", "future_timestamp", "timestamp_before_2000",
                   "unknown_user", "invalid_json"),
    "raw_order_items": ("duplicate_row",),
    "raw_marketing_spend": ("negative_amount",),
    "raw_campaign_sends": (),
}

TS = pa.timestamp("us")
MONEY = pa.decimal128(18, 2)
SCHEMAS = {
    "raw_users": pa.schema([
        ("user_id", pa.string()), ("registered_at", TS), ("acquisition_channel", pa.string()),
        ("acquisition_campaign", pa.string()), ("gender", pa.string()), ("birth_year", pa.int32()),
        ("city", pa.string()), ("city_tier", pa.int32()), ("email", pa.string()),
        ("phone", pa.string()), ("marketing_opt_in", pa.bool_())]),
    "raw_orders": pa.schema([
        ("order_id", pa.string()), ("user_id", pa.string()), ("ordered_at", TS), ("status", pa.string()),
        ("order_amount", MONEY), ("discount_amount", MONEY), ("coupon_code", pa.string()),
        ("platform", pa.string()), ("updated_at", TS)]),
    "raw_order_items": pa.schema([
        ("order_id", pa.string()), ("line_number", pa.int32()), ("product_id", pa.string()),
        ("product_name", pa.string()), ("category", pa.string()), ("quantity", pa.int32()),
        ("unit_price", MONEY)]),
    "raw_events": pa.schema([
        ("event_id", pa.string()), ("user_id", pa.string()), ("anonymous_id", pa.string()),
        ("session_id", pa.string()), ("event_name", pa.string()), ("occurred_at", TS),
        ("received_at", TS), ("platform", pa.string()), ("page", pa.string()),
        ("utm_source", pa.string()), ("utm_medium", pa.string()), ("utm_campaign", pa.string()),
        ("properties", pa.string())]),
    "raw_marketing_spend": pa.schema([
        ("spend_date", pa.date32()), ("channel", pa.string()), ("campaign", pa.string()),
        ("spend", MONEY), ("impressions", pa.int64()), ("clicks", pa.int64())]),
    "raw_campaign_sends": pa.schema([
        ("send_id", pa.string()), ("campaign_id", pa.string()), ("user_id", pa.string()),
        ("channel", pa.string()), ("test_group", pa.string()), ("sent_at", TS),
        ("target_layer", pa.string())]),
}
SINGLE_FILE_TABLES = ("raw_users", "raw_orders", "raw_order_items", "raw_campaign_sends")
# Events are built with dictionary-encoded string columns (fast to build and to write) and written
# without the Arrow schema, so readers see plain strings as in SCHEMAS["raw_events"].
EVENT_DICTIONARY_COLUMNS = ("user_id", "anonymous_id", "session_id", "event_name", "platform", "page",
                            "utm_source", "utm_medium", "utm_campaign", "properties")
EVENTS_IN_MEMORY = pa.schema([
    pa.field(f.name, pa.dictionary(pa.int32(), pa.string())) if f.name in EVENT_DICTIONARY_COLUMNS else f
    for f in SCHEMAS["raw_events"]])


# --- run settings and running state --------------------------------------------------------


@dataclass(frozen=True)
class Settings:
    users: int
    days: int
    start: date
    seed: int
    bad_rate: float
    chunk_users: int

    @property
    def start_us(self) -> int:
        return (self.start - EPOCH).days * DAY

    @property
    def end_us(self) -> int:
        return self.start_us + self.days * DAY

    @property
    def send_day_us(self) -> int:
        """09:00 UTC on the campaign send day, ~60 days before the end (mid-period if short)."""
        offset = self.days - 60 if self.days >= 120 else self.days // 2
        return self.start_us + offset * DAY + 9 * HOUR

    @property
    def user_width(self) -> int:
        return max(7, len(str(5 * self.users + 1)))  # junk users are numbered up to ~5 x users


@dataclass
class Counters:
    """Next free number of each id kind; ids stay unique across chunks."""

    order: int = 1
    event: int = 1
    session: int = 1
    send: int = 1


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
    orders_by_status: dict[str, int] = field(default_factory=lambda: {s: 0 for s in STATUSES})
    clean_users: int = 0
    channel_users: dict[str, int] = field(default_factory=lambda: {c: 0 for c in CHANNELS})
    channel_buyers: dict[str, int] = field(default_factory=lambda: {c: 0 for c in CHANNELS})
    # [campaign index, 0 = treatment / 1 = control]
    campaign_users: np.ndarray = field(default_factory=lambda: np.zeros((2, 2), np.int64))
    campaign_converted: np.ndarray = field(default_factory=lambda: np.zeros((2, 2), np.int64))
    events: dict[str, int] = field(default_factory=lambda: {
        "clean_rows": 0, "anonymous": 0, "late_arrivals": 0, "without_session_id": 0})


@dataclass(frozen=True)
class Catalogue:
    product_ids: pa.Array
    names: pa.Array
    categories: pa.Array  # category name per product
    price_cents: np.ndarray
    popularity: np.ndarray  # sampling probability per product
    product_json: list[str]  # {"product_id": ..., "category": ...} per product


# --- small array helpers ---------------------------------------------------------------------


def fixed_strings(*parts: str | tuple[np.ndarray, int]) -> pa.Array:
    """Concatenate literals and zero-padded numbers row-wise into a string array, vectorised.

    `fixed_strings("u", (numbers, 7))` gives 'u0000123' for 123. Numbers wider than the width
    keep all their digits (then every row of the call gets the larger width).
    """
    n = next(len(p[0]) for p in parts if not isinstance(p, str))
    columns = []
    for part in parts:
        if isinstance(part, str):
            literal = np.frombuffer(part.encode(), dtype=np.uint8)
            columns.append(np.broadcast_to(literal, (n, len(literal))))
            continue
        numbers, width = part
        numbers = np.asarray(numbers, dtype=np.int64)
        if n:
            width = max(width, len(str(int(numbers.max()))))
        digits = np.empty((n, width), dtype=np.uint8)
        rest = numbers.copy()
        for position in range(width - 1, -1, -1):  # a loop over digit positions, not rows
            rest, digit = np.divmod(rest, 10)
            digits[:, position] = digit
        columns.append(digits + 48)
    data = np.ascontiguousarray(np.hstack(columns)) if columns else np.zeros((n, 0), np.uint8)
    offsets = np.arange(n + 1, dtype=np.int64) * data.shape[1]
    if offsets[-1] >= 2**31:
        raise ValueError("chunk too large for a string column; lower chunk_users")
    return pa.Array.from_buffers(pa.string(), n, [None, pa.py_buffer(offsets.astype(np.int32)),
                                                  pa.py_buffer(data)])


def money(cents: np.ndarray) -> pa.Array:
    """int64 cents -> decimal128(18, 2), built directly from the 16-byte little-endian words."""
    words = np.empty((len(cents), 2), dtype=np.int64)
    words[:, 0] = cents
    words[:, 1] = np.where(cents < 0, -1, 0)
    return pa.Array.from_buffers(MONEY, len(cents), [None, pa.py_buffer(words)])


def timestamps(us: np.ndarray) -> pa.Array:
    return pa.array(np.asarray(us, dtype=np.int64), type=TS)


def take(values: pa.Array | tuple | list, idx: np.ndarray, null: np.ndarray | None = None) -> pa.Array:
    """values[idx] as an Arrow array; rows where `null` is true (or idx < 0) become null."""
    if not isinstance(values, pa.Array):
        values = pa.array(list(values), type=pa.string())
    idx = np.asarray(idx)
    mask = idx < 0 if null is None else (np.asarray(null) | (idx < 0))
    indices = pa.array(np.where(mask, 0, idx).astype(np.int32), mask=mask)
    return pc.take(values, indices)


def codes(values: tuple | list | pa.Array, idx: np.ndarray, null: np.ndarray | None = None) -> pa.Array:
    """Like take(), but dictionary-encoded: cheap to build and written as-is to Parquet.

    A Python list may repeat values or hold None; it is reduced to a dictionary of distinct values.
    """
    idx = np.asarray(idx)
    mask = idx < 0 if null is None else (np.asarray(null) | (idx < 0))
    if not isinstance(values, pa.Array):
        distinct = list(dict.fromkeys(v for v in values if v is not None))
        remap = np.array([distinct.index(v) if v is not None else -1 for v in values] or [-1])
        idx = remap[np.where(mask, 0, idx)]
        mask = mask | (idx < 0)
        values = pa.array(distinct, type=pa.string())
    return pa.DictionaryArray.from_arrays(pa.array(np.where(mask, 0, idx).astype(np.int32), mask=mask), values)


def with_nulls(values: pa.Array, null: np.ndarray) -> pa.Array:
    return pc.if_else(pa.array(null), pa.scalar(None, values.type), values)


def group_positions(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For rows repeated `counts` times: (owner index, position within owner) per output row."""
    owner = np.repeat(np.arange(len(counts)), counts)
    starts = np.cumsum(counts) - counts
    return owner, np.arange(len(owner)) - starts[owner]


def random_times_in_years(rng: np.random.Generator, n: int, first: int, last: int) -> np.ndarray:
    lo = (date(first, 1, 1) - EPOCH).days * DAY
    hi = (date(last + 1, 1, 1) - EPOCH).days * DAY
    return lo + rng.integers(0, (hi - lo) // SECOND, n) * SECOND


def bad_count(rng: np.random.Generator, rows: int, bad_rate: float, force: bool) -> int:
    """About bad_rate x rows; at least one when `force` (first chunk) and there are rows."""
    if bad_rate <= 0 or rows == 0:
        return 0
    count = int(rng.binomial(rows, bad_rate))
    return max(count, 1) if force else count


def replace_columns(table: pa.Table, **columns: pa.Array | np.ndarray) -> pa.Table:
    """Copy of `table` with the named columns replaced (values cast to the schema's type)."""
    for name, values in columns.items():
        index = table.schema.get_field_index(name)
        kind = table.schema.field(index).type
        array = values if isinstance(values, pa.Array) else pa.array(values, type=kind)
        table = table.set_column(index, table.schema.field(index), array.cast(kind))
    return table


def null_strings(n: int) -> pa.Array:
    return pa.nulls(n, type=pa.string())


# --- catalogue and marketing spend (whole run) ----------------------------------------------


def make_catalogue(seed: int) -> Catalogue:
    rng = np.random.default_rng(np.random.SeedSequence([seed, 1]))
    categories = list(CATEGORIES)
    cat = np.arange(N_PRODUCTS) % len(categories)
    noun = rng.integers(0, 3, N_PRODUCTS)
    brand = rng.integers(0, len(BRANDS), N_PRODUCTS)
    numbers = np.arange(1, N_PRODUCTS + 1)
    ids = fixed_strings("p", (numbers, 4))
    names = [f"{BRANDS[b]} {CATEGORIES[categories[c]][k]} {i:03d}" for b, c, k, i in zip(brand, cat, noun, numbers)]
    price = np.maximum(100, np.round(rng.lognormal(np.log(60.0), 0.8, N_PRODUCTS) * 100)).astype(np.int64)
    popularity = 1.0 / np.arange(1, N_PRODUCTS + 1) ** 0.9
    popularity = rng.permutation(popularity / popularity.sum())
    product_json = [json.dumps({"product_id": pid, "category": categories[c]}) for pid, c in zip(ids.to_pylist(), cat)]
    return Catalogue(ids, pa.array(names), take(categories, cat), price, popularity, product_json)


def signup_density(x: np.ndarray) -> np.ndarray:
    """Relative sign-up density at fraction x of the period: 1 + 1.5 x (growing)."""
    return (1.0 + 1.5 * x) / 1.75


def sample_signup_fraction(rng: np.random.Generator, n: int) -> np.ndarray:
    """Inverse CDF of density (1 + a x) / (1 + a/2) on [0, 1), a = 1.5."""
    a, u = 1.5, rng.random(n)
    return (-1 + np.sqrt(1 + a * (2 + a) * u)) / a


def make_marketing_spend(s: Settings, rng: np.random.Generator) -> tuple[pa.Table, int]:
    """One row per day and paid campaign; spend tracks expected sign-ups x CAC. Returns (table, bad)."""
    paid = [a for a in ACQUISITION if a.cac > 0]
    day = np.repeat(np.arange(s.days), len(paid))
    which = np.tile(np.arange(len(paid)), s.days)
    share = np.array([CHANNEL_SHARE[CHANNELS.index(a.channel)] * a.share_in_channel for a in paid])
    signups = s.users / s.days * signup_density((day + 0.5) / s.days) * share[which]
    cac = np.array([a.cac for a in paid])[which]
    spend = np.round(signups * cac * rng.lognormal(0, 0.25, len(day)) * 100).astype(np.int64) + 100
    cpm = np.array([a.cpm for a in paid])[which] * rng.lognormal(0, 0.1, len(day))
    impressions = np.round(spend / 100 / cpm * 1000).astype(np.int64)
    clicks = rng.binomial(impressions, np.array([a.ctr for a in paid])[which]).astype(np.int64)
    bad = bad_count(rng, len(day), s.bad_rate, force=True)
    flipped = rng.choice(len(day), bad, replace=False)
    spend[flipped] = -spend[flipped]  # refunds booked as negative spend: quarantined
    table = pa.table({
        "spend_date": pa.array(((s.start - EPOCH).days + day).astype(np.int32), type=pa.date32()),
        "channel": take([a.channel for a in paid], which),
        "campaign": take([a.campaign for a in paid], which),
        "spend": money(spend),
        "impressions": impressions,
        "clicks": clicks,
    }, schema=SCHEMAS["raw_marketing_spend"])
    return table, bad


# --- users --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Users:
    numbers: np.ndarray  # global user number (user_id = 'u' + zero padded number)
    registered_us: np.ndarray
    acquisition: np.ndarray  # index into ACQUISITION
    channel: np.ndarray  # index into CHANNELS
    opt_in: np.ndarray
    active_end_us: np.ndarray  # churn: no orders or sessions after this
    n_devices: np.ndarray
    device_platform: np.ndarray  # (n, 2) platform code of each device
    ids: pa.Array
    device_ids: pa.Array  # 2 per user, device k of user i at 2 i + k


def make_users(rng: np.random.Generator, s: Settings, first_number: int, n: int) -> Users:
    numbers = np.arange(first_number, first_number + n, dtype=np.int64)
    registered = s.start_us + (sample_signup_fraction(rng, n) * s.days * DAY) // SECOND * SECOND
    weights = np.array([CHANNEL_SHARE[CHANNELS.index(a.channel)] * a.share_in_channel for a in ACQUISITION])
    acquisition = rng.choice(len(ACQUISITION), n, p=weights / weights.sum())
    channel = np.array([CHANNELS.index(a.channel) for a in ACQUISITION])[acquisition]
    churns = rng.random(n) < 0.5
    churn_at = registered + (rng.exponential(75, n) * DAY).astype(np.int64)
    active_end = np.where(churns, np.minimum(churn_at, s.end_us), s.end_us)
    return Users(
        numbers=numbers,
        registered_us=registered,
        acquisition=acquisition,
        channel=channel,
        opt_in=rng.random(n) < 0.6,
        active_end_us=active_end,
        n_devices=np.where(rng.random(n) < 0.3, 2, 1),
        device_platform=rng.choice(3, (n, 2), p=[0.5, 0.3, 0.2]),
        ids=fixed_strings("u", (numbers, s.user_width)),
        device_ids=fixed_strings("d", (np.arange(2 * first_number, 2 * (first_number + n)), 8)),
    )


def users_table(rng: np.random.Generator, users: Users) -> pa.Table:
    n = len(users.numbers)
    city = rng.choice(len(CITIES), n, p=np.array([c[2] for c in CITIES]) / sum(c[2] for c in CITIES))
    gender = rng.choice(3, n, p=[0.55, 0.38, 0.07])  # 2 = not given
    birth_year = np.clip(np.round(rng.normal(1993, 9, n)), 1950, 2008).astype(np.int32)
    phone = fixed_strings("+86 13", (rng.integers(0, 10, n), 1), " ", ((users.numbers // 10_000) % 10_000, 4),
                          " ", (users.numbers % 10_000, 4))
    return pa.table({
        "user_id": users.ids,
        "registered_at": timestamps(users.registered_us),
        "acquisition_channel": take(CHANNELS, users.channel),
        "acquisition_campaign": take([a.campaign for a in ACQUISITION], users.acquisition,
                                     null=np.array([a.campaign is None for a in ACQUISITION])[users.acquisition]),
        "gender": take(("female", "male"), gender, null=gender == 2),
        "birth_year": pa.array(birth_year, mask=rng.random(n) < 0.06),
        "city": take([c[0] for c in CITIES], city),
        "city_tier": pa.array(np.array([c[1] for c in CITIES], dtype=np.int32)[city]),
        "email": with_nulls(pc.binary_join_element_wise(users.ids, "@example.com", ""), rng.random(n) < 0.08),
        "phone": with_nulls(phone, rng.random(n) < 0.12),
        "marketing_opt_in": pa.array(users.opt_in),
    }, schema=SCHEMAS["raw_users"])


# --- orders, campaigns and items ----------------------------------------------------------


@dataclass(frozen=True)
class Orders:
    user: np.ndarray  # position of the buyer in the chunk's Users
    ordered_us: np.ndarray
    planted: np.ndarray  # a planted campaign conversion
    status: np.ndarray  # index into STATUSES
    amount_cents: np.ndarray
    discount_cents: np.ndarray
    coupon: np.ndarray  # index into COUPONS, -1 = none
    device: np.ndarray  # which of the user's devices (0/1)
    platform: np.ndarray  # index into PLATFORMS
    updated_us: np.ndarray
    ids: pa.Array


@dataclass(frozen=True)
class Sends:
    user: np.ndarray
    campaign: np.ndarray  # index into CAMPAIGNS
    control: np.ndarray
    layer: np.ndarray  # index into LAYERS
    sent_us: np.ndarray


def natural_order_times(rng: np.random.Generator, s: Settings, users: Users) -> tuple[np.ndarray, np.ndarray]:
    """(user position, ordered_at) of every natural order, between sign-up and churn."""
    window_start = users.registered_us + HOUR
    window = users.active_end_us - HOUR - window_start
    buy_p = np.array([BUYER_PROBABILITY[c] for c in CHANNELS])[users.channel]
    buys = (rng.random(len(window)) < buy_p) & (window > HOUR)
    per_buyer = 1 + rng.negative_binomial(0.3, 0.3 / 1.3, len(window))  # mean 2, heavy tail
    owner, position = group_positions(np.where(buys, per_buyer, 0))
    span = window[owner]
    uniform = (rng.random(len(owner)) * span).astype(np.int64)
    soon = (rng.exponential(10.0, len(owner)) * DAY).astype(np.int64)  # first order soon after sign-up
    offset = np.where((position == 0) & (soon < span), soon, uniform)
    return owner, (window_start[owner] + offset) // SECOND * SECOND


def pick(rng: np.random.Generator, eligible: np.ndarray, share: float, cap: int) -> np.ndarray:
    chosen = np.flatnonzero(eligible & (rng.random(len(eligible)) < share))
    return np.sort(rng.choice(chosen, cap, replace=False)) if len(chosen) > cap else chosen


def choose_targets(rng: np.random.Generator, s: Settings, users: Users, order_user: np.ndarray,
                   order_us: np.ndarray) -> Sends:
    """Audiences of the two planted campaigns, as seen on the send day."""
    n, send = len(users.numbers), s.send_day_us
    before = order_us < send
    last_order = np.full(n, np.iinfo(np.int64).min)
    np.maximum.at(last_order, order_user[before], order_us[before])
    has_ordered = last_order > np.iinfo(np.int64).min
    reachable = users.opt_in & (users.registered_us < send)
    silent = reachable & has_ordered & (last_order < send - 45 * DAY)
    new = reachable & ~has_ordered & (users.registered_us >= send - 30 * DAY)
    active = reachable & has_ordered & (last_order >= send - 30 * DAY)
    audiences = []
    for index, (campaign, eligible, share) in enumerate(zip(CAMPAIGNS, (silent, new | active), (0.8, 0.5))):
        cap = -(-campaign.max_users * n // s.users)
        user = pick(rng, eligible, share, cap)
        control = np.zeros(len(user), bool)
        control[rng.permutation(len(user))[: round(campaign.control_share * len(user))]] = True
        layer = np.zeros(len(user), np.int64) if index == WINBACK else np.where(new[user], 1, 2)
        audiences.append((user, np.full(len(user), index), control, layer))
    user, campaign, control, layer = (np.concatenate(parts) for parts in zip(*audiences))
    sent = send + rng.integers(0, 2 * 3600, len(user)) * SECOND
    return Sends(user, campaign, control, layer, sent)


def apply_campaigns(rng: np.random.Generator, n_users: int, sends: Sends, order_user: np.ndarray,
                    order_us: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Drop targeted users' natural orders in their window; plant conversions at p0 (x (1 + uplift))."""
    sent_of_user = np.full(n_users, -1, np.int64)
    sent_of_user[sends.user] = sends.sent_us
    sent = sent_of_user[order_user]
    keep = ~((sent >= 0) & (order_us >= sent) & (order_us < sent + CONVERSION_WINDOW_DAYS * DAY))
    baseline = np.array([c.baseline_rate for c in CAMPAIGNS])[sends.campaign]
    uplift = np.array([c.relative_uplift for c in CAMPAIGNS])[sends.campaign]
    rate = baseline * np.where(sends.control, 1.0, 1.0 + uplift)
    converts = rng.random(len(rate)) < rate
    window_s = CONVERSION_WINDOW_DAYS * 86_400
    planted_us = sends.sent_us[converts] + rng.integers(60, window_s - 60, converts.sum()) * SECOND
    user = np.concatenate([order_user[keep], sends.user[converts]])
    ordered = np.concatenate([order_us[keep], planted_us])
    planted = np.concatenate([np.zeros(keep.sum(), bool), np.ones(converts.sum(), bool)])
    order = np.lexsort((ordered, user))
    return user[order], ordered[order], planted[order]


def finish_orders(rng: np.random.Generator, s: Settings, users: Users, user: np.ndarray, ordered: np.ndarray,
                  planted: np.ndarray, counters: Counters) -> Orders:
    m = len(user)
    recent = ordered >= s.end_us - 10 * DAY
    status = np.where(rng.random(m) < np.where(recent, 0.3, 0.85), COMPLETED, PAID)
    fate = rng.random(m)
    status = np.where(~planted & (fate < 0.03), CANCELLED, status)  # planted conversions stay valid
    status = np.where(~planted & (fate >= 0.03) & (fate < 0.08), REFUNDED, status)
    changed_later = (status == COMPLETED) | (status == REFUNDED)
    delay = rng.integers(86_400, 10 * 86_400, m) * SECOND
    updated = np.where(changed_later, np.maximum(ordered, np.minimum(ordered + delay, s.end_us - SECOND)), ordered)
    gross = np.maximum(100, np.round(rng.lognormal(np.log(130.0), 0.6, m) * 100)).astype(np.int64)
    has_discount = rng.random(m) < 0.25
    discount = np.where(has_discount, np.round(gross * rng.uniform(0.05, 0.3, m)), 0).astype(np.int64)
    store = rng.random(m) < np.where(users.channel[user] == CHANNELS.index("offline_store"), 0.5, 0.04)
    device = np.where((users.n_devices[user] == 2) & (rng.random(m) < 0.4), 1, 0)
    numbers = counters.order + np.arange(m)
    counters.order += m
    return Orders(
        user=user, ordered_us=ordered, planted=planted, status=status,
        amount_cents=gross - discount, discount_cents=discount,
        coupon=np.where(has_discount, rng.integers(0, len(COUPONS), m), -1),
        device=device, platform=np.where(store, STORE, users.device_platform[user, device]),
        updated_us=updated, ids=fixed_strings("o", (numbers, 8)),
    )


def orders_table(users: Users, orders: Orders) -> pa.Table:
    return pa.table({
        "order_id": orders.ids,
        "user_id": pc.take(users.ids, pa.array(orders.user)),
        "ordered_at": timestamps(orders.ordered_us),
        "status": take(STATUSES, orders.status),
        "order_amount": money(orders.amount_cents),
        "discount_amount": money(orders.discount_cents),
        "coupon_code": take(COUPONS, orders.coupon),
        "platform": take(PLATFORMS, orders.platform),
        "updated_at": timestamps(orders.updated_us),
    }, schema=SCHEMAS["raw_orders"])


def make_items(rng: np.random.Generator, orders: Orders, catalogue: Catalogue) -> tuple[pa.Table, np.ndarray]:
    """1-5 lines per order; also returns the first line's product per order (for the events)."""
    lines = rng.choice(5, len(orders.user), p=[0.45, 0.25, 0.15, 0.1, 0.05]) + 1
    owner, position = group_positions(lines)
    product = rng.choice(N_PRODUCTS, len(owner), p=catalogue.popularity)
    product_index = pa.array(product)
    table = pa.table({
        "order_id": pc.take(orders.ids, pa.array(owner)),
        "line_number": pa.array((position + 1).astype(np.int32)),
        "product_id": pc.take(catalogue.product_ids, product_index),
        "product_name": pc.take(catalogue.names, product_index),
        "category": pc.take(catalogue.categories, product_index),
        "quantity": pa.array((rng.choice(3, len(owner), p=[0.7, 0.2, 0.1]) + 1).astype(np.int32)),
        "unit_price": money(catalogue.price_cents[product]),
    }, schema=SCHEMAS["raw_order_items"])
    return table, product[np.cumsum(lines) - lines]


def sends_table(users: Users, sends: Sends, counters: Counters) -> pa.Table:
    numbers = counters.send + np.arange(len(sends.user))
    counters.send += len(sends.user)
    return pa.table({
        "send_id": fixed_strings("snd", (numbers, 8)),
        "campaign_id": take([c.campaign_id for c in CAMPAIGNS], sends.campaign),
        "user_id": pc.take(users.ids, pa.array(sends.user)),
        "channel": take([c.channel for c in CAMPAIGNS], sends.campaign),
        "test_group": take(("treatment", "control"), sends.control.astype(np.int64)),
        "sent_at": timestamps(sends.sent_us),
        "target_layer": take(LAYERS, sends.layer),
    }, schema=SCHEMAS["raw_campaign_sends"])


# --- events --------------------------------------------------------------------------------

BROWSE_SESSIONS_PER_ACTIVE_DAY = 0.14  # mean; per-user rate is Gamma(0.6)-distributed (heavy tail)


@dataclass(frozen=True)
class Sessions:
    user: np.ndarray
    kind: np.ndarray  # ANON, REGISTER, ORDER, BROWSE
    anchor_us: np.ndarray  # time of the anchor event (register / order_paid / first event)
    order: np.ndarray  # order position for ORDER sessions, else -1
    device: np.ndarray
    platform: np.ndarray
    has_utm: np.ndarray
    ids: pa.Array
    no_id: np.ndarray  # session_id left null


def make_sessions(rng: np.random.Generator, s: Settings, users: Users, orders: Orders,
                  counters: Counters) -> Sessions:
    n, reg = len(users.numbers), users.registered_us
    lo, hi = np.maximum(s.start_us, reg - 14 * DAY), reg - HOUR
    n_anon = np.where((hi > lo) & (rng.random(n) < 0.4), rng.integers(1, 4, n), 0)
    anon_user, _ = group_positions(n_anon)
    anon_at = lo[anon_user] + (rng.random(len(anon_user)) * (hi - lo)[anon_user]).astype(np.int64)
    browse_span = np.maximum(0, users.active_end_us - reg - 2 * HOUR)
    rate = rng.gamma(0.6, BROWSE_SESSIONS_PER_ACTIVE_DAY / 0.6, n)
    browse_user, _ = group_positions(rng.poisson(rate * browse_span / DAY))
    browse_at = reg[browse_user] + HOUR + (rng.random(len(browse_user)) * browse_span[browse_user]).astype(np.int64)
    second_device = (users.n_devices[browse_user] == 2) & (rng.random(len(browse_user)) < 0.4)

    user = np.concatenate([anon_user, np.arange(n), orders.user, browse_user])
    kind = np.concatenate([np.full(len(anon_user), ANON), np.full(n, REGISTER), np.full(len(orders.user), ORDER),
                           np.full(len(browse_user), BROWSE)])
    anchor = np.concatenate([anon_at, reg, orders.ordered_us, browse_at]) // 1000 * 1000
    order = np.concatenate([np.full(len(anon_user) + n, -1), np.arange(len(orders.user)),
                            np.full(len(browse_user), -1)])
    device = np.concatenate([np.zeros(len(anon_user) + n, np.int64), orders.device, second_device.astype(np.int64)])
    order_platform = np.append(orders.platform, 0)[order]  # order -1 reads the padding
    platform = np.where(order >= 0, order_platform, users.device_platform[user, device])
    by_time = np.lexsort((anchor, user))
    user, kind, anchor, order, device, platform = (a[by_time] for a in (user, kind, anchor, order, device, platform))

    first_of_user = np.r_[True, user[1:] != user[:-1]]
    paid_user = np.array([a.utm_source is not None for a in ACQUISITION])[users.acquisition]
    has_utm = paid_user[user] & (first_of_user | (rng.random(len(user)) < 0.15)) & (platform != STORE)
    numbers = counters.session + np.arange(len(user))
    counters.session += len(user)
    return Sessions(user, kind, anchor, order, device, platform, has_utm,
                    fixed_strings("s", (numbers, 10)), rng.random(len(user)) < 0.15)


def session_slot_counts(rng: np.random.Generator, ss: Sessions) -> np.ndarray:
    """(sessions x slots) number of events of each slot; a session's events follow slot order."""
    n, kind = len(ss.kind), ss.kind
    online = ss.platform != STORE  # store orders are a lone order_paid
    is_order = kind == ORDER
    counts = np.zeros((n, len(SLOT_EVENT)), np.int64)
    counts[:, SLOT_OPENER] = online
    counts[:, SLOT_LOGIN] = online & (kind >= ORDER) & (rng.random(n) < 0.08)
    counts[:, SLOT_REGISTER] = kind == REGISTER
    browse_p = np.array([1 / 3, 0.4, 1 / 3, 0.2])[kind]  # geometric: mean 2, 1.5, 2, 4 extra events
    counts[:, SLOT_BROWSE] = np.where(online, rng.geometric(browse_p) - 1, 0)
    view = np.where(is_order, online, ((kind == BROWSE) | (kind == ANON)) & (rng.random(n) < 0.6))
    cart = np.where(is_order, online, view & (rng.random(n) < 0.3))
    counts[:, SLOT_VIEW] = view
    counts[:, SLOT_CART] = cart
    counts[:, SLOT_CHECKOUT] = np.where(is_order, online, cart & (rng.random(n) < 0.4))
    counts[:, SLOT_PAID] = is_order
    counts[:, SLOT_SHARE] = online & (kind != ANON) & (rng.random(n) < 0.04)
    counts[:, SLOT_REVIEW] = (kind == BROWSE) & (rng.random(n) < 0.03)
    return counts


def event_times(rng: np.random.Generator, ss: Sessions, counts: np.ndarray, session: np.ndarray,
                first: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(occurred_at, received_at, is_late) in microseconds, millisecond precision."""
    n_events = len(session)
    gaps = np.round(rng.exponential(40.0, n_events) * 1000).astype(np.int64) * 1000
    gaps[first] = 0
    elapsed = np.cumsum(gaps)
    elapsed -= elapsed[first][session]
    anchor_slot = np.where(ss.kind == REGISTER, SLOT_REGISTER, np.where(ss.kind == ORDER, SLOT_PAID, 0))
    anchor_position = np.take_along_axis(np.cumsum(counts, axis=1) - counts, anchor_slot[:, None], 1)[:, 0]
    anchor_elapsed = elapsed[first + anchor_position]
    true_us = ss.anchor_us[session] + elapsed - anchor_elapsed[session]
    skew_s = np.where(rng.random(len(ss.kind)) < 0.15, rng.normal(0, 120, len(ss.kind)), rng.normal(0, 4, len(ss.kind)))
    occurred = true_us + (np.round(skew_s * 1000).astype(np.int64) * 1000)[session]
    late = rng.random(n_events) < 0.02
    delay_ms = np.minimum(10_000, np.round(rng.lognormal(np.log(800), 1.0, n_events))).astype(np.int64)
    received = occurred + delay_ms * 1000 + np.where(late, rng.integers(86_400, 5 * 86_400, n_events) * SECOND, 0)
    return occurred, received, late


def make_events(rng: np.random.Generator, users: Users, orders: Orders, ss: Sessions, first_product: np.ndarray,
                catalogue: Catalogue, counters: Counters) -> tuple[pa.Table, dict[str, int]]:
    counts = session_slot_counts(rng, ss)
    n_sessions, n_slots = counts.shape
    session = np.repeat(np.repeat(np.arange(n_sessions), n_slots), counts.ravel())
    slot = np.repeat(np.tile(np.arange(n_slots), n_sessions), counts.ravel())
    n_events = len(session)
    first = np.cumsum(counts.sum(axis=1)) - counts.sum(axis=1)
    occurred, received, late = event_times(rng, ss, counts, session, first)
    is_first = np.zeros(n_events, bool)
    is_first[first] = True
    by_arrival = np.argsort(received, kind="stable")  # exports come in order of arrival
    session, slot, occurred, received, late, is_first = (
        a[by_arrival] for a in (session, slot, occurred, received, late, is_first))

    platform = ss.platform[session]
    name = SLOT_EVENT[slot]
    opener = np.where((platform == APP) | (platform == MINI), EV["app_open"], EV["page_view"])
    browsing = rng.choice([EV["page_view"], EV["search"], EV["product_view"]], n_events, p=[0.45, 0.2, 0.35])
    name = np.where(slot == SLOT_OPENER, opener, np.where(slot == SLOT_BROWSE, browsing, name))

    page = EVENT_PAGE[name]
    page = np.where(page < 0, rng.choice(BROWSE_PAGES, n_events), page)
    page = np.where(platform == STORE, -1, page)

    kind = ss.kind[session]
    anonymous = (kind == ANON) | ((kind == REGISTER) & (slot < SLOT_REGISTER))
    order = ss.order[session]
    product = np.where((order >= 0) & ((slot == SLOT_VIEW) | (slot == SLOT_CART)),
                       first_product[np.maximum(order, 0)] if len(first_product) else 0,
                       rng.choice(N_PRODUCTS, n_events, p=catalogue.popularity))
    n_fixed = N_PRODUCTS + len(SEARCH_QUERIES)
    properties = np.full(n_events, -1)
    properties = np.where(np.isin(name, PRODUCT_EVENTS), product, properties)
    properties = np.where(name == EV["search"], N_PRODUCTS + rng.integers(0, len(SEARCH_QUERIES), n_events), properties)
    properties = np.where(name == EV["order_paid"], n_fixed + order, properties)
    property_values = pa.concat_arrays([
        pa.array(catalogue.product_json + [json.dumps({"query": q}) for q in SEARCH_QUERIES], type=pa.string()),
        pc.binary_join_element_wise('{"order_id": "', orders.ids, '"}', ""),
    ])

    acquisition = users.acquisition[ss.user[session]]
    no_utm = ~(ss.has_utm[session] & is_first)
    numbers = counters.event + np.arange(n_events)
    counters.event += n_events
    table = pa.table({
        "event_id": fixed_strings("e", (numbers, 10)),
        "user_id": codes(users.ids, ss.user[session], null=anonymous),
        "anonymous_id": codes(users.device_ids, 2 * ss.user[session] + ss.device[session]),
        "session_id": codes(ss.ids, session, null=ss.no_id[session]),
        "event_name": codes(EVENT_NAMES, name),
        "occurred_at": timestamps(occurred),
        "received_at": timestamps(received),
        "platform": codes(PLATFORMS, platform),
        "page": codes(PAGES, page),
        "utm_source": codes([a.utm_source for a in ACQUISITION], acquisition, null=no_utm),
        "utm_medium": codes([a.utm_medium for a in ACQUISITION], acquisition, null=no_utm),
        "utm_campaign": codes([a.campaign for a in ACQUISITION], acquisition, null=no_utm),
        "properties": codes(property_values, properties),
    }, schema=EVENTS_IN_MEMORY)
    stats = {"clean_rows": n_events, "anonymous": int(anonymous.sum()), "late_arrivals": int(late.sum()),
             "without_session_id": int(ss.no_id[session].sum())}
    return table, stats


# --- dirt ------------------------------------------------------------------------------------


def column_us(table: pa.Table, name: str) -> np.ndarray:
    return pc.cast(table.column(name), pa.int64()).to_numpy()


def unknown_user_ids(rng: np.random.Generator, k: int) -> pa.Array:
    return fixed_strings("u", (rng.integers(0, 10**7, k), 7), "x")  # never a real user_id


def add_user_dirt(rng: np.random.Generator, s: Settings, table: pa.Table, first_junk: int,
                  force: bool) -> tuple[list[pa.Table], dict[str, int]]:
    """Extra bad user rows; junk users get fresh numbers from first_junk and have no activity."""
    n = table.num_rows
    k = {kind: bad_count(rng, n, s.bad_rate, force) for kind in BAD_KINDS["raw_users"]}
    registered = column_us(table, "registered_at")
    parts = [replace_columns(table.take(rng.integers(0, n, k["missing_user_id"])),
                             user_id=null_strings(k["missing_user_id"]))]

    candidates = np.flatnonzero(registered < s.end_us - DAY)
    original = rng.choice(candidates, min(k["duplicate_user_id"], len(candidates)), replace=False)
    later = registered[original] + rng.integers(3_600, 30 * 86_400, len(original)) * SECOND
    opt_in = table.column("marketing_opt_in").to_numpy(zero_copy_only=False)[original]
    parts.append(replace_columns(table.take(original),
                                 registered_at=timestamps(np.minimum(later, s.end_us - SECOND)),
                                 marketing_opt_in=opt_in ^ (rng.random(len(original)) < 0.5)))

    junk = first_junk
    for kind, years in (("future_timestamp", (2090, 2099)), ("timestamp_before_2000", (1970, 1999))):
        ids = fixed_strings("u", (np.arange(junk, junk + k[kind]), s.user_width))
        junk += k[kind]
        parts.append(replace_columns(table.take(rng.integers(0, n, k[kind])), user_id=ids,
                                     email=pc.binary_join_element_wise(ids, "@example.com", ""),
                                     registered_at=timestamps(random_times_in_years(rng, k[kind], *years))))
    counts = {kind: part.num_rows for kind, part in zip(BAD_KINDS["raw_users"], parts)}
    return parts, counts


def add_order_dirt(rng: np.random.Generator, s: Settings, table: pa.Table, orders: Orders, counters: Counters,
                   force: bool) -> tuple[pa.Table, list[pa.Table], dict[str, int], int]:
    """(clean table with status variants, bad rows, bad counts, number of variants)."""
    m = table.num_rows
    k = {kind: bad_count(rng, m, s.bad_rate, force) for kind in BAD_KINDS["raw_orders"]}
    parts: dict[str, pa.Table] = {}

    parts["missing_order_id"] = replace_columns(table.take(rng.integers(0, m, k["missing_order_id"])),
                                                order_id=null_strings(k["missing_order_id"]))
    duplicated = rng.choice(m, min(k["duplicate_row"], m), replace=False)
    parts["duplicate_row"] = table.take(duplicated)
    changed = np.flatnonzero(orders.updated_us > orders.ordered_us)
    superseded = rng.choice(changed, min(k["superseded_version"], len(changed)), replace=False)
    parts["superseded_version"] = replace_columns(  # the 'paid' row before completion / refund
        table.take(superseded), status=take(STATUSES, np.full(len(superseded), PAID)),
        updated_at=timestamps(orders.ordered_us[superseded]))

    def fresh(kind: str) -> tuple[pa.Table, np.ndarray]:
        template = rng.integers(0, m, k[kind])
        ids = fixed_strings("o", (counters.order + np.arange(k[kind]), 8))
        counters.order += k[kind]
        return replace_columns(table.take(template), order_id=ids), template

    rows, _ = fresh("missing_user_id")
    parts["missing_user_id"] = replace_columns(rows, user_id=null_strings(rows.num_rows))
    rows, _ = fresh("unknown_user")
    parts["unknown_user"] = replace_columns(rows, user_id=unknown_user_ids(rng, rows.num_rows))
    for kind, years in (("timestamp_before_2000", (1970, 1999)), ("future_timestamp", (2090, 2099))):
        rows, _ = fresh(kind)
        at = timestamps(random_times_in_years(rng, rows.num_rows, *years))
        parts[kind] = replace_columns(rows, ordered_at=at, updated_at=at)
    rows, _ = fresh("unknown_status")
    parts["unknown_status"] = replace_columns(rows, status=take(BAD_STATUSES, rng.integers(0, 4, rows.num_rows)))
    rows, template = fresh("negative_amount")
    parts["negative_amount"] = replace_columns(rows, order_amount=money(-orders.amount_cents[template]))

    # Harmless spellings of valid statuses on clean rows that have no duplicate / older version.
    free = np.ones(m, bool)
    free[duplicated] = free[superseded] = False
    free &= (orders.status == PAID) | (orders.status == COMPLETED)
    variant_rows = rng.choice(np.flatnonzero(free), min(bad_count(rng, m, s.bad_rate, force), free.sum()),
                              replace=False)
    status_names = STATUSES + STATUS_VARIANTS
    status = orders.status.copy()
    status[variant_rows] = np.where(orders.status[variant_rows] == PAID,
                                    len(STATUSES) + rng.integers(0, 2, len(variant_rows)),
                                    len(STATUSES) + 2 + rng.integers(0, 3, len(variant_rows)))
    clean = replace_columns(table, status=take(status_names, status))
    counts = {kind: parts[kind].num_rows for kind in BAD_KINDS["raw_orders"]}
    return clean, [parts[kind] for kind in BAD_KINDS["raw_orders"]], counts, len(variant_rows)


def add_event_dirt(rng: np.random.Generator, s: Settings, table: pa.Table, counters: Counters,
                   force: bool) -> tuple[list[pa.Table], dict[str, int]]:
    n = table.num_rows
    k = {kind: bad_count(rng, n, s.bad_rate, force) for kind in BAD_KINDS["raw_events"]}
    parts: dict[str, pa.Table] = {}
    parts["missing_event_id"] = replace_columns(table.take(rng.integers(0, n, k["missing_event_id"])),
                                                event_id=null_strings(k["missing_event_id"]))
    again = rng.choice(n, min(k["duplicate_event"], n), replace=False)
    redelivery = np.where(rng.random(len(again)) < 0.3, 0, rng.integers(1, 6 * 3_600, len(again)) * SECOND)
    parts["duplicate_event"] = replace_columns(
        table.take(again), received_at=timestamps(column_us(table, "received_at")[again] + redelivery))

    def fresh(kind: str) -> pa.Table:
        ids = fixed_strings("e", (counters.event + np.arange(k[kind]), 10))
        counters.event += k[kind]
        return replace_columns(table.take(rng.integers(0, n, k[kind])), event_id=ids)

    for kind, years in (("future_timestamp", (2090, 2099)), ("timestamp_before_2000", (1970, 1999))):
        rows = fresh(kind)
        parts[kind] = replace_columns(rows, occurred_at=timestamps(random_times_in_years(rng, rows.num_rows, *years)))
    rows = fresh("unknown_user")
    parts["unknown_user"] = replace_columns(rows, user_id=unknown_user_ids(rng, rows.num_rows))
    rows = fresh("invalid_json")
    parts["invalid_json"] = replace_columns(rows, properties=take(BROKEN_JSON, rng.integers(0, 4, rows.num_rows)))
    return [parts[kind] for kind in BAD_KINDS["raw_events"]], {kind: parts[kind].num_rows for kind in parts}


def sorted_by(table: pa.Table, column: str) -> pa.Table:
    return table.take(pc.sort_indices(table, [(column, "ascending")]))


# --- ground truth ----------------------------------------------------------------------------


def tally(truth: Truth, users: Users, orders: Orders, sends: Sends) -> None:
    """Add one chunk's clean facts. Every clean order belongs to a clean user, so an order is
    valid exactly when its status is paid or completed."""
    n = len(users.numbers)
    valid = (orders.status == PAID) | (orders.status == COMPLETED)
    truth.clean_users += n
    truth.valid_orders += int(valid.sum())
    truth.revenue_cents += int(orders.amount_cents[valid].sum())
    if valid.any():
        latest = int(orders.ordered_us[valid].max())
        truth.latest_valid_us = max(latest, truth.latest_valid_us or latest)
    buyers = np.unique(orders.user[valid])
    truth.buyers += len(buyers)
    for status, count in zip(STATUSES, np.bincount(orders.status, minlength=len(STATUSES))):
        truth.orders_by_status[status] += int(count)
    for channel, users_count, buyers_count in zip(CHANNELS, np.bincount(users.channel, minlength=len(CHANNELS)),
                                                  np.bincount(users.channel[buyers], minlength=len(CHANNELS))):
        truth.channel_users[channel] += int(users_count)
        truth.channel_buyers[channel] += int(buyers_count)

    sent_of_user = np.full(n, -1, np.int64)
    sent_of_user[sends.user] = sends.sent_us
    sent = sent_of_user[orders.user]
    window_end = sent + CONVERSION_WINDOW_DAYS * DAY
    in_window = valid & (sent >= 0) & (orders.ordered_us >= sent) & (orders.ordered_us < window_end)
    converted = np.zeros(n, bool)
    converted[orders.user[in_window]] = True
    group = sends.control.astype(np.int64)
    np.add.at(truth.campaign_users, (sends.campaign, group), 1)
    np.add.at(truth.campaign_converted, (sends.campaign, group), converted[sends.user].astype(np.int64))


def truth_dict(s: Settings, truth: Truth) -> dict:
    campaigns = []
    for index, c in enumerate(CAMPAIGNS):
        users = {"treatment": int(truth.campaign_users[index, 0]), "control": int(truth.campaign_users[index, 1])}
        converted = {"treatment": int(truth.campaign_converted[index, 0]),
                     "control": int(truth.campaign_converted[index, 1])}
        campaigns.append({
            "campaign_id": c.campaign_id, "channel": c.channel,
            "planted_relative_uplift": c.relative_uplift, "control_share": c.control_share,
            "conversion_window_days": CONVERSION_WINDOW_DAYS, "baseline_conversion_rate": c.baseline_rate,
            "users": users, "converted_users": converted,
            "realised_conversion_rate": {g: (converted[g] / users[g] if users[g] else None) for g in users},
        })
    latest = truth.latest_valid_us
    return {
        "params": {"users": s.users, "days": s.days, "start": s.start.isoformat(), "seed": s.seed,
                   "bad_rate": s.bad_rate},
        "rows_written": dict(truth.rows),
        "bad_rows": truth.bad,
        "normalised_values": {"raw_orders.status": truth.normalised_status},
        "default_as_of_date": None if latest is None else str(np.datetime64(latest, "us").astype("datetime64[D]")),
        "valid_orders": truth.valid_orders,
        "revenue_amount": round(truth.revenue_cents / 100, 2),
        "revenue_cents": truth.revenue_cents,
        "buyers": truth.buyers,
        "orders_by_status": truth.orders_by_status,
        "clean_users": truth.clean_users,
        "campaigns": campaigns,
        "channels": {c: {"buyer_probability": BUYER_PROBABILITY[c], "users": truth.channel_users[c],
                         "buyers": truth.channel_buyers[c]} for c in CHANNELS},
        "events": truth.events,
        "notes": "order item totals do not reconcile with order_amount by design",
    }


# --- driver --------------------------------------------------------------------------------


def make_chunk(rng: np.random.Generator, s: Settings, index: int, first: int, n: int, catalogue: Catalogue,
               counters: Counters, truth: Truth) -> dict[str, pa.Table]:
    """All tables for users first+1 .. first+n, dirt included; updates counters and truth."""
    force = index == 0
    users = make_users(rng, s, first + 1, n)
    order_user, order_us = natural_order_times(rng, s, users)
    sends = choose_targets(rng, s, users, order_user, order_us)
    order_user, order_us, planted = apply_campaigns(rng, n, sends, order_user, order_us)
    orders = finish_orders(rng, s, users, order_user, order_us, planted, counters)
    items, first_product = make_items(rng, orders, catalogue)
    sessions = make_sessions(rng, s, users, orders, counters)
    events, event_stats = make_events(rng, users, orders, sessions, first_product, catalogue, counters)
    tally(truth, users, orders, sends)
    for key, value in event_stats.items():
        truth.events[key] += value

    user_rows = users_table(rng, users)
    user_bad, truth_users = add_user_dirt(rng, s, user_rows, s.users + 1 + 4 * first, force)
    order_rows, order_bad, truth_orders, variants = add_order_dirt(
        rng, s, orders_table(users, orders), orders, counters, force)
    event_bad, truth_events = add_event_dirt(rng, s, events, counters, force)
    duplicated_items = items.take(rng.choice(items.num_rows, min(items.num_rows, bad_count(
        rng, items.num_rows, s.bad_rate, force)), replace=False))

    truth.normalised_status += variants
    for table, counts in (("raw_users", truth_users), ("raw_orders", truth_orders), ("raw_events", truth_events),
                          ("raw_order_items", {"duplicate_row": duplicated_items.num_rows})):
        for kind, count in counts.items():
            truth.bad[table][kind] += count
    return {
        "raw_users": sorted_by(pa.concat_tables([user_rows, *user_bad]), "registered_at"),
        "raw_orders": sorted_by(pa.concat_tables([order_rows, *order_bad]), "updated_at"),
        "raw_order_items": pa.concat_tables([items, duplicated_items]),
        "raw_events": pa.concat_tables([events, *event_bad]),  # clean rows by arrival, then the bad ones
        "raw_campaign_sends": sends_table(users, sends, counters),
    }


def validate(users: int, days: int, bad_rate: float) -> None:
    if users < 1:
        raise ValueError(f"users must be at least 1, got {users}")
    if days < 30:
        raise ValueError(f"days must be at least 30, got {days}")
    if not 0 <= bad_rate <= 0.2:
        raise ValueError(f"bad_rate must be between 0 and 0.2, got {bad_rate}")


def generate(out_dir: Path, users: int = 10_000, days: int = 365, start: date = date(2024, 1, 1), seed: int = 42,
             bad_rate: float = 0.01, progress: bool = True, chunk_users: int = CHUNK_USERS) -> dict:
    """Write the six raw tables and ground_truth.json into out_dir; return the ground truth."""
    validate(users, days, bad_rate)
    if chunk_users < 1:
        raise ValueError(f"chunk_users must be at least 1, got {chunk_users}")
    s = Settings(users, days, start, seed, float(bad_rate), chunk_users)
    out_dir = Path(out_dir)
    events_dir = out_dir / "raw_events"
    events_dir.mkdir(parents=True, exist_ok=True)
    for stale in events_dir.glob("part-*.parquet"):
        stale.unlink()

    catalogue = make_catalogue(seed)
    counters, truth = Counters(), Truth()
    writers = {t: pq.ParquetWriter(out_dir / f"{t}.parquet", SCHEMAS[t]) for t in SINGLE_FILE_TABLES}
    try:
        starts = range(0, users, chunk_users)
        for index, first in enumerate(tqdm(starts, desc="generating", unit="chunk", disable=not progress)):
            rng = np.random.default_rng(np.random.SeedSequence([seed, 0, index]))
            tables = make_chunk(rng, s, index, first, min(chunk_users, users - first), catalogue, counters, truth)
            for name, table in tables.items():
                truth.rows[name] += table.num_rows
                if name == "raw_events":
                    pq.write_table(table, events_dir / f"part-{index:05d}.parquet", store_schema=False,
                                   use_dictionary=list(EVENT_DICTIONARY_COLUMNS))
                elif table.num_rows:
                    writers[name].write_table(table)
    finally:
        for writer in writers.values():
            writer.close()

    spend, negative = make_marketing_spend(s, np.random.default_rng(np.random.SeedSequence([seed, 2])))
    pq.write_table(spend, out_dir / "raw_marketing_spend.parquet")
    truth.rows["raw_marketing_spend"] = spend.num_rows
    truth.bad["raw_marketing_spend"]["negative_amount"] = negative

    result = truth_dict(s, truth)
    (out_dir / "ground_truth.json").write_text(json.dumps(result, indent=2) + "\n")
    return result
