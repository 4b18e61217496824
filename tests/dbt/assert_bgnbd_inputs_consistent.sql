-- Asserts in int_bgnbd_inputs that every buyer's BG/NBD summary is consistent:
-- frequency >= 0, 0 <= recency_weeks <= age_weeks, and recency_weeks = 0 when frequency = 0
-- (one purchase day only). Returns one row per broken buyer with the reason.
with

inputs as (
    select
        user_id,
        frequency,
        recency_weeks,
        age_weeks
    from {{ ref('int_bgnbd_inputs') }}
),

failures as (
    select
        user_id,
        frequency,
        recency_weeks,
        age_weeks,
        case
            when frequency < 0 then 'frequency < 0'
            when recency_weeks < 0 then 'recency_weeks < 0'
            when recency_weeks > age_weeks then 'recency_weeks > age_weeks'
            when frequency = 0 and recency_weeks != 0 then 'recency_weeks != 0 without repeat purchase'
        end as failure
    from inputs
),

final as (
    select *
    from failures
    where failure is not null
)

select * from final
