-- One row per staging row dropped as a duplicate that disagrees with the kept row (is_conflict),
-- over all ten datasets: what data_quality_issues reports as duplicate_conflict. (dataset_counts
-- counts every dropped row, in the file it came from, from the de-duplicated models.)
-- A dataset de-duplicated in two models (macros/dedup_specs.sql: patents, tenants, financing…)
-- is looked at only in the groups that hold a conflict (has_conflict of
-- int_<dataset>_duplicate_groups): DuckDB then skips flagging its rows (the 5.6 M national
-- patents: ~1 s, and none found; macros/flag_duplicates.sql; docs/benchmarks.md, issue 21).
-- A view: only data_quality_issues reads it, as one CTE, which DuckDB computes once however often the
-- query uses it; nothing is built twice and the batch runs one dbt node fewer (benchmarks.md).
{{ config(materialized='view') }}
{#- Each of the contract's datasets with its key, as the data-quality list names it
    (macros/contract_columns.sql, generated from the contract). -#}
{%- set key_columns = {} %}
{%- for dataset in contract_datasets() %}
    {%- do key_columns.update({dataset: contract_key(dataset) | join(', ')}) %}
{%- endfor %}

with

{% for dataset, keys in key_columns.items() %}
conflicting_{{ dataset }} as (
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
        deduplicated.kept_source_row
    from {{ ref('int_' ~ dataset ~ '_deduplicated') }} as deduplicated
    where deduplicated.is_conflict  -- never the kept row: its hash is the kept hash
        {%- if dataset in grouped_datasets() %}
        and deduplicated.dedup_key in (
            select groups.dedup_key
            from {{ ref('int_' ~ dataset ~ '_duplicate_groups') }} as groups
            where groups.has_conflict
        )
        {%- endif %}
),

{% endfor %}
final as (
    {% for dataset in key_columns %}
    select * from conflicting_{{ dataset }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
)

select * from final
