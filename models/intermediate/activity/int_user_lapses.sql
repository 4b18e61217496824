-- One row per user x period_month (reporting time zone) in which the user was seen, for the months
-- whose outcome is known: the user's last seen day of the month and whether they went silent
-- after it (doc block user_lapse, models/marts/behaviour/_churn_reasons__docs.md).
-- Seen days are the logged-in activity days (int_user_activity_days) and the valid order days
-- (int_user_order_days), the two kinds of activity of a silent user (doc block silent_user).
-- The user lapsed when, on silence_judged_date = last_seen_date + var('silent_days'), they are a
-- silent user (macro is_silent_user): tenure and days since last seen measured on that date, the
-- last seen day on or before it being next_seen_date when the user came back by then, else
-- last_seen_date. Otherwise they stayed. Only users registered on or before last_seen_date can be
-- silent on the judged date, so only they are judged. A month is judged when its last day +
-- var('silent_days') is on or before the as-of date, so every user of the month has a known outcome.
{%- set judged_date = dbt.dateadd('day', var('silent_days'), 'month_days.last_seen_date') %}
{%- set seen_by_judged_date -%}
    case when next_seen_date <= silence_judged_date then next_seen_date else last_seen_date end
{%- endset %}
with

activity_days as (
    select
        user_id,
        activity_date as seen_date
    from {{ ref('int_user_activity_days') }}
),

order_days as (
    select
        user_id,
        order_date as seen_date
    from {{ ref('int_user_order_days') }}
),

users as (
    select
        user_id,
        {{ reporting_date('registered_at') }} as registered_date
    from {{ ref('stg_raw__users') }}
    where quarantine_reason is null
),

as_of as (
    select as_of_date from {{ ref('int_as_of_date') }}
),

seen_days as (
    select
        user_id,
        seen_date
    from activity_days
    union distinct
    select
        user_id,
        seen_date
    from order_days
),

seen_months as (
    select
        user_id,
        {{ period_start('month', 'seen_date') }} as period_month,
        min(seen_date) as first_seen_date,
        max(seen_date) as last_seen_date
    from seen_days
    group by user_id, {{ period_start('month', 'seen_date') }}
),

month_days as (
    select
        user_id,
        period_month,
        last_seen_date,
        cast({{ dbt.dateadd('day', -1, dbt.dateadd('month', 1, 'period_month')) }} as date) as period_end_date,
        lead(first_seen_date) over (partition by user_id order by period_month) as next_seen_date
    from seen_months
),

judged as (
    select
        month_days.user_id,
        month_days.period_month,
        month_days.last_seen_date,
        month_days.next_seen_date,
        users.registered_date,
        cast({{ judged_date }} as date) as silence_judged_date
    from month_days
    inner join users
        on month_days.user_id = users.user_id
    cross join as_of
    where
        {{ dbt.dateadd('day', var('silent_days'), 'month_days.period_end_date') }} <= as_of.as_of_date
        and users.registered_date <= month_days.last_seen_date
),

measured as (
    select
        user_id,
        period_month,
        last_seen_date,
        next_seen_date,
        silence_judged_date,
        {{ days_between('registered_date', 'silence_judged_date') }} as tenure_days,
        {{ days_between(seen_by_judged_date, 'silence_judged_date') }} as days_since_last_seen
    from judged
),

final as (
    select
        user_id,
        period_month,
        last_seen_date,
        next_seen_date,
        {{ days_between('last_seen_date', 'next_seen_date') }} as days_to_next_seen,
        silence_judged_date,
        {{ is_silent_user('tenure_days', 'days_since_last_seen') }} as is_lapsed
    from measured
)

select * from final
