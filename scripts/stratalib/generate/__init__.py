"""Synthetic raw export for strata, with planted answers written to ground_truth.json.

`generate(out_dir, ...)` (module `writing`) writes the six tables of the raw contract (docs: shared raw_contract.md)
as Parquet, plus `ground_truth.json`, the answers the warehouse must reproduce. Same arguments
give byte-identical files (for the same `chunk_users`; each chunk draws from its own
SeedSequence([seed, 0, chunk_index])). Work is done in chunks of users (a loop per chunk, numpy
inside it), so memory stays flat however many users are asked for (~1.1 GB peak at the default
25,000 users per chunk): each chunk appends one row group to the single-file tables and writes
one part file `raw_events/part-NNNNN.parquet`. Rows of users, orders and events are sorted by
registered_at, updated_at and received_at, except that each events part ends with its bad rows.
Event parts are written from dictionary-encoded columns without the embedded Arrow schema, so
every reader sees plain strings.

Every rate and probability below is a named field of `settings.Settings` (the values quoted
here are its defaults); codes in the arrays are the enums of `kinds`. Modules, in the order a
chunk is made: users, orders (and items), campaigns, sessions, events, dirt, truth; spend once
per run; writing drives it all; arrays holds the small column helpers.

Shapes of the clean data
------------------------
* users: sign-ups grow over the period (density rises 1x -> ~2.5x from first to last day).
  acquisition channel/campaign from catalogues.ACQUISITION; gender, birth year, ~20 cities with tiers,
  email/phone mostly present, ~60 % marketing opt-in. Half the users churn: they stop buying
  and stop being active some weeks after sign-up (`active_end`).
* orders: a user ever buys with a probability that depends on the channel (PLANTED, see
  catalogues.BUYER_PROBABILITY); buyers place 1 + NegBin(0.3, mean 1) orders (most buy once, a long tail
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
  utm_source/medium/campaign matching the user's acquisition campaign, and the user's ad content
  and keyword (utm_content / utm_term, drawn evenly; PLANTED: the best of each per utm_source,
  catalogues.BEST_AD_CONTENT / BEST_AD_TERM, raises the buyer probability, the others lower it,
  so the channel's buyer probability stays). Browsing sessions are
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
  A creative test 'cmp_creative_abn' (email, target_layer 'all_users'), drawn from its own random
  stream (so the two campaigns above are as before), goes the same day to 30 % of the opted-in
  users in no other campaign, split exactly 20 % control / 40 % creative_a / 40 % creative_b, with
  p0 = 0.10 and uplifts 0.3 and 0.8; half of creative_a's planted conversions redeem CREATIVE_A15
  (15 % off the gross amount) and 80 % of creative_b's CREATIVE_B25 (25 % off). ground_truth.json
  "variant_tests" has each group's users, converters and coupon cost (the planted discounts).

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

from .kinds import EventName, OrderStatus, Platform, SessionKind
from .settings import CHUNK_USERS, RunParameters, Settings
from .writing import generate

__all__ = ["CHUNK_USERS", "EventName", "OrderStatus", "Platform", "RunParameters", "SessionKind", "Settings",
           "generate"]
