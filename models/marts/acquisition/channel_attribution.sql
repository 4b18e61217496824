-- One row per utm_source (including '(direct)') and attribution model: first valid orders and
-- their revenue credited to the source (sums of first_order_attribution's weights).
with

attribution as (
    select
        utm_source,
        attribution_model,
        order_id,
        attribution_weight,
        attributed_revenue_amount
    from {{ ref('first_order_attribution') }}
),

model_totals as (
    select
        attribution_model,
        count(distinct order_id) as model_orders
    from attribution
    group by attribution_model
),

per_source as (
    select
        utm_source,
        attribution_model,
        sum(attribution_weight) as attributed_orders,
        sum(attributed_revenue_amount) as attributed_revenue_amount,
        count(*) as touches
    from attribution
    group by utm_source, attribution_model
),

final as (
    select
        per_source.utm_source,
        per_source.attribution_model,
        -- Sums of double weights are rounded: a parallel sum differs in the last bits between runs.
        cast(round(per_source.attributed_orders, 9) as double) as attributed_orders,
        cast(per_source.attributed_revenue_amount as decimal(18, 2)) as attributed_revenue_amount,
        cast(per_source.touches as {{ dbt.type_bigint() }}) as touches,
        cast(round(per_source.attributed_orders / model_totals.model_orders, 9) as double) as attributed_order_share
    from per_source
    inner join model_totals
        on per_source.attribution_model = model_totals.attribution_model
)

select * from final
