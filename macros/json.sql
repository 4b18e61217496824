{#
    is_valid_json(column): true when the text is a JSON text by RFC 8259, false when it is not;
    null input gives null (a missing properties value is not malformed). The rule, written once
    (doc block json_validity_rule) and the same on every engine, is checked by the cases of the
    seed json_validity_cases (the singular test assert_json_validity_cases runs them on the engine
    of the build).

    Engines' own JSON readers judge differently (DuckDB's json_valid accepts [1,2,] and NaN, Spark's
    get_json_object reads a prefix of '{"a": 1' or of '{"a":1} x'), so neither decides: the rule
    is the RFC 8259 grammar in regular expressions both engines run alike (RE2 and Java regex):
      1. a text holding U+0001 or U+0002 is invalid (unescaped control characters are invalid
         anywhere in JSON), so these two can stand for tokens below;
      2. every string token becomes U+0001, then every number and true/false/null U+0002;
      3. JSON whitespace (space, tab, line feed, carriage return) is dropped;
      4. an array of values, or object of string: value pairs, up to two levels deep becomes
         U+0002, one pass per two nesting levels up to var json_max_nesting_depth (RFC 8259
         section 9 allows a limit);
      5. valid when exactly one value token is left. Any other character left over (a stray quote,
         letter, comma or bracket) makes the text invalid.
#}
{% macro is_valid_json(column) -%}
    {{ return(adapter.dispatch('is_valid_json', 'strata')(column)) }}
{%- endmacro %}

{#
    On DuckDB the regular expressions run only where its own reader cannot settle the answer.
    DuckDB's json_valid is yyjson, which is RFC 8259 to the letter except for the two extensions
    DuckDB turns on (JSONCommon::READ_FLAG): literals NaN / Inf / Infinity in any case, and one
    comma before a closing bracket. So a text json_valid accepts is valid by the rule when it holds
    neither 'nan' nor 'inf' (any case), no comma followed by a closing bracket (JSON whitespace
    allowed between), and at most json_max_nesting_depth opening brackets (yyjson has no depth
    limit; a text's depth is at most its count of '[' and '{'). Every other text, the texts
    json_valid rejects included (a few per cent), is judged by the rule's regular expressions, so
    the answer is the rule's on every text. The singular test assert_json_fast_path_is_the_rule
    checks it on thousands of texts mutated from the seed json_validity_cases.
#}
{% macro duckdb__is_valid_json(column) -%}
    {%- set more_brackets_than_the_depth = '([\\[{][^\\[{]*){' ~ (var('json_max_nesting_depth') | int + 1) ~ '}' -%}
    case
        when {{ column }} is null then null
        when
            json_valid({{ column }})
            and not (
                {{ column }} ilike '%nan%'
                or {{ column }} ilike '%inf%'
                or regexp_matches({{ column }}, ',[ \t\n\r]*[\]}]|{{ more_brackets_than_the_depth }}')
            )
            then true
        else {{ default__is_valid_json(column) }}
    end
{%- endmacro %}

{% macro default__is_valid_json(column) -%}
    {%- set patterns = json_token_patterns() -%}
    {%- set reduced = regexp_replace_all(column, patterns.string, 'chr(1)') -%}
    {%- set reduced = regexp_replace_all(reduced, patterns.scalar, 'chr(2)') -%}
    {#- a namespace: a plain set inside the loop would not outlive it -#}
    {%- set text = namespace(reduced=regexp_replace_all(reduced, patterns.whitespace, "''")) -%}
    {%- set depth = var('json_max_nesting_depth') | int -%}
    {%- for level in range(depth // 2) -%}
        {%- set text.reduced = regexp_replace_all(text.reduced, patterns.two_level_container, 'chr(2)') -%}
    {%- endfor -%}
    {%- if depth % 2 -%}
        {%- set text.reduced = regexp_replace_all(text.reduced, patterns.container, 'chr(2)') -%}
    {%- endif -%}
    case
        when {{ column }} is null then null
        when {{ dbt.position('chr(1)', column) }} > 0 or {{ dbt.position('chr(2)', column) }} > 0 then false
        else {{ text.reduced }} in (chr(1), chr(2))
    end
{%- endmacro %}

{#
    The regular expressions of is_valid_json (RFC 8259 sections 2 to 7), the same text for RE2 and
    Java regex. A string is quote, characters, quote: any character but a quote, a backslash or a
    control character U+0000..U+001F, or an escape \" \\ \/ \b \f \n \r \t \uXXXX. A \u escape of
    a UTF-16 surrogate must be a high one followed by a low one (section 8.2: a lone surrogate is
    not a character, and readers disagree on it). A number has no leading zeros, no leading '+',
    digits on both sides of a '.', and an optional exponent.
#}
{% macro json_token_patterns() -%}
    {%- set backslash = '\\\\' -%}
    {%- set hex = '[0-9a-fA-F]' -%}
    {%- set unicode_escape = 'u([0-9a-cA-CefEF]' ~ hex ~ '{3}|[dD][0-7]' ~ hex ~ '{2}'
        ~ '|[dD][89abAB]' ~ hex ~ '{2}' ~ backslash ~ 'u[dD][c-fC-F]' ~ hex ~ '{2})' -%}
    {%- set character = '[^"' ~ backslash ~ '\\x00-\\x1f]' -%}
    {%- set escape = backslash ~ '(["' ~ backslash ~ '/bfnrt]|' ~ unicode_escape ~ ')' -%}
    {%- set value = '[\\x01\\x02]' -%}
    {%- set container = json_container_pattern(value) -%}
    {{ return({
        'string': '"(' ~ character ~ '|' ~ escape ~ ')*"',
        'scalar': '-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?|true|false|null',
        'whitespace': '[ \\t\\n\\r]+',
        'container': container,
        'two_level_container': json_container_pattern('(' ~ value ~ '|' ~ container ~ ')'),
    }) }}
{%- endmacro %}

{#
    json_container_pattern(value): an array of `value`s or an object of string: `value` pairs (the
    tokens of is_valid_json: U+0001 a string, U+0002 any other value). With value a token, an
    innermost container; with value a token or an innermost container, a container up to two
    levels deep (half the passes for the same depth, and half the nesting of the SQL).
#}
{% macro json_container_pattern(value) -%}
    {%- set pair = '\\x01:' ~ value -%}
    {{ return('\\[(' ~ value ~ '(,' ~ value ~ ')*)?\\]|\\{(' ~ pair ~ '(,' ~ pair ~ ')*)?\\}') }}
{%- endmacro %}

{#
    text_from_hex(column): the UTF-8 text whose bytes are the hex digits of `column`: how the seed
    json_validity_cases stores texts with control characters and byte order marks, which a CSV
    file cannot hold readably.
#}
{% macro text_from_hex(column) -%}
    {{ return(adapter.dispatch('text_from_hex', 'strata')(column)) }}
{%- endmacro %}

{% macro default__text_from_hex(column) -%}
    decode(unhex({{ column }}), 'UTF-8')
{%- endmacro %}

{% macro duckdb__text_from_hex(column) -%}
    decode(unhex({{ column }}))
{%- endmacro %}
