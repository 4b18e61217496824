{#
    in_tag_list(tag_key, tag_list): true when the tag `tag_group:tag` (tag_key) is one of the
    ';'-separated tags of tag_list (an audience's has_tags or lacks_tags), false when it is not,
    null when the list is null. Portable: ';' || tag_key || ';' found in ';' || tag_list || ';',
    so 'interest:fruit' does not match 'interest:fruit_juice'.
#}
{% macro in_tag_list(tag_key, tag_list) -%}
    {{ dbt.position(dbt.concat(["';'", tag_key, "';'"]), dbt.concat(["';'", tag_list, "';'"])) }} > 0
{%- endmacro %}

{#
    audience_date(as_of_date): the date this run's audiences are for, as a SQL date expression
    over as_of_date (a column or expression holding the run's as-of date): var('audience_date')
    when set, else as_of_date + 1 ("this morning's audience from yesterday's layers"). The one
    definition: int_audience_profiles writes it and audience_of_last_run scopes the tests of
    audience_members to it.
#}
{% macro audience_date(as_of_date) -%}
    {%- if var('audience_date') -%}
        cast('{{ var("audience_date") }}' as date)
    {%- else -%}
        cast({{ dbt.dateadd('day', 1, as_of_date) }} as date)
    {%- endif -%}
{%- endmacro %}
