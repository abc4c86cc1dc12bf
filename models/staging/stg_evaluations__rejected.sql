-- One row per (raw evaluations row, failing check): the data-quality list's staging part.
with

checked as (
    select * from {{ ref('stg_evaluations__checked') }}
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
        'evaluations' as dataset,
        failures._assessment_year,
        failures._source_file,
        failures._sheet,
        failures._source_row,
        failures._row_id,
        failures.failure.column_name as column_name,
        failures.failure.check_name as check_name,
        failures.failure.value_as_written as value_as_written,
        failures.failure.message as message
    from failures
)

select * from rejected
