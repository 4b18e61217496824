-- The change log of int_events_identified (doc block incremental_consumers): one marker row per
-- run of that model (event_id null; is_everything when the run wrote every event), and one row
-- per stored event a daily run deleted, as it was stored: the event is written again in the same
-- run with other values, or is gone (an event written again unchanged leaves the log in the same
-- run: macro drop_unchanged_identified_events). The rows come from int_events_identified's pre-hooks
-- (macro log_replaced_identified_events), which also drop the runs older than
-- var('replaced_events_kept_days'); building this model only creates the empty table. The models
-- that read int_events_identified and follow it in daily runs read this log to find the keys of
-- the events that changed since they last wrote. A marker row also records the settings of its
-- run (doc block incremental_identified_events). Empty on Spark, where those models are tables.
{{
    config(
        materialized='table' if target.type == 'spark' else 'incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook=[
            "{{ add_missing_column('run_settings', dbt.type_string()) }}",
            "{{ add_missing_column('stored_written_at', dbt.type_timestamp()) }}",
            "{{ add_missing_column('stored_row_hash', dbt.type_string()) }}",
        ]
    )
}}
with

final as (
    select
        cast(null as {{ dbt.type_timestamp() }}) as replaced_at,
        cast(null as boolean) as is_everything,
        cast(null as {{ dbt.type_string() }}) as event_id,
        cast(null as {{ dbt.type_string() }}) as session_id,
        cast(null as {{ dbt.type_string() }}) as user_id,
        cast(null as {{ dbt.type_string() }}) as stitched_user_id,
        cast(null as {{ dbt.type_string() }}) as anonymous_id,
        cast(null as date) as event_date,
        cast(null as {{ dbt.type_string() }}) as run_settings,
        cast(null as {{ dbt.type_timestamp() }}) as stored_written_at,
        cast(null as {{ dbt.type_string() }}) as stored_row_hash
)

select * from final
where 1 = 0
