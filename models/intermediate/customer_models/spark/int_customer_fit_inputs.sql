-- Spark only: the input of the three customer-model fits' stand-ins (int_bgnbd_parameters_fitted,
-- int_pareto_nbd_parameters_fitted, int_gamma_gamma_parameters_fitted): every buyer of
-- int_bgnbd_inputs with the as-of date. The left join from the as-of date keeps one row with the
-- date when there is no buyer, so an unfitted model's row still has its as-of date.
with

as_of as (
    select as_of_date from {{ ref('int_as_of_date') }}
),

buyers as (
    select
        user_id,
        first_order_date,
        last_order_date,
        frequency,
        recency_weeks,
        age_weeks,
        repeat_purchase_amount,
        as_of_date
    from {{ ref('int_bgnbd_inputs') }}
),

final as (
    select
        as_of.as_of_date,
        buyers.user_id,
        buyers.first_order_date,
        buyers.last_order_date,
        buyers.frequency,
        buyers.recency_weeks,
        buyers.age_weeks,
        buyers.repeat_purchase_amount
    from as_of
    left join buyers
        on as_of.as_of_date = buyers.as_of_date
)

select * from final
