-- Every rejected row, one row per (row, failing check), over the contract's datasets: staging's
-- row checks (stg_<dataset>__rejected) and the checks across rows made here
-- (int_carriers_name_conflicts). What data_quality_issues lists as errors and dataset_counts
-- counts as rows_rejected.
-- A view: each of those two reads it once, as one CTE; nothing is built twice.
{{ config(materialized='view') }}
{#- The contract's ten datasets (macros/contract_columns.sql, generated from the contract). -#}
{%- set dataset_names = contract_datasets() %}

with

{% for dataset in dataset_names %}
rejected_{{ dataset }} as (
    select * from {{ ref('stg_' ~ dataset ~ '__rejected') }}
),

{% endfor %}
name_conflicts as (
    select * from {{ ref('int_carriers_name_conflicts') }}
),

unioned as (
    {% for dataset in dataset_names %}
    select * from rejected_{{ dataset }}
    union all
    {% endfor %}
    select * from name_conflicts
)

select * from unioned
