-- One row: how many devices (anonymous_id of fct_events) are stitched to a user, how many are
-- not, how many were shared by several users, and how many anonymous events stitching recovers
-- (anonymous events with a stitched_user_id).
with

identity_map as (
    select * from {{ ref('int_identity_map') }}
),

anonymous_events as (
    select stitched_user_id
    from {{ ref('fct_events') }}
    where user_id is null
),

device_counts as (
    select
        count(*) as devices,
        sum(case when is_stitched then 1 else 0 end) as stitched_devices,
        sum(case when is_stitched then 0 else 1 end) as unstitched_devices,
        sum(case when user_count > 1 then 1 else 0 end) as multi_user_devices
    from identity_map
),

event_counts as (
    select
        count(*) as anonymous_events,
        sum(case when stitched_user_id is not null then 1 else 0 end) as stitched_anonymous_events
    from anonymous_events
),

final as (
    select
        cast(device_counts.devices as {{ dbt.type_bigint() }}) as devices,
        cast(coalesce(device_counts.stitched_devices, 0) as {{ dbt.type_bigint() }}) as stitched_devices,
        cast(coalesce(device_counts.unstitched_devices, 0) as {{ dbt.type_bigint() }}) as unstitched_devices,
        cast(coalesce(device_counts.multi_user_devices, 0) as {{ dbt.type_bigint() }}) as multi_user_devices,
        cast(
            case
                when device_counts.devices > 0
                    then device_counts.stitched_devices * 1.0 / device_counts.devices
            end as double
        ) as stitched_device_share,
        cast(event_counts.anonymous_events as {{ dbt.type_bigint() }}) as anonymous_events,
        cast(
            coalesce(event_counts.stitched_anonymous_events, 0) as {{ dbt.type_bigint() }}
        ) as stitched_anonymous_events
    from device_counts
    cross join event_counts
)

select * from final
