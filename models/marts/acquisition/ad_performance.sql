-- One row per ad that acquired users: utm_source (media), utm_medium (ad type), utm_campaign,
-- utm_content (ad creative) and utm_term (keyword), '(none)' for a missing part. A user's
-- acquisition touch is their last session with a utm_source (fct_sessions, identity stitched)
-- whose session_date lies in the var('attribution_lookback_days') days up to their registration
-- date (reporting time zone), latest started_at then session_id. Users without one are not in
-- this mart (organic, store and referral sign-ups). Measures per ad: acquired users, those with a
-- first valid order within 30 x 24 hours (as in new_user_activation), buyers and their net
-- revenue up to the as-of date (user_facts; doc block ad_performance).
with

-- The users registered on or before the as-of date, with their valid orders to that date.
users as (
    select
        user_id,
        registered_date,
        -- A first valid order less than 30 x 24 hours after registering (timestamps are UTC).
        coalesce(first_order_at < {{ dbt.dateadd('day', 30, 'registered_at') }}, false) as is_activated_30d,
        is_buyer,
        revenue_amount
    from {{ ref('user_facts') }}
    where registered_date <= as_of_date
),

tagged_sessions as (
    select
        session_id,
        stitched_user_id as user_id,
        session_date,
        started_at,
        utm_source,
        utm_medium,
        utm_campaign,
        utm_content,
        utm_term
    from {{ ref('fct_sessions') }}
    where utm_source is not null and stitched_user_id is not null
),

touches as (
    select
        users.user_id,
        users.is_activated_30d,
        users.is_buyer,
        users.revenue_amount,
        tagged_sessions.utm_source,
        coalesce(tagged_sessions.utm_medium, '(none)') as utm_medium,
        coalesce(tagged_sessions.utm_campaign, '(none)') as utm_campaign,
        coalesce(tagged_sessions.utm_content, '(none)') as utm_content,
        coalesce(tagged_sessions.utm_term, '(none)') as utm_term,
        row_number() over (
            partition by users.user_id
            order by tagged_sessions.started_at desc, tagged_sessions.session_id desc
        ) as touch_rank
    from users
    inner join tagged_sessions
        on
            users.user_id = tagged_sessions.user_id
            and users.registered_date >= tagged_sessions.session_date
            and {{ dbt.dateadd('day', -var('attribution_lookback_days'), 'users.registered_date') }}
            <= tagged_sessions.session_date
),

acquired_users as (
    select
        utm_source,
        utm_medium,
        utm_campaign,
        utm_content,
        utm_term,
        user_id,
        is_activated_30d,
        is_buyer,
        revenue_amount
    from touches
    where touch_rank = 1
),

per_ad as (
    select
        utm_source,
        utm_medium,
        utm_campaign,
        utm_content,
        utm_term,
        count(*) as acquired_users,
        sum(case when is_activated_30d then 1 else 0 end) as activated_30d_users,
        sum(case when is_buyer then 1 else 0 end) as buyers,
        sum(revenue_amount) as revenue_amount
    from acquired_users
    group by utm_source, utm_medium, utm_campaign, utm_content, utm_term
),

final as (
    select
        utm_source,
        utm_medium,
        utm_campaign,
        utm_content,
        utm_term,
        cast(acquired_users as {{ dbt.type_bigint() }}) as acquired_users,
        cast(activated_30d_users as {{ dbt.type_bigint() }}) as activated_30d_users,
        cast(activated_30d_users * 1.0 / acquired_users as double) as activation_30d_rate,
        cast(buyers as {{ dbt.type_bigint() }}) as buyers,
        cast(buyers * 1.0 / acquired_users as double) as buyer_share,
        cast(revenue_amount as decimal(18, 2)) as revenue_amount,
        {{ divide_money('revenue_amount', 'acquired_users') }} as revenue_per_user_amount
    from per_ad
)

select * from final
