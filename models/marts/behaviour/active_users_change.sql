-- One row per day, comparison, breakdown and segment: how the day's active users (DAU) changed
-- against the day before (day_over_day) and the same weekday a week before (week_over_week), and
-- each segment's contribution to the overall change (doc block active_user_segments). The
-- segments of a breakdown partition each day's active users, so their changes add up to the
-- overall change. Days from the first day with an earlier day in the data to the as-of date.
with

segments as (
    select
        activity_date,
        breakdown,
        breakdown_value,
        dau
    from {{ ref('active_users_by_segment') }}
),

days as (
    select distinct activity_date from segments
),

comparisons as (
    select
        'day_over_day' as comparison,
        1 as lag_days
    union all
    select
        'week_over_week' as comparison,
        7 as lag_days
),

changes as (
    select
        segments.activity_date,
        comparisons.comparison,
        segments.breakdown,
        segments.breakdown_value,
        segments.dau as active_users,
        coalesce(earlier.dau, 0) as earlier_active_users,
        segments.dau - coalesce(earlier.dau, 0) as active_users_change
    from segments
    cross join comparisons
    inner join days as earlier_days
        on earlier_days.activity_date = {{ dbt.dateadd('day', '-comparisons.lag_days', 'segments.activity_date') }}
    left join segments as earlier
        on
            earlier_days.activity_date = earlier.activity_date
            and segments.breakdown = earlier.breakdown
            and segments.breakdown_value = earlier.breakdown_value
),

totals as (
    select
        activity_date,
        comparison,
        active_users_change as total_change
    from changes
    where breakdown = 'overall'
),

final as (
    select
        changes.activity_date,
        changes.comparison,
        changes.breakdown,
        changes.breakdown_value,
        cast(changes.active_users as {{ dbt.type_bigint() }}) as active_users,
        cast(changes.earlier_active_users as {{ dbt.type_bigint() }}) as earlier_active_users,
        cast(changes.active_users_change as {{ dbt.type_bigint() }}) as active_users_change,
        cast(totals.total_change as {{ dbt.type_bigint() }}) as total_change,
        cast(changes.active_users_change as double) / nullif(totals.total_change, 0) as share_of_change
    from changes
    inner join totals
        on
            changes.activity_date = totals.activity_date
            and changes.comparison = totals.comparison
)

select * from final
