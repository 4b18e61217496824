-- One row per layer and portrait attribute value, as of the as-of date: the portrait (用户画像) of
-- every layer of every layer dimension (macro layer_dimensions, unpivoted from user_layer_history)
-- and of every audience of the latest audience date (dimension 'audience'), as the mix of each
-- attribute among the layer's users beside the same mix among all users of user_facts.
-- Rules, each defined once in models/marts/layering/_portraits__docs.md: layer_portraits
-- (population, attributes, 'unknown' / 'no_purchase'), portrait_age_band (seed age_bands),
-- portrait_layer_share, portrait_overall_share, representation_index, portrait_value_rank.
{%- set attributes = ['gender', 'age_band', 'city_tier', 'acquisition_channel', 'platform', 'favourite_category'] %}
{%- set age = '(extract(year from facts.as_of_date) - facts.birth_year)' %}

with

facts as (
    select
        user_id,
        as_of_date,
        is_buyer,
        gender,
        birth_year,
        city_tier,
        acquisition_channel,
        preferred_platform
    from {{ ref('user_facts') }}
),

age_bands as (
    select
        age_band,
        min_age,
        max_age
    from {{ ref('age_bands') }}
),

history as (
    select * from {{ ref('user_layer_history') }}
),

-- The user's layer in each dimension of the layer_dimensions macro, on every snapshot date.
memberships as (
    {% for dimension in layer_dimensions() %}
        select
            as_of_date,
            user_id,
            '{{ dimension }}' as dimension,
            {{ dimension }} as layer
        from history
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

audience_members as (
    select
        audience_date,
        audience_name,
        user_id
    from {{ ref('audience_members') }}
),

portraits as (
    select
        facts.user_id,
        facts.as_of_date,
        coalesce(facts.gender, 'unknown') as gender,
        coalesce(age_bands.age_band, 'unknown') as age_band,
        coalesce(cast(facts.city_tier as {{ dbt.type_string() }}), 'unknown') as city_tier,
        coalesce(facts.acquisition_channel, 'unknown') as acquisition_channel,
        case
            when not facts.is_buyer then 'no_purchase'
            else coalesce(facts.preferred_platform, 'unknown')
        end as platform,
        history.preferred_category as favourite_category
    from facts
    inner join history
        on
            facts.user_id = history.user_id
            and facts.as_of_date = history.as_of_date
    left join age_bands
        on
            facts.birth_year is not null
            and (age_bands.min_age is null or {{ age }} >= age_bands.min_age)
            and (age_bands.max_age is null or {{ age }} <= age_bands.max_age)
),

members as (
    select
        memberships.dimension,
        memberships.layer,
        cast(null as date) as audience_date,
        memberships.user_id
    from memberships
    inner join portraits
        on
            memberships.user_id = portraits.user_id
            and memberships.as_of_date = portraits.as_of_date
    union all
    select
        'audience' as dimension,
        audience_members.audience_name as layer,
        audience_members.audience_date,
        audience_members.user_id
    from audience_members
    inner join portraits
        on audience_members.user_id = portraits.user_id
    where audience_members.audience_date = (select max(latest.audience_date) from audience_members as latest)
),

user_attributes as (
    {% for attribute in attributes %}
        select
            user_id,
            as_of_date,
            '{{ attribute }}' as attribute_name,
            {{ attribute }} as attribute_value
        from portraits
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

layer_sizes as (
    select
        dimension,
        layer,
        audience_date,
        count(*) as layer_users
    from members
    group by dimension, layer, audience_date
),

layer_values as (
    select
        members.dimension,
        members.layer,
        user_attributes.attribute_name,
        user_attributes.attribute_value,
        count(*) as users
    from members
    inner join user_attributes
        on members.user_id = user_attributes.user_id
    group by members.dimension, members.layer, user_attributes.attribute_name, user_attributes.attribute_value
),

overall_values as (
    select
        as_of_date,
        attribute_name,
        attribute_value,
        attribute_value in ('unknown', 'no_purchase') as is_unknown_value,
        count(*) as overall_users,
        sum(count(*)) over (partition by attribute_name) as all_users
    from user_attributes
    group by as_of_date, attribute_name, attribute_value
),

counted as (
    select
        overall_values.as_of_date,
        layer_sizes.dimension,
        layer_sizes.layer,
        layer_sizes.audience_date,
        overall_values.attribute_name,
        overall_values.attribute_value,
        overall_values.is_unknown_value,
        coalesce(layer_values.users, 0) as users,
        row_number() over (
            partition by
                layer_sizes.dimension,
                layer_sizes.layer,
                overall_values.attribute_name,
                overall_values.is_unknown_value
            order by coalesce(layer_values.users, 0) desc, overall_values.attribute_value asc
        ) as value_position,
        layer_sizes.layer_users,
        overall_values.overall_users,
        overall_values.all_users
    from layer_sizes
    cross join overall_values
    left join layer_values
        on
            layer_sizes.dimension = layer_values.dimension
            and layer_sizes.layer = layer_values.layer
            and overall_values.attribute_name = layer_values.attribute_name
            and overall_values.attribute_value = layer_values.attribute_value
),

final as (
    select
        as_of_date,
        cast(dimension as {{ dbt.type_string() }}) as dimension,
        cast(layer as {{ dbt.type_string() }}) as layer,
        cast(audience_date as date) as audience_date,
        cast(attribute_name as {{ dbt.type_string() }}) as attribute_name,
        cast(attribute_value as {{ dbt.type_string() }}) as attribute_value,
        cast(case when is_unknown_value or users = 0 then null else value_position end as integer) as value_rank,
        cast(users as {{ dbt.type_bigint() }}) as users,
        cast(layer_users as {{ dbt.type_bigint() }}) as layer_users,
        cast(users as double) / layer_users as layer_share,
        cast(overall_users as {{ dbt.type_bigint() }}) as overall_users,
        cast(overall_users as double) / all_users as overall_share,
        cast(users as double) * all_users / (cast(layer_users as double) * overall_users) as representation_index
    from counted
)

select * from final
