-- One row per audience x user x audience_date: the users each audience of seeds/audiences.csv
-- selects on the audience date, drawn from the layers of the day before (user_layer_history at
-- layers_date = audience_date - 1), with a deterministic treatment/control split.
-- audience_date = var('audience_date') when set, else as_of_date + 1 ("this morning's audience
-- from yesterday's layers"). Only users with marketing_opt_in and a contact for the channel.
-- recency_days counts from the last order day (int_user_order_days) on or before the layers date;
-- app / mini-program logins are logged-in activity days (int_user_activity_days) on or before it.
-- Incremental: each build adds the audience date's rows and replaces any rows it already had.
-- No clear-text contact here (restricted.audience_contacts has them).
{{
    config(
        materialized='incremental',
        unique_key='audience_date',
        incremental_strategy=('insert_overwrite' if target.type == 'spark' else 'delete+insert'),
        partition_by=(['audience_date'] if target.type == 'spark' else none),
        on_schema_change='append_new_columns',
    )
}}

with

audiences as (
    select * from {{ ref('audiences') }}
),

as_of as (
    select as_of_date from {{ ref('int_as_of_date') }}
),

history as (
    select * from {{ ref('user_layer_history') }}
),

users as (
    select
        user_id,
        marketing_opt_in,
        has_email,
        has_phone
    from {{ ref('dim_users') }}
),

order_days as (
    select
        user_id,
        order_date
    from {{ ref('int_user_order_days') }}
),

activity_days as (
    select
        user_id,
        activity_date,
        has_app_event,
        has_mini_program_event
    from {{ ref('int_user_activity_days') }}
),

dates as (
    select
        {% if var('audience_date') -%}
            cast('{{ var("audience_date") }}' as date) as audience_date,
            cast({{ dbt.dateadd('day', -1, "cast('" ~ var('audience_date') ~ "' as date)") }} as date) as layers_date
        {%- else -%}
            cast({{ dbt.dateadd('day', 1, 'as_of_date') }} as date) as audience_date,
            as_of_date as layers_date
        {%- endif %}
    from as_of
),

layers as (
    select
        dates.audience_date,
        dates.layers_date,
        history.user_id,
        history.lifecycle_stage,
        history.value_tier,
        history.churn_risk,
        history.p_alive,
        history.order_count,
        history.revenue_amount_365d
    from history
    inner join dates
        on history.as_of_date = dates.layers_date
),

last_orders as (
    select
        order_days.user_id,
        max(order_days.order_date) as last_order_date
    from order_days
    inner join dates
        on order_days.order_date <= dates.layers_date
    group by order_days.user_id
),

app_users as (
    select
        activity_days.user_id,
        max(case when activity_days.has_app_event then 1 else 0 end) = 1 as has_app_login,
        max(case when activity_days.has_mini_program_event then 1 else 0 end) = 1 as has_mini_program_login
    from activity_days
    inner join dates
        on activity_days.activity_date <= dates.layers_date
    group by activity_days.user_id
),

portraits as (
    select
        layers.audience_date,
        layers.layers_date,
        layers.user_id,
        layers.lifecycle_stage,
        layers.value_tier,
        layers.churn_risk,
        layers.p_alive,
        layers.order_count,
        layers.revenue_amount_365d,
        {{ dbt.datediff(
            'last_orders.last_order_date', 'layers.layers_date', 'day'
        ) }} as recency_days,
        users.marketing_opt_in,
        users.has_email,
        users.has_phone,
        coalesce(app_users.has_app_login, false) as has_app_login,
        coalesce(app_users.has_mini_program_login, false) as has_mini_program_login
    from layers
    inner join users
        on layers.user_id = users.user_id
    left join last_orders
        on layers.user_id = last_orders.user_id
    left join app_users
        on layers.user_id = app_users.user_id
),

matched as (
    select
        portraits.audience_date,
        portraits.layers_date,
        portraits.user_id,
        portraits.lifecycle_stage,
        portraits.value_tier,
        portraits.churn_risk,
        portraits.p_alive,
        portraits.order_count,
        portraits.revenue_amount_365d,
        portraits.recency_days,
        portraits.marketing_opt_in,
        portraits.has_email,
        portraits.has_phone,
        portraits.has_app_login,
        portraits.has_mini_program_login,
        audiences.audience_name,
        audiences.channel,
        audiences.control_share,
        case audiences.channel
            when 'sms' then portraits.has_phone
            when 'email' then portraits.has_email
            when 'push' then portraits.has_app_login
            when 'wechat' then portraits.has_mini_program_login
            else false
        end as has_contact
    from portraits
    inner join audiences
        on
            (audiences.lifecycle_stage is null or portraits.lifecycle_stage = audiences.lifecycle_stage)
            and (audiences.value_tier is null or portraits.value_tier = audiences.value_tier)
            and (audiences.churn_risk is null or portraits.churn_risk = audiences.churn_risk)
            and (audiences.min_recency_days is null or portraits.recency_days >= audiences.min_recency_days)
            and (audiences.max_recency_days is null or portraits.recency_days <= audiences.max_recency_days)
            and (audiences.min_order_count is null or portraits.order_count >= audiences.min_order_count)
),

eligible as (
    select
        audience_date,
        layers_date,
        user_id,
        lifecycle_stage,
        value_tier,
        churn_risk,
        p_alive,
        order_count,
        revenue_amount_365d,
        recency_days,
        marketing_opt_in,
        has_email,
        has_phone,
        has_app_login,
        has_mini_program_login,
        audience_name,
        channel,
        control_share,
        has_contact,
        {{ hex_fraction(sha256_hex(dbt.concat([
            'audience_name', "':'", 'user_id', "':'", 'cast(audience_date as ' ~ dbt.type_string() ~ ')'
        ]))) }} as assignment_fraction
    from matched
    where marketing_opt_in and has_contact
),

final as (
    select
        audience_date,
        layers_date,
        audience_name,
        user_id,
        channel,
        case when assignment_fraction < control_share then 'control' else 'treatment' end as test_group,
        cast(assignment_fraction as double) as assignment_fraction,
        cast(control_share as double) as control_share,
        lifecycle_stage,
        value_tier,
        churn_risk,
        cast(p_alive as double) as p_alive,
        cast(recency_days as integer) as recency_days,
        cast(order_count as {{ dbt.type_bigint() }}) as order_count,
        cast(revenue_amount_365d as decimal(18, 2)) as revenue_amount_365d,
        marketing_opt_in,
        has_contact,
        has_email,
        has_phone,
        has_app_login,
        has_mini_program_login
    from eligible
)

select * from final
