-- One row per rejected raw row: the source table, the row's key, the reason code (explained in
-- the quarantine_reasons seed), which occurrence of that key and reason it is, and a short
-- description of the row (never personal data).
with

rejected as (
    select * from {{ ref('int_raw_rows_checked') }}
    where quarantine_reason is not null
),

numbered as (
    select
        source_table,
        row_key,
        quarantine_reason,
        cast(row_number() over (
            partition by source_table, row_key, quarantine_reason
            order by row_detail
        ) as {{ dbt.type_bigint() }}) as occurrence,
        row_detail
    from rejected
),

final as (
    select
        {{ dbt.concat([
            'source_table', "':'", 'row_key', "':'", 'quarantine_reason', "':'",
            'cast(occurrence as ' ~ dbt.type_string() ~ ')'
        ]) }} as quarantine_id,
        source_table,
        row_key,
        quarantine_reason,
        occurrence,
        row_detail
    from numbered
)

select * from final
