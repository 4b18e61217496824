-- One row per user of user_facts: the user's layer in each dimension as of the as-of date; every
-- user is in exactly one layer per dimension. Each rule is defined once, in the doc block of the
-- same name in models/_docs.md: value_tier, spend_band, lifecycle_stage, activity_tier,
-- churn_risk (on p_alive), rfm_segment (from user_rfm), preferred_category. Thresholds are the
-- vars those blocks name (values in dbt_project.yml).
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

churn_inputs as (
    select * from {{ ref('int_bgnbd_inputs') }}
),

churn_parameters as (
    select * from {{ ref('int_bgnbd_parameters_fitted') }}
),

value_ranked as (
    select
        user_id,
        cume_dist() over (order by revenue_amount_365d desc) as value_position
    from facts
    where revenue_amount_365d > 0
),

p_alive as (
    select
        churn_inputs.user_id,
        case
            when churn_parameters.is_fitted then
                1.0 / (
                    1.0 + case
                        when churn_inputs.frequency > 0
                            then
                                churn_parameters.a / (churn_parameters.b + churn_inputs.frequency - 1)
                                * power(
                                    (churn_parameters.alpha + churn_inputs.age_weeks)
                                    / (churn_parameters.alpha + churn_inputs.recency_weeks),
                                    churn_parameters.r + churn_inputs.frequency
                                )
                        else 0
                    end
                )
        end as p_alive
    from churn_inputs
    cross join churn_parameters
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
        cast(p_alive.p_alive as double) as p_alive,
        case
            when not facts.is_buyer then 'no_purchase'
            when p_alive.p_alive is null then 'unknown'
            when churn_inputs_frequency.frequency = 0 then 'single_purchase'
            when p_alive.p_alive < {{ var('churn_risk_high_below') }} then 'high'
            when p_alive.p_alive < {{ var('churn_risk_medium_below') }} then 'medium'
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
    left join p_alive
        on facts.user_id = p_alive.user_id
    left join churn_inputs as churn_inputs_frequency
        on facts.user_id = churn_inputs_frequency.user_id
    left join rfm
        on facts.user_id = rfm.user_id
)

select * from final
