-- Asserts that layer_portraits splits every layer completely on every attribute: per (dimension,
-- layer, attribute_name), sum(users) = layer_users and sum(layer_share) = 1 (within 1e-9),
-- sum(overall_users) = the number of users of user_facts and sum(overall_share) = 1 (within
-- 1e-9), and the layer has a row for each value some user has (as many rows as the attribute has
-- values overall). A user with two values of an attribute (e.g. overlapping age bands) or none
-- breaks it. Returns one row per broken (dimension, layer, attribute_name).
with

portraits as (
    select
        dimension,
        layer,
        attribute_name,
        attribute_value,
        users,
        layer_users,
        layer_share,
        overall_users,
        overall_share
    from {{ ref('layer_portraits') }}
),

population as (
    select count(*) as all_users
    from {{ ref('user_facts') }}
),

attribute_values as (
    select
        attribute_name,
        count(distinct attribute_value) as value_count
    from portraits
    group by attribute_name
),

per_attribute as (
    select
        dimension,
        layer,
        attribute_name,
        count(*) as value_count,
        sum(users) as users,
        min(layer_users) as min_layer_users,
        max(layer_users) as max_layer_users,
        sum(layer_share) as layer_share,
        sum(overall_users) as overall_users,
        sum(overall_share) as overall_share
    from portraits
    group by dimension, layer, attribute_name
),

broken as (
    select
        per_attribute.dimension,
        per_attribute.layer,
        per_attribute.attribute_name,
        per_attribute.value_count,
        attribute_values.value_count as expected_value_count,
        per_attribute.users,
        per_attribute.min_layer_users,
        per_attribute.max_layer_users,
        per_attribute.layer_share,
        per_attribute.overall_users,
        population.all_users,
        per_attribute.overall_share
    from per_attribute
    inner join attribute_values
        on per_attribute.attribute_name = attribute_values.attribute_name
    cross join population
    where
        per_attribute.value_count != attribute_values.value_count
        or per_attribute.users != per_attribute.max_layer_users
        or per_attribute.min_layer_users != per_attribute.max_layer_users
        or abs(per_attribute.layer_share - 1) > 1e-9
        or per_attribute.overall_users != population.all_users
        or abs(per_attribute.overall_share - 1) > 1e-9
)

select * from broken
