{#
    spark__load_csv_rows(model, agate_table): loads a seed's rows on Spark with SQL literals
    instead of dbt-spark's bound parameters, which in session mode store an empty cell as the
    text 'None' (not null) and break on a value holding a quote. Empty cells become null; text is
    quoted by sql_string (Spark's string literal syntax: backslash escapes) and cast to the column's type.
    Overrides dbt-spark's macro of the same name (root-project macros win dbt's dispatch).
#}
{% macro spark__load_csv_rows(model, agate_table) %}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set types = [] -%}
    {%- for column_name in agate_table.column_names -%}
        {%- do types.append(column_override.get(column_name, adapter.convert_type(agate_table, loop.index0))) -%}
    {%- endfor -%}
    {%- set statements = [] -%}
    {%- for chunk in agate_table.rows | batch(get_batch_size()) -%}
        {%- set rows = [] -%}
        {%- for row in chunk -%}
            {%- set values = [] -%}
            {%- for value in row -%}
                {%- if value is none -%}
                    {%- do values.append('null') -%}
                {%- else -%}
                    {%- do values.append('cast(' ~ sql_string(value) ~ ' as ' ~ types[loop.index0] ~ ')') -%}
                {%- endif -%}
            {%- endfor -%}
            {%- do rows.append('(' ~ values | join(', ') ~ ')') -%}
        {%- endfor -%}
        {%- set sql = 'insert into ' ~ this.render() ~ ' values ' ~ rows | join(', ') -%}
        {%- do run_query(sql) -%}
        {%- do statements.append(sql) -%}
    {%- endfor -%}
    {{ return(statements[0] if statements else '') }}
{% endmacro %}
