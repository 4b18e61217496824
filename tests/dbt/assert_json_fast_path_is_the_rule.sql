-- Asserts that DuckDB's is_valid_json, which lets json_valid settle most texts and runs the
-- regular expressions only on the rest (macros/json.sql), judges every text as the rule's regular
-- expressions alone do (default__is_valid_json). The texts: each case of the seed
-- json_validity_cases, and every text made from one by deleting a character, or by inserting or
-- putting in place of a character one of the tokens below (brackets, commas, quotes, escapes, the
-- literals DuckDB's reader accepts beyond RFC 8259, a control character, a run of brackets past the
-- nesting limit). Returns one row per text judged otherwise. DuckDB only: Spark runs the rule alone.
{{ config(enabled=target.type == 'duckdb') }}

with

cases as (
    select
        case_name,
        coalesce({{ text_from_hex('json_text_hex') }}, '') as json_text
    from {{ ref('json_validity_cases') }}
),

tokens as (
    select unnest([
        ',', ']', '}', '[', '{', '"', ':', ' ', '\', '\u', '0', '-', 'e', '.',
        'NaN', 'inf', 'Infinity', 'null', ',]', ', }', chr(1), chr(9), '/',
        repeat('[', {{ var('json_max_nesting_depth') | int + 1 }})
    ]) as token
),

positions as (
    select
        cases.case_name,
        cases.json_text,
        position_index.generate_series as position_index
    from cases
    cross join generate_series(0, length(cases.json_text)) as position_index
),

texts as (
    select
        case_name,
        json_text
    from cases
    union all
    select
        case_name,
        substr(json_text, 1, position_index) || substr(json_text, position_index + 2) as json_text
    from positions
    where position_index < length(json_text)
    union all
    select
        positions.case_name,
        substr(positions.json_text, 1, positions.position_index)
        || tokens.token
        || substr(positions.json_text, positions.position_index + 1) as json_text
    from positions
    cross join tokens
    union all
    select
        positions.case_name,
        substr(positions.json_text, 1, positions.position_index)
        || tokens.token
        || substr(positions.json_text, positions.position_index + 2) as json_text
    from positions
    cross join tokens
    where positions.position_index < length(positions.json_text)
),

distinct_texts as (
    select
        json_text,
        min(case_name) as case_name
    from texts
    group by json_text
),

judged as (
    select
        case_name,
        json_text,
        {{ is_valid_json('json_text') }} as judged_is_valid,
        {{ default__is_valid_json('json_text') }} as rule_is_valid
    from distinct_texts
)

select * from judged
where judged_is_valid is distinct from rule_is_valid
