-- One row per anonymous_id (device or cookie id) seen in int_events_dated (the events fct_events
-- publishes): the user it is stitched to. int_events_identified reads this map to give every
-- event its stitched_user_id, so the map reads the dated events upstream of it.
-- Rule: a device seen with a user_id maps to that user. A device seen with several users maps
-- to the user with the most events on it; ties go to the user first seen on it (earliest
-- occurred_at), then to the smallest user_id. A device never seen with a user_id is unstitched
-- (user_id null).
with

events as (
    select
        anonymous_id,
        user_id,
        occurred_at
    from {{ ref('int_events_dated') }}
    where anonymous_id is not null
),

devices as (
    select
        anonymous_id,
        min(occurred_at) as first_seen_at,
        max(occurred_at) as last_seen_at,
        count(*) as event_count
    from events
    group by anonymous_id
),

device_users as (
    select
        anonymous_id,
        user_id,
        count(*) as user_event_count,
        min(occurred_at) as user_first_seen_at
    from events
    where user_id is not null
    group by anonymous_id, user_id
),

ranked as (
    select
        anonymous_id,
        user_id,
        row_number() over (
            partition by anonymous_id
            order by user_event_count desc, user_first_seen_at asc, user_id asc
        ) as user_rank,
        count(*) over (partition by anonymous_id) as user_count
    from device_users
),

final as (
    select
        devices.anonymous_id,
        ranked.user_id,
        cast(coalesce(ranked.user_count, 0) as {{ dbt.type_bigint() }}) as user_count,
        ranked.user_id is not null as is_stitched,
        devices.first_seen_at,
        devices.last_seen_at,
        cast(devices.event_count as {{ dbt.type_bigint() }}) as event_count
    from devices
    left join ranked
        on
            devices.anonymous_id = ranked.anonymous_id
            and ranked.user_rank = 1
)

select * from final
