{#
    python_table_function(function_name, input_relation, arguments, single_partition): a query
    whose rows are those of a Python table function registered in the engine's session, called
    on every row of input_relation (a relation or CTE name) with the constant SQL expressions of
    `arguments`. With single_partition the function sees all the rows at once (a fit); without,
    the engine may split them (per-row formulas). Only Spark has it (Python UDTFs with a TABLE
    argument, registered by stratalib.spark_build from stratalib.spark_functions): the Spark
    stand-ins of the dbt Python models call it. Documented in macros/_python_table_function.yml.
#}
{% macro python_table_function(function_name, input_relation, arguments, single_partition=true) -%}
    {{ return(adapter.dispatch('python_table_function', 'strata')(function_name, input_relation, arguments, single_partition)) }}
{%- endmacro %}

{#- Raised only when run: dbt parses a disabled stand-in too. -#}
{% macro default__python_table_function(function_name, input_relation, arguments, single_partition) -%}
    {%- if execute -%}{{ exceptions.raise_compiler_error(
        "python_table_function: " ~ target.type ~ " has no Python table functions; on this engine the "
        ~ "dbt Python model of the same name runs instead of its SQL stand-in") }}{%- endif -%}
{%- endmacro %}

{% macro spark__python_table_function(function_name, input_relation, arguments, single_partition) -%}
    select * from {{ function_name }}(
        table(select * from {{ input_relation }}){{ ' with single partition' if single_partition else '' }}
        {%- for argument in arguments %}, {{ argument }}{% endfor %}
    )
{%- endmacro %}
