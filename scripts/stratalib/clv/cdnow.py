"""The CDNOW transaction log as per-customer calibration / holdout summaries, and the backtest table.

The CDNOW sample (Fader & Hardie; shipped as CDNOW_sample.txt in the lifetimes package) holds the
purchases of 2,357 customers who first bought at CDNOW in the first quarter of 1997, up to the end
of June 1998: one line per transaction, whitespace separated, with the master customer id, the
sample's own customer id (1 .. 2357), the date (YYYYMMDD), the number of CDs and the dollar amount.

The published analyses (Fader, Hardie & Lee 2005, both papers) use:
- a purchase is a purchase day: a customer's transactions on one date are merged into one
  purchase whose amount is their sum;
- calibration = the 39 weeks 1997-01-01 .. 1997-09-30 (the end day included), holdout = the
  next 39 weeks, 1997-10-01 .. 1998-06-30;
- x = purchase days in calibration - 1, t_x = (last - first calibration purchase day) / 7 and
  T = (1997-09-30 - first purchase day) / 7, in weeks. With the end day itself as the end of the
  window (not the day after) this reproduces the published summary file
  (cdnow_customers_summary.csv, rounded to 0.01 week) exactly: a customer who first bought on
  1997-01-01 has T = 272 / 7 = 38.86;
- monetary value = the mean amount of the x repeat purchase days in calibration (the first
  purchase day excluded), 0 when x = 0.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

CALIBRATION_START = date(1997, 1, 1)
CALIBRATION_END = date(1997, 9, 30)  # included
HOLDOUT_WEEKS = 39
DAYS_PER_WEEK = 7
# The last frequency group of the backtest table holds everyone at or above it ("7+").
TOP_FREQUENCY_GROUP = 7
TRANSACTION_COLUMNS = ["master_customer_id", "customer_id", "purchase_date", "quantity", "amount"]


def read_transactions(path: Path | str) -> pd.DataFrame:
    """CDNOW_sample.txt as a table: customer_id (1 .. 2357), purchase_date (date), quantity, amount."""
    frame = pd.read_csv(
        path,
        sep=r"\s+",
        header=None,
        names=TRANSACTION_COLUMNS,
        dtype={"master_customer_id": "int64", "customer_id": "int64", "purchase_date": str},
    )
    frame["purchase_date"] = pd.to_datetime(frame["purchase_date"], format="%Y%m%d")
    return frame[["customer_id", "purchase_date", "quantity", "amount"]]


def purchase_days(transactions: pd.DataFrame) -> pd.DataFrame:
    """One row per customer and purchase day: the day's transactions merged, amounts and quantities summed."""
    grouped = transactions.groupby(["customer_id", "purchase_date"], as_index=False)
    return grouped.agg(
        quantity=("quantity", "sum"), amount=("amount", "sum"), transactions=("amount", "size")
    ).sort_values(["customer_id", "purchase_date"], ignore_index=True)


def summarise(
    transactions: pd.DataFrame, calibration_end: date = CALIBRATION_END, holdout_weeks: int = HOLDOUT_WEEKS
) -> pd.DataFrame:
    """Per customer with a purchase day on or before calibration_end: the calibration summary and
    the holdout counts.

    Columns (index customer_id, sorted): frequency (x), recency (t_x, weeks), T (weeks),
    monetary_value (mean amount of the repeat calibration purchase days; 0 when x = 0),
    holdout_frequency (purchase days in the holdout), holdout_transactions (transaction lines in
    the holdout, same-day lines not merged), holdout_weeks.
    """
    days = purchase_days(transactions)
    end = pd.Timestamp(calibration_end)
    holdout_end = end + pd.Timedelta(days=DAYS_PER_WEEK * holdout_weeks)
    calibration = days[days["purchase_date"] <= end]
    in_holdout = (days["purchase_date"] > end) & (days["purchase_date"] <= holdout_end)

    by_customer = calibration.groupby("customer_id")
    first, last = by_customer["purchase_date"].min(), by_customer["purchase_date"].max()
    frequency = by_customer.size() - 1
    total_amount = by_customer["amount"].sum()
    first_amount = by_customer["amount"].first()  # rows are sorted by date within a customer
    repeat_amount = (total_amount - first_amount).where(frequency > 0, 0.0)

    summary = pd.DataFrame(
        {
            "frequency": frequency.astype("int64"),
            "recency": (last - first).dt.days / DAYS_PER_WEEK,
            "T": (end - first).dt.days / DAYS_PER_WEEK,
            "monetary_value": (repeat_amount / frequency.where(frequency > 0, 1)).astype(float),
        }
    )
    holdout = days[in_holdout].groupby("customer_id")
    summary["holdout_frequency"] = holdout.size().reindex(summary.index, fill_value=0).astype("int64")
    summary["holdout_transactions"] = (
        holdout["transactions"].sum().reindex(summary.index, fill_value=0).astype("int64")
    )
    summary["holdout_weeks"] = float(holdout_weeks)
    return summary.sort_index()


def load_summary(path: Path | str, calibration_end: date = CALIBRATION_END, holdout_weeks: int = HOLDOUT_WEEKS):
    """read_transactions then summarise: the CDNOW calibration / holdout summary of the file at path."""
    return summarise(read_transactions(path), calibration_end, holdout_weeks)


def holdout_end_date(calibration_end: date = CALIBRATION_END, holdout_weeks: int = HOLDOUT_WEEKS) -> date:
    """The last day of the holdout window (included)."""
    return calibration_end + timedelta(days=DAYS_PER_WEEK * holdout_weeks)


def backtest_by_frequency(
    frequency, predicted, actual, top_group: int = TOP_FREQUENCY_GROUP
) -> pd.DataFrame:
    """The backtest table: customers grouped by calibration frequency 0, 1, ..., top_group - 1 and
    "top_group+", with the number of customers and their mean predicted and mean actual holdout
    purchases, then a row "all" with the totals' means. (Fader, Hardie & Lee 2005 show this
    comparison as a figure of conditional expectations by calibration frequency.)

    Columns: frequency_group (str), customers, mean_predicted, mean_actual, sum_predicted, sum_actual.
    """
    x = np.asarray(frequency, dtype=float)
    frame = pd.DataFrame(
        {
            "group": np.minimum(x, top_group).astype(int),
            "predicted": np.asarray(predicted, dtype=float),
            "actual": np.asarray(actual, dtype=float),
        }
    )
    table = (
        frame.groupby("group")
        .agg(
            customers=("predicted", "size"),
            mean_predicted=("predicted", "mean"),
            mean_actual=("actual", "mean"),
            sum_predicted=("predicted", "sum"),
            sum_actual=("actual", "sum"),
        )
        .reindex(range(top_group + 1))
        .fillna({"customers": 0, "sum_predicted": 0.0, "sum_actual": 0.0})
    )
    table.index = [str(group) if group < top_group else f"{top_group}+" for group in table.index]
    total = pd.DataFrame(
        {
            "customers": [len(frame)],
            "mean_predicted": [frame["predicted"].mean()],
            "mean_actual": [frame["actual"].mean()],
            "sum_predicted": [frame["predicted"].sum()],
            "sum_actual": [frame["actual"].sum()],
        },
        index=["all"],
    )
    table = pd.concat([table, total])
    table["customers"] = table["customers"].astype("int64")
    return table.rename_axis("frequency_group").reset_index()
