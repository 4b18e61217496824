-- One row: the BG/NBD churn model behind user_layers' p_alive and churn risk, as fitted for the
-- as-of date (int_bgnbd_parameters_fitted): its four parameters, how many buyers it saw, whether
-- it converged and why not. Analysts read it to judge the model before trusting its tiers.
with

final as (
    select
        as_of_date,
        r,
        alpha,
        a,
        b,
        log_likelihood,
        customers,
        is_fitted,
        fit_note
    from {{ ref('int_bgnbd_parameters_fitted') }}
)

select * from final
