-- One row per calendar month (reporting time zone), breakdown value and KPI, from the month of
-- the first day with a fact to the as-of date's month (partial: is_complete_period false): the
-- month grain of int_kpi_values (doc block kpi_definitions), with the month before and the same
-- month a year earlier beside each figure.
with

kpi_values as (
    select * from {{ ref('int_kpi_values') }}
    where period_grain = 'month'
),

final as (
    select
        period_start as month_date,
        is_complete_period,
        breakdown,
        breakdown_value,
        metric_name,
        metric_value,
        previous_value as previous_month_value,
        change_value as month_over_month_change,
        relative_change as month_over_month_relative_change,
        last_year_value,
        year_over_year_change,
        year_over_year_relative_change
    from kpi_values
)

select * from final
