-- One row per day (cost_date, reporting time zone) and acquisition channel with a cost the KPI
-- marts count (doc block kpi_definitions): marketing spend (kept rows of
-- stg_raw__marketing_spend; channel = acquisition_channel) and message cost (every kept
-- non-control send, treatment or a variant, of int_campaign_sends_validated at its channel's
-- cost_per_message_amount of seeds/message_costs.csv, on the day it was sent, under the user's acquisition channel; a
-- channel without a cost counts 0, as in campaign_results). Days after the as-of date are kept
-- here; int_kpi_values reads the days up to it.
with

spend_rows as (
    select
        spend_date,
        channel,
        spend_amount
    from {{ ref('stg_raw__marketing_spend') }}
    where quarantine_reason is null
),

sends as (
    select
        user_id,
        channel,
        sent_at
    from {{ ref('int_campaign_sends_validated') }}
    where quarantine_reason is null and test_group != 'control'
),

channel_costs as (
    select
        channel,
        cost_per_message_amount
    from {{ ref('message_costs') }}
),

users as (
    select
        user_id,
        acquisition_channel
    from {{ ref('dim_users') }}
),

costs as (
    select
        spend_date as cost_date,
        channel as acquisition_channel,
        spend_amount as marketing_spend_amount,
        0 as message_cost_amount
    from spend_rows
    union all
    select
        {{ reporting_date('sends.sent_at') }} as cost_date,
        users.acquisition_channel,
        0 as marketing_spend_amount,
        coalesce(channel_costs.cost_per_message_amount, 0) as message_cost_amount
    from sends
    inner join users
        on sends.user_id = users.user_id
    left join channel_costs
        on sends.channel = channel_costs.channel
),

final as (
    select
        cost_date,
        acquisition_channel,
        cast(sum(marketing_spend_amount) as decimal(18, 2)) as marketing_spend_amount,
        cast(sum(message_cost_amount) as decimal(18, 4)) as message_cost_amount
    from costs
    group by cost_date, acquisition_channel
)

select * from final
