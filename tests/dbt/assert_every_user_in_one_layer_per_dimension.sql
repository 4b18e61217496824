-- Asserts that every layer dimension (macro layer_dimensions) puts every user in exactly one
-- layer: in user_layers, each user of user_facts has a non-null value in every dimension column;
-- in user_layer_memberships, every snapshot has, for every dimension of the macro, exactly one
-- non-null layer per user of the snapshot (a dimension missing from a snapshot, a null layer or
-- a user twice fails). Returns one row per broken (as_of_date, dimension); as_of_date is null for
-- the current layers. With var('scope_tests_to_last_run') (the default) only the snapshot of this
-- run's as-of date is checked, the one snapshot a run writes (macro snapshot_of_last_run): the
-- earlier ones were checked by the runs that wrote them, and the test's cost stays that of one
-- snapshot however long the history.
with

as_of as (
    select as_of_date from {{ ref('int_as_of_date') }}
),

facts as (
    select user_id from {{ ref('user_facts') }}
),

layers as (
    select * from {{ ref('user_layers') }}
),

memberships as (
    select
        memberships.as_of_date,
        memberships.dimension,
        memberships.user_id,
        memberships.layer
    from {{ ref('user_layer_memberships') }} as memberships
    {%- if var('scope_tests_to_last_run') %}
    inner join as_of
        on memberships.as_of_date = as_of.as_of_date
    {%- endif %}
),

dimensions as (
    {% for dimension in layer_dimensions() %}
        select '{{ dimension }}' as dimension
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

current_layers as (
    {% for dimension in layer_dimensions() %}
        select
            '{{ dimension }}' as dimension,
            facts.user_id,
            layers.{{ dimension }} as layer
        from facts
        left join layers
            on facts.user_id = layers.user_id
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

current_broken as (
    select
        cast(null as date) as as_of_date,
        dimension,
        count(*) as users,
        count(layer) as memberships
    from current_layers
    group by dimension
    having count(layer) != count(*)
),

snapshot_users as (
    select
        as_of_date,
        count(distinct user_id) as users
    from memberships
    group by as_of_date
),

snapshot_broken as (
    select
        snapshot_users.as_of_date,
        dimensions.dimension,
        snapshot_users.users,
        count(memberships.layer) as memberships
    from snapshot_users
    cross join dimensions
    left join memberships
        on
            snapshot_users.as_of_date = memberships.as_of_date
            and dimensions.dimension = memberships.dimension
    group by snapshot_users.as_of_date, dimensions.dimension, snapshot_users.users
    having
        count(memberships.layer) != snapshot_users.users
        or count(distinct memberships.user_id) != snapshot_users.users
),

broken as (
    select * from current_broken
    union all
    select * from snapshot_broken
)

select * from broken
