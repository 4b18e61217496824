"""Small vectorised helpers that build Arrow columns from numpy arrays."""

from __future__ import annotations

from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .catalogues import MONEY, TIMESTAMP
from .settings import DAY, EPOCH, SECOND


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
    return pa.array(np.asarray(us, dtype=np.int64), type=TIMESTAMP)


def take(values: pa.Array | tuple | list, positions: np.ndarray, null: np.ndarray | None = None) -> pa.Array:
    """values[positions] as an Arrow array; rows where `null` is true (or positions < 0) become null."""
    if not isinstance(values, pa.Array):
        values = pa.array(list(values), type=pa.string())
    positions = np.asarray(positions)
    mask = positions < 0 if null is None else (np.asarray(null) | (positions < 0))
    indices = pa.array(np.where(mask, 0, positions).astype(np.int32), mask=mask)
    return pc.take(values, indices)


def codes(values: tuple | list | pa.Array, positions: np.ndarray, null: np.ndarray | None = None) -> pa.Array:
    """Like take(), but dictionary-encoded: cheap to build and written as-is to Parquet.

    A Python list may repeat values or hold None; it is reduced to a dictionary of distinct values.
    """
    positions = np.asarray(positions)
    mask = positions < 0 if null is None else (np.asarray(null) | (positions < 0))
    if not isinstance(values, pa.Array):
        distinct = list(dict.fromkeys(v for v in values if v is not None))
        remap = np.array([distinct.index(v) if v is not None else -1 for v in values] or [-1])
        positions = remap[np.where(mask, 0, positions)]
        mask = mask | (positions < 0)
        values = pa.array(distinct, type=pa.string())
    return pa.DictionaryArray.from_arrays(pa.array(np.where(mask, 0, positions).astype(np.int32), mask=mask), values)


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


def column_us(table: pa.Table, name: str) -> np.ndarray:
    """A timestamp column as int64 microseconds."""
    return pc.cast(table.column(name), pa.int64()).to_numpy()


def sorted_by(table: pa.Table, column: str) -> pa.Table:
    return table.take(pc.sort_indices(table, [(column, "ascending")]))
