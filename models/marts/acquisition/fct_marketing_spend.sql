-- One row per kept row of raw_marketing_spend (spend_date, channel, campaign) dated on or before the
-- as-of date: the cost fact of CAC and ROAS (the rows channel_performance and the KPI marts sum).
-- channel is the acquisition_channel of the users the spend bought; a missing campaign is '(none)',
-- as in channel_performance.
with

spend_rows as (
    select
        spend_date,
        channel,
        campaign,
        spend_amount,
        impressions,
        clicks
    from {{ ref('stg_raw__marketing_spend') }}
    where quarantine_reason is null
),

as_of as (
    select as_of_date from {{ ref('int_as_of_date') }}
),

final as (
    select
        spend_rows.spend_date,
        spend_rows.channel as acquisition_channel,
        coalesce(spend_rows.campaign, '(none)') as acquisition_campaign,
        cast(spend_rows.spend_amount as decimal(18, 2)) as spend_amount,
        cast(spend_rows.impressions as {{ dbt.type_bigint() }}) as impressions,
        cast(spend_rows.clicks as {{ dbt.type_bigint() }}) as clicks
    from spend_rows
    cross join as_of
    where spend_rows.spend_date <= as_of.as_of_date
)

select * from final
