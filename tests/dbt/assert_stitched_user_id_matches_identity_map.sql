-- Asserts that the stitched identity the marts read is the identity map's: every event of
-- fct_events and every session of fct_sessions has stitched_user_id = coalesce(user_id, the user
-- its anonymous_id maps to in int_identity_map). Returns one row per broken event or session
-- (user ids are never empty, so '' stands for null in the comparison).
with

identity_map as (
    select
        anonymous_id,
        user_id
    from {{ ref('int_identity_map') }}
    where is_stitched
),

identified as (
    select
        'event' as kind,
        event_id as id,
        user_id,
        anonymous_id,
        stitched_user_id
    from {{ ref('fct_events') }}
    union all
    select
        'session' as kind,
        session_id as id,
        user_id,
        anonymous_id,
        stitched_user_id
    from {{ ref('fct_sessions') }}
),

final as (
    select
        identified.kind,
        identified.id,
        identified.stitched_user_id,
        coalesce(identified.user_id, identity_map.user_id) as expected_user_id
    from identified
    left join identity_map
        on identified.anonymous_id = identity_map.anonymous_id
    where
        coalesce(identified.stitched_user_id, '')
        != coalesce(identified.user_id, identity_map.user_id, '')
)

select * from final
