{#- The reason codes a model may write: those the quarantine_reasons seed lists for the raw table
    as checked in one of the given models. The list of codes lives in the seed. -#}
{% test quarantine_reason_catalogued(model, column_name, source_table, checked_in) %}

with

written as (
    select
        {{ column_name }} as quarantine_reason,
        count(*) as quarantined_rows
    from {{ model }}
    where {{ column_name }} is not null
    group by {{ column_name }}
),

catalogued as (
    select quarantine_reason
    from {{ ref('quarantine_reasons') }}
    where
        source_table = '{{ source_table }}'
        and checked_in in ('{{ checked_in | join("', '") }}')
),

uncatalogued as (
    select
        written.quarantine_reason,
        written.quarantined_rows
    from written
    left join catalogued
        on written.quarantine_reason = catalogued.quarantine_reason
    where catalogued.quarantine_reason is null
)

select * from uncatalogued

{% endtest %}
