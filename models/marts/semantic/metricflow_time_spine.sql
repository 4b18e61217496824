-- One row per day (date_day) from var('time_spine_start_date') to var('time_spine_end_date'): the
-- time spine of the semantic layer (MetricFlow joins metrics to it for metric_time and for
-- cumulative or offset metrics). Fixed bounds from vars, so the spine does not depend on the data;
-- the defaults cover every date the raw contract accepts (min_valid_timestamp) with decades to spare.
with

bounds as (
    select
        cast('{{ var("time_spine_start_date") }}' as date) as start_date,
        cast('{{ var("time_spine_end_date") }}' as date) as end_date
),

day_numbers as (
    select
        start_date,
        {{ integer_series('0', dbt.datediff('start_date', 'end_date', 'day')) }} as day_number
    from bounds
),

final as (
    select cast({{ dbt.dateadd('day', 'day_number', 'start_date') }} as date) as date_day
    from day_numbers
)

select * from final
