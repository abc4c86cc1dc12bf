{#-
    Staging is incremental by package: stg_<dataset>__checked parses each raw row once, in the
    run that ingested it, and keeps the earlier years' parsed rows as they were.

    Every raw row carries the `_run_id` of the ingest that wrote it, and ingest replaces a year's
    rows whole, so a year whose `_run_id` in raw differs from the one in the staged table (or
    that raw no longer holds) has changed:
      restage_changed_years()   (pre-hook, models/staging/checked in dbt_project.yml) deletes the
                                staged rows of every such year;
      raw_rows_to_stage(source) (the import CTE of each __checked model, given its raw source)
                                selects the raw rows whose `_run_id` is not staged, i.e. the
                                changed years.
    On the first build, a --full-refresh, or when the project's code changed since the last
    build (orchestration/transform.py decides), everything is parsed afresh.
-#}
{% macro raw_rows_to_stage(raw_relation) -%}
    select * from {{ raw_relation }} as raw_rows
    {%- if is_incremental() %}
    where raw_rows._run_id not in (select distinct staged._run_id from {{ this }} as staged)
    {%- endif %}
{%- endmacro %}


{% macro restage_changed_years() -%}
    {%- if is_incremental() -%}
    {%- set dataset = this.identifier[4:-9] -%}
    delete from {{ this }}
    where _run_id not in (select distinct raw_rows._run_id from {{ source('raw', dataset) }} as raw_rows)
    {%- endif -%}
{%- endmacro %}
