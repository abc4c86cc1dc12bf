-- Every raw tenants row, parsed once, with the list of checks it fails (empty: it passes).
-- stg_tenants and stg_tenants__rejected both read this table, so nothing is parsed twice.
with

raw_tenants as (
    {{ raw_rows_to_stage(source('raw', 'tenants'), 'tenants') }}
),

parsed as (
    select
        raw_tenants._assessment_year,
        raw_tenants._run_id,
        raw_tenants._source_file,
        raw_tenants._file_sha256,
        raw_tenants._sheet,
        raw_tenants._source_row,
        raw_tenants._adjustments_sig,
        {{ row_id('tenants', 'raw_tenants') }} as _row_id,
        upper({{ normalize_text('raw_tenants.carrier_id') }}) as carrier_id,
        {{ normalize_text('raw_tenants.enterprise_name') }} as enterprise_name,
        {{ normalize_uscc('raw_tenants.uscc') }} as uscc,
        {{ parse_date('raw_tenants.entry_date') }} as entry_date,
        {{ parse_date('raw_tenants.exit_date') }} as exit_date,
        {{ enum_code('tenants', 'tenant_status', 'raw_tenants.tenant_status') }} as tenant_status,
        {{ normalize_text('raw_tenants.industry') }} as industry,
        {{ normalize_text('raw_tenants.tech_sme_reg_no') }} as tech_sme_reg_no,
        {{ parse_date('raw_tenants.tech_sme_reg_date') }} as tech_sme_reg_date,
        {{ parse_money('raw_tenants.revenue', row_unit=none, header_unit='raw_tenants.revenue__header_unit') }} as revenue_wan,
        {{ parse_money('raw_tenants.rd_expense', row_unit=none, header_unit='raw_tenants.rd_expense__header_unit') }} as rd_expense_wan,
        {{ parse_money('raw_tenants.tax_paid', row_unit=none, header_unit='raw_tenants.tax_paid__header_unit') }} as tax_paid_wan,
        {{ parse_int('raw_tenants.employees') }} as employees,
        {{ parse_int('raw_tenants.talents') }} as talents,
        {{ normalize_text('raw_tenants.attracted_by_town') }} as attracted_by_town,
        {{ parse_bool('raw_tenants.tech_recruit_certified') }} as tech_recruit_certified,
        {{ parse_decimal('raw_tenants.occupied_area_m2') }} as occupied_area_m2,
        raw_tenants as _raw
    from raw_tenants
),

checked as (
    select
        parsed.* exclude (_raw),
        {{ row_failures('tenants') }} as _failures
    from parsed
),

summarised as (
    select
        checked.*,
        {{ failed_checks_text('checked._failures') }} as _failed_checks
    from checked
)

select * from summarised
