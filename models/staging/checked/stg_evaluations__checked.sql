-- Every raw evaluations row, parsed once, with the list of checks it fails (empty: it passes).
-- stg_evaluations and stg_evaluations__rejected both read this table, so nothing is parsed twice.
{{ config(pre_hook="{{ restage_changed_years('evaluations') }}") }}
with

raw_evaluations as (
    {{ raw_rows_to_stage(source('raw', 'evaluations'), 'evaluations') }}
),

parsed as (
    select
        raw_evaluations._assessment_year,
        raw_evaluations._run_id,
        raw_evaluations._source_file,
        raw_evaluations._file_sha256,
        raw_evaluations._sheet,
        raw_evaluations._source_row,
        raw_evaluations._adjustments_sig,
        {{ row_id('evaluations', 'raw_evaluations') }} as _row_id,
        upper({{ normalize_text('raw_evaluations.carrier_id') }}) as carrier_id,
        {{ enum_code('evaluations', 'evaluation_level', 'raw_evaluations.evaluation_level') }} as evaluation_level,
        {{ parse_int('raw_evaluations.evaluation_year') }} as evaluation_year,
        {{ enum_code('evaluations', 'grade', 'raw_evaluations.grade') }} as grade,
        raw_evaluations as _raw
    from raw_evaluations
),

checked as (
    select
        parsed.* exclude (_raw),
        {{ row_failures('evaluations') }} as _failures
    from parsed
),

summarised as (
    select
        checked.*,
        {{ failed_checks_text('checked._failures') }} as _failed_checks
    from checked
)

select * from summarised
