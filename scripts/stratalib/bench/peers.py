"""What a user would write instead of strata for the four core results, in three engines.

Each peer reads the raw Parquet files of a generated folder, cleans them by the rules the four
results depend on, and computes:

- user_facts (the order columns): one row per kept user registered by the as-of date or with a
  valid order: is_buyer, order_count, revenue_amount, discount_amount, first_order_date,
  last_order_date, recency_days, order_count_365d, revenue_amount_365d;
- user_rfm: one row per buyer: recency_days, order_count, revenue_amount, r/f/m scores
  (ceil(5 x cume_dist)) and the segment (first row of seeds/rfm_segments.csv by priority);
- cohort_retention_monthly: one row per first-order month and month number up to the as-of
  month: cohort_size, active_users, retention_rate, revenue_amount;
- funnel_conversion (the purchase funnel of seeds/funnels.csv, breakdown overall): per step,
  users who reached it and the median of each user's fastest seconds from step 1.

The cleaning, the same as strata's staging and intermediate models for these columns:

- users: user_id trimmed (empty is missing); of the rows of a user_id the earliest registered_at
  is kept, and the user is kept when that time is between 2000-01-01 and now;
- orders: text trimmed, status lower-cased; identical rows kept once; of the versions of an
  order the latest updated_at (then refunded > cancelled > completed > paid, the larger amount,
  the later ordered_at); orders whose versions name different users, or without a user, with
  ordered_at missing, before 2000 or in the future, an unknown status, a missing or negative
  amount or one above max_order_amount, or of a user who is not kept, are dropped; a valid order
  is paid or completed. order_date is the UTC date; the as-of date is the latest valid order date;
- events: per event_id the earliest received copy (then earliest occurred, user_id, anonymous_id);
  dropped without an event name, with occurred_at missing, before 2000 or in the future, with
  properties that are not JSON, or with a user_id that is not a kept user; events after the
  as-of date are left out.

The purchase funnel (identity: user_id): every product_view starts an attempt; step k is the
earliest step-k event at or after step k-1's time, within funnel_conversion_window_days of the
start (an ASOF join in every engine). The peers read Parquet only (what `strata bench`
generates); strata also reads CSV and text-typed columns.

Every peer returns the four results as pyarrow tables with the columns of RESULT_COLUMNS.
"""

from __future__ import annotations

import csv
import shutil
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from stratalib.dbt_invoke import PROJECT_DIR

if TYPE_CHECKING:
    import pyarrow as pa

RESULT_COLUMNS = {
    "user_facts": [
        "user_id", "is_buyer", "order_count", "revenue_amount", "discount_amount", "first_order_date",
        "last_order_date", "recency_days", "order_count_365d", "revenue_amount_365d",
    ],
    "user_rfm": [
        "user_id", "recency_days", "order_count", "revenue_amount", "r_score", "f_score", "m_score", "rfm_segment",
    ],
    "cohort_retention_monthly": [
        "cohort_month", "period_number", "cohort_size", "active_users", "retention_rate", "revenue_amount",
    ],
    "funnel_conversion": ["step_number", "event_name", "users", "median_seconds_to_convert"],
}
# The key of each result's rows (for the comparison with strata's marts).
RESULT_KEYS = {
    "user_facts": ["user_id"],
    "user_rfm": ["user_id"],
    "cohort_retention_monthly": ["cohort_month", "period_number"],
    "funnel_conversion": ["step_number"],
}
FUNNEL_NAME = "purchase"
STATUS_RANKS = {"refunded": 4, "cancelled": 3, "completed": 2, "paid": 1}


@dataclass(frozen=True)
class PeerSettings:
    """The project's thresholds and configuration the peers use (read from the project, not copied)."""

    min_valid_timestamp: str
    max_order_amount: float
    order_statuses: list[str]
    valid_order_statuses: list[str]
    window_days: int
    funnel_steps: list[str]
    rfm_segments: list[dict[str, Any]]


def peer_settings() -> PeerSettings:
    project_vars = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text())["vars"]
    with (PROJECT_DIR / "seeds" / "funnels.csv").open() as handle:
        steps = sorted(
            (int(row["step_number"]), row["event_name"]) for row in csv.DictReader(handle)
            if row["funnel_name"] == FUNNEL_NAME
        )
    with (PROJECT_DIR / "seeds" / "rfm_segments.csv").open() as handle:
        segments = [
            {key: (int(value) if value and key not in ("rfm_segment", "description") else (value or None))
             for key, value in row.items()}
            for row in csv.DictReader(handle)
        ]
    return PeerSettings(
        min_valid_timestamp=project_vars["min_valid_timestamp"],
        max_order_amount=float(project_vars["max_order_amount"]),
        order_statuses=project_vars["order_statuses"],
        valid_order_statuses=project_vars["valid_order_statuses"],
        window_days=int(project_vars["funnel_conversion_window_days"]),
        funnel_steps=[name for _, name in steps],
        rfm_segments=sorted(segments, key=lambda segment: segment["priority"]),
    )


