-- One row per cohort_type x period_type x user: the cohort members of every retention cohort,
-- with the period of their cohort and the two attributes the retention marts break down by.
-- Cohorts (cohort_definitions):
--   first_purchase  weeks and months; a user's cohort is the period of the first valid order
--                   (int_orders_sequenced.is_first_order); activity = purchase periods.
--   registration    weeks and months; the period of registered_date (reporting time zone) for users
--                   registered on or before the as-of date; activity = logged-in activity periods.
-- acquisition_channel: the user's channel ('unknown' when not given); first_order_platform: the
-- platform of the first valid order ('unknown' when null or for users without an order).
-- as_of_date rides along, so int_cohort_retention_periods knows where the grid ends.
with

users as (
    select
        user_id,
        registered_at,
        acquisition_channel
    from {{ ref('stg_raw__users') }}
    where quarantine_reason is null
),

first_orders as (
    select
        user_id,
        order_date,
        platform
    from {{ ref('int_orders_sequenced') }}
    where is_first_order
),

as_of as (
    select as_of_date from {{ ref('int_as_of_date') }}
),

cohort_definitions as (
    select
        'first_purchase' as cohort_type,
        'week' as period_type,
        'purchase' as activity_type
    union all
    select
        'first_purchase' as cohort_type,
        'month' as period_type,
        'purchase' as activity_type
    union all
    select
        'registration' as cohort_type,
        'week' as period_type,
        'activity' as activity_type
    union all
    select
        'registration' as cohort_type,
        'month' as period_type,
        'activity' as activity_type
),

cohort_starts as (
    select
        cohort_definitions.cohort_type,
        cohort_definitions.period_type,
        first_orders.user_id,
        {{ period_start_by_type('cohort_definitions.period_type', 'first_orders.order_date') }} as cohort_start
    from first_orders
    cross join cohort_definitions
    where cohort_definitions.cohort_type = 'first_purchase'
    union all
    select
        cohort_definitions.cohort_type,
        cohort_definitions.period_type,
        users.user_id,
        {{ period_start_by_type('cohort_definitions.period_type', reporting_date('users.registered_at')) }}
            as cohort_start
    from users
    cross join cohort_definitions
    cross join as_of
    where
        cohort_definitions.cohort_type = 'registration'
        and {{ reporting_date('users.registered_at') }} <= as_of.as_of_date
),

final as (
    select
        cohort_starts.cohort_type,
        cohort_starts.period_type,
        cohort_definitions.activity_type,
        cohort_starts.user_id,
        cohort_starts.cohort_start,
        coalesce(users.acquisition_channel, 'unknown') as acquisition_channel,
        coalesce(first_orders.platform, 'unknown') as first_order_platform,
        as_of.as_of_date
    from cohort_starts
    cross join as_of
    inner join cohort_definitions
        on
            cohort_starts.cohort_type = cohort_definitions.cohort_type
            and cohort_starts.period_type = cohort_definitions.period_type
    left join users
        on cohort_starts.user_id = users.user_id
    left join first_orders
        on cohort_starts.user_id = first_orders.user_id
)

select * from final
