-- One row per user of user_facts: the user's layer in each dimension as of the as-of date; every
-- user is in exactly one layer per dimension. Each rule is defined once, in the doc block of the
-- same name in models/_docs.md: value_tier, engagement_tier (from user_engagement, with
-- engagement_score), spend_band, lifecycle_stage, behaviour_tier (its churned layer: silent_user),
-- churn_risk (on p_alive from user_value_forecast; silence for non-buyers), rfm_segment (from
-- user_rfm), preferred_category. Thresholds are the vars those blocks name (values in
-- dbt_project.yml). activity_tier (deprecated, replaced by behaviour_tier) is kept one release
-- as a plain column, no longer a layer dimension.
with

facts as (
    select * from {{ ref('user_facts') }}
),

rfm as (
    select
        user_id,
        rfm_segment
    from {{ ref('user_rfm') }}
),

engagement as (
    select
        user_id,
        engagement_score,
        engagement_tier
    from {{ ref('user_engagement') }}
),

forecasts as (
    select
        user_id,
        churn_model,
        repeat_purchase_days,
        p_alive
    from {{ ref('user_value_forecast') }}
),

value_ranked as (
    select
        user_id,
        cume_dist() over (order by revenue_amount_365d desc) as value_position
    from facts
    where revenue_amount_365d > 0
),

final as (
    select
        facts.user_id,
        facts.as_of_date,
        case
            when value_ranked.value_position is null then 'low'
            when value_ranked.value_position <= {{ var('value_core_share') }} then 'core'
            when value_ranked.value_position > 1 - {{ var('value_low_share') }} then 'low'
            else 'normal'
        end as value_tier,
        engagement.engagement_tier,
        engagement.engagement_score,
        case
            when facts.revenue_amount_365d >= {{ var('spend_band_high_amount') }} then 'high'
            when facts.revenue_amount_365d >= {{ var('spend_band_medium_amount') }} then 'medium'
            else 'low'
        end as spend_band,
        case
            when not facts.is_buyer then 'prospect'
            when facts.days_since_first_order <= {{ var('lifecycle_new_days') }} then 'new'
            when facts.recency_days > {{ var('lifecycle_churned_days') }} then 'churned'
            when facts.recency_days > {{ var('lifecycle_at_risk_days') }} then 'at_risk'
            when facts.last_order_gap_days > {{ var('lifecycle_churned_days') }} then 'reactivated'
            else 'active'
        end as lifecycle_stage,
        case
            when facts.active_days_30d >= {{ var('activity_heavy_days') }} then 'heavy'
            when facts.active_days_30d >= {{ var('activity_normal_days') }} then 'normal'
            when facts.active_days_30d >= 1 then 'potential'
            else 'dormant'
        end as activity_tier,
        case
            when {{ is_silent_user('facts.tenure_days', 'facts.days_since_last_seen') }} then 'churned'
            when
                facts.active_days_30d >= {{ var('behaviour_heavy_active_days') }}
                and facts.sessions_per_active_day_30d >= {{ var('behaviour_heavy_sessions_per_active_day') }}
                and facts.time_spent_per_active_day_30d >= {{ var('behaviour_heavy_minutes_per_active_day') }}
                then 'heavy'
            when
                facts.active_days_30d >= {{ var('behaviour_normal_active_days') }}
                and facts.sessions_per_active_day_30d >= {{ var('behaviour_normal_sessions_per_active_day') }}
                and facts.time_spent_per_active_day_30d >= {{ var('behaviour_normal_minutes_per_active_day') }}
                then 'normal'
            else 'potential'
        end as behaviour_tier,
        forecasts.p_alive,
        case
            when not facts.is_buyer
                then
                    case
                        when {{ is_silent_user('facts.tenure_days', 'facts.days_since_last_seen') }} then 'high'
                        when
                            coalesce(facts.days_since_last_seen, facts.tenure_days)
                            >= {{ var('churn_risk_non_buyer_medium_days') }}
                            then 'medium'
                        else 'low'
                    end
            when forecasts.p_alive is null then 'unknown'
            when forecasts.churn_model = 'bgnbd' and forecasts.repeat_purchase_days = 0 then 'single_purchase'
            when forecasts.p_alive < {{ var('churn_risk_high_below') }} then 'high'
            when forecasts.p_alive < {{ var('churn_risk_medium_below') }} then 'medium'
            else 'low'
        end as churn_risk,
        case
            when not facts.is_buyer then 'no_purchase'
            else coalesce(rfm.rfm_segment, 'unsegmented')
        end as rfm_segment,
        case
            when not facts.is_buyer then 'no_purchase'
            else coalesce(facts.favourite_category, 'unknown')
        end as preferred_category,
        facts.order_count,
        facts.revenue_amount,
        facts.revenue_amount_365d
    from facts
    left join value_ranked
        on facts.user_id = value_ranked.user_id
    left join forecasts
        on facts.user_id = forecasts.user_id
    left join rfm
        on facts.user_id = rfm.user_id
    left join engagement
        on facts.user_id = engagement.user_id
)

select * from final
