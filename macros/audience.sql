{#
    in_tag_list(tag_key, tag_list): true when the tag `tag_group:tag` (tag_key) is one of the
    ';'-separated tags of tag_list (an audience's has_tags or lacks_tags), false when it is not,
    null when the list is null. Portable: ';' || tag_key || ';' found in ';' || tag_list || ';',
    so 'interest:fruit' does not match 'interest:fruit_juice'.
#}
{% macro in_tag_list(tag_key, tag_list) -%}
    {{ dbt.position(dbt.concat(["';'", tag_key, "';'"]), dbt.concat(["';'", tag_list, "';'"])) }} > 0
{%- endmacro %}
