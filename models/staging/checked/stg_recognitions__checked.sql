-- Every raw recognitions row, parsed once, with the list of checks it fails (empty: it passes).
-- stg_recognitions and stg_recognitions__rejected both read this table, so nothing is parsed twice.
{{ config(pre_hook="{{ restage_changed_years('recognitions') }}") }}
with

raw_recognitions as (
    {{ raw_rows_to_stage(source('raw', 'recognitions'), 'recognitions') }}
),

parsed as (
    select
        raw_recognitions._assessment_year,
        raw_recognitions._run_id,
        raw_recognitions._source_file,
        raw_recognitions._file_sha256,
        raw_recognitions._sheet,
        raw_recognitions._source_row,
        raw_recognitions._adjustments_sig,
        {{ row_id('recognitions', 'raw_recognitions') }} as _row_id,
        upper({{ normalize_text('raw_recognitions.carrier_id') }}) as carrier_id,
        {{ enum_code('recognitions', 'recognized_type', 'raw_recognitions.recognized_type') }} as recognized_type,
        {{ enum_code('recognitions', 'recognized_level', 'raw_recognitions.recognized_level') }} as recognized_level,
        {{ parse_date('raw_recognitions.recognized_date') }} as recognized_date,
        {{ normalize_text('raw_recognitions.document_no') }} as document_no,
        {{ normalize_text('raw_recognitions.holder_name') }} as holder_name,
        {{ normalize_uscc('raw_recognitions.holder_uscc') }} as holder_uscc,
        raw_recognitions as _raw
    from raw_recognitions
),

checked as (
    select
        parsed.* exclude (_raw),
        {{ row_failures('recognitions') }} as _failures
    from parsed
),

summarised as (
    select
        checked.*,
        {{ failed_checks_text('checked._failures') }} as _failed_checks
    from checked
)

select * from summarised
