-- Asserts that stg_raw__events holds, for every received day, as many rows as the raw export has
-- (doc block incremental_events). A daily run re-reads only the last days; if rows received on
-- an earlier day were added to or removed from the export since they were stored (a re-export,
-- or a warehouse built from another raw folder), the stored days no longer match the export and
-- only `strata build --full-refresh` makes the warehouse right again: this test fails the build
-- (nothing is published) and names the days. Returns one row per day that differs.
with

raw_received as (
    select
        coalesce(
            cast({{ parse_timestamp('received_at') }} as date),
            {{ never_received_date() }}
        ) as received_date
    from {{ source('raw', 'raw_events') }}
),

raw_days as (
    select
        received_date,
        count(*) as raw_rows
    from raw_received
    group by received_date
),

stored_days as (
    select
        received_date,
        count(*) as stored_rows
    from {{ ref('stg_raw__events') }}
    group by received_date
),

compared as (
    select
        coalesce(raw_days.received_date, stored_days.received_date) as received_date,
        coalesce(raw_days.raw_rows, 0) as raw_rows,
        coalesce(stored_days.stored_rows, 0) as stored_rows
    from raw_days
    full outer join stored_days
        on raw_days.received_date = stored_days.received_date
),

final as (
    select *
    from compared
    where raw_rows != stored_rows
)

select * from final
