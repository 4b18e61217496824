-- One row per cohort_type x period_type x cohort_start x acquisition_channel x first_order_platform
-- x period_number: the retention counts of one cell of cohort members (the members of a cohort
-- who share the two attributes of int_cohort_members), on a dense grid from the cohort period
-- (period_number 0) to the period holding the as-of date. Every count is additive over cells, so
-- int_cohort_retention_rates sums the cells (a whole cohort, or a breakdown value) and divides.
-- A member is active in a period of its cohort's activity_type (int_user_period_activity) from the
-- cohort period on; earlier periods are ignored. Counts per cell and period: cohort_size
-- (members), active_users (members active in the period), on_or_after_users (members whose last
-- active period is this one or later), revenue_amount (their orders in the period) and
-- cumulative_revenue_amount (periods 0 .. this).
with

members as (
    select
        cohort_type,
        period_type,
        activity_type,
        user_id,
        cohort_start,
        acquisition_channel,
        first_order_platform,
        as_of_date
    from {{ ref('int_cohort_members') }}
),

user_periods as (
    select
        period_type,
        activity_type,
        user_id,
        period_start,
        period_index,
        is_last_period,
        revenue_amount
    from {{ ref('int_user_period_activity') }}
),

cell_sizes as (
    select
        cohort_type,
        period_type,
        cohort_start,
        acquisition_channel,
        first_order_platform,
        as_of_date,
        count(*) as cohort_size
    from members
    group by cohort_type, period_type, cohort_start, acquisition_channel, first_order_platform, as_of_date
),

member_periods as (
    select
        members.cohort_type,
        members.period_type,
        members.cohort_start,
        members.acquisition_channel,
        members.first_order_platform,
        user_periods.period_index
        - {{ period_index_by_type('members.period_type', 'members.cohort_start') }} as period_number,
        user_periods.is_last_period,
        user_periods.revenue_amount
    from members
    inner join user_periods
        on
            members.user_id = user_periods.user_id
            and members.period_type = user_periods.period_type
            and members.activity_type = user_periods.activity_type
    where user_periods.period_start >= members.cohort_start
),

cell_periods as (
    select
        cohort_type,
        period_type,
        cohort_start,
        acquisition_channel,
        first_order_platform,
        period_number,
        count(*) as active_users,
        sum(case when is_last_period then 1 else 0 end) as last_active_users,
        sum(revenue_amount) as revenue_amount
    from member_periods
    group by cohort_type, period_type, cohort_start, acquisition_channel, first_order_platform, period_number
),

grid as (
    select
        cell_sizes.cohort_type,
        cell_sizes.period_type,
        cell_sizes.cohort_start,
        cell_sizes.acquisition_channel,
        cell_sizes.first_order_platform,
        cell_sizes.cohort_size,
        cell_sizes.as_of_date,
        {{ integer_series('0',
            period_index_by_type('cell_sizes.period_type', 'cell_sizes.as_of_date')
            ~ ' - ' ~ period_index_by_type('cell_sizes.period_type', 'cell_sizes.cohort_start')
        ) }} as period_number
    from cell_sizes
),

final as (
    select
        grid.cohort_type,
        grid.period_type,
        grid.cohort_start,
        grid.acquisition_channel,
        grid.first_order_platform,
        cast(grid.period_number as integer) as period_number,
        {{ add_periods_by_type('grid.period_type', 'grid.period_number', 'grid.cohort_start') }} as period_start,
        {{ add_periods_by_type('grid.period_type', 'grid.period_number + 1', 'grid.cohort_start') }}
        <= {{ dbt.dateadd('day', 1, 'grid.as_of_date') }} as is_complete_period,
        cast(grid.cohort_size as {{ dbt.type_bigint() }}) as cohort_size,
        cast(coalesce(cell_periods.active_users, 0) as {{ dbt.type_bigint() }}) as active_users,
        cast(sum(coalesce(cell_periods.last_active_users, 0)) over (
            partition by
                grid.cohort_type, grid.period_type, grid.cohort_start, grid.acquisition_channel,
                grid.first_order_platform
            order by grid.period_number desc
            rows between unbounded preceding and current row
        ) as {{ dbt.type_bigint() }}) as on_or_after_users,
        cast(coalesce(cell_periods.revenue_amount, 0) as decimal(18, 2)) as revenue_amount,
        cast(sum(coalesce(cell_periods.revenue_amount, 0)) over (
            partition by
                grid.cohort_type, grid.period_type, grid.cohort_start, grid.acquisition_channel,
                grid.first_order_platform
            order by grid.period_number asc
            rows between unbounded preceding and current row
        ) as decimal(18, 2)) as cumulative_revenue_amount
    from grid
    left join cell_periods
        on
            grid.cohort_type = cell_periods.cohort_type
            and grid.period_type = cell_periods.period_type
            and grid.cohort_start = cell_periods.cohort_start
            and grid.acquisition_channel = cell_periods.acquisition_channel
            and grid.first_order_platform = cell_periods.first_order_platform
            and grid.period_number = cell_periods.period_number
)

select * from final
