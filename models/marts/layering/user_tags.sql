-- One row per user x tag group x tag on the as-of date: the tags the rules of seeds/tag_rules.csv
-- give the users of user_facts. Every rule kind is defined in doc block user_tags
-- (_tags__docs.md): category_interest (views and purchases of a category in the last
-- window_days days, int_user_category_interest), discounted_order_share and discount_share
-- (user_facts, buyers), preferred_platform (user_facts, buyers), active_platform (logged-in
-- activity days on the platform in the last window_days days, int_user_activity_days) and
-- abandoned_cart (an open cart of int_user_open_carts at least var('cart_abandon_hours') old at
-- the end of the as-of date, whose day is in the last window_days days). A tag '*' is the
-- matched value (the category or the platform). "Last N days" = the N calendar days
-- ending on the as-of date, as-of date included. Two rules giving the same tag make one row.
with

rules as (
    select
        tag_group,
        tag,
        rule_kind,
        match_value,
        window_days,
        min_count,
        min_value,
        max_value
    from {{ ref('tag_rules') }}
),

facts as (
    select
        user_id,
        is_buyer,
        order_count,
        discounted_order_share,
        discount_share,
        preferred_platform
    from {{ ref('user_facts') }}
),

category_days as (
    select
        user_id,
        category,
        activity_date,
        product_view_count,
        purchase_order_count
    from {{ ref('int_user_category_interest') }}
),

activity_days as (
    select
        user_id,
        activity_date,
        has_app_event,
        has_mini_program_event
    from {{ ref('int_user_activity_days') }}
),

open_carts as (
    select
        user_id,
        last_cart_at,
        last_cart_date
    from {{ ref('int_user_open_carts') }}
),

as_of as (
    select as_of_date from {{ ref('int_as_of_date') }}
),

-- The signals of the windowed rule kinds, one row per user, day and matched value: views +
-- purchases of a category (category_interest), a logged-in activity day on a platform
-- (active_platform; the platforms int_user_activity_days flags).
windowed_signals as (
    select
        user_id,
        'category_interest' as rule_kind,
        category as matched_value,
        activity_date,
        product_view_count + purchase_order_count as signal_count
    from category_days
    union all
    select
        user_id,
        'active_platform' as rule_kind,
        'app' as matched_value,
        activity_date,
        1 as signal_count
    from activity_days
    where has_app_event
    union all
    select
        user_id,
        'active_platform' as rule_kind,
        'mini_program' as matched_value,
        activity_date,
        1 as signal_count
    from activity_days
    where has_mini_program_event
    union all
    select
        open_carts.user_id,
        'abandoned_cart' as rule_kind,
        'cart' as matched_value,
        open_carts.last_cart_date as activity_date,
        1 as signal_count
    from open_carts
    cross join as_of
    where
        {{ dbt.dateadd('hour', var('cart_abandon_hours'), to_reporting_tz('open_carts.last_cart_at')) }}
        <= cast({{ dbt.dateadd('day', 1, 'as_of.as_of_date') }} as timestamp)
),

-- A windowed rule's tag: the signals of a matched value over the rule's window reach min_count.
windowed_tags as (
    select
        rules.tag_group,
        case when rules.tag = '*' then windowed_signals.matched_value else rules.tag end as tag,
        windowed_signals.user_id
    from windowed_signals
    cross join as_of
    inner join rules
        on
            windowed_signals.rule_kind = rules.rule_kind
            and (rules.match_value = '*' or windowed_signals.matched_value = rules.match_value)
            and {{ days_between('windowed_signals.activity_date', 'as_of.as_of_date') }} < rules.window_days
    group by
        rules.tag_group,
        rules.tag,
        rules.match_value,
        rules.window_days,
        rules.min_count,
        windowed_signals.matched_value,
        windowed_signals.user_id
    having sum(windowed_signals.signal_count) >= rules.min_count
),

-- The buyer shares the share rules read, one row per buyer and share (rule_kind names the share).
buyer_shares as (
    select
        user_id,
        order_count,
        'discounted_order_share' as share_name,
        discounted_order_share as share_value
    from facts
    where is_buyer
    union all
    select
        user_id,
        order_count,
        'discount_share' as share_name,
        discount_share as share_value
    from facts
    where is_buyer
),

share_tags as (
    select
        rules.tag_group,
        rules.tag,
        buyer_shares.user_id
    from buyer_shares
    inner join rules
        on
            buyer_shares.share_name = rules.rule_kind
            and buyer_shares.order_count >= rules.min_count
            and (rules.min_value is null or buyer_shares.share_value >= rules.min_value)
            and (rules.max_value is null or buyer_shares.share_value <= rules.max_value)
    where buyer_shares.share_value is not null
),

preferred_platform_tags as (
    select
        rules.tag_group,
        case when rules.tag = '*' then facts.preferred_platform else rules.tag end as tag,
        facts.user_id
    from facts
    inner join rules
        on
            rules.rule_kind = 'preferred_platform'
            and (rules.match_value = '*' or facts.preferred_platform = rules.match_value)
            and facts.order_count >= rules.min_count
    where facts.preferred_platform is not null
),

tags as (
    select
        user_id,
        tag_group,
        tag
    from windowed_tags
    union all
    select
        user_id,
        tag_group,
        tag
    from share_tags
    union all
    select
        user_id,
        tag_group,
        tag
    from preferred_platform_tags
),

-- Users of user_facts only (the users every layer covers), each tag once.
final as (
    select distinct
        as_of.as_of_date,
        tags.user_id,
        cast(tags.tag_group as {{ dbt.type_string() }}) as tag_group,
        cast(tags.tag as {{ dbt.type_string() }}) as tag
    from tags
    inner join facts
        on tags.user_id = facts.user_id
    cross join as_of
)

select * from final
