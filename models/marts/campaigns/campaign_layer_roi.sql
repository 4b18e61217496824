-- One row per campaign x target_layer (the layer-level rows of campaign_results): what one
-- targeted user of the layer returned and cost. incremental_revenue_per_user = treatment minus
-- control revenue per user (Welch interval from campaign_results), cost_per_user = cost_amount /
-- treatment_users, roi = (incremental_revenue_per_user - cost_per_user) / cost_per_user (the
-- same value as campaign_results.roi of the layer row).
with

results as (
    select * from {{ ref('campaign_results') }}
    where segment != 'overall'
),

final as (
    select
        campaign_id,
        segment as target_layer,
        as_of_date,
        treatment_users,
        control_users,
        cast(revenue_per_user_lift as double) as incremental_revenue_per_user,
        cast(revenue_per_user_lift_ci_lower as double) as incremental_revenue_per_user_ci_lower,
        cast(revenue_per_user_lift_ci_upper as double) as incremental_revenue_per_user_ci_upper,
        cast(cost_amount / nullif(treatment_users, 0) as double) as cost_per_user,
        incremental_revenue_amount,
        cost_amount,
        roi,
        is_too_small
    from results
)

select * from final
