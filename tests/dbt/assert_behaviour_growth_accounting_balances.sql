-- Asserts the identities of growth accounting in user_growth_accounting, per period_type and
-- activity_type: active_users = new_users + returning_users + resurrecting_users in every
-- period, and the previous period's active_users = returning_users + dormant_users (every user
-- active last period either stays or goes dormant). Returns one row per period that breaks one.
with

growth as (
    select
        period_type,
        activity_type,
        period_start,
        active_users,
        new_users,
        returning_users,
        resurrecting_users,
        dormant_users,
        lag(active_users) over (
            partition by period_type, activity_type order by period_start
        ) as previous_active_users
    from {{ ref('user_growth_accounting') }}
),

broken as (
    select *
    from growth
    where
        active_users != new_users + returning_users + resurrecting_users
        or coalesce(previous_active_users, 0) != returning_users + dormant_users
)

select * from broken
