-- One row per day (reporting time zone), breakdown value and KPI, from the first day with a fact
-- to the as-of date: the day grain of int_kpi_values (doc block kpi_definitions), with the day
-- before and the same day a year earlier beside each figure.
with

kpi_values as (
    select * from {{ ref('int_kpi_values') }}
    where period_grain = 'day'
),

final as (
    select
        period_start as kpi_date,
        breakdown,
        breakdown_value,
        metric_name,
        metric_value,
        previous_value as previous_day_value,
        change_value as day_over_day_change,
        relative_change as day_over_day_relative_change,
        last_year_value,
        year_over_year_change,
        year_over_year_relative_change
    from kpi_values
)

select * from final
