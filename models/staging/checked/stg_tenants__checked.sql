-- Every raw tenants row, parsed once, with the list of checks it fails (empty: it passes).
-- stg_tenants and stg_tenants__rejected both read this table, so nothing is parsed twice.
{{ config(pre_hook="{{ restage_changed_years('tenants') }}") }}
with

raw_tenants as not materialized (
    {{ raw_rows_to_stage(source('raw', 'tenants'), 'tenants') }}
),

{#- Parsed and checked once per distinct value (macros/value_lookups.sql). -#}
{%- set looked_up = ['carrier_id', 'enterprise_name', 'entry_date', 'exit_date', 'tenant_status', 'industry', 'tech_sme_reg_no', 'tech_sme_reg_date', 'revenue', 'rd_expense', 'tax_paid', 'employees', 'talents', 'attracted_by_town', 'tech_recruit_certified', 'occupied_area_m2', 'uscc'] %}
{{ value_lookups('tenants', 'raw_tenants', looked_up) }},

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
        _v_carrier_id._parsed as carrier_id,
        _v_enterprise_name._parsed as enterprise_name,
        _v_uscc._parsed as uscc,
        _v_entry_date._parsed as entry_date,
        _v_exit_date._parsed as exit_date,
        _v_tenant_status._parsed as tenant_status,
        _v_industry._parsed as industry,
        _v_tech_sme_reg_no._parsed as tech_sme_reg_no,
        _v_tech_sme_reg_date._parsed as tech_sme_reg_date,
        _v_revenue._parsed as revenue_wan,
        _v_rd_expense._parsed as rd_expense_wan,
        _v_tax_paid._parsed as tax_paid_wan,
        _v_employees._parsed as employees,
        _v_talents._parsed as talents,
        _v_attracted_by_town._parsed as attracted_by_town,
        _v_tech_recruit_certified._parsed as tech_recruit_certified,
        _v_occupied_area_m2._parsed as occupied_area_m2,
        {{ lookup_failures(looked_up) }},
        raw_tenants as _raw
    from raw_tenants
    {{- lookup_joins('tenants', 'raw_tenants', looked_up) }}
),

checked as (
    select
        parsed.* exclude (_raw{{ lookup_excludes(looked_up) }}),
        {{ row_failures('tenants', looked_up=looked_up) }} as _failures
    from parsed
),

summarised as (
    select
        checked.*,
        {{ failed_checks_text('checked._failures') }} as _failed_checks
    from checked
)

select * from summarised
