-- One row per customer model and parameter, as fitted for the as-of date: the purchase models
-- behind p_alive and expected orders (Pareto/NBD, BG/NBD; var('churn_model') says which one
-- user_layers and user_value_forecast use) and the Gamma-Gamma spend model behind
-- expected_order_value. With each parameter: the fit's log-likelihood, how many buyers it saw,
-- whether it converged and why not. Analysts read it to judge a model before trusting its tiers.
with

bgnbd as (
    select * from {{ ref('int_bgnbd_parameters_fitted') }}
),

pareto_nbd as (
    select * from {{ ref('int_pareto_nbd_parameters_fitted') }}
),

gamma_gamma as (
    select * from {{ ref('int_gamma_gamma_parameters_fitted') }}
),

-- One row per parameter: each fit's columns unpivoted.
parameters as (
    select
        'bgnbd' as model_name,
        'r' as parameter_name,
        r as parameter_value
    from bgnbd
    union all
    select
        'bgnbd' as model_name,
        'alpha' as parameter_name,
        alpha as parameter_value
    from bgnbd
    union all
    select
        'bgnbd' as model_name,
        'a' as parameter_name,
        a as parameter_value
    from bgnbd
    union all
    select
        'bgnbd' as model_name,
        'b' as parameter_name,
        b as parameter_value
    from bgnbd
    union all
    select
        'pareto_nbd' as model_name,
        'r' as parameter_name,
        r as parameter_value
    from pareto_nbd
    union all
    select
        'pareto_nbd' as model_name,
        'alpha' as parameter_name,
        alpha as parameter_value
    from pareto_nbd
    union all
    select
        'pareto_nbd' as model_name,
        's' as parameter_name,
        s as parameter_value
    from pareto_nbd
    union all
    select
        'pareto_nbd' as model_name,
        'beta' as parameter_name,
        beta as parameter_value
    from pareto_nbd
    union all
    select
        'gamma_gamma' as model_name,
        'p' as parameter_name,
        p as parameter_value
    from gamma_gamma
    union all
    select
        'gamma_gamma' as model_name,
        'q' as parameter_name,
        q as parameter_value
    from gamma_gamma
    union all
    select
        'gamma_gamma' as model_name,
        'gamma_scale' as parameter_name,
        gamma_scale as parameter_value
    from gamma_gamma
),

-- One row per model: what its fit says about itself.
fits as (
    select
        'bgnbd' as model_name,
        'purchase' as model_role,
        as_of_date,
        log_likelihood,
        customers,
        is_fitted,
        fit_note
    from bgnbd
    union all
    select
        'pareto_nbd' as model_name,
        'purchase' as model_role,
        as_of_date,
        log_likelihood,
        customers,
        is_fitted,
        fit_note
    from pareto_nbd
    union all
    select
        'gamma_gamma' as model_name,
        'spend' as model_role,
        as_of_date,
        log_likelihood,
        customers,
        is_fitted,
        fit_note
    from gamma_gamma
),

final as (
    select
        fits.as_of_date,
        fits.model_name,
        fits.model_role,
        fits.model_role = 'spend' or fits.model_name = '{{ var("churn_model") }}' as is_in_use,
        parameters.parameter_name,
        cast(parameters.parameter_value as double) as parameter_value,
        cast(fits.log_likelihood as double) as log_likelihood,
        cast(fits.customers as {{ dbt.type_bigint() }}) as customers,
        fits.is_fitted,
        fits.fit_note
    from fits
    inner join parameters
        on fits.model_name = parameters.model_name
)

select * from final
