{#
    register_raw_tables(): expose each table of the `raw` source as a relation in schema `raw`,
    read from var('raw_dir'). Runs as the project's on-run-start hook, so staging models read the
    raw export through source('raw', ...) on every engine.

    For each table <t> declared in models/staging/raw/_raw__sources.yml it looks, in this order, for
        <raw_dir>/<t>.parquet      one Parquet file
        <raw_dir>/<t>/*.parquet    a folder of Parquet files
        <raw_dir>/<t>.csv          a CSV file with a header (every column read as text)
    and fails with a message naming the expected files when none exists. Declared columns with
    `meta: {required: true}` must be present; a missing optional column is added as null; extra
    columns are ignored.
#}
{% macro register_raw_tables() -%}
    {{ return(adapter.dispatch('register_raw_tables', 'strata')()) }}
{%- endmacro %}

{% macro raw_source_tables() -%}
    {%- set tables = [] -%}
    {%- for node in graph.sources.values() if node.source_name == 'raw' -%}
        {%- do tables.append(node) -%}
    {%- endfor -%}
    {{ return(tables | sort(attribute='name')) }}
{%- endmacro %}

{% macro raw_dir_path() -%}
    {{ return(var('raw_dir') | replace('\\', '/') | trim | replace("'", "''")) }}
{%- endmacro %}

{#
    The select list that gives the declared columns in declared order: present ones as they are,
    missing optional ones as typed nulls. `present` is the list of lower-cased column names found.
#}
{% macro raw_select_list(source_node, present, file_label) -%}
    {%- set items = [] -%}
    {%- set missing_required = [] -%}
    {%- for column in source_node.columns.values() -%}
        {%- if column.name | lower in present -%}
            {%- do items.append(adapter.quote(column.name)) -%}
        {%- elif column.meta.get('required', false) -%}
            {%- do missing_required.append(column.name) -%}
        {%- else -%}
            {%- do items.append('cast(null as ' ~ column.data_type ~ ') as ' ~ adapter.quote(column.name)) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if missing_required -%}
        {{ exceptions.raise_compiler_error(
            "raw table " ~ source_node.name ~ " (" ~ file_label ~ ") lacks required column(s): "
            ~ missing_required | join(', ')) }}
    {%- endif -%}
    {{ return(items | join(', ')) }}
{%- endmacro %}

{% macro duckdb__register_raw_tables() -%}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    {%- set raw_dir = raw_dir_path() -%}
    {%- do run_query('create schema if not exists raw') -%}
    {%- for node in raw_source_tables() -%}
        {%- set name = node.name -%}
        {%- set candidates = [
            (raw_dir ~ '/' ~ name ~ '.parquet', "read_parquet('" ~ raw_dir ~ "/" ~ name ~ ".parquet')"),
            (raw_dir ~ '/' ~ name ~ '/*.parquet', "read_parquet('" ~ raw_dir ~ "/" ~ name ~ "/*.parquet', union_by_name = true)"),
            (raw_dir ~ '/' ~ name ~ '.csv', "read_csv('" ~ raw_dir ~ "/" ~ name ~ ".csv', header = true, all_varchar = true)"),
        ] -%}
        {%- set found = namespace(reader=none, label=none) -%}
        {%- for pattern, reader in candidates if found.reader is none -%}
            {%- set hits = run_query("select count(*) from glob('" ~ pattern ~ "')") -%}
            {%- if hits.columns[0].values()[0] > 0 -%}
                {%- set found.reader = reader -%}
                {%- set found.label = pattern -%}
            {%- endif -%}
        {%- endfor -%}
        {%- if found.reader is none -%}
            {{ exceptions.raise_compiler_error(
                "raw table " ~ name ~ " not found: expected " ~ raw_dir ~ "/" ~ name ~ ".parquet, "
                ~ raw_dir ~ "/" ~ name ~ "/*.parquet or " ~ raw_dir ~ "/" ~ name ~ ".csv") }}
        {%- endif -%}
        {%- set described = run_query('describe select * from ' ~ found.reader) -%}
        {%- set present = described.columns[0].values() | map('lower') | list -%}
        {%- set select_list = raw_select_list(node, present, found.label) -%}
        {%- do run_query('create or replace view raw.' ~ name ~ ' as select ' ~ select_list ~ ' from ' ~ found.reader) -%}
    {%- endfor -%}
    {{ return('') }}
{%- endmacro %}

{#
    Spark: no file listing in SQL, so the format of each table comes from var('raw_formats')
    ({"raw_events": "parquet_dir", ...}; default "parquet"), which scripts/strata.py fills in.
#}
{% macro spark__register_raw_tables() -%}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    {%- set raw_dir = raw_dir_path() -%}
    {%- set formats = var('raw_formats', {}) -%}
    {%- do run_query('create database if not exists raw') -%}
    {%- for node in raw_source_tables() -%}
        {%- set name = node.name -%}
        {%- set format = formats.get(name, 'parquet') -%}
        {%- if format == 'csv' -%}
            {%- set using = "csv options (header 'true', path '" ~ raw_dir ~ "/" ~ name ~ ".csv')" -%}
        {%- elif format == 'parquet_dir' -%}
            {%- set using = "parquet options (path '" ~ raw_dir ~ "/" ~ name ~ "')" -%}
        {%- else -%}
            {%- set using = "parquet options (path '" ~ raw_dir ~ "/" ~ name ~ ".parquet')" -%}
        {%- endif -%}
        {%- do run_query('drop table if exists raw.' ~ name ~ '_files') -%}
        {%- do run_query('create table raw.' ~ name ~ '_files using ' ~ using) -%}
        {%- set described = adapter.get_columns_in_relation(api.Relation.create(schema='raw', identifier=name ~ '_files')) -%}
        {%- set present = described | map(attribute='name') | map('lower') | list -%}
        {%- set select_list = raw_select_list(node, present, format) -%}
        {%- do run_query('create or replace view raw.' ~ name ~ ' as select ' ~ select_list ~ ' from raw.' ~ name ~ '_files') -%}
    {%- endfor -%}
    {{ return('') }}
{%- endmacro %}
