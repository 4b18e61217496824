-- Asserts that int_bgnbd_parameters_fitted has exactly one row, that a fitted model has
-- r, alpha, a, b > 0 and a log-likelihood, and that an unfitted one has null parameters.
-- Returns one row per failure.
with

parameters as (
    select
        as_of_date,
        is_fitted,
        r,
        alpha,
        a,
        b,
        log_likelihood
    from {{ ref('int_bgnbd_parameters_fitted') }}
),

row_count as (
    select count(*) as row_count
    from parameters
),

wrong_row_count as (
    select 'expected exactly one row' as failure
    from row_count
    where row_count != 1
),

bad_parameters as (
    select
        case
            when is_fitted then 'fitted with a parameter <= 0 or null, or no log-likelihood'
            else 'not fitted but a parameter is set'
        end as failure
    from parameters
    where
        (
            is_fitted
            and not (
                coalesce(r > 0, false)
                and coalesce(alpha > 0, false)
                and coalesce(a > 0, false)
                and coalesce(b > 0, false)
                and log_likelihood is not null
            )
        )
        or (
            not is_fitted
            and (r is not null or alpha is not null or a is not null or b is not null)
        )
),

final as (
    select * from wrong_row_count
    union all
    select * from bad_parameters
)

select * from final
