-- One row per user registered on or before the as-of date, or with a valid order by then
-- (buyers and non-buyers): the portrait as of that day. Orders are valid orders (fct_orders), the
-- last order gap comes from int_user_order_days, activity from the logged-in activity days
-- (int_user_activity_days). Day counts are differences of reporting-time-zone dates.
-- "Last N days" = the N calendar days ending on the as-of date, as-of date included; sessions in
-- the last N days = the sum of ended_session_count over those days (each session counted once, on
-- its last logged-in day, which is exact for windows ending on the as-of date). Time spent (doc
-- block time_spent) is summed the same way from int_user_activity_days.time_spent_seconds; the
-- per-active-day ratios are null without an active day. last_seen_date is the later of the last
-- logged-in activity day and the last order day, the measure of a silent user (doc block silent_user).
{%- set last_seen_date -%}
    greatest(
        coalesce(activity.last_active_date, order_totals.last_order_date),
        coalesce(order_totals.last_order_date, activity.last_active_date)
    )
{%- endset %}
with

users as (
    select * from {{ ref('dim_users') }}
),

orders as (
    select * from {{ ref('fct_orders') }}
),

order_items as (
    select * from {{ ref('fct_order_items') }}
),

activity_days as (
    select
        user_id,
        activity_date,
        ended_session_count,
        time_spent_seconds
    from {{ ref('int_user_activity_days') }}
),

last_gaps as (
    select
        user_id,
        gap_days as last_order_gap_days
    from {{ ref('int_user_order_days') }}
    where is_last_order_day
),

as_of as (
    select as_of_date from {{ ref('int_as_of_date') }}
),

order_totals as (
    select
        orders.user_id,
        min(orders.ordered_at) as first_order_at,
        max(orders.ordered_at) as last_order_at,
        min(orders.order_date) as first_order_date,
        max(orders.order_date) as last_order_date,
        count(*) as order_count,
        sum(orders.order_amount) as revenue_amount,
        sum(orders.discount_amount) as discount_amount,
        sum(case when orders.has_discount then 1 else 0 end) as discounted_order_count,
        sum(
            case when orders.order_date > {{ dbt.dateadd('day', -365, 'as_of.as_of_date') }} then 1 else 0 end
        ) as order_count_365d,
        sum(
            case
                when orders.order_date > {{ dbt.dateadd('day', -365, 'as_of.as_of_date') }}
                    then orders.order_amount
                else 0
            end
        ) as revenue_amount_365d
    from orders
    cross join as_of
    group by orders.user_id
),

first_orders as (
    select
        user_id,
        platform as first_order_platform
    from orders
    where is_first_order
),

platform_ranks as (
    select
        user_id,
        platform,
        row_number() over (partition by user_id order by count(*) desc, platform asc) as platform_rank
    from orders
    group by user_id, platform
),

category_ranks as (
    select
        user_id,
        category,
        row_number() over (partition by user_id order by sum(line_amount) desc, category asc) as category_rank,
        count(*) over (partition by user_id) as distinct_category_count
    from order_items
    where category is not null
    group by user_id, category
),

categories as (
    select
        user_id,
        category as favourite_category,
        distinct_category_count
    from category_ranks
    where category_rank = 1
),

windowed_activity as (
    select
        activity_days.user_id,
        activity_days.activity_date,
        activity_days.ended_session_count,
        activity_days.time_spent_seconds,
        activity_days.activity_date > {{ dbt.dateadd('day', -7, 'as_of.as_of_date') }} as is_in_7d,
        activity_days.activity_date > {{ dbt.dateadd('day', -30, 'as_of.as_of_date') }} as is_in_30d,
        activity_days.activity_date > {{ dbt.dateadd('day', -90, 'as_of.as_of_date') }} as is_in_90d
    from activity_days
    cross join as_of
),

activity as (
    select
        user_id,
        max(activity_date) as last_active_date,
        sum(case when is_in_7d then 1 else 0 end) as active_days_7d,
        sum(case when is_in_30d then 1 else 0 end) as active_days_30d,
        sum(case when is_in_90d then 1 else 0 end) as active_days_90d,
        sum(case when is_in_7d then ended_session_count else 0 end) as sessions_7d,
        sum(case when is_in_30d then ended_session_count else 0 end) as sessions_30d,
        sum(case when is_in_90d then ended_session_count else 0 end) as sessions_90d,
        sum(case when is_in_30d then time_spent_seconds else 0 end) as time_spent_seconds_30d
    from windowed_activity
    group by user_id
),