def sql_list(values: list[str]) -> str:
    return "(" + ", ".join("'" + value.replace("'", "''") + "'" for value in values) + ")"


def raw_paths(raw_dir: Path) -> dict[str, str]:
    """The Parquet files (a glob for the events folder) of a generated raw folder."""
    paths = {table: str(raw_dir / f"{table}.parquet") for table in ("raw_users", "raw_orders")}
    paths["raw_events"] = str(raw_dir / "raw_events" / "*.parquet")
    return paths


def status_rank_sql(column: str) -> str:
    branches = " ".join(f"when '{status}' then {rank}" for status, rank in STATUS_RANKS.items())
    return f"case {column} {branches} else 0 end"


def segment_values_sql(settings: PeerSettings) -> str:
    """The rfm_segments seed as a VALUES list (the same text in DuckDB and ClickHouse)."""
    def value(number: int | None) -> str:
        return "NULL" if number is None else str(number)

    return ", ".join(
        f"('{row['rfm_segment']}', {row['priority']}, {row['r_min']}, {row['r_max']}, {row['f_min']}, "
        f"{row['f_max']}, {row['m_min']}, {row['m_max']}, {value(row['min_order_count'])}, "
        f"{value(row['max_order_count'])})"
        for row in settings.rfm_segments
    )


# ---------------------------------------------------------------------------------------------
# DuckDB: a hand-written script, one connection in memory, the cleaned tables as temp tables.


