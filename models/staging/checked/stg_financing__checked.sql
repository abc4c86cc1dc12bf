-- Every raw financing row, parsed once, with the list of checks it fails (empty: it passes).
-- stg_financing and stg_financing__rejected both read this table, so nothing is parsed twice.
with

raw_financing as (
    {{ raw_rows_to_stage(source('raw', 'financing'), 'financing') }}
),

parsed as (
    select
        raw_financing._assessment_year,
        raw_financing._run_id,
        raw_financing._source_file,
        raw_financing._file_sha256,
        raw_financing._sheet,
        raw_financing._source_row,
        raw_financing._adjustments_sig,
        {{ row_id('financing', 'raw_financing') }} as _row_id,
        upper({{ normalize_text('raw_financing.carrier_id') }}) as carrier_id,
        {{ normalize_text('raw_financing.enterprise_name') }} as enterprise_name,
        {{ normalize_uscc('raw_financing.uscc') }} as uscc,
        {{ parse_date('raw_financing.financing_date') }} as financing_date,
        {{ parse_money('raw_financing.amount', row_unit='raw_financing.amount_unit', header_unit='raw_financing.amount__header_unit') }} as amount_wan,
        {{ enum_code('financing', 'amount_unit', 'raw_financing.amount_unit') }} as amount_unit,
        {{ enum_code('financing', 'financing_kind', 'raw_financing.financing_kind') }} as financing_kind,
        {{ normalize_text('raw_financing.investor') }} as investor,
        {{ normalize_text('raw_financing.round') }} as round,
        raw_financing as _raw
    from raw_financing
),

checked as (
    select
        parsed.* exclude (_raw),
        {{ row_failures('financing') }} as _failures
    from parsed
),

summarised as (
    select
        checked.*,
        {{ failed_checks_text('checked._failures') }} as _failed_checks
    from checked
)

select * from summarised
