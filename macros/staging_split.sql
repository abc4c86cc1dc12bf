{#-
    Every stg_<dataset>__checked table holds each raw row once, parsed, with its list of failed
    checks. These two macros split it, the same way for all ten datasets:
      passed_rows(dataset, drop)  the rows that pass every check (stg_<dataset>), without
                                  the columns in `drop` (consumed by the parse)
      rejected_rows(dataset)  one row per (raw row, failing check) (stg_<dataset>__rejected)
    and reject_columns(relation, dataset), a reject row's columns.
-#}
{% macro passed_rows(dataset, drop=[]) -%}
with

checked as (
    select * from {{ ref('stg_' ~ dataset ~ '__checked') }}
),

passed as (
    select checked.* exclude (_failures, _failed_checks, _adjustments_sig{% for column in drop %}, {{ column }}{% endfor %})
    from checked
    where len(checked._failures) = 0
)

select * from passed
{%- endmacro %}


{% macro rejected_rows(dataset) -%}
with

checked as (
    select * from {{ ref('stg_' ~ dataset ~ '__checked') }}
),

failures as (
    select
        checked._assessment_year,
        checked._source_file,
        checked._sheet,
        checked._source_row,
        checked._row_id,
        unnest(checked._failures) as failure
    from checked
    where len(checked._failures) > 0
),

rejected as (
    select
        {{ reject_columns('failures', dataset) }}
    from failures
)

select * from rejected
{%- endmacro %}


{#- The columns of a reject row, from a relation with the row's lineage and one `failure`
    struct (dq_failure): the staging rejects and intermediate's cross-row checks alike. -#}
{% macro reject_columns(relation, dataset) -%}
        '{{ dataset }}' as dataset,
        {{ relation }}._assessment_year,
        {{ relation }}._source_file,
        {{ relation }}._sheet,
        {{ relation }}._source_row,
        {{ relation }}._row_id,
        {{ relation }}.failure.column_name as column_name,
        {{ relation }}.failure.check_name as check_name,
        {{ relation }}.failure.value_as_written as value_as_written,
        {{ relation }}.failure.message as message
{%- endmacro %}
