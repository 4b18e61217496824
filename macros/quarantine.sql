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
    describe_row(columns, names=none): a short "name=value, ..." text of a row for the quarantine
    relation, so an engineer sees why the row was rejected. Each name is its column's, unless
    names gives them (one per column). Never pass personal-data columns.
#}
{% macro describe_row(columns, names=none) -%}
    {%- set parts = [] -%}
    {%- for column in columns -%}
        {%- do parts.append("'" ~ (names[loop.index0] if names else column) ~ "='") -%}
        {%- do parts.append("coalesce(cast(" ~ column ~ " as " ~ dbt.type_string() ~ "), 'null')") -%}
        {%- if not loop.last -%}{%- do parts.append("', '") -%}{%- endif -%}
    {%- endfor -%}
    {{ dbt.concat(parts) }}
{%- endmacro %}

{#
    event_row_detail(occurred_at, prefix=''): the row_detail of a raw event: its event_name, its
    occurred_at as read (named occurred_at_raw) and its received_at. stg_raw__events passes the
    value as read. int_events_validated passes the parsed occurred_at, to describe the kept events
    whose detail staging did not store (doc block event_row_detail): for them the two read alike.
    prefix is the relation alias with its dot, or empty.
#}
{% macro event_row_detail(occurred_at, prefix='') -%}
    {{ describe_row(
        [prefix ~ 'event_name', occurred_at, prefix ~ 'received_at'],
        names=['event_name', 'occurred_at_raw', 'received_at']
    ) }}
{%- endmacro %}
