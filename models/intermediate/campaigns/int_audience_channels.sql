-- One row per audience of seeds/audiences.csv and channel it may send on: the audience's channel
-- (channel_rank 1), or for channel 'cheapest' every channel of seeds/message_costs.csv ranked by
-- cost_per_message_amount, cheapest first (ties by channel name). audience_members sends each
-- member on the reachable channel of lowest channel_rank. The tag lists are carried with the
-- number of tags has_tags names (has_tag_count, 0 when empty), which a member must all hold.
with

audiences as (
    select * from {{ ref('audiences') }}
),

channel_costs as (
    select
        channel,
        cost_per_message_amount
    from {{ ref('message_costs') }}
),

candidate_channels as (
    select
        audiences.audience_name,
        audiences.channel,
        1 as channel_rank
    from audiences
    where audiences.channel != 'cheapest'
    union all
    select
        audiences.audience_name,
        channel_costs.channel,
        row_number() over (
            partition by audiences.audience_name
            order by channel_costs.cost_per_message_amount asc, channel_costs.channel asc
        ) as channel_rank
    from audiences
    cross join channel_costs
    where audiences.channel = 'cheapest'
),

final as (
    select
        audiences.audience_name,
        audiences.priority,
        {% for dimension in layer_dimensions() -%}
            audiences.{{ dimension }},
        {% endfor -%}
        audiences.has_tags,
        audiences.lacks_tags,
        case
            when audiences.has_tags is null then 0
            else
                {{ dbt.length('audiences.has_tags') }}
                - {{ dbt.length(dbt.replace('audiences.has_tags', "';'", "''")) }}
                + 1
        end as has_tag_count,
        audiences.min_recency_days,
        audiences.max_recency_days,
        audiences.min_order_count,
        audiences.channel as audience_channel,
        candidate_channels.channel,
        candidate_channels.channel_rank,
        audiences.control_share
    from audiences
    inner join candidate_channels
        on audiences.audience_name = candidate_channels.audience_name
)

select * from final
