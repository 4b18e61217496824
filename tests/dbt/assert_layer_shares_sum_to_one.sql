-- Asserts that layer_summary splits every snapshot completely for every dimension: per
-- (as_of_date, dimension), sum(share_of_users) = 1 (within 1e-9), sum(users) = the number of
-- users of that snapshot in user_layer_history (every user in exactly one layer), and, when the
-- snapshot has revenue, sum(share_of_revenue) = 1 (within 1e-9). Returns one row per broken
-- (as_of_date, dimension).
with

summary as (
    select
        as_of_date,
        dimension,
        users,
        share_of_users,
        revenue_amount,
        share_of_revenue
    from {{ ref('layer_summary') }}
),

snapshot_sizes as (
    select
        as_of_date,
        count(*) as snapshot_users
    from {{ ref('user_layer_history') }}
    group by as_of_date
),

per_dimension as (
    select
        as_of_date,
        dimension,
        sum(users) as layer_users,
        sum(share_of_users) as share_of_users,
        sum(revenue_amount) as revenue_amount,
        sum(share_of_revenue) as share_of_revenue
    from summary
    group by as_of_date, dimension
),

broken as (
    select
        per_dimension.as_of_date,
        per_dimension.dimension,
        per_dimension.layer_users,
        snapshot_sizes.snapshot_users,
        per_dimension.share_of_users,
        per_dimension.revenue_amount,
        per_dimension.share_of_revenue
    from per_dimension
    left join snapshot_sizes
        on per_dimension.as_of_date = snapshot_sizes.as_of_date
    where
        abs(per_dimension.share_of_users - 1) > 1e-9
        or snapshot_sizes.snapshot_users is null
        or per_dimension.layer_users != snapshot_sizes.snapshot_users
        or (
            per_dimension.revenue_amount > 0
            and (per_dimension.share_of_revenue is null or abs(per_dimension.share_of_revenue - 1) > 1e-9)
        )
)

select * from broken
