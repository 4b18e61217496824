-- Asserts that no raw row is lost or counted twice: for each source_table of
-- data_quality_summary, rows_read = rows_kept + rows_quarantined_total, and the per-table
-- columns agree on every reason row of the table. Returns one row per table that breaks it.
with

summary as (
    select
        source_table,
        rows_read,
        rows_kept,
        rows_quarantined_total
    from {{ ref('data_quality_summary') }}
),

per_table as (
    select
        source_table,
        min(rows_read) as rows_read,
        min(rows_kept) as rows_kept,
        min(rows_quarantined_total) as rows_quarantined_total,
        count(distinct rows_read) as rows_read_values,
        count(distinct rows_kept) as rows_kept_values,
        count(distinct rows_quarantined_total) as rows_quarantined_total_values
    from summary
    group by source_table
),

unbalanced as (
    select *
    from per_table
    where
        rows_read != rows_kept + rows_quarantined_total
        or rows_read_values != 1
        or rows_kept_values != 1
        or rows_quarantined_total_values != 1
)

select * from unbalanced
