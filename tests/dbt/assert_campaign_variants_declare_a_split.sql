-- seeds/campaign_variants.csv: every campaign declares exactly one control group and shares in
-- (0, 1) that add up to 1; group names are as staging reads them (trimmed, lower case); a
-- campaign with declared groups leaves campaigns.control_share empty; seeds/campaigns.csv
-- coupon_codes is a ';'-separated list without spaces. One row per campaign that breaks a rule.
with

variants as (
    select * from {{ ref('campaign_variants') }}
),

campaigns as (
    select * from {{ ref('campaigns') }}
),

declared as (
    select
        campaign_id,
        sum(case when test_group = 'control' then 1 else 0 end) as control_rows,
        sum(intended_share) as share_total,
        min(intended_share) as smallest_share,
        max(intended_share) as largest_share,
        sum(case when test_group != lower(trim(test_group)) then 1 else 0 end) as badly_spelled_groups
    from variants
    group by campaign_id
),

split_failures as (
    select
        declared.campaign_id,
        'declared split' as broken_rule
    from declared
    left join campaigns
        on declared.campaign_id = campaigns.campaign_id
    where
        declared.control_rows != 1
        or abs(declared.share_total - 1) > 0.000000001
        or declared.smallest_share <= 0
        or declared.largest_share >= 1
        or declared.badly_spelled_groups > 0
        or campaigns.control_share is not null
),

coupon_failures as (
    select
        campaign_id,
        'coupon_codes format' as broken_rule
    from campaigns
    where
        coupon_codes is not null
        and not {{ regex_matches('coupon_codes', '^[^; ]+(;[^; ]+)*$') }}
),

final as (
    select * from split_failures
    union all
    select * from coupon_failures
)

select * from final
