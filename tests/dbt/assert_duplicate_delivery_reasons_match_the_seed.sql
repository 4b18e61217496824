-- Asserts that var('duplicate_delivery_reasons'), which the guard rail test
-- quarantine_share_within_limit leaves out of its share, names exactly the reasons that
-- seeds/quarantine_reasons.csv flags is_duplicate. Returns each reason found on one side only.
with

seed_reasons as (
    select distinct quarantine_reason
    from {{ ref('quarantine_reasons') }}
    where is_duplicate
),

only_in_seed as (
    select
        quarantine_reason,
        'only in the seed' as found
    from seed_reasons
    where quarantine_reason not in {{ sql_list(var('duplicate_delivery_reasons')) }}
),

only_in_var as (
    select
        reasons.quarantine_reason,
        'only in the var' as found
    from (
        {%- for reason in var('duplicate_delivery_reasons') %}
            select '{{ reason }}' as quarantine_reason
            {%- if not loop.last %} union all{% endif %}
        {%- endfor %}
    ) as reasons
    left join seed_reasons
        on reasons.quarantine_reason = seed_reasons.quarantine_reason
    where seed_reasons.quarantine_reason is null
),

differing as (
    select * from only_in_seed
    union all
    select * from only_in_var
)

select * from differing
