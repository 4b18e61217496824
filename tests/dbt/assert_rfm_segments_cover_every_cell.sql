-- Asserts that the rfm_segments seed leaves no RFM cell unsegmented: each of the 250 cells
-- (r_score, f_score, m_score, order_count) in 1..5 x 1..5 x 1..5 x {1, 2} lies in the ranges of at
-- least one seed row (order counts above 2 fall in the same rows as 2 unless a row sets
-- max_order_count >= 2, which the ranges below would show). Returns one row per uncovered cell.
with

scores as (
    select score_values.score
    from (values (1), (2), (3), (4), (5)) as score_values (score)
),

segments as (
    select
        rfm_segment,
        r_min,
        r_max,
        f_min,
        f_max,
        m_min,
        m_max,
        min_order_count,
        max_order_count
    from {{ ref('rfm_segments') }}
),

cells as (
    select
        r_scores.score as r_score,
        f_scores.score as f_score,
        m_scores.score as m_score,
        order_counts.score as order_count
    from scores as r_scores
    cross join scores as f_scores
    cross join scores as m_scores
    cross join scores as order_counts
    where order_counts.score <= 2
),

uncovered as (
    select
        cells.r_score,
        cells.f_score,
        cells.m_score,
        cells.order_count
    from cells
    left join segments
        on
            cells.r_score between segments.r_min and segments.r_max
            and cells.f_score between segments.f_min and segments.f_max
            and cells.m_score between segments.m_min and segments.m_max
            and cells.order_count >= coalesce(segments.min_order_count, cells.order_count)
            and cells.order_count <= coalesce(segments.max_order_count, cells.order_count)
    where segments.rfm_segment is null
)

select * from uncovered
