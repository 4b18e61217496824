{#
    sql_string(text): `text` as a SQL string literal of the target engine (documented in
    macros/_sql_string.yml). Standard SQL doubles single quotes (it's -> 'it''s'); Spark reads
    backslash escapes in literals, so there backslashes are doubled and quotes escaped ('it\'s').
#}
{% macro sql_string(text) -%}
    {{ return(adapter.dispatch('sql_string', 'strata')(text)) }}
{%- endmacro %}

{% macro default__sql_string(text) -%}
    {{ return("'" ~ (text | string).replace("'", "''") ~ "'") }}
{%- endmacro %}

{% macro spark__sql_string(text) -%}
    {{ return("'" ~ (text | string).replace('\\', '\\\\').replace("'", "\\'") ~ "'") }}
{%- endmacro %}

{# sql_list(values): the values as sql_string literals in an SQL list, ('a', 'b') (for in ...). #}
{% macro sql_list(values) -%}
    {%- set quoted = [] -%}
    {%- for value in values -%}{%- do quoted.append(sql_string(value)) -%}{%- endfor -%}
    ({{ quoted | join(', ') }})
{%- endmacro %}
