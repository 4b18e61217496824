-- Asserts normalise_phone (macros/hashing.sql) on hand-worked numbers, with the default country
-- code 86: spaces, dashes, dots and brackets go; '+' numbers stay; '00' becomes '+'; national
-- numbers lose their leading zeros and get '+86'; text without a digit is null.
--   '+86 138 0000 0123' -> '+8613800000123'    '138-0000-0123' -> '+8613800000123'
--   '0086 13800000123'  -> '+8613800000123'    '(021) 6123.4567' -> '+862161234567'
--   '+1 415 555 0123'   -> '+14155550123'      ' n/a ' -> null
-- Returns the cases that differ.
with

cases as (
    select
        '+86 138 0000 0123' as raw_phone,
        '+8613800000123' as expected_phone
    union all
    select
        '138-0000-0123' as raw_phone,
        '+8613800000123' as expected_phone
    union all
    select
        '0086 13800000123' as raw_phone,
        '+8613800000123' as expected_phone
    union all
    select
        '(021) 6123.4567' as raw_phone,
        '+862161234567' as expected_phone
    union all
    select
        '+1 415 555 0123' as raw_phone,
        '+14155550123' as expected_phone
    union all
    select
        ' n/a ' as raw_phone,
        null as expected_phone
),

computed as (
    select
        raw_phone,
        expected_phone,
        {{ normalise_phone('raw_phone') }} as actual_phone
    from cases
),

differing as (
    select
        raw_phone,
        expected_phone,
        actual_phone
    from computed
    where
        (actual_phone is null) != (expected_phone is null)
        or actual_phone != expected_phone
)

select * from differing
