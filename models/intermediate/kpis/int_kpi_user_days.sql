-- One row per user, day (kpi_date, reporting time zone) and platform with something the KPI marts
-- count (doc block kpi_definitions): placed orders (kept rows of int_orders_validated, any
-- status) and valid orders (fct_orders) on the order's platform, the user's logged-in activity
-- on the platform of the first event of the day (int_user_activity_days.first_platform), the
-- registration (dim_users; platform null: registrations carry none). Every row carries the
-- user's acquisition_channel. Placed orders after the as-of date are kept here; int_kpi_values
-- reads the days up to it.
with

placed_orders as (
    select
        user_id,
        order_date,
        platform,
        order_amount,
        discount_amount
    from {{ ref('int_orders_validated') }}
    where quarantine_reason is null
),

valid_orders as (
    select
        user_id,
        order_date,
        platform,
        order_amount,
        discount_amount,
        coupon_code,
        is_first_order
    from {{ ref('fct_orders') }}
),

activity_days as (
    select
        user_id,
        activity_date,
        first_platform
    from {{ ref('int_user_activity_days') }}
),

users as (
    select
        user_id,
        registered_date,
        acquisition_channel
    from {{ ref('dim_users') }}
),

facts as (
    select
        user_id,
        order_date as kpi_date,
        platform,
        1 as placed_orders,
        order_amount + discount_amount as gross_amount,
        0 as valid_orders,
        0 as net_revenue_amount,
        0 as coupon_cost_amount,
        0 as first_orders,
        0 as active_days,
        0 as registrations
    from placed_orders
    union all
    select
        user_id,
        order_date as kpi_date,
        platform,
        0 as placed_orders,
        0 as gross_amount,
        1 as valid_orders,
        order_amount as net_revenue_amount,
        case when coupon_code is not null then discount_amount else 0 end as coupon_cost_amount,
        case when is_first_order then 1 else 0 end as first_orders,
        0 as active_days,
        0 as registrations
    from valid_orders
    union all
    select
        user_id,
        activity_date as kpi_date,
        first_platform as platform,
        0 as placed_orders,
        0 as gross_amount,
        0 as valid_orders,
        0 as net_revenue_amount,
        0 as coupon_cost_amount,
        0 as first_orders,
        1 as active_days,
        0 as registrations
    from activity_days
    union all
    select
        user_id,
        registered_date as kpi_date,
        cast(null as {{ dbt.type_string() }}) as platform,
        0 as placed_orders,
        0 as gross_amount,
        0 as valid_orders,
        0 as net_revenue_amount,
        0 as coupon_cost_amount,
        0 as first_orders,
        0 as active_days,
        1 as registrations
    from users
),

final as (
    select
        facts.kpi_date,
        facts.user_id,
        facts.platform,
        users.acquisition_channel,
        cast(sum(facts.placed_orders) as {{ dbt.type_bigint() }}) as placed_orders,
        cast(sum(facts.gross_amount) as decimal(18, 2)) as gross_amount,
        cast(sum(facts.valid_orders) as {{ dbt.type_bigint() }}) as valid_orders,
        cast(sum(facts.net_revenue_amount) as decimal(18, 2)) as net_revenue_amount,
        cast(sum(facts.coupon_cost_amount) as decimal(18, 2)) as coupon_cost_amount,
        cast(sum(facts.first_orders) as {{ dbt.type_bigint() }}) as first_orders,
        cast(sum(facts.active_days) as {{ dbt.type_bigint() }}) as active_days,
        cast(sum(facts.registrations) as {{ dbt.type_bigint() }}) as registrations
    from facts
    inner join users
        on facts.user_id = users.user_id
    group by facts.kpi_date, facts.user_id, facts.platform, users.acquisition_channel
)

select * from final
