{#
    Period helpers for the behaviour marts (models/marts/behaviour). Periods are 'day', 'week'
    (weeks start on Monday) or 'month'; a period is named by its first day, a date.
#}

{#
    integer_series(start, stop): a set-returning expression for a select list, one row per
    integer start, start + 1, ..., stop (both ends included); no row when stop < start. start
    and stop are SQL expressions and may use the columns of the FROM clause, so one query can
    give every row its own series:
        select cohort_start, {{ integer_series('0', 'periods_to_date') }} as period_number
        from cohorts
    dbt.date_spine / dbt.generate_series are not used: they need the bounds at compile time
    (date_spine runs a query while compiling), and here the bounds are data (the as-of date).
#}
{% macro integer_series(start, stop) -%}
    {{ return(adapter.dispatch('integer_series', 'strata')(start, stop)) }}
{%- endmacro %}

{# Postgres and engines with a set-returning generate_series. #}
{% macro default__integer_series(start, stop) -%}
    generate_series(cast({{ start }} as {{ dbt.type_bigint() }}), cast({{ stop }} as {{ dbt.type_bigint() }}))
{%- endmacro %}

{% macro duckdb__integer_series(start, stop) -%}
    unnest(generate_series(cast({{ start }} as {{ dbt.type_bigint() }}), cast({{ stop }} as {{ dbt.type_bigint() }})))
{%- endmacro %}

{# Spark's sequence() counts down when stop < start; the filter makes that case empty. #}
{% macro spark__integer_series(start, stop) -%}
    explode(filter(
        sequence(cast({{ start }} as bigint), cast({{ stop }} as bigint)),
        series_value -> series_value between cast({{ start }} as bigint) and cast({{ stop }} as bigint)
    ))
{%- endmacro %}

{#
    period_start(period, date_expr): the first day (a date) of the period holding date_expr.
    Weeks start on Monday: dbt.date_trunc('week', ...) is date_trunc('week', ...) on DuckDB,
    Spark and Postgres, and all three truncate to the Monday (ISO weeks). The singular test
    assert_behaviour_period_helpers checks it on the engine that runs the build.
#}
{% macro period_start(period, date_expr) -%}
    cast({{ dbt.date_trunc(period, date_expr) }} as date)
{%- endmacro %}

{#
    period_index(period, date_expr): the number of whole periods from 1900-01-01 (a Monday and
    the first day of a month) to the period holding date_expr, so consecutive periods have
    consecutive indexes.
#}
{% macro period_index(period, date_expr) -%}
    {{ periods_between(period, "cast('1900-01-01' as date)", period_start(period, date_expr)) }}
{%- endmacro %}

{#
    periods_between(period, start_expr, end_expr): whole periods from start_expr to end_expr,
    both the first day of a period (as period_start gives). Weeks are day differences / 7 (exact
    for Mondays); months and days use dbt.datediff.
#}
{% macro periods_between(period, start_expr, end_expr) -%}
    {%- if period == 'week' -%}
        cast(floor({{ dbt.datediff(start_expr, end_expr, 'day') }} / 7) as {{ dbt.type_bigint() }})
    {%- else -%}
        cast({{ dbt.datediff(start_expr, end_expr, period) }} as {{ dbt.type_bigint() }})
    {%- endif -%}
{%- endmacro %}

{# add_periods(period, n_expr, date_expr): date_expr moved by n_expr periods, a date. #}
{% macro add_periods(period, n_expr, date_expr) -%}
    {%- if period == 'week' -%}
        cast({{ dbt.dateadd('day', '7 * (' ~ n_expr ~ ')', date_expr) }} as date)
    {%- else -%}
        cast({{ dbt.dateadd(period, n_expr, date_expr) }} as date)
    {%- endif -%}
{%- endmacro %}

{#
    retention_ctes(period, group_columns, with_revenue): the logical CTEs of a cohort-retention
    mart, shared by cohort_retention_monthly/_weekly, activity_retention_monthly and
    cohort_retention_breakdowns. The calling model defines three CTEs first:
      cohort_members   group_columns..., user_id, cohort_start   (one row per user per group)
      member_activity  user_id, activity_start[, revenue_amount] (one row per user per active period)
      as_of_period     as_of_date, as_of_start                   (one row)
    and gets the CTE `retention`: one row per group × cohort_start × period_number, a dense grid
    0 .. periods from cohort_start to as_of_start, with period_start, cohort_size, active_users
    (members with activity in the period), on_or_after_users (members with activity in the
    period or a later one), is_complete_period and, with_revenue, revenue_amount and
    cumulative_revenue_amount. Activity before the cohort period is ignored.
#}
{% macro retention_ctes(period, group_columns=[], with_revenue=true) -%}
{%- set groups_prefixed = [] -%}
{%- for column in group_columns -%}{%- do groups_prefixed.append('cohort_members.' ~ column) -%}{%- endfor -%}
{%- set group_list = (group_columns | join(', ') ~ ', ') if group_columns else '' -%}
member_periods as (
    select
        {% for column in groups_prefixed %}{{ column }},
        {% endfor -%}
        cohort_members.cohort_start,
        cohort_members.user_id,
        {{ periods_between(period, 'cohort_members.cohort_start', 'member_activity.activity_start') }}
            as period_number{% if with_revenue %},
        member_activity.revenue_amount{% endif %}
    from cohort_members
    inner join member_activity
        on cohort_members.user_id = member_activity.user_id
    where member_activity.activity_start >= cohort_members.cohort_start
),

cohort_sizes as (
    select
        {{ group_list }}cohort_start,
        count(*) as cohort_size
    from cohort_members
    group by {{ group_list }}cohort_start
),

period_totals as (
    select
        {{ group_list }}cohort_start,
        period_number,
        count(*) as active_users{% if with_revenue %},
        sum(revenue_amount) as revenue_amount{% endif %}
    from member_periods
    group by {{ group_list }}cohort_start, period_number
),

member_last_periods as (
    select
        {{ group_list }}cohort_start,
        user_id,
        max(period_number) as last_period_number
    from member_periods
    group by {{ group_list }}cohort_start, user_id
),

last_period_counts as (
    select
        {{ group_list }}cohort_start,
        last_period_number as period_number,
        count(*) as last_active_users
    from member_last_periods
    group by {{ group_list }}cohort_start, last_period_number
),

grid as (
    select
        {% for column in group_columns %}cohort_sizes.{{ column }},
        {% endfor -%}
        cohort_sizes.cohort_start,
        cohort_sizes.cohort_size,
        as_of_period.as_of_date,
        {{ integer_series('0', periods_between(period, 'cohort_sizes.cohort_start', 'as_of_period.as_of_start')) }}
            as period_number
    from cohort_sizes
    cross join as_of_period
),

retention as (
    select
        {% for column in group_columns %}grid.{{ column }},
        {% endfor -%}
        grid.cohort_start,
        grid.period_number,
        {{ add_periods(period, 'grid.period_number', 'grid.cohort_start') }} as period_start,
        {{ add_periods(period, 'grid.period_number + 1', 'grid.cohort_start') }} <= {{
            dbt.dateadd('day', 1, 'grid.as_of_date') }} as is_complete_period,
        grid.cohort_size,
        coalesce(period_totals.active_users, 0) as active_users,
        sum(coalesce(last_period_counts.last_active_users, 0)) over (
            partition by {% for column in group_columns %}grid.{{ column }}, {% endfor %}grid.cohort_start
            order by grid.period_number desc
            rows between unbounded preceding and current row
        ) as on_or_after_users{% if with_revenue %},
        coalesce(period_totals.revenue_amount, 0) as revenue_amount,
        sum(coalesce(period_totals.revenue_amount, 0)) over (
            partition by {% for column in group_columns %}grid.{{ column }}, {% endfor %}grid.cohort_start
            order by grid.period_number asc
            rows between unbounded preceding and current row
        ) as cumulative_revenue_amount{% endif %}
    from grid
    left join period_totals
        on
            {% for column in group_columns %}grid.{{ column }} = period_totals.{{ column }}
            and {% endfor %}grid.cohort_start = period_totals.cohort_start
            and grid.period_number = period_totals.period_number
    left join last_period_counts
        on
            {% for column in group_columns %}grid.{{ column }} = last_period_counts.{{ column }}
            and {% endfor %}grid.cohort_start = last_period_counts.cohort_start
            and grid.period_number = last_period_counts.period_number
)
{%- endmacro %}

{#
    purchase_cohort_ctes(period): the three input CTEs retention_ctes needs for purchase
    retention, from the calling model's import CTEs `orders` (fct_orders: user_id, order_date,
    order_amount, is_first_order) and `as_of` (as_of_date): as_of_period, cohort_members (a
    user's cohort is the period of their first valid order) and member_activity (one row per
    user and period with a valid order, with its revenue). Shared by cohort_retention_monthly
    and cohort_retention_weekly, which differ only in the period.
#}
{% macro purchase_cohort_ctes(period) -%}
as_of_period as (
    select
        as_of_date,
        {{ period_start(period, 'as_of_date') }} as as_of_start
    from as_of
),

cohort_members as (
    select
        user_id,
        {{ period_start(period, 'order_date') }} as cohort_start
    from orders
    where is_first_order
),

member_activity as (
    select
        user_id,
        {{ period_start(period, 'order_date') }} as activity_start,
        sum(order_amount) as revenue_amount
    from orders
    group by user_id, {{ period_start(period, 'order_date') }}
)
{%- endmacro %}

{#
    retention_columns(grain, with_revenue): the select list of a retention mart's final CTE over
    the `retention` CTE of retention_ctes, so every retention mart writes its rates once:
    cohort_<grain>, period_number, period_<grain>, is_complete_period, cohort_size,
    active_users, retention_rate = active_users / cohort_size, on_or_after_users,
    on_or_after_retention_rate = on_or_after_users / cohort_size and, with_revenue,
    revenue_amount, cumulative_revenue_amount and cumulative_revenue_per_user =
    cumulative_revenue_amount / cohort_size. grain names the period ('month', 'week').
#}
{% macro retention_columns(grain, with_revenue=true) -%}
    cohort_start as cohort_{{ grain }},
    cast(period_number as integer) as period_number,
    period_start as period_{{ grain }},
    is_complete_period,
    cast(cohort_size as {{ dbt.type_bigint() }}) as cohort_size,
    cast(active_users as {{ dbt.type_bigint() }}) as active_users,
    cast(active_users * 1.0 / cohort_size as double) as retention_rate,
    cast(on_or_after_users as {{ dbt.type_bigint() }}) as on_or_after_users,
    cast(on_or_after_users * 1.0 / cohort_size as double) as on_or_after_retention_rate
    {%- if with_revenue %},
    cast(revenue_amount as decimal(18, 2)) as revenue_amount,
    cast(cumulative_revenue_amount as decimal(18, 2)) as cumulative_revenue_amount,
    cast(cumulative_revenue_amount / cohort_size as decimal(18, 2)) as cumulative_revenue_per_user
    {%- endif %}
{%- endmacro %}

{#
    gap_bucket_number(column): the 1-based bucket of a day count for order_gap_distribution, from
    var('order_gap_bucket_upper_days') (inclusive upper bounds, ascending): 1 when column <= the
    first bound, ..., n + 1 (the open last bucket) above the last one.
#}
{% macro gap_bucket_number(column) -%}
    {%- set upper_days = var('order_gap_bucket_upper_days') -%}
    case
    {%- for upper in upper_days %}
        when {{ column }} <= {{ upper }} then {{ loop.index }}
    {%- endfor %}
        else {{ upper_days | length + 1 }}
    end
{%- endmacro %}

{#
    gap_buckets(): a query with one row per bucket of var('order_gap_bucket_upper_days'):
    bucket_number, gap_bucket (label 'min-max', 'min+' for the open last bucket), min_gap_days and
    max_gap_days (null for the open last bucket). The first bucket starts at 0.
#}
{% macro gap_buckets() -%}
    {%- set upper_days = var('order_gap_bucket_upper_days') -%}
    {%- for upper in upper_days %}
    {%- set lower = 0 if loop.first else upper_days[loop.index0 - 1] + 1 %}
    select
        {{ loop.index }} as bucket_number,
        '{{ lower }}-{{ upper }}' as gap_bucket,
        {{ lower }} as min_gap_days,
        {{ upper }} as max_gap_days
    union all
    {%- endfor %}
    select
        {{ upper_days | length + 1 }} as bucket_number,
        '{{ upper_days[-1] + 1 }}+' as gap_bucket,
        {{ upper_days[-1] + 1 }} as min_gap_days,
        cast(null as integer) as max_gap_days
{%- endmacro %}

{#
    rates_out_of_range(checks): for the singular test assert_behaviour_rates_between_zero_and_one.
    checks is a list of (model name, key columns, rate columns); gives a union of queries with one
    row (model_name, column_name, row_key, rate_value) per rate outside [0, 1], and per row where
    on_or_after_retention_rate < retention_rate.
#}
{% macro rates_out_of_range(checks) -%}
    {%- set queries = [] -%}
    {%- for model_name, key_columns, rate_columns in checks -%}
        {%- set key_parts = [] -%}
        {%- for key_column in key_columns -%}
            {%- if not loop.first %}{% do key_parts.append("'|'") %}{% endif -%}
            {%- do key_parts.append('cast(' ~ key_column ~ ' as ' ~ dbt.type_string() ~ ')') -%}
        {%- endfor -%}
        {%- for rate_column in rate_columns -%}
            {%- set condition = rate_column ~ ' < 0 or ' ~ rate_column ~ ' > 1' -%}
            {%- if rate_column == 'on_or_after_retention_rate' -%}
                {%- set condition = condition ~ ' or on_or_after_retention_rate < retention_rate' -%}
            {%- endif -%}
            {%- do queries.append(
                "select '" ~ model_name ~ "' as model_name, '" ~ rate_column ~ "' as column_name, "
                ~ dbt.concat(key_parts) ~ " as row_key, cast(" ~ rate_column ~ " as double) as rate_value from "
                ~ ref(model_name) ~ " where " ~ condition
            ) -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ queries | join('\n    union all\n    ') }}
{%- endmacro %}

{#
    period_index_by_type(period_type_column, date_expr): period_index of date_expr for the period
    type named in a column ('week' or 'month'), for models that hold both period types in one
    relation (user_growth_accounting).
#}
{% macro period_index_by_type(period_type_column, date_expr) -%}
    case
        when {{ period_type_column }} = 'week' then {{ period_index('week', date_expr) }}
        else {{ period_index('month', date_expr) }}
    end
{%- endmacro %}

{# sql_string_list(values): a list of strings as quoted SQL literals, 'a', 'b' (for an in (...) list). #}
{% macro sql_string_list(values) -%}
    {%- set quoted = [] -%}
    {%- for value in values -%}{%- do quoted.append("'" ~ (value | string | replace("'", "''")) ~ "'") -%}{%- endfor -%}
    {{ quoted | join(', ') }}
{%- endmacro %}
