-- Every raw financing row, parsed once, with the list of checks it fails (empty: it passes).
-- stg_financing and stg_financing__rejected both read this table, so nothing is parsed twice.
{{ config(pre_hook="{{ restage_changed_years('financing') }}") }}
with

raw_financing as not materialized (
    {{ raw_rows_to_stage(source('raw', 'financing'), 'financing') }}
),

{#- Parsed and checked once per distinct value (macros/value_lookups.sql). -#}
{%- set looked_up = ['carrier_id', 'enterprise_name', 'financing_date', 'amount', 'amount_unit', 'financing_kind', 'investor', 'round', 'uscc'] %}
{%- set row_units = {'amount': 'amount_unit'} %}
{{ value_lookups('financing', 'raw_financing', looked_up, row_units) }},

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
        _v_carrier_id._parsed as carrier_id,
        _v_enterprise_name._parsed as enterprise_name,
        _v_uscc._parsed as uscc,
        _v_financing_date._parsed as financing_date,
        _v_amount._parsed as amount_wan,
        _v_amount_unit._parsed as amount_unit,
        _v_financing_kind._parsed as financing_kind,
        _v_investor._parsed as investor,
        _v_round._parsed as round,
        {{ lookup_failures(looked_up) }},
        raw_financing as _raw
    from raw_financing
    {{- lookup_joins('financing', 'raw_financing', looked_up, row_units) }}
),

checked as (
    select
        parsed.* exclude (_raw{{ lookup_excludes(looked_up) }}),
        {{ row_failures('financing', looked_up=looked_up) }} as _failures
    from parsed
),

summarised as (
    select
        checked.*,
        {{ failed_checks_text('checked._failures') }} as _failed_checks
    from checked
)

select * from summarised
