"""Snapshot dates for `strata backfill`."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

EVERY = ("day", "week", "month")


def add_months(day: date, months: int, month_end: bool) -> date:
    """`day` moved by `months`; the last day of the month when `month_end`, else clipped to it."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    last_day = calendar.monthrange(year, month)[1]
    return date(year, month, last_day if month_end else min(day.day, last_day))


def snapshot_dates(start: date, end: date, every: str) -> list[date]:
    """Dates from `start` to `end` (both included when they fall on the step) every day, week or month.

    Monthly steps keep the day of the month (clipped to short months); when `start` is the last
    day of its month, every date is the last day of its month (2024-01-31, 2024-02-29, ...).
    """
    if every not in EVERY:
        raise ValueError(f"--every must be one of {', '.join(EVERY)}, not {every}")
    if end < start:
        raise ValueError(f"--to {end} is before --from {start}")
    if every != "month":
        step = timedelta(days=1 if every == "day" else 7)
        count = (end - start) // step + 1
        return [start + index * step for index in range(count)]
    month_end = start.day == calendar.monthrange(start.year, start.month)[1]
    dates: list[date] = []
    while (current := add_months(start, len(dates), month_end)) <= end:
        dates.append(current)
    return dates
