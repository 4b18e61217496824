-- One row per logged-in activity day of a user (int_user_activity_days): the segment the user was
-- in that day in each breakdown but overall, for the DAU diagnosis (doc block
-- active_user_segments): platform (the platform of the user's first logged-in event of the day;
-- 'unknown' without one); acquisition_channel (dim_users); user_type ('new' when registered fewer
-- than var('active_users_new_days') days before, else 'returning'); behaviour_tier and value_tier
-- (the user's layer in the latest user_layer_history snapshot on or before the day; 'unknown'
-- before the first snapshot). One column per breakdown, so each active user-day is in exactly one
-- segment of each; active_users_by_segment reads the columns as breakdowns.
with

activity_days as (
    select
        user_id,
        activity_date,
        first_platform
    from {{ ref('int_user_activity_days') }}
),

users as (
    select
        user_id,
        registered_date,
        acquisition_channel
    from {{ ref('dim_users') }}
),

history as (
    select
        as_of_date,
        user_id,
        behaviour_tier,
        value_tier
    from {{ ref('user_layer_history') }}
),

snapshot_dates as (
    select distinct as_of_date from history
),

activity_dates as (
    select distinct activity_date from activity_days
),

-- The snapshot each activity date reads: the latest on or before it.
day_snapshots as (
    select
        activity_dates.activity_date,
        max(snapshot_dates.as_of_date) as snapshot_date
    from activity_dates
    inner join snapshot_dates
        on activity_dates.activity_date >= snapshot_dates.as_of_date
    group by activity_dates.activity_date
),

segmented as (
    select
        activity_days.user_id,
        activity_days.activity_date,
        activity_days.first_platform,
        users.acquisition_channel,
        case
            when {{ dbt.datediff('users.registered_date', 'activity_days.activity_date', 'day') }}
                < {{ var('active_users_new_days') }}
                then 'new'
            else 'returning'
        end as user_type,
        coalesce(history.behaviour_tier, 'unknown') as behaviour_tier,
        coalesce(history.value_tier, 'unknown') as value_tier
    from activity_days
    inner join users
        on activity_days.user_id = users.user_id
    left join day_snapshots
        on activity_days.activity_date = day_snapshots.activity_date
    left join history
        on
            day_snapshots.snapshot_date = history.as_of_date
            and activity_days.user_id = history.user_id
),

final as (
    select
        user_id,
        activity_date,
        cast(coalesce(first_platform, 'unknown') as {{ dbt.type_string() }}) as platform,
        cast(acquisition_channel as {{ dbt.type_string() }}) as acquisition_channel,
        cast(user_type as {{ dbt.type_string() }}) as user_type,
        cast(behaviour_tier as {{ dbt.type_string() }}) as behaviour_tier,
        cast(value_tier as {{ dbt.type_string() }}) as value_tier
    from segmented
)

select * from final
