-- One row per snapshot date (as_of_date), user, tag group and tag: the user's tags as they were
-- that day (user_tags of each build), so an audience of a past date reads the tags of its layers
-- date, as it reads the layers of user_layer_history. Incremental: each build adds the rows of the
-- current as-of date and replaces any rows that date already had. `strata backfill` builds past
-- snapshot dates. full_refresh=false: `--full-refresh` does not wipe the history.
{{
    config(
        materialized='incremental',
        unique_key='as_of_date',
        on_schema_change='append_new_columns',
        full_refresh=false,
        **replace_date_rows('as_of_date')
    )
}}

with

tags as (
    select * from {{ ref('user_tags') }}
),

final as (
    select
        as_of_date,
        user_id,
        tag_group,
        tag
    from tags
)

select * from final
