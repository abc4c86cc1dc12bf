-- Every raw carriers row, parsed once, with the list of checks it fails (empty: it passes).
-- stg_carriers and stg_carriers__rejected both read this table, so nothing is parsed twice.
-- One id under two names in a year is a check across rows: intermediate's
-- (int_carriers_name_conflicts).
{{ config(pre_hook="{{ restage_changed_years('carriers') }}") }}
with

raw_carriers as not materialized (
    {{ raw_rows_to_stage(source('raw', 'carriers'), 'carriers') }}
),

{#- Parsed and checked once per distinct value (macros/value_lookups.sql). -#}
{%- set looked_up = ['carrier_id', 'carrier_name', 'carrier_type', 'level', 'level_date', 'town', 'operator_name', 'operator_uscc', 'operator_kind', 'total_area_m2', 'incubation_area_m2', 'established_date', 'seed_fund', 'seed_fund_amount', 'service_staff'] %}
{{ value_lookups('carriers', 'raw_carriers', looked_up) }},

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
        _v_carrier_id._parsed as carrier_id,
        _v_carrier_name._parsed as carrier_name,
        _v_carrier_type._parsed as carrier_type,
        _v_level._parsed as level,
        _v_level_date._parsed as level_date,
        _v_town._parsed as town,
        _v_operator_name._parsed as operator_name,
        _v_operator_uscc._parsed as operator_uscc,
        _v_operator_kind._parsed as operator_kind,
        _v_total_area_m2._parsed as total_area_m2,
        _v_incubation_area_m2._parsed as incubation_area_m2,
        _v_established_date._parsed as established_date,
        _v_seed_fund._parsed as seed_fund,
        _v_seed_fund_amount._parsed as seed_fund_amount_wan,
        _v_service_staff._parsed as service_staff,
        {{ lookup_failures(looked_up) }},
        raw_carriers as _raw
    from raw_carriers
    {{- lookup_joins('carriers', 'raw_carriers', looked_up) }}
),

checked as (
    select
        parsed.* exclude (_raw{{ lookup_excludes(looked_up) }}),
        {{ row_failures('carriers', looked_up=looked_up) }} as _failures
    from parsed
),

summarised as (
    select
        checked.*,
        {{ failed_checks_text('checked._failures') }} as _failed_checks
    from checked
)

select * from summarised
