-- Every raw graduations row, parsed once, with the list of checks it fails (empty: it passes).
-- stg_graduations and stg_graduations__rejected both read this table, so nothing is parsed twice.
with

raw_graduations as (
    {{ raw_rows_to_stage(source('raw', 'graduations'), 'graduations') }}
),

parsed as (
    select
        raw_graduations._assessment_year,
        raw_graduations._run_id,
        raw_graduations._source_file,
        raw_graduations._file_sha256,
        raw_graduations._sheet,
        raw_graduations._source_row,
        raw_graduations._adjustments_sig,
        {{ row_id('graduations', 'raw_graduations') }} as _row_id,
        upper({{ normalize_text('raw_graduations.carrier_id') }}) as carrier_id,
        {{ normalize_text('raw_graduations.enterprise_name') }} as enterprise_name,
        {{ normalize_uscc('raw_graduations.uscc') }} as uscc,
        {{ parse_date('raw_graduations.graduation_date') }} as graduation_date,
        {{ enum_code('graduations', 'graduation_basis', 'raw_graduations.graduation_basis') }} as graduation_basis,
        {{ parse_bool('raw_graduations.landed_in_district') }} as landed_in_district,
        {{ normalize_text('raw_graduations.landed_park') }} as landed_park,
        raw_graduations as _raw
    from raw_graduations
),

checked as (
    select
        parsed.* exclude (_raw),
        {{ row_failures('graduations') }} as _failures
    from parsed
),

summarised as (
    select
        checked.*,
        {{ failed_checks_text('checked._failures') }} as _failed_checks
    from checked
)

select * from summarised
