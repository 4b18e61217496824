-- One row per attribution model, spend channel, spend campaign and month (reporting time zone):
-- the month's marketing spend (fct_marketing_spend) beside the first valid orders of the month
-- and their revenue that the model credits to touches of that channel and campaign, and ROAS
-- (doc block channel_roas).
-- A touch's utm_source / utm_campaign stand for the spend channel / campaign, renamed where the
-- seed utm_spend_names says the spend export spells them differently. Campaigns compare
-- lower-cased; '(none)' stands for a missing campaign. Orders without a touch are credited to
-- channel '(direct)'.
with

attribution as (
    select
        order_id,
        order_date,
        attribution_model,
        utm_source,
        utm_campaign,
        attribution_weight,
        attributed_revenue_amount
    from {{ ref('first_order_attribution') }}
),

spend_names as (
    select
        utm_field,
        utm_value,
        spend_value
    from {{ ref('utm_spend_names') }}
),

spend_rows as (
    select
        spend_date,
        acquisition_channel as channel,
        acquisition_campaign as campaign,
        spend_amount
    from {{ ref('fct_marketing_spend') }}
),

credited_orders as (
    select
        attribution.attribution_model,
        coalesce(source_names.spend_value, attribution.utm_source) as channel,
        lower(coalesce(campaign_names.spend_value, attribution.utm_campaign, '(none)')) as campaign,
        cast({{ dbt.date_trunc('month', 'attribution.order_date') }} as date) as month_date,
        attribution.attribution_weight,
        attribution.attributed_revenue_amount
    from attribution
    left join spend_names as source_names
        on
            source_names.utm_field = 'utm_source'
            and attribution.utm_source = source_names.utm_value
    left join spend_names as campaign_names
        on
            campaign_names.utm_field = 'utm_campaign'
            and attribution.utm_campaign = campaign_names.utm_value
),

credited as (
    select
        attribution_model,
        channel,
        campaign,
        month_date,
        sum(attribution_weight) as attributed_orders,
        sum(attributed_revenue_amount) as attributed_revenue_amount
    from credited_orders
    group by attribution_model, channel, campaign, month_date
),

spend as (
    select
        channel,
        lower(campaign) as campaign,
        cast({{ dbt.date_trunc('month', 'spend_date') }} as date) as month_date,
        sum(spend_amount) as spend_amount
    from spend_rows
    group by
        channel,
        lower(campaign),
        cast({{ dbt.date_trunc('month', 'spend_date') }} as date)
),

models as (
    select distinct attribution_model from credited
),

keys as (
    select
        attribution_model,
        channel,
        campaign,
        month_date
    from credited
    union all
    select
        models.attribution_model,
        spend.channel,
        spend.campaign,
        spend.month_date
    from models
    cross join spend
),

distinct_keys as (
    select distinct
        attribution_model,
        channel,
        campaign,
        month_date
    from keys
),

final as (
    select
        distinct_keys.attribution_model,
        distinct_keys.channel,
        distinct_keys.campaign,
        distinct_keys.month_date,
        cast(coalesce(spend.spend_amount, 0) as decimal(18, 2)) as spend_amount,
        -- Sums of double weights are rounded: a parallel sum differs in the last bits between runs.
        cast(round(coalesce(credited.attributed_orders, 0), 9) as double) as attributed_orders,
        cast(coalesce(credited.attributed_revenue_amount, 0) as decimal(18, 2)) as attributed_revenue_amount,
        cast(
            round(coalesce(credited.attributed_revenue_amount, 0) / nullif(spend.spend_amount, 0), 9) as double
        ) as roas
    from distinct_keys
    left join credited
        on
            distinct_keys.attribution_model = credited.attribution_model
            and distinct_keys.channel = credited.channel
            and distinct_keys.campaign = credited.campaign
            and distinct_keys.month_date = credited.month_date
    left join spend
        on
            distinct_keys.channel = spend.channel
            and distinct_keys.campaign = spend.campaign
            and distinct_keys.month_date = spend.month_date
)

select * from final
