{#
    Macros of the funnel pipeline (models/intermediate/funnels/), the behaviour marts and the
    acquisition marts.
    Each engine difference is dispatched: duckdb__ for DuckDB, default__ (and spark__ where it
    differs) for the rest.
#}

{#
    json_extract_text(json_column, key_expression): the value at top-level key `key_expression`
    (an SQL expression, e.g. a column of the funnels seed) of the JSON text `json_column`, as
    text; null when the key is absent or the text is null. Used for the funnels' property filter.
#}
{% macro json_extract_text(json_column, key_expression) -%}
    {{ return(adapter.dispatch('json_extract_text', 'strata')(json_column, key_expression)) }}
{%- endmacro %}

{% macro default__json_extract_text(json_column, key_expression) -%}
    get_json_object({{ json_column }}, {{ dbt.concat(["'$.'", key_expression]) }})
{%- endmacro %}

{% macro duckdb__json_extract_text(json_column, key_expression) -%}
    json_extract_string({{ json_column }}, {{ dbt.concat(["'$.'", key_expression]) }})
{%- endmacro %}

{#
    median(expression): the median (50th percentile, interpolated between the two middle values
    for an even count) of a numeric expression in an aggregate; nulls are ignored.
#}
{% macro median(expression) -%}
    {{ return(adapter.dispatch('median', 'strata')(expression)) }}
{%- endmacro %}

{% macro default__median(expression) -%}
    percentile_cont(0.5) within group (order by {{ expression }})
{%- endmacro %}

{% macro duckdb__median(expression) -%}
    median({{ expression }})
{%- endmacro %}

{% macro spark__median(expression) -%}
    percentile({{ expression }}, 0.5)
{%- endmacro %}

{#
    funnel_join_strategy(): how int_funnel_attempt_steps finds each step's event, 'asof' or 'window'.
    var('funnel_join_strategy'): 'auto' (default) picks 'asof' on DuckDB and 'window' on every
    other engine; 'window' forces the portable path (tests run it on DuckDB too); 'asof' is only
    accepted on DuckDB.
#}
{% macro funnel_join_strategy() -%}
    {%- set chosen = var('funnel_join_strategy', 'auto') -%}
    {%- if chosen not in ['auto', 'asof', 'window'] -%}
        {{ exceptions.raise_compiler_error(
            "var funnel_join_strategy must be 'auto', 'asof' or 'window', not '" ~ chosen ~ "'") }}
    {%- endif -%}
    {%- if chosen == 'auto' -%}
        {%- set chosen = 'asof' if target.type == 'duckdb' else 'window' -%}
    {%- endif -%}
    {%- if chosen == 'asof' and target.type != 'duckdb' -%}
        {{ exceptions.raise_compiler_error("funnel_join_strategy 'asof' needs DuckDB; use 'window'") }}
    {%- endif -%}
    {{ return(chosen) }}
{%- endmacro %}

{#
    funnel_next_candidate(probes, candidates, probe_columns): a select statement (a fragment, no
    CTEs of its own; the caller passes both relation names) returning, for every row of the
    relation `probes` (one per funnel attempt: funnel_name, identity_id, probe_seq and
    `probe_columns`), the first row of the relation `candidates` (one per event that matches the
    step: funnel_name, identity_id, event_seq, tie_seq, occurred_at, next_seq, next_tie_seq,
    next_at) of the same funnel and identity with event_seq >= probe_seq, i.e. the earliest
    candidate event (by occurred_at, then event_id) at or after the time the probe points at. Returns `probe_columns` and the
    candidate's columns as candidate_seq, candidate_tie_seq, candidate_at, candidate_next_seq,
    candidate_next_tie_seq, candidate_next_at (all null when there is none). Both paths are
    O(n log n): no pair of events of one identity is ever formed.

    - asof (DuckDB): one ASOF LEFT JOIN on (funnel_name, identity_id, event_seq >= probe_seq).
    - window (portable, every engine): probes and candidates are unioned and sorted by
      (funnel_name, identity_id, seq, kind) with a probe before a candidate of the same seq; a
      min(...) over the rows from the current one to the end of the identity carries the
      next candidate back to each probe. event_seq, tie_seq, occurred_at, next_seq,
      next_tie_seq and next_at all grow (weakly) along the candidates of an identity, so the min
      of each over the following candidates is the value of the first following candidate.
#}
{% macro funnel_next_candidate(probes, candidates, probe_columns) -%}
    {%- if funnel_join_strategy() == 'asof' -%}
        {{ strata.funnel_next_candidate_asof(probes, candidates, probe_columns) }}
    {%- else -%}
        {{ strata.funnel_next_candidate_window(probes, candidates, probe_columns) }}
    {%- endif -%}
{%- endmacro %}

{% macro funnel_next_candidate_asof(probes, candidates, probe_columns) -%}
    select
        {%- for column in probe_columns %}
        probes.{{ column }},
        {%- endfor %}
        candidates.event_seq as candidate_seq,
        candidates.tie_seq as candidate_tie_seq,
        candidates.occurred_at as candidate_at,
        candidates.next_seq as candidate_next_seq,
        candidates.next_tie_seq as candidate_next_tie_seq,
        candidates.next_at as candidate_next_at
    from {{ probes }} as probes
    asof left join {{ candidates }} as candidates
        on
            probes.funnel_name = candidates.funnel_name
            and probes.identity_id = candidates.identity_id
            and candidates.event_seq >= probes.probe_seq
{%- endmacro %}

{% macro funnel_next_candidate_window(probes, candidates, probe_columns) -%}
    {%- set carried = [
        ('event_seq', 'candidate_seq', dbt.type_bigint()),
        ('tie_seq', 'candidate_tie_seq', dbt.type_bigint()),
        ('occurred_at', 'candidate_at', dbt.type_timestamp()),
        ('next_seq', 'candidate_next_seq', dbt.type_bigint()),
        ('next_tie_seq', 'candidate_next_tie_seq', dbt.type_bigint()),
        ('next_at', 'candidate_next_at', dbt.type_timestamp()),
    ] -%}
    select
        {%- for column in probe_columns %}
        {{ column }},
        {%- endfor %}
        {%- for _, alias, _ in carried %}
        {{ alias }}_following as {{ alias }}{{ ',' if not loop.last }}
        {%- endfor %}
    from (
        select
            *,
            {%- for _, alias, _ in carried %}
            min(case when row_kind = 1 then {{ alias }} end) over (
                partition by funnel_name, identity_id
                order by sort_seq, row_kind
                rows between current row and unbounded following
            ) as {{ alias }}_following{{ ',' if not loop.last }}
            {%- endfor %}
        from (
            select
                {%- for column in probe_columns %}
                {{ column }},
                {%- endfor %}
                probe_seq as sort_seq,
                0 as row_kind,
                {%- for _, alias, type in carried %}
                cast(null as {{ type }}) as {{ alias }}{{ ',' if not loop.last }}
                {%- endfor %}
            from {{ probes }}
            union all
            select
                {%- for column in probe_columns %}
                {%- if column in ['funnel_name', 'identity_id'] %}
                {{ column }},
                {%- else %}
                null as {{ column }},
                {%- endif %}
                {%- endfor %}
                event_seq as sort_seq,
                1 as row_kind,
                {%- for source, alias, _ in carried %}
                {{ source }} as {{ alias }}{{ ',' if not loop.last }}
                {%- endfor %}
            from {{ candidates }}
        ) as stacked
    ) as scanned
    where row_kind = 0
{%- endmacro %}
