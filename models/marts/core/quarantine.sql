-- One row per rejected raw row: the source table, the row's key, the reason code (explained in
-- the quarantine_reasons seed), which occurrence of that key and reason it is, and a short
-- description of the row (never personal data).
with

rejected as (
    select * from {{ ref('int_raw_rows_checked') }}
    where quarantine_reason is not null
),

-- How many rejected rows share each (table, key, reason). Only the keys rejected more than once
-- need ranking: most keys are rejected once, and numbering every row with a window sorted all
-- the rejected rows (6M at 1M users, the model's time).
key_counts as (
    select
        source_table,
        row_key,
        quarantine_reason,
        count(*) as key_rows
    from rejected
    group by source_table, row_key, quarantine_reason
),

counted as (
    select
        rejected.source_table,
        rejected.row_key,
        rejected.quarantine_reason,
        rejected.row_detail,
        key_counts.key_rows
    from rejected
    left join key_counts
        on
            rejected.source_table = key_counts.source_table
            and rejected.row_key = key_counts.row_key
            and rejected.quarantine_reason = key_counts.quarantine_reason
),

numbered as (
    select
        source_table,
        row_key,
        quarantine_reason,
        cast(1 as {{ dbt.type_bigint() }}) as occurrence,
        row_detail
    from counted
    -- a key that is null matches no count: its one row is numbered 1
    where coalesce(key_rows, 1) = 1
    union all
    select
        source_table,
        row_key,
        quarantine_reason,
        cast(row_number() over (
            partition by source_table, row_key, quarantine_reason
            order by row_detail
        ) as {{ dbt.type_bigint() }}) as occurrence,
        row_detail
    from counted
    where key_rows > 1
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
