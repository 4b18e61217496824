-- Spark stand-in of int_campaign_groups_compared.py: one row per campaign x variant x segment,
-- each variant against control with intervals and p-values (columns and meaning in
-- _campaigns__models.yml). The statistics need Student t, normal and chi-square distributions,
-- which SQL lacks, and dbt-spark's session mode runs no dbt Python models: so on Spark this SQL
-- model of the same name is enabled instead (dbt_project.yml) and computes with the same function,
-- stratalib.campaign_stats.compare_all, through the Spark table function
-- strata_campaign_groups_compared (stratalib.spark_functions). Its one table input is the union
-- of the group summaries and the declared groups, told apart by input_kind.
with

summaries as (
    select
        'summary' as input_kind,
        campaign_id,
        segment,
        test_group,
        user_count,
        converted_user_count,
        converted_mean,
        converted_variance,
        orders_mean,
        orders_variance,
        revenue_mean,
        revenue_variance,
        order_count,
        revenue_amount,
        message_cost_amount,
        uncosted_messages,
        coupon_discount_amount,
        is_window_complete,
        null as intended_share
    from {{ ref('int_campaign_groups_summarised') }}
),

declared as (
    select
        'declared' as input_kind,
        campaign_id,
        null as segment,
        test_group,
        null as user_count,
        null as converted_user_count,
        null as converted_mean,
        null as converted_variance,
        null as orders_mean,
        null as orders_variance,
        null as revenue_mean,
        null as revenue_variance,
        null as order_count,
        null as revenue_amount,
        null as message_cost_amount,
        null as uncosted_messages,
        null as coupon_discount_amount,
        null as is_window_complete,
        intended_share
    from {{ ref('int_campaign_groups_declared') }}
),

comparison_input as (
    select * from summaries
    union all
    select * from declared
),

compared as (
    {{ python_table_function(
        'strata_campaign_groups_compared',
        'comparison_input',
        ['cast(' ~ var('campaign_confidence_level') ~ ' as double)'],
    ) }}
)

select * from compared
