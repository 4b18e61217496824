"""Fixed catalogues: channels and acquisition campaigns, cities, products, planted campaigns,
the kinds of bad rows, and the Arrow schemas of the six raw tables."""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

from . import kinds

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

    @property
    def share(self) -> float:
        """Share of all sign-ups."""
        return CHANNEL_SHARE[CHANNELS.index(self.channel)] * self.share_in_channel


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

# PLANTED: the ad creative (utm_content) and keyword (utm_term) of a paid user's sign-up click, each
# drawn evenly. The user's buyer probability is multiplied by AD_BASE_FACTOR, plus AD_BEST_BONUS
# when the content is the best of its utm_source and AD_BEST_BONUS again when the keyword is:
# 0.1 + 2 x 1.35 / 3 = 1 on average, so each channel's buyer probability stays as in
# BUYER_PROBABILITY, while the best content (or keyword) converts 1.9 / 0.55 = 3.5 times as
# often as another; both best gives 2.8 x 0.35 = 0.98 at most.
AD_CONTENTS = ("video", "banner", "carousel")
AD_TERMS = ("brand name", "cheap deals", "gift ideas")
BEST_AD_CONTENT = {"baidu": "banner", "wechat": "video", "douyin": "carousel", "apple_search_ads": "video"}
BEST_AD_TERM = {"baidu": "brand name", "wechat": "gift ideas", "douyin": "cheap deals",
                "apple_search_ads": "brand name"}
AD_BASE_FACTOR, AD_BEST_BONUS = 0.1, 1.35

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
SEARCH_QUERIES = ("lipstick", "running shoes", "phone case", "baby formula", "green tea",
                  "face mask", "down jacket", "cat food", "yoga mat", "snack gift box")
NATURAL_COUPONS = ("NEW10", "SAVE20", "VIP15", "FLASH5", "DOUBLE11")  # drawn by natural orders

# Harmless spellings of valid statuses (normalised by staging): the first two spell 'paid', the rest 'completed'.
PAID_VARIANTS = (" PAID ", "Paid")
COMPLETED_VARIANTS = ("COMPLETED", "Completed ", " completed")
BAD_STATUSES = ("pending_review", "???", "shipped", "PAID_PARTIAL")
BROKEN_JSON = ('{"product_id": ', "{'order_id': 'o1'}", '{"category": "beauty"', "[object Object]")


@dataclass(frozen=True)
class PlantedCampaign:
    campaign_id: str
    channel: str
    relative_uplift: float
    baseline_rate: float
    audience_share: float  # share of the eligible users who are sent the campaign
    control_share: float = 0.2
    max_users: int = 50_000  # across the whole run


CAMPAIGNS = (  # by kinds.Audience
    PlantedCampaign("cmp_winback_uplift", "sms", 0.5, 0.08, audience_share=0.8),
    PlantedCampaign("cmp_nudge_null", "push", 0.0, 0.10, audience_share=0.5),
)


@dataclass(frozen=True)
class PlantedVariant:
    test_group: kinds.TestGroup
    share: float  # intended share of the test's users
    relative_uplift: float  # on the test's baseline conversion rate
    coupon_code: str | None = None  # handed to the group's users
    coupon_share: float = 0.0  # share of the group's planted conversions that redeem it
    discount_rate: float = 0.0  # discount = round(gross x discount_rate), cents


@dataclass(frozen=True)
class PlantedVariantTest:
    """A creative A/B/n test (kinds.Audience.CREATIVE): control and variants, with coupons."""

    campaign_id: str
    channel: str
    baseline_rate: float
    audience_share: float  # share of the eligible users (opted in, in no other campaign) who are sent it
    variants: tuple[PlantedVariant, ...]
    max_users: int = 50_000

    @property
    def coupon_codes(self) -> tuple[str, ...]:
        return tuple(v.coupon_code for v in self.variants if v.coupon_code)


VARIANT_TEST = PlantedVariantTest("cmp_creative_abn", "email", 0.10, audience_share=0.3, variants=(
    PlantedVariant(kinds.TestGroup.CONTROL, 0.2, 0.0),
    PlantedVariant(kinds.TestGroup.CREATIVE_A, 0.4, 0.3, "CREATIVE_A15", coupon_share=0.5, discount_rate=0.15),
    PlantedVariant(kinds.TestGroup.CREATIVE_B, 0.4, 0.8, "CREATIVE_B25", coupon_share=0.8, discount_rate=0.25),
))
COUPONS = NATURAL_COUPONS + VARIANT_TEST.coupon_codes  # Orders.coupon indexes this

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

TIMESTAMP = pa.timestamp("us")
MONEY = pa.decimal128(18, 2)
SCHEMAS = {
    "raw_users": pa.schema([
        ("user_id", pa.string()), ("registered_at", TIMESTAMP), ("acquisition_channel", pa.string()),
        ("acquisition_campaign", pa.string()), ("gender", pa.string()), ("birth_year", pa.int32()),
        ("city", pa.string()), ("city_tier", pa.int32()), ("email", pa.string()),
        ("phone", pa.string()), ("marketing_opt_in", pa.bool_())]),
    "raw_orders": pa.schema([
        ("order_id", pa.string()), ("user_id", pa.string()), ("ordered_at", TIMESTAMP), ("status", pa.string()),
        ("order_amount", MONEY), ("discount_amount", MONEY), ("coupon_code", pa.string()),
        ("platform", pa.string()), ("updated_at", TIMESTAMP)]),
    "raw_order_items": pa.schema([
        ("order_id", pa.string()), ("line_number", pa.int32()), ("product_id", pa.string()),
        ("product_name", pa.string()), ("category", pa.string()), ("quantity", pa.int32()),
        ("unit_price", MONEY)]),
    "raw_events": pa.schema([
        ("event_id", pa.string()), ("user_id", pa.string()), ("anonymous_id", pa.string()),
        ("session_id", pa.string()), ("event_name", pa.string()), ("occurred_at", TIMESTAMP),
        ("received_at", TIMESTAMP), ("platform", pa.string()), ("page", pa.string()),
        ("utm_source", pa.string()), ("utm_medium", pa.string()), ("utm_campaign", pa.string()),
        ("utm_content", pa.string()), ("utm_term", pa.string()), ("properties", pa.string())]),
    "raw_marketing_spend": pa.schema([
        ("spend_date", pa.date32()), ("channel", pa.string()), ("campaign", pa.string()),
        ("spend", MONEY), ("impressions", pa.int64()), ("clicks", pa.int64())]),
    "raw_campaign_sends": pa.schema([
        ("send_id", pa.string()), ("campaign_id", pa.string()), ("user_id", pa.string()),
        ("channel", pa.string()), ("test_group", pa.string()), ("sent_at", TIMESTAMP),
        ("target_layer", pa.string())]),
}
SINGLE_FILE_TABLES = ("raw_users", "raw_orders", "raw_order_items", "raw_campaign_sends")
# Events are built with dictionary-encoded string columns (fast to build and to write) and written
# without the Arrow schema, so readers see plain strings as in SCHEMAS["raw_events"].
EVENT_DICTIONARY_COLUMNS = ("user_id", "anonymous_id", "session_id", "event_name", "platform", "page",
                            "utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term", "properties")
EVENTS_IN_MEMORY = pa.schema([
    pa.field(f.name, pa.dictionary(pa.int32(), pa.string())) if f.name in EVENT_DICTIONARY_COLUMNS else f
    for f in SCHEMAS["raw_events"]])
