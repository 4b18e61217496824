-- One row per breakdown × breakdown_value × cohort_month × period_number: cohort_retention_monthly
-- split by a property of the user. breakdown 'acquisition_channel' (dim_users, 'unknown' when not
-- given) or 'first_order_platform' (platform of the first valid order, 'unknown' when null);
-- every user of a cohort is in exactly one value of each breakdown. Same dense grid and columns as
-- cohort_retention_monthly (retention_ctes macro).
with

orders as (
    select
        user_id,
        order_date,
        order_amount,
        platform,
        is_first_order
    from {{ ref('fct_orders') }}
),

users as (
    select
        user_id,
        acquisition_channel
    from {{ ref('dim_users') }}
),

as_of as (
    select as_of_date from {{ ref('int_as_of_date') }}
),

as_of_period as (
    select
        as_of_date,
        {{ period_start('month', 'as_of_date') }} as as_of_start
    from as_of
),

first_orders as (
    select
        orders.user_id,
        {{ period_start('month', 'orders.order_date') }} as cohort_start,
        coalesce(orders.platform, 'unknown') as first_order_platform,
        coalesce(users.acquisition_channel, 'unknown') as acquisition_channel
    from orders
    left join users
        on orders.user_id = users.user_id
    where orders.is_first_order
),

cohort_members as (
    select
        'acquisition_channel' as breakdown,
        acquisition_channel as breakdown_value,
        user_id,
        cohort_start
    from first_orders
    union all
    select
        'first_order_platform' as breakdown,
        first_order_platform as breakdown_value,
        user_id,
        cohort_start
    from first_orders
),

member_activity as (
    select
        user_id,
        {{ period_start('month', 'order_date') }} as activity_start,
        sum(order_amount) as revenue_amount
    from orders
    group by user_id, {{ period_start('month', 'order_date') }}
),

{{ retention_ctes('month', group_columns=['breakdown', 'breakdown_value']) }},

final as (
    select
        breakdown,
        breakdown_value,
        {{ retention_columns('month') }}
    from retention
)

select * from final
