-- Asserts that layer_migrations neither loses nor invents users: per (dimension, from_date,
-- to_date), sum(users) = the number of users of the to_date snapshot in user_layer_history, and
-- per (dimension, from_date, to_date, from_layer), sum(share_of_from_layer) = 1 (within 1e-9).
-- Returns one row per broken group (from_layer is null for the user-count check).
with

migrations as (
    select
        dimension,
        from_date,
        to_date,
        from_layer,
        users,
        share_of_from_layer
    from {{ ref('layer_migrations') }}
),

snapshot_sizes as (
    select
        as_of_date,
        count(*) as snapshot_users
    from {{ ref('user_layer_history') }}
    group by as_of_date
),

per_pair as (
    select
        dimension,
        from_date,
        to_date,
        sum(users) as migrated_users
    from migrations
    group by dimension, from_date, to_date
),

users_not_conserved as (
    select
        'users differ from the to_date snapshot' as failure,
        per_pair.dimension,
        per_pair.from_date,
        per_pair.to_date,
        cast(null as {{ dbt.type_string() }}) as from_layer,
        per_pair.migrated_users,
        snapshot_sizes.snapshot_users,
        cast(null as {{ dbt.type_float() }}) as share_of_from_layer
    from per_pair
    left join snapshot_sizes
        on per_pair.to_date = snapshot_sizes.as_of_date
    where snapshot_sizes.snapshot_users is null or per_pair.migrated_users != snapshot_sizes.snapshot_users
),

per_from_layer as (
    select
        dimension,
        from_date,
        to_date,
        from_layer,
        sum(share_of_from_layer) as share_of_from_layer
    from migrations
    group by dimension, from_date, to_date, from_layer
),

shares_not_one as (
    select
        'shares of the from-layer do not sum to 1' as failure,
        dimension,
        from_date,
        to_date,
        from_layer,
        cast(null as {{ dbt.type_bigint() }}) as migrated_users,
        cast(null as {{ dbt.type_bigint() }}) as snapshot_users,
        share_of_from_layer
    from per_from_layer
    where share_of_from_layer is null or abs(share_of_from_layer - 1) > 1e-9
),

broken as (
    select * from users_not_conserved
    union all
    select * from shares_not_one
)

select * from broken
