-- One row per assessment year × dataset × source file: rows read (counted in raw), kept,
-- rejected (a row failing several checks counted once) and dropped as duplicates (counted in
-- the file the dropped row came from). rows_read = rows_kept + rows_rejected + rows_duplicate,
-- which a singular test checks for every row.
{#- The contract's ten datasets (macros/contract_columns.sql, generated from the contract). -#}
{%- set dataset_names = contract_datasets() %}

with

rows_read as (
    select * from {{ ref('int_raw_rows_read') }}
),

{% for dataset in dataset_names %}
staged_{{ dataset }} as (
    select
        '{{ dataset }}' as dataset,
        deduplicated._assessment_year,
        deduplicated._source_file,
        count(*) filter (where deduplicated.is_kept) as rows_kept,
        count(*) filter (where not deduplicated.is_kept) as rows_duplicate,
        0 as rows_rejected
    from {{ ref('int_' ~ dataset ~ '_deduplicated') }} as deduplicated
    group by all
),

{% endfor %}
rejected as (
    select
        rejected_rows.dataset,
        rejected_rows._assessment_year,
        rejected_rows._source_file,
        0 as rows_kept,
        0 as rows_duplicate,
        count(distinct rejected_rows._row_id) as rows_rejected
    from {{ ref('int_rejected_rows') }} as rejected_rows
    where {{ as_of_filter('rejected_rows._assessment_year') }}
    group by all
),

outcomes as (
    {% for dataset in dataset_names %}
    select * from staged_{{ dataset }}
    union all
    {% endfor %}
    select * from rejected
),

outcome_totals as (
    select
        outcomes.dataset,
        outcomes._assessment_year,
        outcomes._source_file,
        sum(outcomes.rows_kept) as rows_kept,
        sum(outcomes.rows_rejected) as rows_rejected,
        sum(outcomes.rows_duplicate) as rows_duplicate
    from outcomes
    group by all
),

final as (
    select
        cast(coalesce(rows_read._assessment_year, outcome_totals._assessment_year) as integer)
            as assessment_year,
        coalesce(rows_read.dataset, outcome_totals.dataset) as dataset,
        coalesce(rows_read._source_file, outcome_totals._source_file) as source_file,
        cast(coalesce(rows_read.rows_read, 0) as integer) as rows_read,
        cast(coalesce(outcome_totals.rows_kept, 0) as integer) as rows_kept,
        cast(coalesce(outcome_totals.rows_rejected, 0) as integer) as rows_rejected,
        cast(coalesce(outcome_totals.rows_duplicate, 0) as integer) as rows_duplicate
    from rows_read
    full outer join outcome_totals
        on rows_read.dataset = outcome_totals.dataset
        and rows_read._assessment_year = outcome_totals._assessment_year
        and rows_read._source_file = outcome_totals._source_file
)

select * from final
