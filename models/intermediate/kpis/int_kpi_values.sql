-- One row per period (a day or a calendar month, reporting time zone), breakdown value and KPI:
-- every KPI of doc block kpi_definitions, each computed once here from the sums of
-- int_kpi_period_totals, with the previous period and the same period a year earlier beside it.
-- kpi_daily and kpi_monthly publish the two grains. A KPI without a meaning for a breakdown has
-- no row there (spend, CAC, message cost, ROI and registrations carry no platform); a ratio whose
-- denominator is 0 is null.
{%- set all_breakdowns = ['overall', 'platform', 'acquisition_channel'] %}
{%- set no_platform = ['overall', 'acquisition_channel'] %}
{%- set cost = '(marketing_spend_amount + message_cost_amount)' %}
{%- set metrics = [
    {'name': 'placed_orders', 'sql': 'placed_orders', 'breakdowns': all_breakdowns},
    {'name': 'gmv', 'sql': 'gross_amount', 'breakdowns': all_breakdowns},
    {'name': 'orders', 'sql': 'valid_orders', 'breakdowns': all_breakdowns},
    {'name': 'net_revenue', 'sql': 'net_revenue_amount', 'breakdowns': all_breakdowns},
    {'name': 'aov', 'sql': 'cast(net_revenue_amount as double) / nullif(valid_orders, 0)', 'breakdowns': all_breakdowns},
    {'name': 'buyers', 'sql': 'buyers', 'breakdowns': all_breakdowns},
    {'name': 'new_buyers', 'sql': 'new_buyers', 'breakdowns': all_breakdowns},
    {'name': 'registrations', 'sql': 'registrations', 'breakdowns': no_platform},
    {'name': 'dau', 'sql': 'active_users', 'breakdowns': all_breakdowns, 'grains': ['day']},
    {'name': 'mau', 'sql': 'active_users', 'breakdowns': all_breakdowns, 'grains': ['month']},
    {'name': 'average_dau', 'sql': 'cast(active_user_days as double) / period_days', 'breakdowns': all_breakdowns,
        'grains': ['month']},
    {'name': 'marketing_spend', 'sql': 'marketing_spend_amount', 'breakdowns': no_platform},
    {'name': 'cac', 'sql': 'cast(marketing_spend_amount as double) / nullif(new_buyers, 0)', 'breakdowns': no_platform},
    {'name': 'message_cost', 'sql': 'message_cost_amount', 'breakdowns': no_platform},
    {'name': 'coupon_cost', 'sql': 'coupon_cost_amount', 'breakdowns': all_breakdowns},
    {'name': 'roi', 'sql': '(cast(net_revenue_amount as double) - ' ~ cost ~ ') / nullif(' ~ cost ~ ', 0)',
        'breakdowns': no_platform},
] %}
with

period_totals as (
    select * from {{ ref('int_kpi_period_totals') }}
),

metric_values as (
    {% for metric in metrics -%}
        select
            period_grain,
            period_start,
            is_complete_period,
            breakdown,
            breakdown_value,
            '{{ metric.name }}' as metric_name,
            cast({{ metric.sql }} as double) as metric_value
        from period_totals
        where
            breakdown in {{ sql_list(metric.breakdowns) }}
            {%- if metric.grains %}
                and period_grain in {{ sql_list(metric.grains) }}
            {%- endif %}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

compared as (
    select
        metric_values.*,
        previous.metric_value as previous_value,
        last_year.metric_value as last_year_value
    from metric_values
    left join metric_values as previous
        on
            metric_values.period_grain = previous.period_grain
            and metric_values.breakdown = previous.breakdown
            and metric_values.breakdown_value = previous.breakdown_value
            and metric_values.metric_name = previous.metric_name
            and previous.period_start = case
                when metric_values.period_grain = 'day'
                    then cast({{ dbt.dateadd('day', -1, 'metric_values.period_start') }} as date)
                else cast({{ dbt.dateadd('month', -1, 'metric_values.period_start') }} as date)
            end
    left join metric_values as last_year
        on
            metric_values.period_grain = last_year.period_grain
            and metric_values.breakdown = last_year.breakdown
            and metric_values.breakdown_value = last_year.breakdown_value
            and metric_values.metric_name = last_year.metric_name
            and last_year.period_start = cast({{ dbt.dateadd('year', -1, 'metric_values.period_start') }} as date)
),

final as (
    select
        period_grain,
        period_start,
        is_complete_period,
        breakdown,
        breakdown_value,
        metric_name,
        metric_value,
        previous_value,
        metric_value - previous_value as change_value,
        (metric_value - previous_value) / nullif(previous_value, 0) as relative_change,
        last_year_value,
        metric_value - last_year_value as year_over_year_change,
        (metric_value - last_year_value) / nullif(last_year_value, 0) as year_over_year_relative_change
    from compared
)

select * from final
