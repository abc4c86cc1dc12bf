-- Every raw carriers row, parsed once, with the list of checks it fails (empty: it passes).
-- stg_carriers and stg_carriers__rejected both read this table, so nothing is parsed twice.
-- One id under two names in a year is a check across rows: intermediate's
-- (int_carriers_name_conflicts).
{{ config(pre_hook="{{ restage_changed_years('carriers') }}") }}
with

raw_carriers as (
    {{ raw_rows_to_stage(source('raw', 'carriers'), 'carriers') }}
),

parsed as (
    select
        raw_carriers._assessment_year,
        raw_carriers._run_id,
        raw_carriers._source_file,
        raw_carriers._file_sha256,
        raw_carriers._sheet,
        raw_carriers._source_row,
        raw_carriers._adjustments_sig,
        {{ row_id('carriers', 'raw_carriers') }} as _row_id,
        upper({{ normalize_text('raw_carriers.carrier_id') }}) as carrier_id,
        {{ normalize_text('raw_carriers.carrier_name') }} as carrier_name,
        {{ enum_code('carriers', 'carrier_type', 'raw_carriers.carrier_type') }} as carrier_type,
        {{ enum_code('carriers', 'level', 'raw_carriers.level') }} as level,
        {{ parse_date('raw_carriers.level_date') }} as level_date,
        {{ normalize_text('raw_carriers.town') }} as town,
        {{ normalize_text('raw_carriers.operator_name') }} as operator_name,
        {{ normalize_uscc('raw_carriers.operator_uscc') }} as operator_uscc,
        {{ enum_code('carriers', 'operator_kind', 'raw_carriers.operator_kind') }} as operator_kind,
        {{ parse_decimal('raw_carriers.total_area_m2') }} as total_area_m2,
        {{ parse_decimal('raw_carriers.incubation_area_m2') }} as incubation_area_m2,
        {{ parse_date('raw_carriers.established_date') }} as established_date,
        {{ parse_bool('raw_carriers.seed_fund') }} as seed_fund,
        {{ parse_money('raw_carriers.seed_fund_amount', row_unit=none, header_unit='raw_carriers.seed_fund_amount__header_unit') }} as seed_fund_amount_wan,
        {{ parse_int('raw_carriers.service_staff') }} as service_staff,
        raw_carriers as _raw
    from raw_carriers
),

checked as (
    select
        parsed.* exclude (_raw),
        {{ row_failures('carriers') }} as _failures
    from parsed
),

summarised as (
    select
        checked.*,
        {{ failed_checks_text('checked._failures') }} as _failed_checks
    from checked
)

select * from summarised
