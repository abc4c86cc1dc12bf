{#-
    The project's own `table` and `incremental` materialisations for DuckDB: one statement
    (create or replace, or an append) and one commit per model, where dbt-duckdb's run up to
    eight (a temporary relation, renames, drops, the column look-ups of an incremental model,
    two commits). At district scale that bookkeeping cost more than the models' SQL
    (docs/benchmarks.md, the framework tax).

    They keep what the batch relies on:
      - atomic: the statement runs inside dbt's transaction (DuckDB's DDL is transactional), so
        a model that fails leaves its previous table exactly as it was;
      - enforced contracts (the marts): the columns are checked against the yml and the table
        is created with the declared types and constraints, as dbt-duckdb does it;
      - pre- and post-hooks run where dbt runs them (restage_changed_years is a pre-hook);
      - is_incremental() works as before: it reads the relation and the `incremental` name.
    They leave out what the project does not use: grants, persist_docs, indexes, foreign keys,
    partitioning and Python models. Schema changes of an incremental model need no
    on_schema_change: changed code rebuilds everything (orchestration/transform/fingerprint.py,
    code_fingerprint), so an append always meets the columns it was created with.
-#}

{% materialization table, adapter='duckdb' %}
  {{ return(_one_statement_model(_replace_table_as(this.incorporate(type='table'), sql))) }}
{% endmaterialization %}


{% materialization incremental, adapter='duckdb' %}
  {%- set existing_relation = load_cached_relation(this) -%}
  {%- set target_relation = this.incorporate(type='table') -%}
  {%- if (config.get('incremental_strategy') or 'append') != 'append'
         or config.get('unique_key') -%}
    {{ exceptions.raise_compiler_error(
         'macros/materializations.sql only appends (no unique_key, no other strategy); '
         ~ this ~ ' asks for ' ~ config.get('incremental_strategy') ~ ' / unique_key '
         ~ config.get('unique_key')) }}
  {%- endif -%}
  {%- if existing_relation is none or not existing_relation.is_table or should_full_refresh() -%}
    {{ return(_one_statement_model(_replace_table_as(target_relation, sql))) }}
  {%- endif -%}
  {%- set append -%}
    {%- if config.get('contract').enforced %}{{ get_assert_columns_equivalent(sql) }}{% endif %}
    insert into {{ target_relation }} by name (
    {{ sql }}
    )
  {%- endset -%}
  {{ return(_one_statement_model(append)) }}
{% endmaterialization %}


{#- What both run around their statement: the hooks where dbt runs them, the statement inside
    dbt's transaction (a relation of this name that is not a table, a view say, is dropped in
    the same transaction), one commit. -#}
{% macro _one_statement_model(build_sql) -%}
  {%- set existing_relation = load_cached_relation(this) -%}
  {%- set target_relation = this.incorporate(type='table') -%}

  {{ run_hooks(pre_hooks, inside_transaction=False) }}
  {{ run_hooks(pre_hooks, inside_transaction=True) }}

  {%- if existing_relation is not none and not existing_relation.is_table %}
    {% do adapter.drop_relation(existing_relation) %}
  {%- endif %}
  {% call statement('main') -%}
    {{ build_sql }}
  {%- endcall %}

  {{ run_hooks(post_hooks, inside_transaction=True) }}
  {{ adapter.commit() }}
  {{ run_hooks(post_hooks, inside_transaction=False) }}

  {{ return({'relations': [target_relation]}) }}
{%- endmacro %}


{#- The one statement that (re)creates a model's table; with an enforced contract, the checked
    columns, their declared types and constraints first, then the rows (dbt-duckdb's way). -#}
{% macro _replace_table_as(relation, sql) -%}
  {%- if config.get('contract').enforced -%}
    {{ get_assert_columns_equivalent(sql) }}
    create or replace table {{ relation }} {{ get_table_columns_and_constraints() }};
    insert into {{ relation }} {{ get_column_names() }} (
    {{ get_select_subquery(sql) }}
    );
  {%- else -%}
    create or replace table {{ relation }} as (
    {{ sql }}
    )
  {%- endif -%}
{%- endmacro %}
