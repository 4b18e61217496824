{#
    Generic test `quarantine_share_within_limit`: the guard rail against a broken export. On a
    staging model (every raw row of one table, with its quarantine_reason) it fails, with one row
    naming the table, its rows, the rows quarantined and the top reason, when more than
    var('max_quarantine_share') of the rows are quarantined for reasons that are not duplicate
    delivery (var('duplicate_delivery_reasons'), the reasons flagged is_duplicate in
    seeds/quarantine_reasons.csv: a singular test keeps the two equal) and the table has at least
    var('quarantine_guard_min_rows') rows. In `dbt build` a failing test skips every model
    downstream of the staging model, so the marts of the last good build stay as they were. The
    test reads no other node (not even the seed): dbt lets only a test of one parent stop the
    models downstream.
#}
{% test quarantine_share_within_limit(model, source_table) %}

with

rows_checked as (
    select
        quarantine_reason,
        coalesce(
            quarantine_reason not in {{ sql_list(var('duplicate_delivery_reasons')) }}, false
        ) as is_counted
    from {{ model }}
),

per_reason as (
    select
        quarantine_reason,
        count(*) as reason_rows
    from rows_checked
    where is_counted
    group by quarantine_reason
),

top_reason as (
    select
        quarantine_reason,
        row_number() over (order by reason_rows desc, quarantine_reason asc) as reason_rank
    from per_reason
),

totals as (
    select
        count(*) as rows_read,
        sum(case when is_counted then 1 else 0 end) as rows_quarantined
    from rows_checked
),

failures as (
    select
        '{{ source_table }}' as source_table,
        totals.rows_read,
        totals.rows_quarantined,
        top_reason.quarantine_reason as top_reason
    from totals
    inner join top_reason
        on top_reason.reason_rank = 1
    where
        totals.rows_read >= {{ var('quarantine_guard_min_rows') }}
        and totals.rows_quarantined > {{ var('max_quarantine_share') }} * totals.rows_read
)

select * from failures

{% endtest %}
