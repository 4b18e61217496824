-- Asserts is_valid_json (the JSON validity rule, doc json_validity_rule) on the engine that runs
-- the build: every case of the seed json_validity_cases gets the seed's RFC 8259 verdict, so the
-- rule judges alike on DuckDB and on Spark. Returns one row per case judged otherwise.
with

cases as (
    select
        case_name,
        coalesce({{ text_from_hex('json_text_hex') }}, '') as json_text,
        is_valid_json as expected_is_valid
    from {{ ref('json_validity_cases') }}
),

judged as (
    select
        case_name,
        expected_is_valid,
        {{ is_valid_json('json_text') }} as judged_is_valid
    from cases
)

select * from judged
where judged_is_valid is null or judged_is_valid <> expected_is_valid
