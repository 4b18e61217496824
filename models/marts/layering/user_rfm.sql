-- One row per buyer (a user with at least one valid order on or before the as-of date): RFM
-- scores and segment. Defined once, in the doc blocks rfm_scores (exact quintiles over all buyers)
-- and rfm_segment (first matching row of the rfm_segments seed) in models/_docs.md.
with

buyers as (
    select
        user_id,
        as_of_date,
        recency_days,
        order_count,
        revenue_amount
    from {{ ref('user_facts') }}
    where is_buyer
),

segments as (
    select * from {{ ref('rfm_segments') }}
),

scored as (
    select
        *,
        cast(ceil(5 * cume_dist() over (order by recency_days desc)) as {{ dbt.type_int() }}) as r_score,
        cast(ceil(5 * cume_dist() over (order by order_count asc)) as {{ dbt.type_int() }}) as f_score,
        cast(ceil(5 * cume_dist() over (order by revenue_amount asc)) as {{ dbt.type_int() }}) as m_score
    from buyers
),

matched as (
    select
        scored.user_id,
        segments.rfm_segment,
        row_number() over (partition by scored.user_id order by segments.priority asc) as match_rank
    from scored
    inner join segments
        on
            scored.r_score between segments.r_min and segments.r_max
            and scored.f_score between segments.f_min and segments.f_max
            and scored.m_score between segments.m_min and segments.m_max
            and scored.order_count >= coalesce(segments.min_order_count, scored.order_count)
            and scored.order_count <= coalesce(segments.max_order_count, scored.order_count)
),

final as (
    select
        scored.user_id,
        scored.as_of_date,
        scored.recency_days,
        scored.order_count,
        scored.revenue_amount,
        scored.r_score,
        scored.f_score,
        scored.m_score,
        {{ dbt.concat([
            'cast(scored.r_score as ' ~ dbt.type_string() ~ ')',
            'cast(scored.f_score as ' ~ dbt.type_string() ~ ')',
            'cast(scored.m_score as ' ~ dbt.type_string() ~ ')',
        ]) }} as rfm_cell,
        coalesce(matched.rfm_segment, 'unsegmented') as rfm_segment
    from scored
    left join matched
        on scored.user_id = matched.user_id and matched.match_rank = 1
)

select * from final