def duckdb_peer(raw_dir: Path, memory_limit: str, threads: int) -> dict[str, pa.Table]:
    import duckdb

    settings = peer_settings()
    paths = raw_paths(raw_dir)
    steps = settings.funnel_steps
    # What passes memory_limit spills to a temporary folder, not to DuckDB's default (./.tmp).
    spill = tempfile.mkdtemp(prefix="strata-bench-duckdb-")
    connection = duckdb.connect(config={"temp_directory": spill})
    connection.execute(f"set memory_limit = '{memory_limit}'; set threads = {threads}")
    connection.execute("set TimeZone = 'UTC'; set preserve_insertion_order = false")
    connection.execute(f"""
        create temp table kept_users as
        select nullif(trim(user_id), '') as user_id, min(registered_at) as registered_at
        from read_parquet('{paths['raw_users']}')
        where nullif(trim(user_id), '') is not null
        group by 1
        having min(registered_at) >= timestamp '{settings.min_valid_timestamp}'
            and min(registered_at) <= now()::timestamp
    """)
    connection.execute(f"""
        create temp table valid_orders as
        with cleaned as (
            select distinct
                nullif(trim(order_id), '') as order_id,
                nullif(trim(user_id), '') as user_id,
                ordered_at,
                lower(nullif(trim(status), '')) as status,
                order_amount,
                coalesce(discount_amount, 0) as discount_amount,
                nullif(trim(coupon_code), '') as coupon_code,
                lower(nullif(trim(platform), '')) as platform,
                updated_at
            from read_parquet('{paths['raw_orders']}')
        ),
        versions as (
            select
                *,
                row_number() over (
                    partition by order_id
                    order by updated_at desc nulls last, {status_rank_sql('status')} desc,
                        order_amount desc nulls last, ordered_at desc nulls last
                ) as version_number,
                min(user_id) over (partition by order_id) = max(user_id) over (partition by order_id) as one_user
            from cleaned
            where order_id is not null
        )
        select
            order_id, user_id, ordered_at, cast(ordered_at as date) as order_date, status, order_amount,
            discount_amount
        from versions
        where version_number = 1 and one_user is not false and user_id is not null
            and ordered_at >= timestamp '{settings.min_valid_timestamp}' and ordered_at <= now()::timestamp
            and status in {sql_list(settings.order_statuses)}
            and order_amount is not null and order_amount >= 0 and discount_amount >= 0
            and order_amount <= {settings.max_order_amount}
            and user_id in (select user_id from kept_users)
            and status in {sql_list(settings.valid_order_statuses)}
    """)
    as_of = connection.execute("select max(order_date) from valid_orders").fetchone()[0]
    as_of_sql = f"date '{as_of.isoformat()}'"
    results = {}
    connection.execute(f"""
        create temp table user_facts as
        with totals as (
            select
                user_id,
                count(*) as order_count,
                sum(order_amount) as revenue_amount,
                sum(discount_amount) as discount_amount,
                min(order_date) as first_order_date,
                max(order_date) as last_order_date,
                count(*) filter (where order_date > {as_of_sql} - interval 365 day) as order_count_365d,
                coalesce(sum(order_amount) filter (where order_date > {as_of_sql} - interval 365 day), 0)
                    as revenue_amount_365d
            from valid_orders
            group by user_id
        )
        select
            kept_users.user_id,
            totals.user_id is not null as is_buyer,
            coalesce(totals.order_count, 0) as order_count,
            coalesce(totals.revenue_amount, 0) as revenue_amount,
            coalesce(totals.discount_amount, 0) as discount_amount,
            totals.first_order_date,
            totals.last_order_date,
            date_diff('day', totals.last_order_date, {as_of_sql}) as recency_days,
            coalesce(totals.order_count_365d, 0) as order_count_365d,
            coalesce(totals.revenue_amount_365d, 0) as revenue_amount_365d
        from kept_users
        left join totals on kept_users.user_id = totals.user_id
        where cast(kept_users.registered_at as date) <= {as_of_sql} or totals.user_id is not null
    """)
    results["user_facts"] = connection.sql("select * from user_facts").to_arrow_table()
    results["user_rfm"] = connection.sql(f"""
        with scored as (
            select
                user_id, recency_days, order_count, revenue_amount,
                cast(ceil(5 * cume_dist() over (order by recency_days desc)) as integer) as r_score,
                cast(ceil(5 * cume_dist() over (order by order_count)) as integer) as f_score,
                cast(ceil(5 * cume_dist() over (order by revenue_amount)) as integer) as m_score
            from user_facts
            where is_buyer
        ),
        segments (rfm_segment, priority, r_min, r_max, f_min, f_max, m_min, m_max, min_orders, max_orders) as (
            values {segment_values_sql(settings)}
        )
        select
            scored.*,
            coalesce(
                (select segments.rfm_segment from segments
                 where scored.r_score between segments.r_min and segments.r_max
                    and scored.f_score between segments.f_min and segments.f_max
                    and scored.m_score between segments.m_min and segments.m_max
                    and scored.order_count >= coalesce(segments.min_orders, scored.order_count)
                    and scored.order_count <= coalesce(segments.max_orders, scored.order_count)
                 order by segments.priority limit 1),
                'unsegmented'
            ) as rfm_segment
        from scored
    """).to_arrow_table()
    results["cohort_retention_monthly"] = connection.sql(f"""
        with firsts as (
            select user_id, date_trunc('month', min(order_date)) as cohort_month
            from valid_orders group by user_id
        ),
        user_months as (
            select user_id, date_trunc('month', order_date) as period_month, sum(order_amount) as revenue_amount
            from valid_orders group by all
        ),
        sizes as (
            select cohort_month, count(*) as cohort_size from firsts group by cohort_month
        ),
        cells as (
            select
                firsts.cohort_month,
                date_diff('month', firsts.cohort_month, user_months.period_month) as period_number,
                count(*) as active_users,
                sum(user_months.revenue_amount) as revenue_amount
            from firsts
            inner join user_months on firsts.user_id = user_months.user_id
            group by all
        ),
        grid as (
            select
                cohort_month, cohort_size,
                unnest(range(0, date_diff('month', cohort_month, date_trunc('month', {as_of_sql})) + 1))
                    as period_number
            from sizes
        )
        select
            cast(grid.cohort_month as date) as cohort_month,
            grid.period_number,
            grid.cohort_size,
            coalesce(cells.active_users, 0) as active_users,
            coalesce(cells.active_users, 0) / grid.cohort_size as retention_rate,
            coalesce(cells.revenue_amount, 0) as revenue_amount
        from grid
        left join cells on grid.cohort_month = cells.cohort_month and grid.period_number = cells.period_number
    """).to_arrow_table()
    connection.execute(f"""
        create temp table step_events as
        with deduplicated as (
            select
                nullif(trim(user_id), '') as user_id,
                lower(nullif(trim(event_name), '')) as event_name,
                occurred_at,
                nullif(trim(properties), '') as properties
            from read_parquet('{paths['raw_events']}')
            where nullif(trim(event_id), '') is not null
            qualify row_number() over (
                partition by nullif(trim(event_id), '')
                order by received_at asc nulls last, occurred_at asc nulls last,
                    nullif(trim(user_id), '') asc, nullif(trim(anonymous_id), '') asc
            ) = 1
        )
        select user_id, event_name, occurred_at
        from deduplicated
        where event_name in {sql_list(steps)}
            and user_id in (select user_id from kept_users)
            and occurred_at >= timestamp '{settings.min_valid_timestamp}' and occurred_at <= now()::timestamp
            and cast(occurred_at as date) <= {as_of_sql}
            and (properties is null or json_valid(properties))
    """)
    reached = [f"""reached_1 as (
        select user_id, occurred_at as started_at, occurred_at as reached_at
        from step_events where event_name = '{steps[0]}'
    )"""]
    for number, name in enumerate(steps[1:], start=2):
        reached.append(f"""candidates_{number} as (
            select user_id, occurred_at from step_events where event_name = '{name}'
        ),
        reached_{number} as (
            select previous.user_id, previous.started_at, candidates.occurred_at as reached_at
            from reached_{number - 1} as previous
            asof join candidates_{number} as candidates
                on previous.user_id = candidates.user_id and previous.reached_at <= candidates.occurred_at
            where candidates.occurred_at <= previous.started_at + interval {settings.window_days} day
        )""")
    attempts = " union all ".join(
        f"select user_id, {number} as step_number, date_diff('second', started_at, reached_at) as seconds "
        f"from reached_{number}"
        for number in range(1, len(steps) + 1)
    )
    names = ", ".join(f"({number}, '{name}')" for number, name in enumerate(steps, start=1))
    results["funnel_conversion"] = connection.sql(f"""
        with {', '.join(reached)},
        fastest as (
            select user_id, step_number, min(seconds) as seconds from ({attempts}) group by all
        ),
        step_names (step_number, event_name) as (values {names})
        select
            step_names.step_number,
            step_names.event_name,
            count(fastest.user_id) as users,
            median(fastest.seconds) as median_seconds_to_convert
        from step_names
        left join fastest on step_names.step_number = fastest.step_number
        group by all
    """).to_arrow_table()
    connection.close()
    shutil.rmtree(spill, ignore_errors=True)
    return results


