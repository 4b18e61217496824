-- One row per first valid order, touch and attribution model: the share (weight) of the order
-- credited to the touch. Touches are the sessions with a utm_source of the buyer (identity
-- stitched: fct_sessions.stitched_user_id, the session's user_id else its device's user) that
-- started in the var('attribution_lookback_days') days up to the order (started_at in
-- [ordered_at - lookback, ordered_at]), numbered by started_at, then session_id. An order without
-- a touch gets one '(direct)' touch with weight 1 in every model.
-- Models (n touches, touch i): first_touch 1 for i = 1; last_touch 1 for i = n; linear 1 / n;
-- position_based 1 when n = 1, 0.5 each when n = 2, else var('attribution_first_touch_weight')
-- (0.4) for the first, var('attribution_last_touch_weight') (0.4) for the last and the rest split
-- evenly over the n - 2 middle touches. Weights of an order and model sum to 1.
{%- set first_weight = var('attribution_first_touch_weight') %}
{%- set last_weight = var('attribution_last_touch_weight') %}
{%- set models = ['first_touch', 'last_touch', 'linear', 'position_based'] %}
with

first_orders as (
    select
        order_id,
        user_id,
        ordered_at,
        order_date,
        order_amount
    from {{ ref('fct_orders') }}
    where is_first_order
),

touch_sessions as (
    select
        session_id,
        stitched_user_id as user_id,
        started_at,
        utm_source,
        utm_medium,
        utm_campaign,
        utm_content,
        utm_term
    from {{ ref('fct_sessions') }}
    where utm_source is not null
),

touches as (
    select
        first_orders.order_id,
        touch_sessions.session_id,
        touch_sessions.started_at as touched_at,
        touch_sessions.utm_source,
        touch_sessions.utm_medium,
        touch_sessions.utm_campaign,
        touch_sessions.utm_content,
        touch_sessions.utm_term,
        row_number() over (
            partition by first_orders.order_id
            order by touch_sessions.started_at, touch_sessions.session_id
        ) as touch_number,
        count(*) over (partition by first_orders.order_id) as touch_count
    from first_orders
    inner join touch_sessions
        on first_orders.user_id = touch_sessions.user_id
    where
        touch_sessions.started_at <= first_orders.ordered_at
        and touch_sessions.started_at
        >= {{ dbt.dateadd('day', -var('attribution_lookback_days'), 'first_orders.ordered_at') }}
),

order_touches as (
    select
        first_orders.order_id,
        first_orders.user_id,
        first_orders.ordered_at,
        first_orders.order_date,
        first_orders.order_amount,
        coalesce(touches.touch_number, 1) as touch_number,
        coalesce(touches.touch_count, 1) as touch_count,
        touches.session_id,
        touches.touched_at,
        coalesce(touches.utm_source, '(direct)') as utm_source,
        touches.utm_medium,
        touches.utm_campaign,
        touches.utm_content,
        touches.utm_term
    from first_orders
    left join touches
        on first_orders.order_id = touches.order_id
),

weighted as (
    {%- for model in models %}
        select
            order_id,
            user_id,
            ordered_at,
            order_date,
            order_amount,
            touch_number,
            touch_count,
            session_id,
            touched_at,
            utm_source,
            utm_medium,
            utm_campaign,
            utm_content,
            utm_term,
            '{{ model }}' as attribution_model,
            {%- if model == 'first_touch' %}
                case when touch_number = 1 then 1.0 else 0.0 end as attribution_weight
            {%- elif model == 'last_touch' %}
                case when touch_number = touch_count then 1.0 else 0.0 end as attribution_weight
            {%- elif model == 'linear' %}
                1.0 / touch_count as attribution_weight
            {%- else %}
                case
                    when touch_count = 1 then 1.0
                    when touch_count = 2 then 0.5
                    when touch_number = 1 then {{ first_weight }}
                    when touch_number = touch_count then {{ last_weight }}
                    else (1.0 - {{ first_weight }} - {{ last_weight }}) / (touch_count - 2)
                end as attribution_weight
            {%- endif %}
        from order_touches
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

final as (
    select
        order_id,
        attribution_model,
        cast(touch_number as integer) as touch_number,
        cast(touch_count as integer) as touch_count,
        user_id,
        ordered_at,
        order_date,
        session_id,
        touched_at,
        utm_source,
        utm_medium,
        utm_campaign,
        utm_content,
        utm_term,
        cast(attribution_weight as double) as attribution_weight,
        cast(order_amount as decimal(18, 2)) as order_amount,
        cast(order_amount * attribution_weight as double) as attributed_revenue_amount
    from weighted
)

select * from final
