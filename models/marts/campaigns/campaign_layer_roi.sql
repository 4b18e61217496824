-- One row per campaign x variant x layer (the layer-level rows of campaign_results: each
-- targeted user's layer before the send, doc block campaign_user_layer): what one targeted user
-- of the layer returned and cost. incremental_revenue_per_user = variant minus control revenue
-- per user (Welch interval from campaign_results), cost_per_user = cost_amount (message and
-- coupon cost) / treatment_users, roi = campaign_results.roi of the layer row (doc block
-- campaign_roi). target_layer is kept one release as a deprecated copy of layer.
with

results as (
    select * from {{ ref('campaign_results') }}
    where segment != 'overall'
),

final as (
    select
        campaign_id,
        variant,
        segment as layer,
        segment as target_layer,
        as_of_date,
        treatment_users,
        control_users,
        cast(revenue_per_user_lift as double) as incremental_revenue_per_user,
        cast(revenue_per_user_lift_ci_lower as double) as incremental_revenue_per_user_ci_lower,
        cast(revenue_per_user_lift_ci_upper as double) as incremental_revenue_per_user_ci_upper,
        cast(cost_amount / nullif(treatment_users, 0) as double) as cost_per_user,
        incremental_revenue_amount,
        message_cost_amount,
        coupon_cost_amount,
        cost_amount,
        roi,
        is_too_small
    from results
)

select * from final
