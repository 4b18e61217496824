-- Asserts hex_fraction (macros/hex_fraction.sql) on hand-worked digests: the first 8 hex digits
-- d_1..d_8 read as sum d_i * 16^-i. '00000000...' -> 0; '80000000' -> 8/16 = 0.5;
-- 'ffffffff' -> 1 - 16^-8 = 0.99999999976717; '31875929' (sha256 of
-- 'win_back_silent_buyers:u1:2024-03-02') -> 830953769 / 16^8 = 0.19347150088287890; upper-case
-- hex reads the same; a null stays null. Returns the cases that differ.
with

cases as (
    select
        '0000000000' as hex_text,
        0.0 as expected_fraction
    union all
    select
        '80000000ab' as hex_text,
        0.5 as expected_fraction
    union all
    select
        'ffffffff12' as hex_text,
        0.99999999976717 as expected_fraction
    union all
    select
        '318759299c' as hex_text,
        0.19347150088287890 as expected_fraction
    union all
    select
        'FFFFFFFF' as hex_text,
        0.99999999976717 as expected_fraction
),

computed as (
    select
        hex_text,
        expected_fraction,
        {{ hex_fraction('hex_text') }} as computed_fraction
    from cases
),

null_case as (
    select {{ hex_fraction('cast(null as ' ~ dbt.type_string() ~ ')') }} as computed_fraction
),

failures as (
    select
        hex_text,
        expected_fraction,
        computed_fraction
    from computed
    where computed_fraction is null or abs(computed_fraction - expected_fraction) > 1e-12
    union all
    select
        'null' as hex_text,
        null as expected_fraction,
        computed_fraction
    from null_case
    where computed_fraction is not null
)

select * from failures
