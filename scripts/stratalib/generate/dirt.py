"""Bad rows: each is a copy of a random clean row with exactly one defect (see the package docstring)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .arrays import column_us, fixed_strings, money, null_strings, random_times_in_years, replace_columns, take, \
    timestamps
from .catalogues import BAD_KINDS, BAD_STATUSES, BROKEN_JSON, COMPLETED_VARIANTS, PAID_VARIANTS
from .counters import Counters
from .kinds import OrderStatus, names
from .orders import Orders
from .settings import DAY, SECOND, RunParameters


def bad_count(rng: np.random.Generator, rows: int, bad_rate: float, force: bool) -> int:
    """About bad_rate x rows; at least one when `force` (first chunk) and there are rows."""
    if bad_rate <= 0 or rows == 0:
        return 0
    count = int(rng.binomial(rows, bad_rate))
    return max(count, 1) if force else count


def bad_counts(rng: np.random.Generator, run: RunParameters, table: str, rows: int, force: bool) -> dict[str, int]:
    """How many bad rows of each kind of `table` to write (drawn in BAD_KINDS order)."""
    return {kind: bad_count(rng, rows, run.bad_rate, force) for kind in BAD_KINDS[table]}


def unknown_user_ids(rng: np.random.Generator, count: int) -> pa.Array:
    return fixed_strings("u", (rng.integers(0, 10**7, count), 7), "x")  # never a real user_id


def add_user_dirt(rng: np.random.Generator, run: RunParameters, table: pa.Table, first_junk: int,
                  force: bool) -> tuple[list[pa.Table], dict[str, int]]:
    """Extra bad user rows; junk users get fresh numbers from first_junk and have no activity."""
    settings = run.settings.dirt
    n = table.num_rows
    wanted = bad_counts(rng, run, "raw_users", n, force)
    registered = column_us(table, "registered_at")
    parts = [replace_columns(table.take(rng.integers(0, n, wanted["missing_user_id"])),
                             user_id=null_strings(wanted["missing_user_id"]))]

    candidates = np.flatnonzero(registered < run.end_us - DAY)
    original = rng.choice(candidates, min(wanted["duplicate_user_id"], len(candidates)), replace=False)
    later = registered[original] + rng.integers(*settings.duplicate_user_delay_seconds, len(original)) * SECOND
    opt_in = table.column("marketing_opt_in").to_numpy(zero_copy_only=False)[original]
    flipped = rng.random(len(original)) < settings.duplicate_user_opt_in_flip_share
    parts.append(replace_columns(table.take(original),
                                 registered_at=timestamps(np.minimum(later, run.end_us - SECOND)),
                                 marketing_opt_in=opt_in ^ flipped))

    junk = first_junk
    for kind, years in (("future_timestamp", settings.future_years), ("timestamp_before_2000", settings.past_years)):
        ids = fixed_strings("u", (np.arange(junk, junk + wanted[kind]), run.user_width))
        junk += wanted[kind]
        parts.append(replace_columns(table.take(rng.integers(0, n, wanted[kind])), user_id=ids,
                                     email=pc.binary_join_element_wise(ids, "@example.com", ""),
                                     registered_at=timestamps(random_times_in_years(rng, wanted[kind], *years))))
    counts = {kind: part.num_rows for kind, part in zip(BAD_KINDS["raw_users"], parts)}
    return parts, counts


def add_order_dirt(rng: np.random.Generator, run: RunParameters, table: pa.Table, orders: Orders,
                   counters: Counters, force: bool) -> tuple[pa.Table, list[pa.Table], dict[str, int], int]:
    """(clean table with status variants, bad rows, bad counts, number of variants)."""
    settings = run.settings.dirt
    m = table.num_rows
    wanted = bad_counts(rng, run, "raw_orders", m, force)
    parts: dict[str, pa.Table] = {}

    parts["missing_order_id"] = replace_columns(table.take(rng.integers(0, m, wanted["missing_order_id"])),
                                                order_id=null_strings(wanted["missing_order_id"]))
    duplicated = rng.choice(m, min(wanted["duplicate_row"], m), replace=False)
    parts["duplicate_row"] = table.take(duplicated)
    changed = np.flatnonzero(orders.updated_us > orders.ordered_us)
    superseded = rng.choice(changed, min(wanted["superseded_version"], len(changed)), replace=False)
    parts["superseded_version"] = replace_columns(  # the 'paid' row before completion / refund
        table.take(superseded), status=take(names(OrderStatus), np.full(len(superseded), OrderStatus.PAID)),
        updated_at=timestamps(orders.ordered_us[superseded]))

    def with_fresh_ids(kind: str) -> tuple[pa.Table, np.ndarray]:
        """Copies of random clean rows with new order_ids; and which rows they copy."""
        template = rng.integers(0, m, wanted[kind])
        ids = fixed_strings("o", (counters.order + np.arange(wanted[kind]), 8))
        counters.order += wanted[kind]
        return replace_columns(table.take(template), order_id=ids), template

    rows, _ = with_fresh_ids("missing_user_id")
    parts["missing_user_id"] = replace_columns(rows, user_id=null_strings(rows.num_rows))
    rows, _ = with_fresh_ids("unknown_user")
    parts["unknown_user"] = replace_columns(rows, user_id=unknown_user_ids(rng, rows.num_rows))
    for kind, years in (("timestamp_before_2000", settings.past_years), ("future_timestamp", settings.future_years)):
        rows, _ = with_fresh_ids(kind)
        at = timestamps(random_times_in_years(rng, rows.num_rows, *years))
        parts[kind] = replace_columns(rows, ordered_at=at, updated_at=at)
    rows, _ = with_fresh_ids("unknown_status")
    parts["unknown_status"] = replace_columns(
        rows, status=take(BAD_STATUSES, rng.integers(0, len(BAD_STATUSES), rows.num_rows)))
    rows, template = with_fresh_ids("negative_amount")
    parts["negative_amount"] = replace_columns(rows, order_amount=money(-orders.amount_cents[template]))

    clean, variants = add_status_variants(rng, run, table, orders, duplicated, superseded, force)
    counts = {kind: parts[kind].num_rows for kind in BAD_KINDS["raw_orders"]}
    return clean, [parts[kind] for kind in BAD_KINDS["raw_orders"]], counts, variants


def add_status_variants(rng: np.random.Generator, run: RunParameters, table: pa.Table, orders: Orders,
                        duplicated: np.ndarray, superseded: np.ndarray, force: bool) -> tuple[pa.Table, int]:
    """Harmless spellings of valid statuses (' PAID ') on clean rows without a duplicate or older version."""
    m = table.num_rows
    free = np.ones(m, bool)
    free[duplicated] = free[superseded] = False
    free &= orders.is_valid
    wanted = min(bad_count(rng, m, run.bad_rate, force), free.sum())
    variant_rows = rng.choice(np.flatnonzero(free), wanted, replace=False)
    status_names = names(OrderStatus) + PAID_VARIANTS + COMPLETED_VARIANTS
    first_paid_variant = len(OrderStatus)
    first_completed_variant = first_paid_variant + len(PAID_VARIANTS)
    status = orders.status.copy()
    status[variant_rows] = np.where(
        orders.status[variant_rows] == OrderStatus.PAID,
        first_paid_variant + rng.integers(0, len(PAID_VARIANTS), len(variant_rows)),
        first_completed_variant + rng.integers(0, len(COMPLETED_VARIANTS), len(variant_rows)))
    return replace_columns(table, status=take(status_names, status)), len(variant_rows)


def add_event_dirt(rng: np.random.Generator, run: RunParameters, table: pa.Table, counters: Counters,
                   force: bool) -> tuple[list[pa.Table], dict[str, int]]:
    settings = run.settings.dirt
    n = table.num_rows
    wanted = bad_counts(rng, run, "raw_events", n, force)
    parts: dict[str, pa.Table] = {}
    parts["missing_event_id"] = replace_columns(table.take(rng.integers(0, n, wanted["missing_event_id"])),
                                                event_id=null_strings(wanted["missing_event_id"]))
    again = rng.choice(n, min(wanted["duplicate_event"], n), replace=False)
    immediate = rng.random(len(again)) < settings.immediate_redelivery_share
    redelivery = np.where(immediate, 0, rng.integers(1, settings.max_redelivery_hours * 3_600, len(again)) * SECOND)
    parts["duplicate_event"] = replace_columns(
        table.take(again), received_at=timestamps(column_us(table, "received_at")[again] + redelivery))

    def with_fresh_ids(kind: str) -> pa.Table:
        """Copies of random clean rows with new event_ids."""
        ids = fixed_strings("e", (counters.event + np.arange(wanted[kind]), 10))
        counters.event += wanted[kind]
        return replace_columns(table.take(rng.integers(0, n, wanted[kind])), event_id=ids)

    for kind, years in (("future_timestamp", settings.future_years), ("timestamp_before_2000", settings.past_years)):
        rows = with_fresh_ids(kind)
        parts[kind] = replace_columns(rows, occurred_at=timestamps(random_times_in_years(rng, rows.num_rows, *years)))
    rows = with_fresh_ids("unknown_user")
    parts["unknown_user"] = replace_columns(rows, user_id=unknown_user_ids(rng, rows.num_rows))
    rows = with_fresh_ids("invalid_json")
    parts["invalid_json"] = replace_columns(
        rows, properties=take(BROKEN_JSON, rng.integers(0, len(BROKEN_JSON), rows.num_rows)))
    return [parts[kind] for kind in BAD_KINDS["raw_events"]], {kind: parts[kind].num_rows for kind in parts}


def duplicate_items(rng: np.random.Generator, run: RunParameters, items: pa.Table, force: bool) -> pa.Table:
    """raw_order_items duplicate_row: copies of random clean lines."""
    wanted = min(items.num_rows, bad_count(rng, items.num_rows, run.bad_rate, force))
    return items.take(rng.choice(items.num_rows, wanted, replace=False))
