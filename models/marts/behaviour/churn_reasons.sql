-- One row per period_month x event_attribute x attribute_value: what users who lapsed in the month
-- did last, against users of the same month who stayed (doc block churn_reasons, _churn_reasons__docs.md).
-- The users and their outcome come from int_user_lapses (doc block user_lapse). A user's last events
-- are their last var('churn_reasons_last_events') logged-in events (int_events_identified with a
-- user_id) on or before their last seen day of the month, by occurred_at then event_id, latest
-- first; earlier months count when the month holds fewer. Those are among the latest of each month
-- up to the last seen day, so only the latest var('churn_reasons_last_events') events of every
-- user x month are ranked again. event_attribute: 'event_name' and 'page' (any of the last events),
-- 'last_event_name' (the latest event) and 'last_page' (the latest non-null page among them).
-- Only the events of each user x month's latest days that hold its last events are ranked: an
-- event on an earlier day has at least that many events after it, so it cannot be among them,
-- and the ranks of the events kept are the same (every event after one kept is kept).
-- The logged-in events per user and day (int_user_activity_days) find those days; ranking every
-- event made this model's time.
{%- set last_events = var('churn_reasons_last_events') %}
{%- set min_users = var('churn_reasons_min_users') %}
with

lapses as (
    select
        user_id,
        period_month,
        last_seen_date,
        is_lapsed
    from {{ ref('int_user_lapses') }}
),

-- Each user's logged-in events per day (int_user_activity_days, already counted there).
event_days as (
    select
        user_id,
        activity_date as event_date,
        event_count
    from {{ ref('int_user_activity_days') }}
),

-- The latest days of each user x month, until they hold var('churn_reasons_last_events') events.
last_days as (
    select
        user_id,
        event_date,
        sum(event_count) over (
            partition by user_id, {{ period_start('month', 'event_date') }}
            order by event_date desc
            rows between unbounded preceding and current row
        ) - event_count as events_after_day
    from event_days
),

events as (
    select
        events.user_id,
        events.event_id,
        events.event_name,
        events.page,
        events.occurred_at,
        events.event_date
    from {{ ref('int_events_identified') }} as events
    inner join last_days
        on
            events.user_id = last_days.user_id
            and events.event_date = last_days.event_date
    where last_days.events_after_day < {{ last_events }}
),

month_ranked_events as (
    select
        user_id,
        event_id,
        event_name,
        page,
        occurred_at,
        event_date,
        row_number() over (
            partition by user_id, {{ period_start('month', 'event_date') }}
            order by occurred_at desc, event_id desc
        ) as month_event_rank
    from events
),

lapse_ranked_events as (
    select
        lapses.user_id,
        lapses.period_month,
        lapses.is_lapsed,
        month_ranked_events.event_name,
        month_ranked_events.page,
        row_number() over (
            partition by lapses.user_id, lapses.period_month
            order by month_ranked_events.occurred_at desc, month_ranked_events.event_id desc
        ) as event_rank
    from lapses
    inner join month_ranked_events
        on
            lapses.user_id = month_ranked_events.user_id
            and lapses.last_seen_date >= month_ranked_events.event_date
            and month_ranked_events.month_event_rank <= {{ last_events }}
),

last_events as (
    select
        user_id,
        period_month,
        is_lapsed,
        event_name,
        page,
        event_rank,
        row_number() over (
            partition by user_id, period_month
            order by case when page is null then 1 else 0 end, event_rank
        ) as page_rank
    from lapse_ranked_events
    where event_rank <= {{ last_events }}
),

user_attributes as (
    select
        user_id,
        period_month,
        is_lapsed,
        'event_name' as event_attribute,
        event_name as attribute_value
    from last_events
    union all
    select
        user_id,
        period_month,
        is_lapsed,
        'page' as event_attribute,
        page as attribute_value
    from last_events
    where page is not null
    union all
    select
        user_id,
        period_month,
        is_lapsed,
        'last_event_name' as event_attribute,
        event_name as attribute_value
    from last_events
    where event_rank = 1
    union all
    select
        user_id,
        period_month,
        is_lapsed,
        'last_page' as event_attribute,
        page as attribute_value
    from last_events
    where page_rank = 1 and page is not null
),

attribute_users as (
    select
        period_month,
        event_attribute,
        attribute_value,
        count(distinct case when is_lapsed then user_id end) as lapsed_users,
        count(distinct case when not is_lapsed then user_id end) as stayed_users
    from user_attributes
    group by period_month, event_attribute, attribute_value
),

group_sizes as (
    select
        period_month,
        sum(case when is_lapsed then 1 else 0 end) as lapsed_group_size,
        sum(case when is_lapsed then 0 else 1 end) as stayed_group_size
    from lapses
    group by period_month
),

shares as (
    select
        attribute_users.period_month,
        attribute_users.event_attribute,
        attribute_users.attribute_value,
        group_sizes.lapsed_group_size,
        attribute_users.lapsed_users,
        cast(attribute_users.lapsed_users as double)
        / nullif(group_sizes.lapsed_group_size, 0) as lapsed_share,
        group_sizes.stayed_group_size,
        attribute_users.stayed_users,
        cast(attribute_users.stayed_users as double)
        / nullif(group_sizes.stayed_group_size, 0) as stayed_share
    from attribute_users
    inner join group_sizes
        on attribute_users.period_month = group_sizes.period_month
),

final as (
    select
        period_month,
        event_attribute,
        attribute_value,
        cast(lapsed_group_size as {{ dbt.type_bigint() }}) as lapsed_group_size,
        cast(lapsed_users as {{ dbt.type_bigint() }}) as lapsed_users,
        lapsed_share,
        cast(stayed_group_size as {{ dbt.type_bigint() }}) as stayed_group_size,
        cast(stayed_users as {{ dbt.type_bigint() }}) as stayed_users,
        stayed_share,
        lapsed_share - stayed_share as share_difference,
        lapsed_share / nullif(stayed_share, 0) as share_ratio,
        lapsed_users < {{ min_users }} or stayed_users < {{ min_users }} as is_below_min_users
    from shares
)

select * from final
