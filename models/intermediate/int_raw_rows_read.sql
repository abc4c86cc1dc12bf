-- Rows read per assessment year × dataset × source file, counted in the raw layer: the
-- rows_read of dataset_counts, independent of what staging and de-duplication did with them.
-- A view: only dataset_counts reads it, as one CTE, which DuckDB computes once however often the
-- query uses it; nothing is built twice and the batch runs one dbt node fewer (benchmarks.md).
{{ config(materialized='view') }}
{#- The contract's ten datasets (macros/contract_columns.sql, generated from the contract). -#}
{%- set dataset_names = contract_datasets() %}

with

{% for dataset in dataset_names %}
read_{{ dataset }} as (
    select
        '{{ dataset }}' as dataset,
        raw_rows._assessment_year,
        raw_rows._source_file,
        count(*) as rows_read
    from {{ source('raw', dataset) }} as raw_rows
    where {{ as_of_filter('raw_rows._assessment_year') }}
    group by all
),

{% endfor %}
final as (
    {% for dataset in dataset_names %}
    select * from read_{{ dataset }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
)

select * from final
