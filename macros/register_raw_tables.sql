{#
    register_raw_tables(): expose each table of the `raw` source as a relation in schema `raw`,
    read from var('raw_dir'). Runs as the project's on-run-start hook, so staging models read the
    raw export through source('raw', ...) on every engine.

    The lookup rule is data in models/staging/raw/_raw__sources.yml (the source's meta
    `raw_file_forms`, the characters refused in raw_dir, and `meta: {required: true}` on columns);
    scripts/stratalib/raw_files.py reads the same data for the runner's check before dbt starts.
    Documented in macros/_register_raw_tables.yml. Every failure is one line, e.g.
    "raw table <t> (<file>): <what is wrong>" or "raw table <t> not found: expected ...".
#}
{% macro register_raw_tables() -%}
    {#- `dbt docs generate` reads the catalog of what is built: it needs no raw files, whose folder
        (the raw_dir of the last build) may be gone or be another by then. -#}
    {%- if flags.WHICH == 'generate' -%}{{ return('') }}{%- endif -%}
    {{ return(adapter.dispatch('register_raw_tables', 'strata')()) }}
{%- endmacro %}

{% macro raw_source_tables() -%}
    {%- set tables = [] -%}
    {%- for node in graph.sources.values() if node.source_name == 'raw' -%}
        {%- do tables.append(node) -%}
    {%- endfor -%}
    {{ return(tables | sort(attribute='name')) }}
{%- endmacro %}

{# The lookup rule: the meta of the `raw` source ({raw_file_forms, raw_dir_refused_characters}). #}
{% macro raw_file_rule() -%}
    {%- for node in graph.sources.values() if node.source_name == 'raw' and node.source_meta.raw_file_forms -%}
        {{ return(node.source_meta) }}
    {%- endfor -%}
    {{ exceptions.raise_compiler_error('source raw has no meta raw_file_forms in _raw__sources.yml') }}
{%- endmacro %}

{# The raw_dir var as a path with forward slashes, no trailing slash; refused when it has a glob character. #}
{% macro raw_dir_path() -%}
    {%- set raw_dir = (var('raw_dir') | replace('\\', '/') | trim).rstrip('/') -%}
    {%- set refused = raw_file_rule().raw_dir_refused_characters -%}
    {%- set found = refused | select('in', raw_dir) | list -%}
    {%- if found -%}
        {{ exceptions.raise_compiler_error(
            'raw_dir ' ~ raw_dir ~ ' has the glob character(s) ' ~ found | join(' ')
            ~ ' in its path, which would match other folders; rename or link it without ' ~ refused | join(' ')) }}
    {%- endif -%}
    {{ return(raw_dir) }}
{%- endmacro %}

{#
    The forms raw table `table` may take, in lookup order: [{format, path}] with `path` the glob
    pattern under raw_dir (raw_dir itself prefixed when given).
#}
{% macro raw_file_candidates(table, raw_dir=none) -%}
    {%- set candidates = [] -%}
    {%- for form in raw_file_rule().raw_file_forms -%}
        {%- set path = form.path | replace('{table}', table) -%}
        {%- do candidates.append({
            'format': form.format,
            'path': path if raw_dir is none else raw_dir ~ '/' ~ path,
        }) -%}
    {%- endfor -%}
    {{ return(candidates) }}
{%- endmacro %}

{# "a, b or c": the paths of `candidates`, for messages. #}
{% macro raw_file_alternatives(candidates) -%}
    {%- set paths = candidates | map(attribute='path') | list -%}
    {{ return(paths[:-1] | join(', ') ~ (' or ' if paths | length > 1 else '') ~ paths[-1]) }}
{%- endmacro %}

{#
    The form found for every raw table, {table: {format, path}}: the first candidate whose glob
    pattern matches one of `relative_files` (every file under raw_dir, relative to it, with forward
    slashes; ** is any depth of folders, * and ? stay inside one name). Fails with one line when
    no table at all is there, or naming the first missing table and the files it looked for.
#}
{% macro raw_files_found(raw_dir, relative_files) -%}
    {%- set re = modules.re -%}
    {%- set found = {} -%}
    {%- for node in raw_source_tables() -%}
        {%- for candidate in raw_file_candidates(node.name) if node.name not in found -%}
            {%- set pattern = '^' ~ re.escape(candidate.path).replace('\\*\\*/', '(?:[^/]+/)*')
                .replace('\\*', '[^/]*').replace('\\?', '[^/]') ~ '$' -%}
            {%- for file in relative_files if node.name not in found and re.match(pattern, file) -%}
                {%- set path = raw_dir ~ '/' ~ candidate.path -%}
                {%- do found.update({node.name: {'format': candidate.format, 'path': path}}) -%}
            {%- endfor -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- if not found -%}
        {{ exceptions.raise_compiler_error(
            'raw_dir ' ~ raw_dir ~ ' holds no raw tables: expected '
            ~ raw_source_tables() | map(attribute='name') | join(', ') ~ ', each as '
            ~ raw_file_alternatives(raw_file_candidates('<table>'))) }}
    {%- endif -%}
    {%- for node in raw_source_tables() if node.name not in found -%}
        {{ exceptions.raise_compiler_error(
            'raw table ' ~ node.name ~ ' not found: expected '
            ~ raw_file_alternatives(raw_file_candidates(node.name, raw_dir))) }}
    {%- endfor -%}
    {{ return(found) }}
{%- endmacro %}

{#
    `listed` (paths of files under raw_dir, as an engine lists them: maybe qualified with a scheme
    such as file: or s3a:, maybe absolute when raw_dir is relative) made relative to raw_dir.
#}
{% macro raw_relative_paths(raw_dir, listed) -%}
    {%- set re = modules.re -%}
    {%- set scheme = '^[a-zA-Z][a-zA-Z0-9+.-]*:' -%}
    {%- set bare_raw_dir = '/' ~ re.sub(scheme, '', raw_dir).strip('/') ~ '/' -%}
    {%- set relative = [] -%}
    {%- for path in listed -%}
        {%- set bare = '/' ~ re.sub(scheme, '', path | replace('\\', '/')).lstrip('/') -%}
        {%- set at = bare.find(bare_raw_dir) -%}
        {%- if at >= 0 -%}{%- do relative.append(bare[at + bare_raw_dir | length:]) -%}{%- endif -%}
    {%- endfor -%}
    {{ return(relative) }}
{%- endmacro %}

{# "raw table <t> (<file>)": how every message about one raw file starts. #}
{% macro raw_file_label(table, path) -%}
    {{ return('raw table ' ~ table ~ ' (' ~ path ~ ')') }}
{%- endmacro %}

{#
    The select list that gives the declared columns in declared order, every one as text but the
    timestamps the file already types: present ones cast to text, missing optional ones as text
    nulls. `present` is the list of lower-cased column names found in the file at `path` (named
    in the message when a required column is missing). Text whatever the file's types (a CSV is
    text anyway; a Parquet column may be an integer epoch, a float, a null type): the staging
    models parse and check every value themselves, and the dbt unit tests, whose fixtures take the
    types of these views, then mean the same for every kind of export. The one exception is
    `typed_timestamps` (lower-cased names of the columns the file types as TIMESTAMP, with or
    without time zone): a column the source declares as a timestamp stays as it is, since
    parse_timestamp takes it without parsing text back. So a unit-test fixture of a timestamp
    column holds valid timestamps; text that is not one is tested end to end from real files.
#}
{% macro raw_select_list(source_node, present, path, typed_timestamps=[]) -%}
    {%- set items = [] -%}
    {%- set missing_required = [] -%}
    {%- for column in source_node.columns.values() -%}
        {%- set quoted = adapter.quote(column.name) -%}
        {%- if column.name | lower in typed_timestamps and column.data_type == 'timestamp' -%}
            {%- do items.append(quoted) -%}
        {%- elif column.name | lower in present -%}
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

{# A form's path split into the folder to read and the file-name pattern: {folder, files, is_single_file}. #}
{% macro raw_file_parts(path) -%}
    {%- set parts = path.split('/') -%}
    {%- set folder = [] -%}
    {%- for part in parts[:-1] -%}
        {%- if folder | length == loop.index0 and not ('*' in part or '?' in part or '[' in part) -%}
            {%- do folder.append(part) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set is_single_file = folder | length == parts | length - 1 and not ('*' in parts[-1] or '?' in parts[-1]) -%}
    {{ return({'folder': folder | join('/'), 'files': parts[-1], 'is_single_file': is_single_file}) }}
{%- endmacro %}

{% macro duckdb__register_raw_tables() -%}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    {%- set raw_dir = raw_dir_path() -%}
    {%- set found = raw_files_found(raw_dir, duckdb__list_raw_files(raw_dir)) -%}
    {%- do run_query('create schema if not exists raw') -%}
    {%- for node in raw_source_tables() -%}
        {%- set path = found[node.name].path -%}
        {%- if path.endswith('.csv') -%}
            {%- set reader = duckdb__checked_csv_reader(node.name, path) -%}
        {%- elif raw_file_parts(path).is_single_file -%}
            {%- set reader = 'read_parquet(' ~ sql_string(path) ~ ')' -%}
        {%- else -%}
            {%- set reader = 'read_parquet(' ~ sql_string(path) ~ ', union_by_name = true)' -%}
        {%- endif -%}
        {%- set described = run_query('describe select * from ' ~ reader) -%}
        {%- set present = described.columns[0].values() | map('lower') | list -%}
        {#- Timestamp columns the file already types as TIMESTAMP (with or without time zone) stay
            typed: parse_timestamp takes them as they are instead of parsing their text back. -#}
        {%- set typed_timestamps = [] -%}
        {%- for row in described.rows if row[1] in duckdb_typed_timestamps() -%}
            {%- do typed_timestamps.append(row[0] | lower) -%}
        {%- endfor -%}
        {%- set select_list = raw_select_list(node, present, path, typed_timestamps) -%}
        {%- do run_query(
            'create or replace view raw.' ~ node.name ~ ' as select ' ~ select_list ~ ' from ' ~ reader) -%}
    {%- endfor -%}
    {{ return('') }}
{%- endmacro %}

{# Every file under raw_dir, relative to it (DuckDB's glob(), which also reads object storage through httpfs). #}
{% macro duckdb__list_raw_files(raw_dir) -%}
    {%- set listed = run_query('select file from glob(' ~ sql_string(raw_dir ~ '/**') ~ ')') -%}
    {{ return(raw_relative_paths(raw_dir, listed.columns[0].values())) }}
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
    {%- set first_line = run_query(
        'select line from ' ~ duckdb__csv_reader_keeping_rejects(path, as_lines) ~ ' limit 1') -%}
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
    Spark: the files under raw_dir are listed through Spark's binaryFile source (paths only, the
    contents are not read), on any file system Spark reaches (local, HDFS, object storage), and
    the same rule picks each table's form.
#}
{% macro spark__register_raw_tables() -%}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    {%- set raw_dir = raw_dir_path() -%}
    {%- set found = raw_files_found(raw_dir, spark__list_raw_files(raw_dir)) -%}
    {%- do run_query('create database if not exists raw') -%}
    {%- for node in raw_source_tables() -%}
        {%- set name = node.name -%}
        {%- set path = found[name].path -%}
        {%- set parts = raw_file_parts(path) -%}
        {%- set reader = 'csv' if path.endswith('.csv') else 'parquet' -%}
        {%- set options = ["header 'true'"] if reader == 'csv' else [] -%}
        {%- if parts.is_single_file -%}
            {%- do options.append('path ' ~ sql_string(path)) -%}
        {%- else -%}
            {%- do options.append("recursiveFileLookup 'true'") -%}
            {%- do options.append('pathGlobFilter ' ~ sql_string(parts.files)) -%}
            {%- do options.append('path ' ~ sql_string(parts.folder)) -%}
        {%- endif -%}
        {%- set files_table = 'raw.' ~ name ~ '_files' -%}
        {%- do run_query('drop table if exists ' ~ files_table) -%}
        {%- do run_query(
            'create table ' ~ files_table ~ ' using ' ~ reader ~ ' options (' ~ options | join(', ') ~ ')') -%}
        {%- set files_relation = api.Relation.create(schema='raw', identifier=name ~ '_files') -%}
        {%- set described = adapter.get_columns_in_relation(files_relation) -%}
        {%- set present = described | map(attribute='name') | map('lower') | list -%}
        {%- set select_list = raw_select_list(node, present, path) -%}
        {%- do run_query(
            'create or replace view raw.' ~ name ~ ' as select ' ~ select_list ~ ' from ' ~ files_table) -%}
    {%- endfor -%}
    {{ return('') }}
{%- endmacro %}

{# Every file under raw_dir, relative to it, listed by Spark's binaryFile source. #}
{% macro spark__list_raw_files(raw_dir) -%}
    {%- do run_query('create or replace temporary view strata_raw_dir_files using binaryFile options ('
        ~ "recursiveFileLookup 'true', path " ~ sql_string(raw_dir) ~ ')') -%}
    {%- set listed = run_query('select path from strata_raw_dir_files') -%}
    {{ return(raw_relative_paths(raw_dir, listed.columns[0].values())) }}
{%- endmacro %}