# ---------------------------------------------------------------------------------------------
# ClickHouse in-process (chDB): the same steps in ClickHouse SQL, the cleaned tables in memory.


def chdb_peer(raw_dir: Path, memory_limit: str, threads: int) -> dict[str, pa.Table]:
    from chdb import session as chdb_session

    settings = peer_settings()
    paths = raw_paths(raw_dir)
    steps = settings.funnel_steps
    min_time = f"toDateTime64('{settings.min_valid_timestamp} 00:00:00', 6, 'UTC')"
    memory_bytes = parse_size(memory_limit)
    with tempfile.TemporaryDirectory(prefix="strata-bench-chdb-") as folder:
        db = chdb_session.Session(folder)

        def run(sql: str) -> None:
            db.query(sql)

        def table(sql: str) -> pa.Table:
            return db.query(sql, "ArrowTable")

        # join_use_nulls: an outer join's missing side is NULL (SQL's rule), not the type's default;
        # prefer_column_name_to_alias: `x AS user_id` does not replace the column user_id elsewhere.
        run(
            f"SET max_threads = {threads}, max_memory_usage = {memory_bytes}, join_use_nulls = 1, "
            "prefer_column_name_to_alias = 1"
        )
        run(f"""
            CREATE TABLE kept_users ENGINE = Memory AS
            SELECT nullIf(trimBoth(user_id), '') AS user_id, min(registered_at) AS registered_at
            FROM file('{paths['raw_users']}', Parquet)
            WHERE nullIf(trimBoth(user_id), '') IS NOT NULL
            GROUP BY user_id
            HAVING min(registered_at) >= {min_time} AND min(registered_at) <= now64(6)
        """)
        run(f"""
            CREATE TABLE valid_orders ENGINE = Memory AS
            WITH cleaned AS (
                SELECT DISTINCT
                    nullIf(trimBoth(order_id), '') AS order_id,
                    nullIf(trimBoth(user_id), '') AS user_id,
                    ordered_at,
                    lower(nullIf(trimBoth(status), '')) AS status,
                    order_amount,
                    coalesce(discount_amount, toDecimal64(0, 2)) AS discount_amount,
                    nullIf(trimBoth(coupon_code), '') AS coupon_code,
                    lower(nullIf(trimBoth(platform), '')) AS platform,
                    updated_at
                FROM file('{paths['raw_orders']}', Parquet)
            ),
            versions AS (
                SELECT
                    *,
                    row_number() OVER (
                        PARTITION BY order_id
                        ORDER BY updated_at DESC NULLS LAST, {status_rank_sql('status')} DESC,
                            order_amount DESC NULLS LAST, ordered_at DESC NULLS LAST
                    ) AS version_number,
                    min(user_id) OVER (PARTITION BY order_id) AS first_user_id,
                    max(user_id) OVER (PARTITION BY order_id) AS last_user_id
                FROM cleaned
                WHERE order_id IS NOT NULL
            )
            SELECT
                order_id, assumeNotNull(user_id) AS user_id, ordered_at, toDate(ordered_at) AS order_date, status,
                order_amount, discount_amount
            FROM versions
            WHERE version_number = 1 AND (first_user_id = last_user_id OR first_user_id IS NULL)
                AND user_id IS NOT NULL
                AND ordered_at >= {min_time} AND ordered_at <= now64(6)
                AND status IN {sql_list(settings.order_statuses)}
                AND order_amount IS NOT NULL AND order_amount >= 0 AND discount_amount >= 0
                AND order_amount <= {settings.max_order_amount}
                AND user_id IN (SELECT user_id FROM kept_users)
                AND status IN {sql_list(settings.valid_order_statuses)}
        """)
        as_of = table("SELECT max(order_date) AS as_of FROM valid_orders").column(0)[0].as_py()
        as_of_sql = f"toDate('{as_of.isoformat()}')"
        results = {}
        run(f"""
            CREATE TABLE user_facts ENGINE = Memory AS
            WITH totals AS (
                SELECT
                    user_id,
                    count() AS order_count,
                    sum(order_amount) AS revenue_amount,
                    sum(discount_amount) AS discount_amount,
                    min(order_date) AS first_order_date,
                    max(order_date) AS last_order_date,
                    countIf(order_date > {as_of_sql} - 365) AS order_count_365d,
                    sumIf(order_amount, order_date > {as_of_sql} - 365) AS revenue_amount_365d
                FROM valid_orders
                GROUP BY user_id
            )
            SELECT
                kept_users.user_id AS user_id,
                totals.user_id IS NOT NULL AS is_buyer,
                coalesce(totals.order_count, 0) AS order_count,
                coalesce(totals.revenue_amount, 0) AS revenue_amount,
                coalesce(totals.discount_amount, 0) AS discount_amount,
                totals.first_order_date AS first_order_date,
                totals.last_order_date AS last_order_date,
                dateDiff('day', totals.last_order_date, {as_of_sql}) AS recency_days,
                coalesce(totals.order_count_365d, 0) AS order_count_365d,
                coalesce(totals.revenue_amount_365d, 0) AS revenue_amount_365d
            FROM kept_users
            LEFT JOIN totals ON kept_users.user_id = totals.user_id
            WHERE toDate(kept_users.registered_at) <= {as_of_sql} OR totals.user_id IS NOT NULL
        """)
        results["user_facts"] = table("SELECT * FROM user_facts")
        # cume_dist(): the share of rows whose value sorts at or before the row's (ties included).
        results["user_rfm"] = table(f"""
            WITH scored AS (
                SELECT
                    user_id, recency_days, order_count, revenue_amount,
                    toInt32(ceil(5 * (count() OVER (ORDER BY recency_days DESC) / count() OVER ()))) AS r_score,
                    toInt32(ceil(5 * (count() OVER (ORDER BY order_count) / count() OVER ()))) AS f_score,
                    toInt32(ceil(5 * (count() OVER (ORDER BY revenue_amount) / count() OVER ()))) AS m_score
                FROM user_facts
                WHERE is_buyer
            ),
            segments AS (
                SELECT
                    c1 AS rfm_segment, c2 AS priority, c3 AS r_min, c4 AS r_max, c5 AS f_min, c6 AS f_max,
                    c7 AS m_min, c8 AS m_max, c9 AS min_orders, c10 AS max_orders
                FROM values({segment_values_sql(settings)})
            ),
            matched AS (
                SELECT scored.user_id AS user_id, argMin(segments.rfm_segment, segments.priority) AS rfm_segment
                FROM scored CROSS JOIN segments
                WHERE scored.r_score BETWEEN segments.r_min AND segments.r_max
                    AND scored.f_score BETWEEN segments.f_min AND segments.f_max
                    AND scored.m_score BETWEEN segments.m_min AND segments.m_max
                    AND scored.order_count >= coalesce(segments.min_orders, scored.order_count)
                    AND scored.order_count <= coalesce(segments.max_orders, scored.order_count)
                GROUP BY scored.user_id
            )
            SELECT scored.*, coalesce(matched.rfm_segment, 'unsegmented') AS rfm_segment
            FROM scored LEFT JOIN matched ON scored.user_id = matched.user_id
        """)
        results["cohort_retention_monthly"] = table(f"""
            WITH firsts AS (
                SELECT user_id, toStartOfMonth(min(order_date)) AS cohort_month FROM valid_orders GROUP BY user_id
            ),
            user_months AS (
                SELECT user_id, toStartOfMonth(order_date) AS period_month, sum(order_amount) AS revenue_amount
                FROM valid_orders GROUP BY user_id, period_month
            ),
            sizes AS (
                SELECT cohort_month, count() AS cohort_size FROM firsts GROUP BY cohort_month
            ),
            cells AS (
                SELECT
                    firsts.cohort_month AS cohort_month,
                    dateDiff('month', firsts.cohort_month, user_months.period_month) AS period_number,
                    count() AS active_users,
                    sum(user_months.revenue_amount) AS revenue_amount
                FROM firsts INNER JOIN user_months ON firsts.user_id = user_months.user_id
                GROUP BY cohort_month, period_number
            ),
            grid AS (
                SELECT
                    cohort_month, cohort_size,
                    arrayJoin(range(0, toUInt64(dateDiff('month', cohort_month, toStartOfMonth({as_of_sql})) + 1)))
                        AS period_number
                FROM sizes
            )
            SELECT
                grid.cohort_month AS cohort_month,
                grid.period_number AS period_number,
                grid.cohort_size AS cohort_size,
                coalesce(cells.active_users, 0) AS active_users,
                coalesce(cells.active_users, 0) / grid.cohort_size AS retention_rate,
                coalesce(cells.revenue_amount, 0) AS revenue_amount
            FROM grid
            LEFT JOIN cells ON grid.cohort_month = cells.cohort_month AND grid.period_number = cells.period_number
        """)
        run(f"""
            CREATE TABLE step_events ENGINE = Memory AS
            WITH deduplicated AS (
                SELECT
                    nullIf(trimBoth(user_id), '') AS user_id,
                    lower(nullIf(trimBoth(event_name), '')) AS event_name,
                    occurred_at,
                    nullIf(trimBoth(properties), '') AS properties
                FROM file('{paths['raw_events']}', Parquet)
                WHERE nullIf(trimBoth(event_id), '') IS NOT NULL
                ORDER BY nullIf(trimBoth(event_id), '') ASC, received_at ASC NULLS LAST, occurred_at ASC NULLS LAST,
                    nullIf(trimBoth(user_id), '') ASC, nullIf(trimBoth(anonymous_id), '') ASC
                LIMIT 1 BY nullIf(trimBoth(event_id), '')
            )
            SELECT assumeNotNull(user_id) AS user_id, assumeNotNull(event_name) AS event_name,
                assumeNotNull(occurred_at) AS occurred_at
            FROM deduplicated
            WHERE event_name IN {sql_list(steps)}
                AND user_id IN (SELECT user_id FROM kept_users)
                AND occurred_at >= {min_time} AND occurred_at <= now64(6)
                AND toDate(occurred_at) <= {as_of_sql}
                AND (properties IS NULL OR isValidJSON(properties))
        """)
        run(f"""
            CREATE TABLE reached_1 ENGINE = Memory AS
            SELECT user_id, occurred_at AS started_at, occurred_at AS reached_at
            FROM step_events WHERE event_name = '{steps[0]}'
        """)
        for number, name in enumerate(steps[1:], start=2):
            # The earliest step event at or after the previous step (ASOF, <=), within the window.
            run(f"""
                CREATE TABLE reached_{number} ENGINE = Memory AS
                SELECT
                    previous.user_id AS user_id, previous.started_at AS started_at,
                    candidates.occurred_at AS reached_at
                FROM reached_{number - 1} AS previous
                ASOF INNER JOIN (
                    SELECT user_id, occurred_at FROM step_events WHERE event_name = '{name}'
                ) AS candidates
                    ON previous.user_id = candidates.user_id AND previous.reached_at <= candidates.occurred_at
                WHERE candidates.occurred_at <= previous.started_at + INTERVAL {settings.window_days} DAY
            """)
        attempts = " UNION ALL ".join(
            f"SELECT user_id, {number} AS step_number, "
            f"intDiv(toUnixTimestamp64Micro(reached_at), 1000000) - intDiv(toUnixTimestamp64Micro(started_at), 1000000)"
            f" AS seconds FROM reached_{number}"
            for number in range(1, len(steps) + 1)
        )
        names = ", ".join(f"({number}, '{name}')" for number, name in enumerate(steps, start=1))
        results["funnel_conversion"] = table(f"""
            WITH fastest AS (
                SELECT user_id, step_number, min(seconds) AS seconds FROM ({attempts}) GROUP BY user_id, step_number
            ),
            per_step AS (
                SELECT
                    step_number,
                    count() AS users,
                    (quantileExactLow(0.5)(seconds) + quantileExactHigh(0.5)(seconds)) / 2 AS median_seconds_to_convert
                FROM fastest GROUP BY step_number
            ),
            step_names AS (SELECT c1 AS step_number, c2 AS event_name FROM values({names}))
            SELECT
                step_names.step_number AS step_number,
                step_names.event_name AS event_name,
                coalesce(per_step.users, 0) AS users,
                per_step.median_seconds_to_convert AS median_seconds_to_convert
            FROM step_names LEFT JOIN per_step ON step_names.step_number = per_step.step_number
        """)
        db.close()
    return results


