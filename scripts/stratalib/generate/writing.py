"""The driver: one chunk of users at a time, appended to the Parquet files; then ground_truth.json."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from tqdm import tqdm

from .arrays import sorted_by
from .campaigns import apply_campaigns, choose_targets, choose_variant_targets, concat_sends, sends_table
from .catalogues import EVENT_DICTIONARY_COLUMNS, SCHEMAS, SINGLE_FILE_TABLES
from .counters import Counters
from .dirt import add_event_dirt, add_order_dirt, add_user_dirt, duplicate_items
from .events import make_events
from .orders import finish_orders, make_items, natural_order_times, orders_table
from .products import Catalogue, make_catalogue
from .sessions import make_sessions
from .settings import CHUNK_USERS, RunParameters, Settings
from .spend import make_marketing_spend
from .truth import Truth, tally, truth_dict
from .users import make_users, users_table

MIN_DAYS = 30
MAX_BAD_RATE = 0.2
VARIANT_STREAM = 6  # seeds the creative test's generator with the run's seed and the chunk
JUNK_USERS_PER_USER = 4  # junk (bad) users of a chunk are numbered from users + 1 + 4 x first user


def make_chunk(rng: np.random.Generator, run: RunParameters, index: int, first: int, n: int, catalogue: Catalogue,
               counters: Counters, truth: Truth) -> dict[str, pa.Table]:
    """All tables for users first+1 .. first+n, dirt included; updates counters and truth."""
    force = index == 0  # the first chunk has at least one bad row of each kind
    users = make_users(rng, run, first + 1, n)
    order_user, order_us = natural_order_times(rng, run, users)
    sends = choose_targets(rng, run, users, order_user, order_us)
    variant_rng = np.random.default_rng([run.seed, first, VARIANT_STREAM])  # the creative test's own draws
    variant_sends = choose_variant_targets(variant_rng, run, users, sends.user)
    order_user, order_us, planted, coupon = apply_campaigns(
        rng, variant_rng, run, n, sends, variant_sends, order_user, order_us)
    sends = concat_sends(sends, variant_sends)
    orders = finish_orders(rng, run, users, order_user, order_us, planted, counters, coupon)
    items, first_product = make_items(rng, run, orders, catalogue)
    sessions = make_sessions(rng, run, users, orders, counters)
    events, event_stats = make_events(rng, run, users, orders, sessions, first_product, catalogue, counters)
    tally(run, truth, users, orders, sends)
    for key, value in event_stats.items():
        truth.events[key] += value

    user_rows = users_table(rng, run, users)
    first_junk = run.users + 1 + JUNK_USERS_PER_USER * first
    user_bad, bad_users = add_user_dirt(rng, run, user_rows, first_junk, force)
    order_rows, order_bad, bad_orders, variants = add_order_dirt(
        rng, run, orders_table(users, orders), orders, counters, force)
    event_bad, bad_events = add_event_dirt(rng, run, events, counters, force)
    duplicated_items = duplicate_items(rng, run, items, force)

    truth.normalised_status += variants
    truth.add_bad("raw_users", bad_users)
    truth.add_bad("raw_orders", bad_orders)
    truth.add_bad("raw_events", bad_events)
    truth.add_bad("raw_order_items", {"duplicate_row": duplicated_items.num_rows})
    return {
        "raw_users": sorted_by(pa.concat_tables([user_rows, *user_bad]), "registered_at"),
        "raw_orders": sorted_by(pa.concat_tables([order_rows, *order_bad]), "updated_at"),
        "raw_order_items": pa.concat_tables([items, duplicated_items]),
        "raw_events": pa.concat_tables([events, *event_bad]),  # clean rows by arrival, then the bad ones
        "raw_campaign_sends": sends_table(users, sends, counters),
    }


def validate(users: int, days: int, bad_rate: float, chunk_users: int) -> None:
    if users < 1:
        raise ValueError(f"users must be at least 1, got {users}")
    if days < MIN_DAYS:
        raise ValueError(f"days must be at least {MIN_DAYS}, got {days}")
    if not 0 <= bad_rate <= MAX_BAD_RATE:
        raise ValueError(f"bad_rate must be between 0 and {MAX_BAD_RATE}, got {bad_rate}")
    if chunk_users < 1:
        raise ValueError(f"chunk_users must be at least 1, got {chunk_users}")


def generate(out_dir: Path, users: int = 10_000, days: int = 365, start: date = date(2024, 1, 1), seed: int = 42,
             bad_rate: float = 0.01, progress: bool = True, chunk_users: int = CHUNK_USERS,
             settings: Settings | None = None) -> dict:
    """Write the six raw tables and ground_truth.json into out_dir; return the ground truth."""
    validate(users, days, bad_rate, chunk_users)
    run = RunParameters(users, days, start, seed, float(bad_rate), chunk_users, settings or Settings())
    out_dir = Path(out_dir)
    events_dir = out_dir / "raw_events"
    events_dir.mkdir(parents=True, exist_ok=True)
    for stale in events_dir.glob("part-*.parquet"):
        stale.unlink()

    catalogue = make_catalogue(seed, run.settings.catalogue)
    counters, truth = Counters(), Truth()
    writers = {t: pq.ParquetWriter(out_dir / f"{t}.parquet", SCHEMAS[t]) for t in SINGLE_FILE_TABLES}
    try:
        starts = range(0, users, chunk_users)
        for index, first in enumerate(tqdm(starts, desc="generating", unit="chunk", disable=not progress)):
            rng = np.random.default_rng(np.random.SeedSequence([seed, 0, index]))
            tables = make_chunk(rng, run, index, first, min(chunk_users, users - first), catalogue, counters, truth)
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

    spend, negative = make_marketing_spend(run, np.random.default_rng(np.random.SeedSequence([seed, 2])))
    pq.write_table(spend, out_dir / "raw_marketing_spend.parquet")
    truth.rows["raw_marketing_spend"] = spend.num_rows
    truth.bad["raw_marketing_spend"]["negative_amount"] = negative

    result = truth_dict(run, truth)
    (out_dir / "ground_truth.json").write_text(json.dumps(result, indent=2) + "\n")
    return result
