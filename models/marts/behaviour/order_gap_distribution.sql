-- One row per gap bucket: the distribution of gap_days = days between consecutive valid order
-- days of the same user (int_user_order_days.gap_days: distinct order_date, reporting time zone),
-- so gap_days >= 1 (several orders on one day are one order day). Buckets come from
-- var('order_gap_bucket_upper_days') (7, 14, 30, 60, 90, 180): 0-7, 8-14, ..., 91-180 and an open
-- last bucket 181+; every bucket has a row (0 gaps when empty). median_gap_days is the median
-- over all gaps (percentile_cont(0.5), interpolated), the same on every row.
with

order_days as (
    select gap_days
    from {{ ref('int_user_order_days') }}
),

bucketed as (
    select
        gap_days,
        {{ gap_bucket_number('gap_days') }} as bucket_number
    from order_days
    where gap_days is not null
),

buckets as (
    {{ gap_buckets() }}
),

bucket_counts as (
    select
        bucket_number,
        count(*) as gap_count
    from bucketed
    group by bucket_number
),

totals as (
    select
        count(*) as total_gaps,
        percentile_cont(0.5) within group (order by gap_days) as median_gap_days
    from bucketed
),

counted as (
    select
        buckets.bucket_number,
        buckets.gap_bucket,
        buckets.min_gap_days,
        buckets.max_gap_days,
        coalesce(bucket_counts.gap_count, 0) as gap_count,
        totals.total_gaps,
        totals.median_gap_days
    from buckets
    cross join totals
    left join bucket_counts
        on buckets.bucket_number = bucket_counts.bucket_number
),

final as (
    select
        cast(bucket_number as integer) as bucket_number,
        cast(gap_bucket as {{ dbt.type_string() }}) as gap_bucket,
        cast(min_gap_days as integer) as min_gap_days,
        cast(max_gap_days as integer) as max_gap_days,
        cast(gap_count as {{ dbt.type_bigint() }}) as gap_count,
        cast(gap_count * 1.0 / nullif(total_gaps, 0) as double) as gap_share,
        cast(
            sum(gap_count) over (order by bucket_number rows between unbounded preceding and current row) * 1.0
            / nullif(total_gaps, 0) as double
        ) as cumulative_gap_share,
        cast(median_gap_days as double) as median_gap_days
    from counted
)

select * from final