def parse_size(text: str) -> int:
    """Bytes of a DuckDB-style size ('6GB', '512MB', '2GiB')."""
    units = {"kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40, "kb": 10**3, "mb": 10**6, "gb": 10**9,
             "tb": 10**12, "b": 1}
    lowered = text.strip().lower()
    for unit, factor in units.items():
        if lowered.endswith(unit):
            return int(float(lowered[: -len(unit)]) * factor)
    return int(lowered)


# ---------------------------------------------------------------------------------------------
# polars: lazy frames collected with the streaming engine; the cleaned orders collected once.


def polars_peer(raw_dir: Path, memory_limit: str, threads: int) -> dict[str, pa.Table]:
    """memory_limit is not applied (polars has no such setting); threads is POLARS_MAX_THREADS,
    which the bench sets in the peer's environment before polars is imported."""
    from datetime import datetime, timedelta, timezone

    import polars as pl

    settings = peer_settings()
    paths = raw_paths(raw_dir)
    steps = settings.funnel_steps
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    min_time = datetime.fromisoformat(settings.min_valid_timestamp)

    def clean_text(column: str) -> pl.Expr:
        text = pl.col(column).str.strip_chars()
        return pl.when(text == "").then(None).otherwise(text).alias(column)

    def clean_category(column: str) -> pl.Expr:
        return clean_text(column).str.to_lowercase().alias(column)

    def collect(frame: pl.LazyFrame) -> pl.DataFrame:
        with warnings.catch_warnings():
            # join_asof cannot check sortedness within its `by` groups; both sides are sorted first.
            warnings.filterwarnings("ignore", message="Sortedness of columns cannot be checked")
            return frame.collect(engine="streaming")

    kept_users = collect(
        pl.scan_parquet(paths["raw_users"])
        .select(clean_text("user_id"), "registered_at")
        .filter(pl.col("user_id").is_not_null())
        .group_by("user_id")
        .agg(pl.col("registered_at").min())
        .filter(pl.col("registered_at").is_between(min_time, now))
    ).lazy()

    status_rank = pl.col("status").replace_strict(STATUS_RANKS, default=0, return_dtype=pl.Int32)
    version_order = ["updated_at", "status_rank", "order_amount", "ordered_at"]
    valid_orders = collect(
        pl.scan_parquet(paths["raw_orders"])
        .select(
            clean_text("order_id"), clean_text("user_id"), "ordered_at", clean_category("status"), "order_amount",
            pl.col("discount_amount").fill_null(0), clean_text("coupon_code"), clean_category("platform"),
            "updated_at",
        )
        .unique()
        .filter(pl.col("order_id").is_not_null())
        .with_columns(status_rank=status_rank)
        .group_by("order_id")
        .agg(
            pl.all().sort_by(version_order, descending=True, nulls_last=True).first(),
            first_user_id=pl.col("user_id").min(),
            last_user_id=pl.col("user_id").max(),
        )
        .filter(
            (pl.col("first_user_id") == pl.col("last_user_id")) | pl.col("first_user_id").is_null(),
            pl.col("user_id").is_not_null(),
            pl.col("ordered_at").is_between(min_time, now),
            pl.col("status").is_in(settings.order_statuses),
            pl.col("order_amount").is_not_null(),
            pl.col("order_amount") >= 0,
            pl.col("discount_amount") >= 0,
            pl.col("order_amount") <= settings.max_order_amount,
            pl.col("status").is_in(settings.valid_order_statuses),
        )
        .join(kept_users.select("user_id"), on="user_id", how="semi")
        .select("order_id", "user_id", "ordered_at", pl.col("ordered_at").dt.date().alias("order_date"),
                "order_amount", "discount_amount")
    )
    as_of = valid_orders["order_date"].max()
    orders = valid_orders.lazy()
    in_365d = pl.col("order_date") > as_of - timedelta(days=365)
    totals = orders.group_by("user_id").agg(
        order_count=pl.len(),
        revenue_amount=pl.col("order_amount").sum(),
        discount_amount=pl.col("discount_amount").sum(),
        first_order_date=pl.col("order_date").min(),
        last_order_date=pl.col("order_date").max(),
        order_count_365d=in_365d.sum(),
        revenue_amount_365d=pl.col("order_amount").filter(in_365d).sum(),
    )
    user_facts = collect(
        kept_users.join(totals, on="user_id", how="left")
        .filter((pl.col("registered_at").dt.date() <= as_of) | pl.col("order_count").is_not_null())
        .select(
            "user_id",
            is_buyer=pl.col("order_count").is_not_null(),
            order_count=pl.col("order_count").fill_null(0),
            revenue_amount=pl.col("revenue_amount").fill_null(0),
            discount_amount=pl.col("discount_amount").fill_null(0),
            first_order_date="first_order_date",
            last_order_date="last_order_date",
            recency_days=(pl.lit(as_of) - pl.col("last_order_date")).dt.total_days(),
            order_count_365d=pl.col("order_count_365d").fill_null(0),
            revenue_amount_365d=pl.col("revenue_amount_365d").fill_null(0),
        )
    )
    results = {"user_facts": user_facts.to_arrow()}

    def score(column: str, descending: bool) -> pl.Expr:
        # ceil(5 x cume_dist): cume_dist is the share of rows sorting at or before this one, ties included.
        share = pl.col(column).rank(method="max", descending=descending) / pl.len()
        return (5 * share).ceil().cast(pl.Int32)

    scored = user_facts.lazy().filter("is_buyer").select(
        "user_id", "recency_days", "order_count", "revenue_amount",
        r_score=score("recency_days", descending=True),
        f_score=score("order_count", descending=False),
        m_score=score("revenue_amount", descending=False),
    )
    segment: Any = pl.lit("unsegmented")
    for row in reversed(settings.rfm_segments):  # the first matching row by priority wins
        matches = (
            pl.col("r_score").is_between(row["r_min"], row["r_max"])
            & pl.col("f_score").is_between(row["f_min"], row["f_max"])
            & pl.col("m_score").is_between(row["m_min"], row["m_max"])
        )
        if row["min_order_count"] is not None:
            matches &= pl.col("order_count") >= row["min_order_count"]
        if row["max_order_count"] is not None:
            matches &= pl.col("order_count") <= row["max_order_count"]
        segment = pl.when(matches).then(pl.lit(row["rfm_segment"])).otherwise(segment)
    results["user_rfm"] = collect(scored.with_columns(rfm_segment=segment)).to_arrow()

    def month_index(column: str) -> pl.Expr:
        return pl.col(column).dt.year() * 12 + pl.col(column).dt.month()

    firsts = orders.group_by("user_id").agg(cohort_month=pl.col("order_date").min().dt.truncate("1mo"))
    user_months = orders.group_by("user_id", pl.col("order_date").dt.truncate("1mo").alias("period_month")).agg(
        pl.col("order_amount").sum().alias("month_revenue")
    )
    cells = (
        firsts.join(user_months, on="user_id")
        .group_by("cohort_month", (month_index("period_month") - month_index("cohort_month")).alias("period_number"))
        .agg(active_users=pl.len(), revenue_amount=pl.col("month_revenue").sum())
    )
    as_of_month = as_of.year * 12 + as_of.month
    grid = (
        firsts.group_by("cohort_month").agg(cohort_size=pl.len())
        .with_columns(period_number=pl.int_ranges(0, as_of_month - month_index("cohort_month") + 1))
        .explode("period_number")
    )
    results["cohort_retention_monthly"] = collect(
        grid.join(cells, on=["cohort_month", "period_number"], how="left")
        .select(
            "cohort_month", "period_number", "cohort_size",
            active_users=pl.col("active_users").fill_null(0),
            retention_rate=pl.col("active_users").fill_null(0) / pl.col("cohort_size"),
            revenue_amount=pl.col("revenue_amount").fill_null(0),
        )
    ).to_arrow()

    properties = clean_text("properties")
    step_events = collect(
        pl.scan_parquet(paths["raw_events"])
        .select(
            clean_text("event_id"), clean_text("user_id"), clean_text("anonymous_id"), clean_category("event_name"),
            "occurred_at", "received_at",
            # JSON or missing: an invalid text has no value at the path "$".
            is_json=properties.is_null() | properties.str.json_path_match("$").is_not_null(),
        )
        .filter(pl.col("event_id").is_not_null())
        .sort(["event_id", "received_at", "occurred_at", "user_id", "anonymous_id"], nulls_last=True)
        .unique(subset="event_id", keep="first", maintain_order=True)
        .filter(
            pl.col("event_name").is_in(steps),
            pl.col("occurred_at").is_between(min_time, now),
            pl.col("occurred_at").dt.date() <= as_of,
            pl.col("is_json"),
        )
        .join(kept_users.select("user_id"), on="user_id", how="semi")
        .select("user_id", "event_name", "occurred_at")
    )
    reached = (
        step_events.lazy().filter(pl.col("event_name") == steps[0])
        .select("user_id", started_at="occurred_at", reached_at="occurred_at")
    )
    reached_steps = [reached.with_columns(step_number=pl.lit(1))]
    window = timedelta(days=settings.window_days)
    for number, name in enumerate(steps[1:], start=2):
        candidates = (
            step_events.lazy().filter(pl.col("event_name") == name)
            .select("user_id", candidate_at="occurred_at").sort("candidate_at")
        )
        # The earliest step event at or after the previous step (ASOF forward), within the window.
        reached = (
            reached.sort("reached_at")
            .join_asof(candidates, left_on="reached_at", right_on="candidate_at", by="user_id", strategy="forward")
            .filter(pl.col("candidate_at") <= pl.col("started_at") + window)
            .select("user_id", "started_at", reached_at="candidate_at")
        )
        reached = collect(reached).lazy()
        reached_steps.append(reached.with_columns(step_number=pl.lit(number)))
    seconds = (
        pl.col("reached_at").dt.epoch("us") // 1_000_000 - pl.col("started_at").dt.epoch("us") // 1_000_000
    )
    fastest = (
        pl.concat(reached_steps)
        .group_by("user_id", "step_number").agg(seconds=seconds.min())
        .group_by("step_number").agg(users=pl.len(), median_seconds_to_convert=pl.col("seconds").median())
    )
    names = pl.LazyFrame({"step_number": list(range(1, len(steps) + 1)), "event_name": steps})
    results["funnel_conversion"] = collect(
        names.join(fastest.with_columns(pl.col("step_number").cast(pl.Int64)), on="step_number", how="left")
        .with_columns(pl.col("users").fill_null(0))
    ).to_arrow()
    return results
