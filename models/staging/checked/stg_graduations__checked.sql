-- Every raw graduations row, parsed once, with the list of checks it fails (empty: it passes).
-- stg_graduations and stg_graduations__rejected both read this table, so nothing is parsed twice.
{{ config(pre_hook="{{ restage_changed_years('graduations') }}") }}
with

raw_graduations as not materialized (
    {{ raw_rows_to_stage(source('raw', 'graduations'), 'graduations') }}
),

{#- Parsed and checked once per distinct value (macros/value_lookups.sql). -#}
{%- set looked_up = ['carrier_id', 'graduation_date', 'graduation_basis', 'landed_in_district', 'landed_park', 'enterprise_name', 'uscc'] %}
{{ value_lookups('graduations', 'raw_graduations', looked_up) }},

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
        _v_carrier_id._parsed as carrier_id,
        _v_enterprise_name._parsed as enterprise_name,
        _v_uscc._parsed as uscc,
        _v_graduation_date._parsed as graduation_date,
        _v_graduation_basis._parsed as graduation_basis,
        _v_landed_in_district._parsed as landed_in_district,
        _v_landed_park._parsed as landed_park,
        {{ lookup_failures(looked_up) }},
        raw_graduations as _raw
    from raw_graduations
    {{- lookup_joins('graduations', 'raw_graduations', looked_up) }}
),

checked as (
    select
        parsed.* exclude (_raw{{ lookup_excludes(looked_up) }}),
        {{ row_failures('graduations', looked_up=looked_up) }} as _failures
    from parsed
),

summarised as (
    select
        checked.*,
        {{ failed_checks_text('checked._failures') }} as _failed_checks
    from checked
)

select * from summarised
