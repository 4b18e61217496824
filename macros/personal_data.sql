{#
    mask_contacts(expression): the text with every e-mail address replaced by '[email]' and every
    phone number by '[phone]', for free-text event columns (page) that a client may fill with what
    a user typed. The rules:
    - e-mail: name@domain.tld (the usual address characters);
    - phone: a mobile number of the default region, 1[3-9] and 9 more digits, spaces or dashes
      allowed after the 3rd and 7th digit, optionally after +86 / 0086 / 86; or any number written
      in international form, '+' and 8 to 15 digits (spaces or dashes between groups).
    A number only counts when no letter, digit or underscore touches it, so ids such as
    p13812345678, o00012345 or a 13-digit numeric id survive, as do prices and quantities.
#}
{% macro mask_contacts(expression) -%}
    {{ only_where_a_contact_may_be(expression, contact_replacements(expression)) }}
{%- endmacro %}

{# The replacement passes of mask_contacts, without the cheap test that skips most texts. #}
{% macro contact_replacements(expression) -%}
    {%- set masked = regexp_replace_all(expression, contact_patterns().email, "'[email]'") -%}
    {%- set masked = regexp_replace_all(masked, contact_patterns().phone, regex_groups_around('[phone]', 1, 4)) -%}
    {{ regexp_replace_all(masked, contact_patterns().international, regex_groups_around('[phone]', 1, 3)) }}
{%- endmacro %}

{#
    only_where_a_contact_may_be(expression, masked): `masked` for a text with an '@' or a run of 8
    digits (spaces or dashes allowed after the 1st and 4th), `expression` for any other: the
    replacements cost several regular-expression passes, the test one cheap pass, and most event
    texts hold neither.
#}
{% macro only_where_a_contact_may_be(expression, masked) -%}
    case
        when {{ expression }} like '%@%' or {{ regex_matches(expression, '[0-9][ -]?[0-9]{3}[ -]?[0-9]{4}') }}
            then {{ masked }}
        else {{ expression }}
    end
{%- endmacro %}

{#
    mask_contacts_in_json(expression): mask_contacts for JSON text (event properties). A phone
    number written as a bare JSON number ({"tel": 13800000123}) becomes the string "[phone]", so
    the text stays valid JSON. An 11-digit number of the mobile shape is masked even when it is a
    number: text cannot tell it from a phone. In one odd case masking can still break the JSON (a
    phone inside a string, right after ': ' and right before ',' '}' or ']'); stg_raw__events
    then keeps the event with null properties rather than unreadable or clear ones.
#}
{% macro mask_contacts_in_json(expression) -%}
    {%- set bare = '([:,\\[][ ]*)' ~ contact_patterns().mobile ~ '([ ]*[,}\\]])' -%}
    {%- set bare_masked = regexp_replace_all(expression, bare, regex_groups_around('"[phone]"', 1, 4)) -%}
    {{ only_where_a_contact_may_be(expression, contact_replacements(bare_masked)) }}
{%- endmacro %}

{# The regular expressions of mask_contacts (RE2 and Java regex alike). #}
{% macro contact_patterns() -%}
    {%- set mobile = '((\\+|00)?86[ -]?)?1[3-9][0-9][ -]?[0-9]{4}[ -]?[0-9]{4}' -%}
    {{ return({
        'email': '[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}',
        'mobile': mobile,
        'phone': '(^|[^A-Za-z0-9_+])' ~ mobile ~ '([^A-Za-z0-9_]|$)',
        'international': '(^|[^A-Za-z0-9_])\\+[1-9][0-9]([ -]?[0-9]){6,13}([^A-Za-z0-9_]|$)',
    }) }}
{%- endmacro %}

{# regex_matches(expression, pattern): true when the pattern matches somewhere in the text. #}
{% macro regex_matches(expression, pattern) -%}
    {{ return(adapter.dispatch('regex_matches', 'strata')(expression, pattern)) }}
{%- endmacro %}

{% macro default__regex_matches(expression, pattern) -%}
    {{ expression }} rlike '{{ pattern }}'
{%- endmacro %}

{% macro duckdb__regex_matches(expression, pattern) -%}
    regexp_matches({{ expression }}, '{{ pattern }}')
{%- endmacro %}

{# regexp_replace_all(expression, pattern, replacement_sql): replace every match (not only the first). #}
{% macro regexp_replace_all(expression, pattern, replacement_sql) -%}
    {{ return(adapter.dispatch('regexp_replace_all', 'strata')(expression, pattern, replacement_sql)) }}
{%- endmacro %}

{# Spark unescapes backslashes in string literals: double them so the pattern arrives intact. #}
{% macro default__regexp_replace_all(expression, pattern, replacement_sql) -%}
    regexp_replace({{ expression }}, '{{ pattern | replace('\\', '\\\\') }}', {{ replacement_sql }})
{%- endmacro %}

{% macro duckdb__regexp_replace_all(expression, pattern, replacement_sql) -%}
    regexp_replace({{ expression }}, '{{ pattern }}', {{ replacement_sql }}, 'g')
{%- endmacro %}

{#
    regex_groups_around(text, before, after): a replacement (SQL literal) that keeps capture groups
    `before` and `after` around `text`: \1[phone]\4 on DuckDB, $1[phone]$4 on Spark (Java).
#}
{% macro regex_groups_around(text, before, after) -%}
    {{ return(adapter.dispatch('regex_groups_around', 'strata')(text, before, after)) }}
{%- endmacro %}

{% macro default__regex_groups_around(text, before, after) -%}
    {{ return("'$" ~ before ~ text ~ "$" ~ after ~ "'") }}
{%- endmacro %}

{% macro duckdb__regex_groups_around(text, before, after) -%}
    {{ return("'\\" ~ before ~ text ~ "\\" ~ after ~ "'") }}
{%- endmacro %}
