-- One row per user of user_facts: the user's contribution score and place in the 181 rule over
-- all users as of the as-of date (doc blocks engagement_score and engagement_tier in
-- models/_docs.md; weights and shares are the vars those blocks name). user_layers reads
-- engagement_tier from here, as it reads rfm_segment from user_rfm.
{%- set weights = {
    'active_days': var('engagement_weight_active_days'),
    'sessions': var('engagement_weight_sessions'),
    'time_spent': var('engagement_weight_time_spent'),
    'revenue': var('engagement_weight_revenue'),
} -%}
{%- if weights.values() | select('lt', 0) | list or weights.values() | sum <= 0 -%}
    {{ exceptions.raise_compiler_error(
        'The engagement_weight_* vars must be >= 0 with a positive sum, got ' ~ weights
    ) }}
{%- endif -%}
{%- if var('engagement_core_share') < 0 or var('engagement_marginal_share') < 0
    or var('engagement_core_share') + var('engagement_marginal_share') > 1 -%}
    {{ exceptions.raise_compiler_error(
        'engagement_core_share and engagement_marginal_share must be >= 0 and sum to at most 1'
    ) }}
{%- endif %}
with

facts as (
    select
        user_id,
        as_of_date,
        active_days_30d,
        sessions_30d,
        time_spent_minutes_30d,
        revenue_amount_365d
    from {{ ref('user_facts') }}
),

component_ranks as (
    select
        user_id,
        percent_rank() over (order by active_days_30d) as active_days_rank,
        percent_rank() over (order by sessions_30d) as sessions_rank,
        percent_rank() over (order by time_spent_minutes_30d) as time_spent_rank,
        percent_rank() over (order by revenue_amount_365d) as revenue_rank
    from facts
),

scored as (
    select
        user_id,
        (
            {{ weights.active_days }} * active_days_rank
            + {{ weights.sessions }} * sessions_rank
            + {{ weights.time_spent }} * time_spent_rank
            + {{ weights.revenue }} * revenue_rank
        ) / ({{ weights.values() | join(' + ') }}) as engagement_score
    from component_ranks
),

ranked as (
    select
        user_id,
        engagement_score,
        row_number() over (
            order by engagement_score desc, {{ dbt.hash('user_id') }} asc, user_id asc
        ) as engagement_rank,
        count(*) over () as ranked_users
    from scored
),

final as (
    select
        facts.user_id,
        facts.as_of_date,
        facts.active_days_30d,
        facts.sessions_30d,
        facts.time_spent_minutes_30d,
        facts.revenue_amount_365d,
        cast(component_ranks.active_days_rank as double) as active_days_rank,
        cast(component_ranks.sessions_rank as double) as sessions_rank,
        cast(component_ranks.time_spent_rank as double) as time_spent_rank,
        cast(component_ranks.revenue_rank as double) as revenue_rank,
        cast(ranked.engagement_score as double) as engagement_score,
        cast(ranked.engagement_rank as {{ dbt.type_bigint() }}) as engagement_rank,
        case
            when ranked.engagement_rank <= round(ranked.ranked_users * {{ var('engagement_core_share') }})
                then 'core'
            when
                ranked.engagement_rank
                > ranked.ranked_users - round(ranked.ranked_users * {{ var('engagement_marginal_share') }})
                then 'marginal'
            else 'normal'
        end as engagement_tier
    from facts
    inner join component_ranks
        on facts.user_id = component_ranks.user_id
    inner join ranked
        on facts.user_id = ranked.user_id
)

select * from final
