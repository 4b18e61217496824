-- One row per audience x user x audience_date: the users each audience of seeds/audiences.csv
-- selects on the audience date from the profiles of the layers date before it
-- (int_audience_profiles), with a deterministic treatment/control split. A user qualifies for an
-- audience when every rule holds, including the tag filters (user_tag_history of the layers date), and
-- the user has marketing_opt_in and a contact for one of the audience's channels
-- (int_audience_channels: the audience's channel, or the cheapest one the user can be reached
-- on). Each user is then kept in one audience a day, the qualifying audience of lowest priority,
-- unless already in an audience on var('max_contacts_per_7_days') of the 6 days before (treatment
-- and control alike: the cap is applied before the split).
-- Incremental: each build adds the audience date's rows and replaces any rows it already had; the
-- earlier dates' rows are what the contact cap counts.
-- No clear-text contact here (restricted.audience_contacts has them).
{{
    config(
        materialized='incremental',
        unique_key='audience_date',
        on_schema_change='append_new_columns',
        **replace_date_rows('audience_date')
    )
}}
{#-
    An audience date set by var('audience_date') reads the layers and the tags of the day before
    it. When an audience filters on tags and user_tag_history holds no tags of that day (it was
    never built for it: run `strata backfill` over it), every has_tags would fail and every
    lacks_tags hold, so the build stops instead.
-#}
{%- if execute and var('audience_date') and flags.WHICH in ['run', 'build'] -%}
    {%- set layers_date = (
        modules.datetime.date.fromisoformat(var('audience_date')) - modules.datetime.timedelta(days=1)
    ) | string -%}
    {%- set tagged = run_query(
        'select audience_name from ' ~ ref('int_audience_channels')
        ~ ' where has_tags is not null or lacks_tags is not null'
    ).columns[0].values() -%}
    {%- set tag_rows = run_query(
        'select count(*) from ' ~ ref('user_tag_history') ~ " where as_of_date = cast('" ~ layers_date ~ "' as date)"
    ).columns[0].values()[0] -%}
    {%- if tagged and tag_rows == 0 -%}
        {{ exceptions.raise_compiler_error(
            'audience_date ' ~ var('audience_date') ~ ' reads the tags of ' ~ layers_date
            ~ ', but user_tag_history holds no tags of that day and audience(s) '
            ~ tagged | unique | join(', ') ~ ' filter on tags: build that snapshot first'
            ~ ' (`strata backfill --from ' ~ layers_date ~ ' --to <as-of date>`).'
        ) }}
    {%- endif -%}
{%- endif %}

with

profiles as (
    select * from {{ ref('int_audience_profiles') }}
),

audience_channels as (
    select * from {{ ref('int_audience_channels') }}
),

tags as (
    select
        as_of_date,
        user_id,
        {{ dbt.concat(['tag_group', "':'", 'tag']) }} as tag_key
    from {{ ref('user_tag_history') }}
),

-- Every user, audience and channel of the audience the user can be reached on, where the
-- audience's layer, recency and order rules hold.
reachable as (
    select
        profiles.*,
        audience_channels.audience_name,
        audience_channels.priority,
        audience_channels.has_tags,
        audience_channels.lacks_tags,
        audience_channels.has_tag_count,
        audience_channels.channel,
        audience_channels.control_share,
        row_number() over (
            partition by audience_channels.audience_name, profiles.user_id
            order by audience_channels.channel_rank asc
        ) as channel_choice
    from profiles
    inner join audience_channels
        on
            {% for dimension in layer_dimensions() -%}
                (
                    audience_channels.{{ dimension }} is null
                    or profiles.{{ dimension }} = audience_channels.{{ dimension }}
                )
                and
            {% endfor -%}
            (
                audience_channels.min_recency_days is null
                or profiles.recency_days >= audience_channels.min_recency_days
            )
            and (
                audience_channels.max_recency_days is null
                or profiles.recency_days <= audience_channels.max_recency_days
            )
            and (
                audience_channels.min_order_count is null
                or profiles.order_count >= audience_channels.min_order_count
            )
    where
        profiles.marketing_opt_in
        and case audience_channels.channel
            when 'sms' then profiles.has_phone
            when 'email' then profiles.has_email
            when 'push' then profiles.has_app_login
            when 'wechat' then profiles.has_mini_program_login
            else false
        end
),

-- Per user and audience: how many of the audience's has_tags and lacks_tags the user holds on
-- the layers date (a tag matches when ';' || tag_group:tag || ';' occurs in ';' || list || ';').
tag_matches as (
    select
        reachable.audience_name,
        reachable.user_id,
        sum(case when {{ in_tag_list('tags.tag_key', 'reachable.has_tags') }} then 1 else 0 end) as has_tag_matches,
        sum(case when {{ in_tag_list('tags.tag_key', 'reachable.lacks_tags') }} then 1 else 0 end) as lacks_tag_matches
    from reachable
    inner join tags
        on
            reachable.user_id = tags.user_id
            and reachable.layers_date = tags.as_of_date
    where
        reachable.channel_choice = 1
        and (reachable.has_tags is not null or reachable.lacks_tags is not null)
    group by reachable.audience_name, reachable.user_id
),

qualified as (
    select
        reachable.*,
        count(*) over (partition by reachable.user_id) as qualified_audience_count,
        row_number() over (partition by reachable.user_id order by reachable.priority asc) as priority_rank
    from reachable
    left join tag_matches
        on
            reachable.audience_name = tag_matches.audience_name
            and reachable.user_id = tag_matches.user_id
    where
        reachable.channel_choice = 1
        and coalesce(tag_matches.has_tag_matches, 0) = reachable.has_tag_count
        and coalesce(tag_matches.lacks_tag_matches, 0) = 0
),

{% if is_incremental() %}
    -- Only an incremental run reads earlier rows, for these dates.
    audience_dates as (
        select distinct audience_date from profiles
    ),
{% endif %}

-- Audience days of each user in the 6 days before the audience date (earlier builds' rows).
recent_contacts as (
    {% if is_incremental() -%}
        select
            previous.user_id,
            count(distinct previous.audience_date) as contact_days
        from {{ this }} as previous
        inner join audience_dates
            on
                previous.audience_date < audience_dates.audience_date
                and previous.audience_date >= {{ dbt.dateadd('day', -6, 'audience_dates.audience_date') }}
        group by previous.user_id
    {%- else -%}
        select
            user_id,
            0 as contact_days
        from profiles
        where false
    {%- endif %}
),

members as (
    select
        qualified.*,
        {{ hex_fraction(sha256_hex(dbt.concat([
            'qualified.audience_name', "':'", 'qualified.user_id', "':'",
            'cast(qualified.audience_date as ' ~ dbt.type_string() ~ ')'
        ]))) }} as assignment_fraction
    from qualified
    left join recent_contacts
        on qualified.user_id = recent_contacts.user_id
    where
        qualified.priority_rank = 1
        and coalesce(recent_contacts.contact_days, 0) < {{ var('max_contacts_per_7_days') }}
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
        {% for dimension in layer_dimensions() -%}
            {{ dimension }},
        {% endfor -%}
        cast(p_alive as double) as p_alive,
        cast(recency_days as integer) as recency_days,
        cast(order_count as {{ dbt.type_bigint() }}) as order_count,
        cast(revenue_amount_365d as decimal(18, 2)) as revenue_amount_365d,
        cast(qualified_audience_count as integer) as qualified_audience_count,
        marketing_opt_in,
        true as has_contact,
        has_email,
        has_phone,
        has_app_login,
        has_mini_program_login
    from members
)

select * from final
