-- One row per campaign x declared group: the intended share of the campaign's targeted users.
-- A campaign with rows in seeds/campaign_variants.csv: those rows. Otherwise a campaign of
-- seeds/campaigns.csv with a control share s (its control_share, else its audience's): control s
-- and treatment 1 - s. Other campaigns have no rows (no sample-ratio check).
with

variants as (
    select * from {{ ref('campaign_variants') }}
),

campaigns as (
    select * from {{ ref('campaigns') }}
),

audiences as (
    select * from {{ ref('audiences') }}
),

declared_campaigns as (
    select distinct campaign_id from variants
),

default_splits as (
    select
        campaigns.campaign_id,
        cast(coalesce(campaigns.control_share, audiences.control_share) as double) as control_share
    from campaigns
    left join audiences
        on campaigns.audience_name = audiences.audience_name
    left join declared_campaigns
        on campaigns.campaign_id = declared_campaigns.campaign_id
    where
        declared_campaigns.campaign_id is null
        and coalesce(campaigns.control_share, audiences.control_share) is not null
),

groups as (
    select
        campaign_id,
        test_group,
        cast(intended_share as double) as intended_share
    from variants
    union all
    select
        campaign_id,
        'control' as test_group,
        control_share as intended_share
    from default_splits
    union all
    select
        campaign_id,
        'treatment' as test_group,
        1 - control_share as intended_share
    from default_splits
),

final as (
    select
        campaign_id,
        test_group,
        intended_share
    from groups
)

select * from final
