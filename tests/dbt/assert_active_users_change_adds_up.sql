-- Asserts the DAU diagnosis adds up (doc block active_user_segments): per day, comparison and
-- breakdown the segments' changes sum to the overall change, and per day and breakdown the
-- segments' DAU sum to the overall DAU of daily_active_users. Returns one row per
-- (activity_date, comparison, breakdown) that does not; comparison is null for a DAU mismatch.
with

changes as (
    select * from {{ ref('active_users_change') }}
),

segments as (
    select * from {{ ref('active_users_by_segment') }}
),

overall_dau as (
    select
        activity_date,
        dau
    from {{ ref('daily_active_users') }}
),

change_sums as (
    select
        activity_date,
        comparison,
        breakdown,
        sum(active_users_change) as change_sum,
        max(total_change) as total_change
    from changes
    group by activity_date, comparison, breakdown
),

dau_sums as (
    select
        activity_date,
        breakdown,
        sum(dau) as dau_sum
    from segments
    group by activity_date, breakdown
),

broken as (
    select
        activity_date,
        comparison,
        breakdown
    from change_sums
    where change_sum != total_change
    union all
    select
        dau_sums.activity_date,
        cast(null as {{ dbt.type_string() }}) as comparison,
        dau_sums.breakdown
    from dau_sums
    left join overall_dau
        on dau_sums.activity_date = overall_dau.activity_date
    where dau_sums.dau_sum != coalesce(overall_dau.dau, 0)
)

select * from broken
