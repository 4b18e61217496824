-- Asserts that seeds/age_bands.csv tiles all ages, so every known age is in exactly one band of
-- layer_portraits: band_number runs 1, 2, ... without gaps; only the first band is open below
-- (min_age empty) and only the last open above (max_age empty); each band has min_age <= max_age
-- and starts one year after the band before ends. Returns one row per broken band.
with

bands as (
    select
        age_band,
        band_number,
        min_age,
        max_age,
        lag(max_age) over (order by band_number) as previous_max_age,
        row_number() over (order by band_number) as expected_band_number,
        count(*) over () as band_count
    from {{ ref('age_bands') }}
),

broken as (
    select
        age_band,
        band_number,
        min_age,
        max_age,
        previous_max_age
    from bands
    where
        band_number != expected_band_number
        or (band_number = 1 and min_age is not null)
        or (band_number > 1 and (min_age is null or previous_max_age is null or min_age != previous_max_age + 1))
        or (band_number = band_count and max_age is not null)
        or (band_number < band_count and max_age is null)
        or min_age > max_age
)

select * from broken
