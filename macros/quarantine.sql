{#
    Helpers for the quarantine rules in the staging base models. Each base model computes one
    `quarantine_reason` per row with a `case` whose branches are checked in order: the first
    failing rule names the row's reason, null means the row is kept. Every code is listed and
    explained in seeds/quarantine_reasons.csv.
#}

{#
    The `when ... then ...` branches shared by every required timestamp: text that does not parse,
    a missing value, a value before var('min_valid_timestamp'), a value after the load time.
    `typed` is the cast column, `raw` the column as read.
#}
{% macro timestamp_reason_branches(typed, raw, missing_reason) -%}
            when {{ typed }} is null and {{ clean_text(raw) }} is not null then 'invalid_timestamp'
            when {{ typed }} is null then '{{ missing_reason }}'
            when {{ typed }} < {{ min_valid_timestamp() }} then 'timestamp_before_2000'
            when {{ typed }} > {{ load_time() }} then 'future_timestamp'
{%- endmacro %}

{#
    describe_row(columns): a short "name=value, ..." text of a row for the quarantine relation,
    so an engineer sees why the row was rejected. Never pass personal-data columns.
#}
{% macro describe_row(columns) -%}
    {%- set parts = [] -%}
    {%- for column in columns -%}
        {%- do parts.append("'" ~ column ~ "='") -%}
        {%- do parts.append("coalesce(cast(" ~ column ~ " as " ~ dbt.type_string() ~ "), 'null')") -%}
        {%- if not loop.last -%}{%- do parts.append("', '") -%}{%- endif -%}
    {%- endfor -%}
    {{ dbt.concat(parts) }}
{%- endmacro %}
