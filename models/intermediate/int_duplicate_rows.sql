-- One row per staging row dropped as a duplicate of a kept row, over all ten datasets: what
-- dataset_counts counts as rows_duplicate (in the file the dropped row came from) and what
-- data_quality_issues reports when the duplicate disagrees with the kept row.
-- A view: only data_quality_issues reads it, as one CTE, which DuckDB computes once however often the
-- query uses it; nothing is built twice and the batch runs one dbt node fewer (benchmarks.md).
{{ config(materialized='view') }}
{%- set key_columns = {
    'carriers': 'carrier_id',
    'tenants': 'carrier_id, uscc',
    'patents': 'patent_no',
    'high_tech': 'certificate_no',
    'graduations': 'carrier_id, uscc',
    'financing': 'uscc, financing_date, amount, financing_kind, investor',
    'awards': 'uscc, competition, award_level, award_date',
    'evaluations': 'carrier_id, evaluation_level, evaluation_year',
    'recognitions': 'carrier_id, recognized_type, recognized_level',
    'subsidy_claims': 'carrier_id, claim_kind, claimant_uscc',
} %}

with

{% for dataset, keys in key_columns.items() %}
dropped_{{ dataset }} as (
    select
        '{{ dataset }}' as dataset,
        '{{ keys }}' as key_columns,
        deduplicated._assessment_year,
        deduplicated._source_file,
        deduplicated._sheet,
        deduplicated._source_row,
        deduplicated._row_id,
        deduplicated.carrier_id,
        deduplicated.dedup_key,
        deduplicated.kept_row_id,
        deduplicated.kept_assessment_year,
        deduplicated.kept_source_file,
        deduplicated.kept_source_row,
        deduplicated.is_conflict
    from {{ ref('int_' ~ dataset ~ '_deduplicated') }} as deduplicated
    where not deduplicated.is_kept
),

{% endfor %}
final as (
    {% for dataset in key_columns %}
    select * from dropped_{{ dataset }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
)

select * from final
