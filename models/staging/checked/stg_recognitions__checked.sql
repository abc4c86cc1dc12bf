-- Every raw recognitions row, parsed once, with the list of checks it fails (empty: it passes).
-- stg_recognitions and stg_recognitions__rejected both read this table, so nothing is parsed twice.
{{ config(pre_hook="{{ restage_changed_years('recognitions') }}") }}
with

raw_recognitions as not materialized (
    {{ raw_rows_to_stage(source('raw', 'recognitions'), 'recognitions') }}
),

{#- Parsed and checked once per distinct value (macros/value_lookups.sql). -#}
{%- set looked_up = ['carrier_id', 'recognized_type', 'recognized_level', 'recognized_date', 'document_no', 'holder_name', 'holder_uscc'] %}
{{ value_lookups('recognitions', 'raw_recognitions', looked_up) }},

parsed as (
    select
        raw_recognitions._assessment_year,
        raw_recognitions._run_id,
        raw_recognitions._source_file,
        raw_recognitions._file_sha256,
        raw_recognitions._sheet,
        raw_recognitions._source_row,
        raw_recognitions._adjustments_sig,
        {{ row_id('recognitions', 'raw_recognitions') }} as _row_id,
        _v_carrier_id._parsed as carrier_id,
        _v_recognized_type._parsed as recognized_type,
        _v_recognized_level._parsed as recognized_level,
        _v_recognized_date._parsed as recognized_date,
        _v_document_no._parsed as document_no,
        _v_holder_name._parsed as holder_name,
        _v_holder_uscc._parsed as holder_uscc,
        {{ lookup_failures(looked_up) }},
        raw_recognitions as _raw
    from raw_recognitions
    {{- lookup_joins('recognitions', 'raw_recognitions', looked_up) }}
),

checked as (
    select
        parsed.* exclude (_raw{{ lookup_excludes(looked_up) }}),
        {{ row_failures('recognitions', looked_up=looked_up) }} as _failures
    from parsed
),

summarised as (
    select
        checked.*,
        {{ failed_checks_text('checked._failures') }} as _failed_checks
    from checked
)

select * from summarised
