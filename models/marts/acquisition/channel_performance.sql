-- One row per acquisition channel, campaign and month (reporting time zone): marketing spend,
-- registrations, new buyers and the early revenue of the month's registrations, with CAC and
-- ROAS. Campaign '(none)' stands for a missing campaign (e.g. organic). Spend is fct_marketing_spend
-- (the kept spend rows up to the as-of date); registrations, early revenue and new buyers come from
-- user_acquisition (one row per user, same rules), the payback from the new buyers' order days
-- (int_user_order_days: valid orders up to the as-of date, summed per user and day).
{%- set revenue_days = var('acquisition_revenue_days') %}
with

spend_rows as (
    select
        spend_date,
        acquisition_channel,
        acquisition_campaign,
        spend_amount,
        impressions,
        clicks
    from {{ ref('fct_marketing_spend') }}
),

users as (
    select
        user_id,
        registered_date,
        is_registered_by_as_of,
        acquisition_channel,
        acquisition_campaign,
        first_order_date,
        early_revenue_amount
    from {{ ref('user_acquisition') }}
),

order_days as (
    select
        user_id,
        order_date,
        revenue_amount
    from {{ ref('int_user_order_days') }}
),

as_of as (
    select as_of_date from {{ ref('int_as_of_date') }}
),

spend_months as (
    select
        acquisition_channel,
        acquisition_campaign,
        cast({{ dbt.date_trunc('month', 'spend_date') }} as date) as month_date,
        spend_amount,
        impressions,
        clicks
    from spend_rows
),

spend as (
    select
        acquisition_channel,
        acquisition_campaign,
        month_date,
        sum(spend_amount) as spend_amount,
        sum(impressions) as impressions,
        sum(clicks) as clicks
    from spend_months
    group by acquisition_channel, acquisition_campaign, month_date
),

-- Early revenue (user_acquisition.early_revenue_amount): valid orders in the first revenue_days
-- days, the registration day being day 0.
registered_users as (
    select
        user_id,
        acquisition_channel,
        acquisition_campaign,
        early_revenue_amount,
        cast({{ dbt.date_trunc('month', 'registered_date') }} as date) as month_date
    from users
    where is_registered_by_as_of
),

registrations as (
    select
        acquisition_channel,
        acquisition_campaign,
        month_date,
        count(*) as registrations,
        sum(early_revenue_amount) as early_revenue_amount
    from registered_users
    group by acquisition_channel, acquisition_campaign, month_date
),

first_orders as (
    select
        user_id,
        first_order_date,
        acquisition_channel,
        acquisition_campaign,
        cast({{ dbt.date_trunc('month', 'first_order_date') }} as date) as month_date
    from users
    where first_order_date is not null
),

new_buyers as (
    select
        acquisition_channel,
        acquisition_campaign,
        month_date,
        count(*) as new_buyers
    from first_orders
    group by acquisition_channel, acquisition_campaign, month_date
),

keys as (
    select
        acquisition_channel,
        acquisition_campaign,
        month_date
    from spend
    union
    select
        acquisition_channel,
        acquisition_campaign,
        month_date
    from registrations
    union
    select
        acquisition_channel,
        acquisition_campaign,
        month_date
    from new_buyers
),

joined as (
    select
        keys.acquisition_channel,
        keys.acquisition_campaign,
        keys.month_date,
        coalesce(spend.spend_amount, 0) as spend_amount,
        coalesce(spend.impressions, 0) as impressions,
        coalesce(spend.clicks, 0) as clicks,
        coalesce(registrations.registrations, 0) as registrations,
        coalesce(new_buyers.new_buyers, 0) as new_buyers,
        coalesce(registrations.early_revenue_amount, 0) as early_revenue_amount,
        {{ dbt.dateadd(
            'day', revenue_days - 1,
            dbt.dateadd('day', -1, dbt.dateadd('month', 1, 'keys.month_date'))
        ) }} as revenue_window_end_date
    from keys
    left join spend
        on
            keys.acquisition_channel = spend.acquisition_channel
            and keys.acquisition_campaign = spend.acquisition_campaign
            and keys.month_date = spend.month_date
    left join registrations
        on
            keys.acquisition_channel = registrations.acquisition_channel
            and keys.acquisition_campaign = registrations.acquisition_campaign
            and keys.month_date = registrations.month_date
    left join new_buyers
        on
            keys.acquisition_channel = new_buyers.acquisition_channel
            and keys.acquisition_campaign = new_buyers.acquisition_campaign
            and keys.month_date = new_buyers.month_date
),

