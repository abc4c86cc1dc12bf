-- Every raw evaluations row, parsed once, with the list of checks it fails (empty: it passes).
-- stg_evaluations and stg_evaluations__rejected both read this table, so nothing is parsed twice.
{{ config(pre_hook="{{ restage_changed_years('evaluations') }}") }}
with

raw_evaluations as not materialized (
    {{ raw_rows_to_stage(source('raw', 'evaluations'), 'evaluations') }}
),

{#- Parsed and checked once per distinct value (macros/value_lookups.sql). -#}
{%- set looked_up = ['carrier_id', 'evaluation_level', 'evaluation_year', 'grade'] %}
{{ value_lookups('evaluations', 'raw_evaluations', looked_up) }},

parsed as (
    select
        raw_evaluations._assessment_year,
        raw_evaluations._run_id,
        raw_evaluations._source_file,
        raw_evaluations._file_sha256,
        raw_evaluations._sheet,
        raw_evaluations._source_row,
        raw_evaluations._adjustments_sig,
        {{ row_id('evaluations', 'raw_evaluations') }} as _row_id,
        _v_carrier_id._parsed as carrier_id,
        _v_evaluation_level._parsed as evaluation_level,
        _v_evaluation_year._parsed as evaluation_year,
        _v_grade._parsed as grade,
        {{ lookup_failures(looked_up) }},
        raw_evaluations as _raw
    from raw_evaluations
    {{- lookup_joins('evaluations', 'raw_evaluations', looked_up) }}
),

checked as (
    select
        parsed.* exclude (_raw{{ lookup_excludes(looked_up) }}),
        {{ row_failures('evaluations', looked_up=looked_up) }} as _failures
    from parsed
),

summarised as (
    select
        checked.*,
        {{ failed_checks_text('checked._failures') }} as _failed_checks
    from checked
)

select * from summarised
