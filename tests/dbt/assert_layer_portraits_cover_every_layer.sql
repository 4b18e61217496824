-- Asserts that layer_portraits describes every layer and every audience, with all its users and
-- every attribute: per layer dimension, the layers and their sizes equal those of the as-of
-- date's snapshot in user_layer_memberships; per audience, the members (treatment and control)
-- of the latest audience date in audience_members; and each has six attributes. Returns one row
-- per layer that is missing on either side, differs in size, or lacks an attribute.
with

as_of as (
    select as_of_date from {{ ref('int_as_of_date') }}
),

audience_members as (
    select
        audience_date,
        audience_name,
        user_id
    from {{ ref('audience_members') }}
),

expected as (
    select
        memberships.dimension,
        memberships.layer,
        count(*) as layer_users
    from {{ ref('user_layer_memberships') }} as memberships
    inner join as_of
        on memberships.as_of_date = as_of.as_of_date
    group by memberships.dimension, memberships.layer
    union all
    select
        'audience' as dimension,
        audience_name as layer,
        count(distinct user_id) as layer_users
    from audience_members
    where audience_date = (select max(latest.audience_date) from audience_members as latest)
    group by audience_name
),

described as (
    select
        dimension,
        layer,
        max(layer_users) as layer_users,
        count(distinct attribute_name) as attribute_count
    from {{ ref('layer_portraits') }}
    group by dimension, layer
),

broken as (
    select
        coalesce(expected.dimension, described.dimension) as dimension,
        coalesce(expected.layer, described.layer) as layer,
        expected.layer_users as expected_layer_users,
        described.layer_users,
        described.attribute_count
    from expected
    full outer join described
        on expected.dimension = described.dimension and expected.layer = described.layer
    where
        expected.layer is null
        or described.layer is null
        or expected.layer_users != described.layer_users
        or described.attribute_count != 6
)

select * from broken
