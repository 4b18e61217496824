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

events as (
    select
        user_id,
        event_date,
        {{ json_extract_text('properties', "'category'") }} as category
    from {{ ref('int_events_identified') }}
    where
        user_id is not null
        and event_name = 'product_view'
        and {{ changed_since_stored('user_id') }}
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
