-- One row per cohort_month × period_number: activity retention of the users registered in
-- cohort_month (registered_date, reporting time zone, on or before the as-of date), for every
-- month from the cohort month to the as-of month (a dense grid: 0 where nobody was active). A
-- user is active in a month with at least one logged-in event (fct_events with a user_id) that
-- month; events before the registration month are ignored. The grid comes from retention_ctes.
with

users as (
    select
        user_id,
        registered_date
    from {{ ref('dim_users') }}
),

events as (
    select
        user_id,
        event_date
    from {{ ref('fct_events') }}
    where user_id is not null
),

as_of as (
    select as_of_date from {{ ref('int_as_of_date') }}
),

as_of_period as (
    select
        as_of_date,
        {{ period_start('month', 'as_of_date') }} as as_of_start
    from as_of
),

cohort_members as (
    select
        users.user_id,
        {{ period_start('month', 'users.registered_date') }} as cohort_start
    from users
    cross join as_of
    where users.registered_date <= as_of.as_of_date
),

member_activity as (
    select distinct
        user_id,
        {{ period_start('month', 'event_date') }} as activity_start
    from events
),

{{ retention_ctes('month', with_revenue=false) }},

final as (
    select
        {{ retention_columns('month', with_revenue=false) }}
    from retention
)

select * from final
