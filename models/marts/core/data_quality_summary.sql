-- One row per raw table and quarantine reason (every reason in the quarantine_reasons seed,
-- zero when no row had it): rows read, rows kept, rows quarantined for that reason.
-- rows_read = rows_kept + rows_quarantined_total for each table.
with

reasons as (
    select * from {{ ref('quarantine_reasons') }}
),

raw_rows as (
    select * from {{ ref('int_raw_rows_checked') }}
),

per_table as (
    select
        source_table,
        count(*) as rows_read,
        sum(case when quarantine_reason is null then 1 else 0 end) as rows_kept,
        sum(case when quarantine_reason is null and has_rounded_amount then 1 else 0 end) as rows_amount_rounded
    from raw_rows
    group by source_table
),

quarantined as (
    select
        source_table,
        quarantine_reason,
        count(*) as rows_quarantined
    from raw_rows
    where quarantine_reason is not null
    group by source_table, quarantine_reason
),

per_reason as (
    select
        reasons.source_table,
        reasons.quarantine_reason,
        reasons.description as reason_description,
        reasons.is_duplicate,
        coalesce(quarantined.rows_quarantined, 0) as rows_quarantined
    from reasons
    left join quarantined
        on
            reasons.source_table = quarantined.source_table
            and reasons.quarantine_reason = quarantined.quarantine_reason
),

table_totals as (
    select
        source_table,
        sum(rows_quarantined) as rows_quarantined_total,
        sum(case when is_duplicate then rows_quarantined else 0 end) as duplicates_removed
    from per_reason
    group by source_table
),

final as (
    select
        per_reason.source_table,
        per_reason.quarantine_reason,
        per_reason.reason_description,
        per_reason.is_duplicate,
        cast(per_reason.rows_quarantined as {{ dbt.type_bigint() }}) as rows_quarantined,
        cast(coalesce(per_table.rows_read, 0) as {{ dbt.type_bigint() }}) as rows_read,
        cast(coalesce(per_table.rows_kept, 0) as {{ dbt.type_bigint() }}) as rows_kept,
        cast(table_totals.rows_quarantined_total as {{ dbt.type_bigint() }}) as rows_quarantined_total,
        cast(table_totals.duplicates_removed as {{ dbt.type_bigint() }}) as duplicates_removed,
        cast(coalesce(per_table.rows_amount_rounded, 0) as {{ dbt.type_bigint() }}) as rows_amount_rounded,
        cast(
            case
                when per_table.rows_read > 0 then per_reason.rows_quarantined * 1.0 / per_table.rows_read
                else 0
            end as double
        ) as quarantined_share
    from per_reason
    inner join table_totals
        on per_reason.source_table = table_totals.source_table
    left join per_table
        on per_reason.source_table = per_table.source_table
)

select * from final
