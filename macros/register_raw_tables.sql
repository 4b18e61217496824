{#
    register_raw_tables(): expose each table of the `raw` source as a relation in schema `raw`,
    read from var('raw_dir'). Runs as the project's on-run-start hook, so staging models read the
    raw export through source('raw', ...) on every engine.

    For each table <t> declared in models/staging/raw/_raw__sources.yml it looks, in this order, for
        <raw_dir>/<t>.parquet      one Parquet file
        <raw_dir>/<t>/**/*.parquet a folder of Parquet files, subfolders included (the Hive
                                   layout <t>/dt=2024-12/part-0.parquet; a partition column is
                                   one more column, ignored unless declared)
        <raw_dir>/<t>.csv          a CSV file with a header (every column read as text)
    and fails with a message naming the expected files when none exists. Declared columns with
    `meta: {required: true}` must be present; a missing optional column is added as null; extra
    columns are ignored. A CSV file must be comma-separated UTF-8 with as many fields on every
    line as on its header line; otherwise the run stops naming the file and the first bad line.
    Every failure is one line: "raw table <t> (<file>): <what is wrong>".
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

{#
    The raw_dir var as a path with forward slashes (not yet quoted for SQL). A folder whose name
    has a glob character (* ? [ ]) is refused: file lookups are glob patterns, and `exp[1]` would
    read a sibling folder `exp1`. scripts/stratalib/raw_files.py applies the same rule first.
#}
{% macro raw_dir_path() -%}
    {%- set raw_dir = var('raw_dir') | replace('\\', '/') | trim -%}
    {%- for character in ['*', '?', '[', ']'] if character in raw_dir -%}
        {{ exceptions.raise_compiler_error(
            'raw_dir ' ~ raw_dir ~ ' has the glob character ' ~ character
            ~ ' in its name, which would match other folders; rename or link it without * ? [ ]') }}
    {%- endfor -%}
    {{ return(raw_dir) }}
{%- endmacro %}

{# A SQL string literal of `text`: in single quotes, single quotes doubled (it's -> 'it''s'). #}
{% macro sql_string(text) -%}
    {{ return("'" ~ text | replace("'", "''") ~ "'") }}
{%- endmacro %}

{# "raw table <t> (<file>)": how every message about one raw file starts. #}
{% macro raw_file_label(table, path) -%}
    {{ return('raw table ' ~ table ~ ' (' ~ path ~ ')') }}
{%- endmacro %}

{#
    The select list that gives the declared columns in declared order, every one as text:
    present ones cast to text, missing optional ones as text nulls. `present` is the list of
    lower-cased column names found in the file at `path` (named in the message when a required
    column is missing). Text whatever the file's types (a CSV is text anyway; a Parquet column
    may be a timestamp with or without a time zone, an integer epoch, a float, a null type):
    the staging models parse and check every value themselves, and the dbt unit tests, whose
    fixtures take the types of these views, then mean the same for every kind of export.
#}
{% macro raw_select_list(source_node, present, path) -%}
    {%- set items = [] -%}
    {%- set missing_required = [] -%}
    {%- for column in source_node.columns.values() -%}
        {%- set quoted = adapter.quote(column.name) -%}
        {%- if column.name | lower in present -%}
            {%- do items.append('cast(' ~ quoted ~ ' as ' ~ dbt.type_string() ~ ') as ' ~ quoted) -%}
        {%- elif column.meta.get('required', false) -%}
            {%- do missing_required.append(column.name) -%}
        {%- else -%}
            {%- do items.append('cast(null as ' ~ dbt.type_string() ~ ') as ' ~ quoted) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if missing_required -%}
        {{ exceptions.raise_compiler_error(
            raw_file_label(source_node.name, path) ~ ": required column(s) missing: "
            ~ missing_required | join(', ')) }}
    {%- endif -%}
    {{ return(items | join(', ')) }}
{%- endmacro %}

{% macro duckdb__register_raw_tables() -%}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    {%- set raw_dir = raw_dir_path() -%}
    {%- do run_query('create schema if not exists raw') -%}
    {%- for node in raw_source_tables() -%}
        {%- set found = duckdb__find_raw_file(raw_dir, node.name) -%}
        {%- if found.format == 'csv' -%}
            {%- set reader = duckdb__checked_csv_reader(node.name, found.path) -%}
        {%- elif found.format == 'parquet_dir' -%}
            {%- set reader = 'read_parquet(' ~ sql_string(found.path) ~ ', union_by_name = true)' -%}
        {%- else -%}
            {%- set reader = 'read_parquet(' ~ sql_string(found.path) ~ ')' -%}
        {%- endif -%}
        {%- set described = run_query('describe select * from ' ~ reader) -%}
        {%- set present = described.columns[0].values() | map('lower') | list -%}
        {%- set select_list = raw_select_list(node, present, found.path) -%}
        {%- do run_query('create or replace view raw.' ~ node.name ~ ' as select ' ~ select_list ~ ' from ' ~ reader) -%}
    {%- endfor -%}
    {{ return('') }}
{%- endmacro %}

{# The first form of raw table `table` found in `raw_dir`: {format, path}; fails naming all three. #}
{% macro duckdb__find_raw_file(raw_dir, table) -%}
    {%- set base = raw_dir ~ '/' ~ table -%}
    {%- set candidates = [
        ('parquet', base ~ '.parquet'),
        ('parquet_dir', base ~ '/**/*.parquet'),
        ('csv', base ~ '.csv'),
    ] -%}
    {%- for format, path in candidates -%}
        {%- set hits = run_query('select count(*) from glob(' ~ sql_string(path) ~ ')') -%}
        {%- if hits.columns[0].values()[0] > 0 -%}
            {{ return({'format': format, 'path': path}) }}
        {%- endif -%}
    {%- endfor -%}
    {{ exceptions.raise_compiler_error(
        'raw table ' ~ table ~ ' not found: expected ' ~ base ~ '.parquet, '
        ~ base ~ '/**/*.parquet or ' ~ base ~ '.csv') }}
{%- endmacro %}

{#
    The read_csv(...) call for one raw CSV file, after checking the whole file reads cleanly.
    The dialect is fixed, not sniffed: comma-separated, double quotes, a header line, every
    column text, UTF-8 (a leading BOM and CRLF line ends are fine). DuckDB's sniffer guesses
    another dialect for a file with one ragged row, and reading leniently (null_padding,
    ignore_errors) would pad or skip rows silently; so a row with too many or too few fields, or
    bytes that are not UTF-8, stops the run with a message naming the file and the line.
#}
{% macro duckdb__checked_csv_reader(table, path) -%}
    {%- set label = raw_file_label(table, path) -%}
    {%- set columns = duckdb__csv_header(label, path) -%}
    {%- set column_types = [] -%}
    {%- for name in columns -%}
        {%- do column_types.append(sql_string(name) ~ ": 'varchar'") -%}
    {%- endfor -%}
    {%- set options = "header = true, auto_detect = false, delim = ',', quote = '\"', escape = '\"', "
        ~ "columns = {" ~ column_types | join(', ') ~ "}" -%}
    {%- do run_query('select count(columns(*)) from ' ~ duckdb__csv_reader_keeping_rejects(path, options)) -%}
    {%- do duckdb__raise_on_csv_rejects(label, columns | length) -%}
    {{ return('read_csv(' ~ sql_string(path) ~ ', ' ~ options ~ ')') }}
{%- endmacro %}

{#
    The column names on the header line of a raw CSV file, read as one line of text so that a
    file in another dialect cannot be misread. Fails on an empty file, a header line that is not
    UTF-8 or uses another delimiter, and empty or repeated column names.
#}
{% macro duckdb__csv_header(label, path) -%}
    {%- set as_lines = "header = false, auto_detect = false, columns = {'line': 'varchar'}, "
        ~ "delim = E'\\x1f', quote = '', escape = '', strict_mode = false" -%}
    {%- set first_line = run_query('select line from ' ~ duckdb__csv_reader_keeping_rejects(path, as_lines) ~ ' limit 1') -%}
    {%- do duckdb__raise_on_csv_rejects(label, none) -%}
    {%- if first_line.rows | length == 0 or not first_line.rows[0][0] -%}
        {{ exceptions.raise_compiler_error(label ~ ': the file is empty; a CSV table needs a header line') }}
    {%- endif -%}
    {%- set header = first_line.rows[0][0] -%}
    {%- set names = [] -%}
    {%- for part in header.split(',') -%}
        {%- do names.append(part | trim | replace('"', '')) -%}
    {%- endfor -%}
    {%- set other_delimiters = {';': "';'", '\t': 'tabs', '|': "'|'"} -%}
    {%- if names | length == 1 -%}
        {%- for delimiter, shown in other_delimiters.items() if delimiter in header -%}
            {{ exceptions.raise_compiler_error(
                label ~ ': not comma-separated (the header line has ' ~ shown ~ " between names); "
                ~ "export it with ',' between fields") }}
        {%- endfor -%}
    {%- endif -%}
    {%- for name in names -%}
        {%- if name == '' -%}
            {{ exceptions.raise_compiler_error(label ~ ': header field ' ~ loop.index ~ ' has no column name') }}
        {%- elif (names | map('lower') | select('equalto', name | lower) | list | length) > 1 -%}
            {{ exceptions.raise_compiler_error(label ~ ': the header names column ' ~ name ~ ' twice') }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(names) }}
{%- endmacro %}

{#
    read_csv(path, options) that sets lines it cannot read aside in the temporary table
    strata_csv_rejects (DuckDB's store_rejects) instead of failing on the first; emptied first.
#}
{% macro duckdb__csv_reader_keeping_rejects(path, options) -%}
    {%- do run_query('drop table if exists strata_csv_rejects') -%}
    {%- do run_query('drop table if exists strata_csv_scans') -%}
    {{ return('read_csv(' ~ sql_string(path) ~ ', ' ~ options ~ ', store_rejects = true, '
        ~ "rejects_table = 'strata_csv_rejects', rejects_scan = 'strata_csv_scans')") }}
{%- endmacro %}

{# Fail naming the first line the last read_csv set aside, if any. `field_count`: the header's. #}
{% macro duckdb__raise_on_csv_rejects(label, field_count) -%}
    {%- set rejects = run_query(
        'select line, error_type, error_message, count(distinct line) over () as bad_lines '
        ~ 'from strata_csv_rejects order by line limit 1') -%}
    {%- if rejects.rows | length == 0 -%}{{ return('') }}{%- endif -%}
    {%- set line, error_type, error_message, bad_lines = rejects.rows[0] -%}
    {%- if error_type == 'TOO MANY COLUMNS' -%}
        {%- set problem = 'has more fields than the header (' ~ field_count ~ ')' -%}
    {%- elif error_type == 'MISSING COLUMNS' -%}
        {%- set problem = 'has fewer fields than the header (' ~ field_count ~ ')' -%}
    {%- elif error_type == 'INVALID ENCODING' -%}
        {%- set problem = 'is not valid UTF-8 (save the file as UTF-8)' -%}
    {%- else -%}
        {%- set problem = 'cannot be read: ' ~ (error_message | string).splitlines()[0] -%}
    {%- endif -%}
    {%- set others = '' if bad_lines == 1 else ' (' ~ bad_lines ~ ' bad lines in all)' -%}
    {{ exceptions.raise_compiler_error(label ~ ': line ' ~ line ~ ' ' ~ problem ~ others) }}
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
            {%- set path = raw_dir ~ '/' ~ name ~ '.csv' -%}
            {%- set using = "csv options (header 'true', path " ~ sql_string(path) ~ ")" -%}
        {%- elif format == 'parquet_dir' -%}
            {%- set path = raw_dir ~ '/' ~ name -%}
            {%- set using = "parquet options (recursiveFileLookup 'true', path " ~ sql_string(path) ~ ')' -%}
        {%- else -%}
            {%- set path = raw_dir ~ '/' ~ name ~ '.parquet' -%}
            {%- set using = 'parquet options (path ' ~ sql_string(path) ~ ')' -%}
        {%- endif -%}
        {%- do run_query('drop table if exists raw.' ~ name ~ '_files') -%}
        {%- do run_query('create table raw.' ~ name ~ '_files using ' ~ using) -%}
        {%- set described = adapter.get_columns_in_relation(api.Relation.create(schema='raw', identifier=name ~ '_files')) -%}
        {%- set present = described | map(attribute='name') | map('lower') | list -%}
        {%- set select_list = raw_select_list(node, present, path) -%}
        {%- do run_query('create or replace view raw.' ~ name ~ ' as select ' ~ select_list ~ ' from raw.' ~ name ~ '_files') -%}
    {%- endfor -%}
    {{ return('') }}
{%- endmacro %}
