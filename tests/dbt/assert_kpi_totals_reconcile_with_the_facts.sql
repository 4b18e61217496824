-- Asserts that the overall KPIs of kpi_daily, summed over the days, equal the same totals taken
-- straight from the kept rows up to the as-of date (doc block kpi_definitions): valid orders,
-- net revenue, coupon cost and new buyers from fct_orders; placed orders and GMV from the kept
-- rows of int_orders_validated; registrations from dim_users; marketing spend from the kept rows
-- of stg_raw__marketing_spend. Money is compared in cents. Returns one row per KPI that differs.
with

as_of as (
    select as_of_date from {{ ref('int_as_of_date') }}
),

kpis as (
    select
        metric_name,
        sum(metric_value) as kpi_total
    from {{ ref('kpi_daily') }}
    where breakdown = 'overall'
    group by metric_name
),

valid_orders as (
    select
        count(*) as orders,
        sum(order_amount) as net_revenue,
        sum(case when coupon_code is not null then discount_amount else 0 end) as coupon_cost,
        count(distinct user_id) as new_buyers
    from {{ ref('fct_orders') }}
),

placed_orders as (
    select
        count(*) as placed_orders,
        sum(placed.order_amount + placed.discount_amount) as gmv
    from {{ ref('int_orders_validated') }} as placed
    cross join as_of
    where placed.quarantine_reason is null and placed.order_date <= as_of.as_of_date
),

registrations as (
    select count(*) as registrations
    from {{ ref('dim_users') }} as users
    cross join as_of
    where users.registered_date <= as_of.as_of_date
),

spend as (
    select sum(spend_rows.spend_amount) as marketing_spend
    from {{ ref('stg_raw__marketing_spend') }} as spend_rows
    cross join as_of
    where spend_rows.quarantine_reason is null and spend_rows.spend_date <= as_of.as_of_date
),

fact_totals as (
    select
        'orders' as metric_name,
        cast(orders as double) as fact_total
    from valid_orders
    union all
    select
        'net_revenue' as metric_name,
        cast(net_revenue as double) as fact_total
    from valid_orders
    union all
    select
        'coupon_cost' as metric_name,
        cast(coupon_cost as double) as fact_total
    from valid_orders
    union all
    select
        'new_buyers' as metric_name,
        cast(new_buyers as double) as fact_total
    from valid_orders
    union all
    select
        'placed_orders' as metric_name,
        cast(placed_orders as double) as fact_total
    from placed_orders
    union all
    select
        'gmv' as metric_name,
        cast(gmv as double) as fact_total
    from placed_orders
    union all
    select
        'registrations' as metric_name,
        cast(registrations as double) as fact_total
    from registrations
    union all
    select
        'marketing_spend' as metric_name,
        cast(coalesce(marketing_spend, 0) as double) as fact_total
    from spend
),

differences as (
    select
        fact_totals.metric_name,
        fact_totals.fact_total,
        kpis.kpi_total
    from fact_totals
    left join kpis
        on fact_totals.metric_name = kpis.metric_name
    where
        kpis.kpi_total is null
        or round(kpis.kpi_total * 100) != round(fact_totals.fact_total * 100)
)

select * from differences
