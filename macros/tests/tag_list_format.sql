{#
    Generic test `tag_list_format`, set on the tag filters of seeds/audiences.csv: fails with one
    row per value that is not a list of tags as audience_members reads it, i.e. tag_group:tag
    items separated by ';' with no spaces around them (tag_group snake_case; a tag holds no ';'
    or ':'). Empty values pass.
#}
{% test tag_list_format(model, column_name) %}

select {{ column_name }} as tag_list
from {{ model }}
where
    {{ column_name }} is not null
    and not {{ regex_matches(column_name, '^[a-z0-9_]+:[^;: ]([^;:]*[^;: ])?(;[a-z0-9_]+:[^;: ]([^;:]*[^;: ])?)*$') }}

{% endtest %}
