-- One row per user per snapshot date (as_of_date): the user's layers as they were that day.
-- Incremental: each build adds the rows of the current as-of date and replaces any rows that
-- date already had (never duplicates). `strata backfill` builds past snapshot dates.
-- full_refresh=false: `--full-refresh` does not wipe the history (drop the table by hand for that).
-- A table written before a layer dimension existed stops a run or build with a message (macro
-- assert_layer_history_has_dimensions): its past snapshots are rebuilt with `strata backfill`.
-- New non-dimension columns are appended (on_schema_change).
{{
    config(
        materialized='incremental',
        unique_key='as_of_date',
        on_schema_change='append_new_columns',
        full_refresh=false,
        **replace_date_rows('as_of_date')
    )
}}
{%- if execute and flags.WHICH in ('run', 'build') and is_incremental() %}
    {{- assert_layer_history_has_dimensions(this) }}
{%- endif %}

with

layers as (
    select * from {{ ref('user_layers') }}
),

final as (
    select
        as_of_date,
        user_id,
        {{ layer_dimensions() | join(', ') }},
        p_alive,
        order_count,
        revenue_amount,
        revenue_amount_365d
    from layers
)

select * from final
