-- One row per rejected raw row: the source table, the row's key, the reason code (explained in
-- the quarantine_reasons seed), which occurrence of that key and reason it is, and a short
-- description of the row (never personal data).
with

rejected as (
    select * from {{ ref('int_raw_rows_checked') }}
    where quarantine_reason is not null
),

-- The (table, key, reason) groups with more than one rejected row: only these need ranking. Most
-- keys are rejected once, and numbering every row with a window sorted all the rejected rows
-- (6M at 1M users, the model's time).
repeated_keys as (
    select
        source_table,
        row_key,
        quarantine_reason
    from rejected
    group by source_table, row_key, quarantine_reason
    having count(*) > 1
),

single_rows as (
    select
        rejected.source_table,
        rejected.row_key,
        rejected.quarantine_reason,
        cast(1 as {{ dbt.type_bigint() }}) as occurrence,
        rejected.row_detail
    from rejected
    left join repeated_keys
        on
            rejected.source_table = repeated_keys.source_table
            and rejected.row_key = repeated_keys.row_key
            and rejected.quarantine_reason = repeated_keys.quarantine_reason
    where repeated_keys.source_table is null
),

repeated_rows as (
    select
        rejected.source_table,
        rejected.row_key,
        rejected.quarantine_reason,
        cast(row_number() over (
            partition by rejected.source_table, rejected.row_key, rejected.quarantine_reason
            order by rejected.row_detail
        ) as {{ dbt.type_bigint() }}) as occurrence,
        rejected.row_detail
    from rejected
    inner join repeated_keys
        on
            rejected.source_table = repeated_keys.source_table
            and rejected.row_key = repeated_keys.row_key
            and rejected.quarantine_reason = repeated_keys.quarantine_reason
),

numbered as (
    select * from single_rows
    union all
    select * from repeated_rows
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
