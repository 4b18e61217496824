-- One row per user, category and activity_date (reporting time zone) on which the user viewed a
-- product of the category: the user's logged-in product_view events (an event of
-- int_events_identified with a user_id, so on or before the as-of date) whose JSON properties
-- name the category. The view signals of int_user_category_interest, stored apart so that a daily
-- run reads the properties of the changed users' events only.
-- Incremental on DuckDB (doc block incremental_consumers): a user's rows depend only on the
-- user's events, so a daily run deletes and writes again only the rows of the users whose events
-- changed since its last run. On Spark it is a table.
{{ config(**follows_identified_events('user_id')) }}
-- depends_on: {{ ref('int_events_identified_replaced') }}
with

-- The changed users are joined, not filtered with an IN (macro changed_keys_join): with the
-- product_view filter, DuckDB built the IN's semi join on the events with their properties.
events as (
    select
        events.user_id,
        events.event_date,
        {{ json_extract_text('events.properties', "'category'") }} as category
    from {{ ref('int_events_identified') }} as events
    {{ changed_keys_join('events.user_id', 'user_id') }}
    where
        events.user_id is not null
        and events.event_name = 'product_view'
),

final as (
    select
        user_id,
        category,
        event_date as activity_date,
        cast(count(*) as {{ dbt.type_bigint() }}) as product_view_count,
        {{ written_at() }} as written_at
    from events
    where category is not null
    group by user_id, category, event_date
)

select * from final
