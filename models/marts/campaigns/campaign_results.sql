-- One row per campaign x variant x segment (segment = 'overall' or the users' layer before the
-- send) of raw_campaign_sends (kept sends, first send per campaign and user): users per group,
-- conversion rate, orders and revenue per user in the conversion window, absolute lift (Welch
-- interval, p-value and Holm-adjusted p-value over the campaign's variants) and relative lift
-- (delta-method interval on the log ratio) of the variant over control, incremental orders and
-- revenue, message and coupon cost, ROI (doc block campaign_roi), and the sample-ratio-mismatch
-- (all declared groups) and too-small flags. The "treatment" columns hold the variant's figures.
-- The statistics come from int_campaign_groups_compared (stratalib.campaign_stats, scipy: a
-- Python model on DuckDB, its SQL stand-in calling the same code on Spark); everything else is here.
with

compared as (
    select * from {{ ref('int_campaign_groups_compared') }}
),

as_of as (
    select as_of_date from {{ ref('int_as_of_date') }}
),

costed as (
    select
        compared.*,
        compared.orders_per_user_lift * compared.treatment_users as incremental_orders,
        compared.revenue_per_user_lift * compared.treatment_users as incremental_revenue_amount,
        compared.treatment_message_cost_amount as message_cost_amount,
        compared.treatment_coupon_discount_amount as coupon_cost_amount,
        compared.treatment_message_cost_amount + compared.treatment_coupon_discount_amount as cost_amount
    from compared
),

final as (
    select
        costed.campaign_id,
        costed.variant,
        costed.segment,
        as_of.as_of_date,
        cast(costed.treatment_users as {{ dbt.type_bigint() }}) as treatment_users,
        cast(costed.control_users as {{ dbt.type_bigint() }}) as control_users,
        cast(costed.treatment_converted_users as {{ dbt.type_bigint() }}) as treatment_converted_users,
        cast(costed.control_converted_users as {{ dbt.type_bigint() }}) as control_converted_users,
        cast(costed.treatment_orders as {{ dbt.type_bigint() }}) as treatment_orders,
        cast(costed.control_orders as {{ dbt.type_bigint() }}) as control_orders,
        cast(costed.treatment_revenue_amount as decimal(18, 2)) as treatment_revenue_amount,
        cast(costed.control_revenue_amount as decimal(18, 2)) as control_revenue_amount,
        cast(costed.intended_control_share as double) as intended_control_share,
        cast(costed.control_users * 1.0 / nullif(costed.segment_users, 0) as double) as observed_control_share,
        cast(costed.intended_variant_share as double) as intended_variant_share,
        cast(costed.treatment_users * 1.0 / nullif(costed.segment_users, 0) as double) as observed_variant_share,
        cast(costed.conversion_rate_treatment as double) as conversion_rate_treatment,
        cast(costed.conversion_rate_control as double) as conversion_rate_control,
        cast(costed.conversion_rate_lift as double) as conversion_rate_lift,
        cast(costed.conversion_rate_lift_ci_lower as double) as conversion_rate_lift_ci_lower,
        cast(costed.conversion_rate_lift_ci_upper as double) as conversion_rate_lift_ci_upper,
        cast(costed.conversion_rate_relative_lift as double) as conversion_rate_relative_lift,
        cast(costed.conversion_rate_relative_lift_ci_lower as double) as conversion_rate_relative_lift_ci_lower,
        cast(costed.conversion_rate_relative_lift_ci_upper as double) as conversion_rate_relative_lift_ci_upper,
        cast(costed.conversion_rate_p_value as double) as conversion_rate_p_value,
        cast(costed.conversion_rate_p_value_holm as double) as conversion_rate_p_value_holm,
        cast(costed.orders_per_user_treatment as double) as orders_per_user_treatment,
        cast(costed.orders_per_user_control as double) as orders_per_user_control,
        cast(costed.orders_per_user_lift as double) as orders_per_user_lift,
        cast(costed.orders_per_user_lift_ci_lower as double) as orders_per_user_lift_ci_lower,
        cast(costed.orders_per_user_lift_ci_upper as double) as orders_per_user_lift_ci_upper,
        cast(costed.orders_per_user_relative_lift as double) as orders_per_user_relative_lift,
        cast(costed.orders_per_user_relative_lift_ci_lower as double) as orders_per_user_relative_lift_ci_lower,
        cast(costed.orders_per_user_relative_lift_ci_upper as double) as orders_per_user_relative_lift_ci_upper,
        cast(costed.orders_per_user_p_value as double) as orders_per_user_p_value,
        cast(costed.orders_per_user_p_value_holm as double) as orders_per_user_p_value_holm,
        cast(costed.revenue_per_user_treatment as double) as revenue_per_user_treatment,
        cast(costed.revenue_per_user_control as double) as revenue_per_user_control,
        cast(costed.revenue_per_user_lift as double) as revenue_per_user_lift,
        cast(costed.revenue_per_user_lift_ci_lower as double) as revenue_per_user_lift_ci_lower,
        cast(costed.revenue_per_user_lift_ci_upper as double) as revenue_per_user_lift_ci_upper,
        cast(costed.revenue_per_user_relative_lift as double) as revenue_per_user_relative_lift,
        cast(costed.revenue_per_user_relative_lift_ci_lower as double) as revenue_per_user_relative_lift_ci_lower,
        cast(costed.revenue_per_user_relative_lift_ci_upper as double) as revenue_per_user_relative_lift_ci_upper,
        cast(costed.revenue_per_user_p_value as double) as revenue_per_user_p_value,
        cast(costed.revenue_per_user_p_value_holm as double) as revenue_per_user_p_value_holm,
        cast(costed.incremental_orders as double) as incremental_orders,
        cast(costed.incremental_revenue_amount as decimal(18, 2)) as incremental_revenue_amount,
        cast(costed.message_cost_amount as decimal(18, 2)) as message_cost_amount,
        cast(costed.coupon_cost_amount as decimal(18, 2)) as coupon_cost_amount,
        cast(costed.cost_amount as decimal(18, 2)) as cost_amount,
        cast(costed.treatment_uncosted_messages as {{ dbt.type_bigint() }}) as uncosted_messages,
        cast(
            (costed.incremental_revenue_amount - costed.message_cost_amount) / nullif(costed.cost_amount, 0) as double
        ) as roi,
        cast(costed.srm_chi_square as double) as srm_chi_square,
        cast(costed.srm_p_value as double) as srm_p_value,
        costed.srm_p_value < {{ var('campaign_srm_alpha') }} as is_sample_ratio_mismatch,
        (
            costed.treatment_users < {{ var('campaign_min_group_users') }}
            or costed.control_users < {{ var('campaign_min_group_users') }}
        ) as is_too_small,
        costed.is_window_complete
    from costed
    cross join as_of
)

select * from final
