-- Every raw subsidy_claims row, parsed once, with the list of checks it fails (empty: it passes).
-- stg_subsidy_claims and stg_subsidy_claims__rejected both read this table, so nothing is parsed twice.
{{ config(pre_hook="{{ restage_changed_years('subsidy_claims') }}") }}
with

raw_subsidy_claims as (
    {{ raw_rows_to_stage(source('raw', 'subsidy_claims'), 'subsidy_claims') }}
),

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
        upper({{ normalize_text('raw_subsidy_claims.carrier_id') }}) as carrier_id,
        {{ enum_code('subsidy_claims', 'claim_kind', 'raw_subsidy_claims.claim_kind') }} as claim_kind,
        {{ normalize_text('raw_subsidy_claims.claimant_name') }} as claimant_name,
        {{ normalize_uscc('raw_subsidy_claims.claimant_uscc') }} as claimant_uscc,
        {{ parse_money('raw_subsidy_claims.amount_audited', row_unit=none, header_unit='raw_subsidy_claims.amount_audited__header_unit') }} as amount_audited_wan,
        {{ parse_money('raw_subsidy_claims.amount_previous', row_unit=none, header_unit='raw_subsidy_claims.amount_previous__header_unit') }} as amount_previous_wan,
        {{ parse_int('raw_subsidy_claims.rent_year_index') }} as rent_year_index,
        {{ normalize_text('raw_subsidy_claims.note') }} as note,
        raw_subsidy_claims as _raw
    from raw_subsidy_claims
),

checked as (
    select
        parsed.* exclude (_raw),
        {{ row_failures('subsidy_claims') }} as _failures
    from parsed
),

summarised as (
    select
        checked.*,
        {{ failed_checks_text('checked._failures') }} as _failed_checks
    from checked
)

select * from summarised
