-- Every raw subsidy_claims row, parsed once, with the list of checks it fails (empty: it passes).
-- stg_subsidy_claims and stg_subsidy_claims__rejected both read this table, so nothing is parsed twice.
{{ config(pre_hook="{{ restage_changed_years('subsidy_claims') }}") }}
with

raw_subsidy_claims as not materialized (
    {{ raw_rows_to_stage(source('raw', 'subsidy_claims'), 'subsidy_claims') }}
),

{#- Parsed and checked once per distinct value (macros/value_lookups.sql). -#}
{%- set looked_up = ['carrier_id', 'claim_kind', 'claimant_name', 'claimant_uscc', 'amount_audited', 'amount_previous', 'rent_year_index', 'note'] %}
{{ value_lookups('subsidy_claims', 'raw_subsidy_claims', looked_up) }},

parsed as (
    select
        raw_subsidy_claims._assessment_year,
        raw_subsidy_claims._run_id,
        raw_subsidy_claims._source_file,
        raw_subsidy_claims._file_sha256,
        raw_subsidy_claims._sheet,
        raw_subsidy_claims._source_row,
        raw_subsidy_claims._adjustments_sig,
        {{ row_id('subsidy_claims', 'raw_subsidy_claims') }} as _row_id,
        _v_carrier_id._parsed as carrier_id,
        _v_claim_kind._parsed as claim_kind,
        _v_claimant_name._parsed as claimant_name,
        _v_claimant_uscc._parsed as claimant_uscc,
        _v_amount_audited._parsed as amount_audited_wan,
        _v_amount_previous._parsed as amount_previous_wan,
        _v_rent_year_index._parsed as rent_year_index,
        _v_note._parsed as note,
        {{ lookup_failures(looked_up) }},
        raw_subsidy_claims as _raw
    from raw_subsidy_claims
    {{- lookup_joins('subsidy_claims', 'raw_subsidy_claims', looked_up) }}
),

checked as (
    select
        parsed.* exclude (_raw{{ lookup_excludes(looked_up) }}),
        {{ row_failures('subsidy_claims', looked_up=looked_up) }} as _failures
    from parsed
),

summarised as (
    select
        checked.*,
        {{ failed_checks_text('checked._failures') }} as _failed_checks
    from checked
)

select * from summarised
