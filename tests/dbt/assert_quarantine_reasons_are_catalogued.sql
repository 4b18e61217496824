-- Asserts that every quarantined row's (source_table, quarantine_reason) pair is listed in the
-- quarantine_reasons seed, so each reason a model writes is documented and counted in
-- data_quality_summary. Returns one row per uncatalogued pair, with how many rows have it.
with

quarantine as (
    select
        source_table,
        quarantine_reason
    from {{ ref('quarantine') }}
),

reasons as (
    select
        source_table,
        quarantine_reason
    from {{ ref('quarantine_reasons') }}
),

uncatalogued as (
    select
        quarantine.source_table,
        quarantine.quarantine_reason,
        count(*) as quarantined_rows
    from quarantine
    left join reasons
        on
            quarantine.source_table = reasons.source_table
            and quarantine.quarantine_reason = reasons.quarantine_reason
    where reasons.quarantine_reason is null
    group by quarantine.source_table, quarantine.quarantine_reason
)

select * from uncatalogued
