{#- as_of_filter(year_column): true for the rows of the packages the build may see.

    The batch builds the marts as of a year when later years are loaded (a run of 2022 after
    2024, a rerun of 2023): an in-order run saw only the packages up to its year, and a year's
    results must not depend on the order the years were loaded in (contract, "Years and
    history"). The year is the one row of control.as_of (orchestration/rederive.py); no row: every
    package. The intermediate layer reads staging, raw and the ingest findings through this. -#}
{% macro as_of_filter(year_column) -%}
    {{ year_column }} <= (select coalesce(max(through_year), 9999) from {{ source('control', 'as_of') }})
{%- endmacro %}

{#- The table exists before any model reads it (on-run-start), also in a warehouse that a
    test or a person builds without the batch. -#}
{% macro create_as_of_table() -%}
    create schema if not exists control;
    create table if not exists control.as_of (through_year integer);
{%- endmacro %}
