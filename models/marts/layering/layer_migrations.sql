-- One row per dimension, pair of consecutive snapshot dates, from-layer and to-layer: how many
-- users moved from one layer to another between two snapshots in user_layer_history.
-- share_of_from_layer: doc block layer_share_of_from_layer (models/marts/layering/_layering__docs.md).
with

layers as (
    select * from {{ ref('user_layer_memberships') }}
),

snapshot_dates as (
    select distinct as_of_date from layers
),

consecutive as (
    select
        as_of_date,
        lag(as_of_date) over (order by as_of_date) as previous_as_of_date
    from snapshot_dates
),

moves as (
    select
        current_layers.dimension,
        consecutive.previous_as_of_date as from_date,
        current_layers.as_of_date as to_date,
        coalesce(previous_layers.layer, '(new user)') as from_layer,
        current_layers.layer as to_layer
    from layers as current_layers
    inner join consecutive
        on current_layers.as_of_date = consecutive.as_of_date
    left join layers as previous_layers
        on
            current_layers.user_id = previous_layers.user_id
            and current_layers.dimension = previous_layers.dimension
            and consecutive.previous_as_of_date = previous_layers.as_of_date
    where consecutive.previous_as_of_date is not null
),

counted as (
    select
        dimension,
        from_date,
        to_date,
        from_layer,
        to_layer,
        count(*) as users
    from moves
    group by dimension, from_date, to_date, from_layer, to_layer
),

final as (
    select
        dimension,
        from_date,
        to_date,
        from_layer,
        to_layer,
        cast(users as {{ dbt.type_bigint() }}) as users,
        cast(
            users * 1.0 / sum(users) over (partition by dimension, from_date, to_date, from_layer) as double
        ) as share_of_from_layer,
        from_layer = to_layer as is_same_layer
    from counted
)

select * from final
