-- Asserts the 181 rule of engagement_tier on user_layers (doc block engagement_tier): every user
-- of user_facts is ranked; core and marginal each hold their share of all users to the nearest
-- whole user (|users - N x share| <= 0.5, however many users tie); and the tiers follow the
-- score (no core user scores below a normal one, no normal user below a marginal one). Returns
-- one row per broken check.
with

facts as (
    select count(*) as all_users from {{ ref('user_facts') }}
),

layers as (
    select
        engagement_tier,
        engagement_score
    from {{ ref('user_layers') }}
),

tiers as (
    select
        engagement_tier,
        count(*) as users,
        min(engagement_score) as min_score,
        max(engagement_score) as max_score
    from layers
    group by engagement_tier
),

expected_shares as (
    select
        'core' as engagement_tier,
        {{ var('engagement_core_share') }} as expected_share
    union all
    select
        'marginal' as engagement_tier,
        {{ var('engagement_marginal_share') }} as expected_share
),

share_checks as (
    select
        'share of all users off by more than half a user' as failure,
        expected_shares.engagement_tier,
        coalesce(tiers.users, 0) as users,
        facts.all_users
    from expected_shares
    cross join facts
    left join tiers
        on expected_shares.engagement_tier = tiers.engagement_tier
    where abs(coalesce(tiers.users, 0) - facts.all_users * expected_shares.expected_share) > 0.5
),

ranked_users as (
    select count(*) as users
    from layers
    where engagement_tier is not null
),

coverage_checks as (
    select
        'user_layers does not rank every user of user_facts once' as failure,
        cast(null as {{ dbt.type_string() }}) as engagement_tier,
        ranked_users.users,
        facts.all_users
    from facts
    cross join ranked_users
    where ranked_users.users != facts.all_users
),

order_checks as (
    select
        'a higher tier holds a lower score than the tier below it' as failure,
        higher.engagement_tier,
        higher.users,
        cast(null as {{ dbt.type_bigint() }}) as all_users
    from tiers as higher
    inner join tiers as lower_tier
        on
            (higher.engagement_tier = 'core' and lower_tier.engagement_tier = 'normal')
            or (higher.engagement_tier = 'normal' and lower_tier.engagement_tier = 'marginal')
    where higher.min_score < lower_tier.max_score
),

broken as (
    select * from share_checks
    union all
    select * from coverage_checks
    union all
    select * from order_checks
)

select * from broken