-- Payback (doc block acquisition_payback): the month's new buyers' valid orders by days since
-- their first order (day 0), up to var('payback_max_days'), summed over the cohort and cumulated.
buyer_orders as (
    select
        first_orders.acquisition_channel,
        first_orders.acquisition_campaign,
        first_orders.month_date,
        {{ dbt.datediff(
            'first_orders.first_order_date', 'order_days.order_date', 'day'
        ) }} as day_offset,
        order_days.revenue_amount
    from first_orders
    inner join order_days
        on first_orders.user_id = order_days.user_id
    where
        order_days.order_date >= first_orders.first_order_date
        and order_days.order_date <= {{ dbt.dateadd('day', var('payback_max_days'), 'first_orders.first_order_date') }}
),

buyer_revenue_days as (
    select
        acquisition_channel,
        acquisition_campaign,
        month_date,
        day_offset,
        sum(revenue_amount) as revenue_amount
    from buyer_orders
    group by acquisition_channel, acquisition_campaign, month_date, day_offset
),

cumulative_revenue as (
    select
        acquisition_channel,
        acquisition_campaign,
        month_date,
        day_offset,
        sum(revenue_amount) over (
            partition by acquisition_channel, acquisition_campaign, month_date
            order by day_offset rows between unbounded preceding and current row
        ) as cumulative_revenue_amount
    from buyer_revenue_days
),

-- Cumulative revenue per new buyer >= CAC  <=>  the cohort's cumulative revenue >= the spend.
payback as (
    select
        joined.acquisition_channel,
        joined.acquisition_campaign,
        joined.month_date,
        min(cumulative_revenue.day_offset) as payback_days
    from joined
    inner join cumulative_revenue
        on
            joined.acquisition_channel = cumulative_revenue.acquisition_channel
            and joined.acquisition_campaign = cumulative_revenue.acquisition_campaign
            and joined.month_date = cumulative_revenue.month_date
    where
        joined.spend_amount > 0
        and joined.new_buyers > 0
        and cumulative_revenue.cumulative_revenue_amount >= joined.spend_amount
    group by joined.acquisition_channel, joined.acquisition_campaign, joined.month_date
),

final as (
    select
        joined.acquisition_channel,
        joined.acquisition_campaign,
        joined.month_date,
        cast(joined.spend_amount as decimal(18, 2)) as spend_amount,
        cast(joined.impressions as {{ dbt.type_bigint() }}) as impressions,
        cast(joined.clicks as {{ dbt.type_bigint() }}) as clicks,
        cast(joined.registrations as {{ dbt.type_bigint() }}) as registrations,
        cast(joined.new_buyers as {{ dbt.type_bigint() }}) as new_buyers,
        {{ divide_money('joined.spend_amount', 'joined.new_buyers') }} as cac_amount,
        cast(joined.early_revenue_amount as decimal(18, 2)) as early_revenue_amount,
        {{ divide_money('joined.early_revenue_amount', 'joined.registrations') }}
            as early_revenue_per_registration_amount,
        cast(
            case when joined.spend_amount > 0 then joined.early_revenue_amount / joined.spend_amount end as double
        ) as roas,
        cast(joined.revenue_window_end_date as date) <= as_of.as_of_date as is_revenue_window_complete,
        cast(case when joined.impressions > 0 then joined.clicks * 1.0 / joined.impressions end as double) as ctr,
        {{ divide_money('joined.spend_amount', 'joined.clicks') }} as cpc_amount,
        {{ divide_money('joined.spend_amount', 'joined.registrations') }} as cost_per_registration_amount,
        cast(payback.payback_days as integer) as payback_days
    from joined
    cross join as_of
    left join payback
        on
            joined.acquisition_channel = payback.acquisition_channel
            and joined.acquisition_campaign = payback.acquisition_campaign
            and joined.month_date = payback.month_date
)

select * from final