final as (
    select
        users.user_id,
        as_of.as_of_date,
        users.registered_at,
        users.registered_date,
        users.acquisition_channel,
        users.acquisition_campaign,
        users.gender,
        users.birth_year,
        users.city_tier,
        users.marketing_opt_in,
        users.has_email,
        users.has_phone,
        {{ days_between('users.registered_date', 'as_of.as_of_date') }} as tenure_days,
        coalesce(order_totals.order_count, 0) > 0 as is_buyer,
        order_totals.first_order_at,
        order_totals.last_order_at,
        order_totals.first_order_date,
        order_totals.last_order_date,
        first_orders.first_order_platform,
        cast(coalesce(order_totals.order_count, 0) as {{ dbt.type_bigint() }}) as order_count,
        cast(coalesce(order_totals.revenue_amount, 0) as decimal(18, 2)) as revenue_amount,
        {{ divide_money('order_totals.revenue_amount', 'order_totals.order_count') }} as average_order_value,
        cast(coalesce(order_totals.order_count_365d, 0) as {{ dbt.type_bigint() }}) as order_count_365d,
        cast(coalesce(order_totals.revenue_amount_365d, 0) as decimal(18, 2)) as revenue_amount_365d,
        cast(coalesce(order_totals.discount_amount, 0) as decimal(18, 2)) as discount_amount,
        cast(order_totals.discount_amount as double)
        / nullif(cast(order_totals.revenue_amount + order_totals.discount_amount as double), 0) as discount_share,
        cast(order_totals.discounted_order_count as double)
        / nullif(order_totals.order_count, 0) as discounted_order_share,
        cast(coalesce(categories.distinct_category_count, 0) as {{ dbt.type_bigint() }}) as distinct_category_count,
        categories.favourite_category,
        platform_ranks.platform as preferred_platform,
        {{ days_between('order_totals.first_order_date', 'as_of.as_of_date') }} as days_since_first_order,
        {{ days_between('order_totals.last_order_date', 'as_of.as_of_date') }} as recency_days,
        last_gaps.last_order_gap_days,
        activity.last_active_date,
        {{ days_between('activity.last_active_date', 'as_of.as_of_date') }} as days_since_last_activity,
        cast(coalesce(activity.active_days_7d, 0) as {{ dbt.type_bigint() }}) as active_days_7d,
        cast(coalesce(activity.active_days_30d, 0) as {{ dbt.type_bigint() }}) as active_days_30d,
        cast(coalesce(activity.active_days_90d, 0) as {{ dbt.type_bigint() }}) as active_days_90d,
        cast(coalesce(activity.sessions_7d, 0) as {{ dbt.type_bigint() }}) as sessions_7d,
        cast(coalesce(activity.sessions_30d, 0) as {{ dbt.type_bigint() }}) as sessions_30d,
        cast(coalesce(activity.sessions_90d, 0) as {{ dbt.type_bigint() }}) as sessions_90d,
        cast(coalesce(activity.time_spent_seconds_30d, 0) as double) / 60 as time_spent_minutes_30d,
        cast(activity.sessions_30d as double) / nullif(activity.active_days_30d, 0) as sessions_per_active_day_30d,
        cast(activity.time_spent_seconds_30d as double) / 60
        / nullif(activity.active_days_30d, 0) as time_spent_per_active_day_30d,
        {{ last_seen_date }} as last_seen_date,
        {{ days_between(last_seen_date, 'as_of.as_of_date') }} as days_since_last_seen
    from users
    cross join as_of
    left join order_totals
        on users.user_id = order_totals.user_id
    left join first_orders
        on users.user_id = first_orders.user_id
    left join platform_ranks
        on users.user_id = platform_ranks.user_id and platform_ranks.platform_rank = 1
    left join categories
        on users.user_id = categories.user_id
    left join last_gaps
        on users.user_id = last_gaps.user_id
    left join activity
        on users.user_id = activity.user_id
    where users.registered_date <= as_of.as_of_date or order_totals.user_id is not null
)

select * from final
