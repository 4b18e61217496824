-- Asserts that the latest snapshot of layer_summary carries all of user_facts' revenue: when the
-- latest as_of_date of layer_summary equals user_facts' as_of_date, then per dimension
-- sum(revenue_amount) over the layers = sum(revenue_amount) over user_facts. (Earlier snapshots
-- describe other days and are not compared.) Returns one row per dimension that differs.
with

facts as (
    select
        max(as_of_date) as as_of_date,
        sum(revenue_amount) as revenue_amount
    from {{ ref('user_facts') }}
),

summary as (
    select
        as_of_date,
        dimension,
        revenue_amount
    from {{ ref('layer_summary') }}
),

latest as (
    select max(as_of_date) as as_of_date from summary
),

per_dimension as (
    select
        summary.as_of_date,
        summary.dimension,
        sum(summary.revenue_amount) as revenue_amount
    from summary
    inner join latest
        on summary.as_of_date = latest.as_of_date
    group by summary.as_of_date, summary.dimension
),

unreconciled as (
    select
        per_dimension.as_of_date,
        per_dimension.dimension,
        per_dimension.revenue_amount as summary_revenue_amount,
        facts.revenue_amount as facts_revenue_amount
    from per_dimension
    inner join facts
        on per_dimension.as_of_date = facts.as_of_date
    where per_dimension.revenue_amount != coalesce(facts.revenue_amount, 0)
)

select * from unreconciled
