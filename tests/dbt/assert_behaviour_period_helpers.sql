-- Asserts the period macros of macros/behaviour.sql on the engine that runs the build:
-- integer_series(0, 3) gives exactly 0, 1, 2, 3; integer_series(5, 5) gives 5; integer_series(2, 1)
-- gives no row; weeks start on Monday (period_start('week') of Sunday 2024-03-03 and of Monday
-- 2024-03-04 are 2024-02-26 and 2024-03-04; of the leap day 2024-02-29 2024-02-26); months start
-- on the 1st; periods_between / add_periods round-trip. Returns one row per failed check.
with

series_0_3 as (
    select {{ integer_series('0', '3') }} as series_value
),

series_5_5 as (
    select {{ integer_series('5', '5') }} as series_value
),

series_2_1 as (
    select {{ integer_series('2', '1') }} as series_value
),

checks as (
    select
        'integer_series(0, 3)' as check_name,
        count(*) = 4 and count(distinct series_value) = 4 and min(series_value) = 0
        and max(series_value) = 3 as is_ok
    from series_0_3
    union all
    select
        'integer_series(5, 5)' as check_name,
        count(*) = 1 and min(series_value) = 5 as is_ok
    from series_5_5
    union all
    select
        'integer_series(2, 1) is empty' as check_name,
        count(*) = 0 as is_ok
    from series_2_1
    union all
    select
        'week of Sunday 2024-03-03 starts on Monday 2024-02-26' as check_name,
        {{ period_start('week', "cast('2024-03-03' as date)") }} = cast('2024-02-26' as date) as is_ok
    union all
    select
        'week of Monday 2024-03-04 starts on 2024-03-04' as check_name,
        {{ period_start('week', "cast('2024-03-04' as date)") }} = cast('2024-03-04' as date) as is_ok
    union all
    select
        'week of leap day 2024-02-29 starts on 2024-02-26' as check_name,
        {{ period_start('week', "cast('2024-02-29' as date)") }} = cast('2024-02-26' as date) as is_ok
    union all
    select
        'month of 2024-02-29 starts on 2024-02-01' as check_name,
        {{ period_start('month', "cast('2024-02-29' as date)") }} = cast('2024-02-01' as date) as is_ok
    union all
    select
        'weeks between 2024-02-26 and 2024-03-11 = 2' as check_name,
        {{ periods_between('week', "cast('2024-02-26' as date)", "cast('2024-03-11' as date)") }} = 2 as is_ok
    union all
    select
        'months between 2023-11-01 and 2024-02-01 = 3' as check_name,
        {{ periods_between('month', "cast('2023-11-01' as date)", "cast('2024-02-01' as date)") }} = 3 as is_ok
    union all
    select
        'add 2 weeks to 2024-02-26 = 2024-03-11' as check_name,
        {{ add_periods('week', '2', "cast('2024-02-26' as date)") }} = cast('2024-03-11' as date) as is_ok
    union all
    select
        'add 1 month to 2024-01-01 = 2024-02-01' as check_name,
        {{ add_periods('month', '1', "cast('2024-01-01' as date)") }} = cast('2024-02-01' as date) as is_ok
),

failed as (
    select check_name
    from checks
    where not coalesce(is_ok, false)
)

select * from failed
