-- One row per period_month x event_attribute x attribute_value: what users who lapsed in the month
-- did last, against users of the same month who stayed (doc block churn_reasons, _churn_reasons__docs.md).
-- The users and their outcome come from int_user_lapses (doc block user_lapse). A user's last events
-- are their last var('churn_reasons_last_events') logged-in events (int_events_identified with a
-- user_id) on or before their last seen day of the month, by occurred_at then event_id, latest
-- first; earlier months count when the month holds fewer. Those are among the latest of each month
-- up to the last seen day, so only the latest var('churn_reasons_last_events') events of every
-- user x month count; their rank over all the user's months is their rank in the month plus how
-- many the later months hold, so a month's last events are found by rank, not by joining every
-- earlier month's events to it and ranking them again. event_attribute: 'event_name' and 'page'
-- (any of the last events), 'last_event_name' (the latest event) and 'last_page' (the latest
-- non-null page among them).
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
        event_name,
        page,
        {{ period_start('month', 'event_date') }} as event_month,
        row_number() over (
            partition by user_id, {{ period_start('month', 'event_date') }}
            order by occurred_at desc, event_id desc
        ) as month_event_rank
    from events
),

-- The latest events of each user x month: a month's last events are among them and those of the
-- user's earlier months.
month_last_events as (
    select
        user_id,
        event_name,
        page,
        event_month,
        month_event_rank
    from month_ranked_events
    where month_event_rank <= {{ last_events }}
),

-- How many of those each month of the user holds: the months with events, and the months the
-- user was seen in without any (an order-only month) with none.
user_months as (
    select
        user_id,
        event_month,
        count(*) as month_events
    from month_last_events
    group by user_id, event_month
    union all
    select
        user_id,
        period_month as event_month,
        0 as month_events
    from lapses
),

month_event_counts as (
    select
        user_id,
        event_month,
        sum(month_events) as month_events
    from user_months
    group by user_id, event_month
),

-- How many of them the user's later months hold.
months_after as (
    select
        user_id,
        event_month,
        cast(coalesce(sum(month_events) over (
            partition by user_id
            order by event_month desc
            rows between unbounded preceding and 1 preceding
        ), 0) as {{ dbt.type_bigint() }}) as later_events
    from month_event_counts
),

-- Every one of those events ranked over all the user's months, latest first (a later month's
-- events all come before an earlier month's).
user_ranked_events as (
    select
        month_last_events.user_id,
        month_last_events.event_name,
        month_last_events.page,
        month_last_events.month_event_rank + months_after.later_events as user_event_rank
    from month_last_events
    inner join months_after
        on
            month_last_events.user_id = months_after.user_id
            and month_last_events.event_month = months_after.event_month
),

-- The block of var('churn_reasons_last_events') ranks each falls in.
user_ranked_blocks as (
    select
        user_id,
        event_name,
        page,
        user_event_rank,
        cast(floor((user_event_rank - 1) / {{ last_events }}) as {{ dbt.type_bigint() }}) as rank_block
    from user_ranked_events
),

-- The last events of a lapse month are the user's events on or before its last seen day, that is
-- in that month or earlier (the last seen day is the month's last activity day), latest first:
-- the user ranks after the later months' events, later_events + 1 onwards. Only the first
-- var('churn_reasons_last_events') of them count, and those lie in two blocks at most.
block_offsets as (
    select 0 as block_offset
    union all
    select 1 as block_offset
),

lapse_blocks as (
    select
        lapses.user_id,
        lapses.period_month,
        lapses.is_lapsed,
        months_after.later_events,
        cast(floor(months_after.later_events / {{ last_events }}) as {{ dbt.type_bigint() }})
        + block_offsets.block_offset as rank_block
    from lapses
    inner join months_after
        on
            lapses.user_id = months_after.user_id
            and lapses.period_month = months_after.event_month
    cross join block_offsets
),

lapse_ranked_events as (
    select
        lapse_blocks.user_id,
        lapse_blocks.period_month,
        lapse_blocks.is_lapsed,
        user_ranked_blocks.event_name,
        user_ranked_blocks.page,
        user_ranked_blocks.user_event_rank - lapse_blocks.later_events as event_rank
    from lapse_blocks
    inner join user_ranked_blocks
        on
            lapse_blocks.user_id = user_ranked_blocks.user_id
            and lapse_blocks.rank_block = user_ranked_blocks.rank_block
    where
        user_ranked_blocks.user_event_rank > lapse_blocks.later_events
        and user_ranked_blocks.user_event_rank <= lapse_blocks.later_events + {{ last_events }}
),

-- event_rank runs from 1 to var('churn_reasons_last_events'): lapse_ranked_events keeps no other.
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
