-- Every raw awards row, parsed once, with the list of checks it fails (empty: it passes).
-- stg_awards and stg_awards__rejected both read this table, so nothing is parsed twice.
{{ config(pre_hook="{{ restage_changed_years('awards') }}") }}
with

raw_awards as not materialized (
    {{ raw_rows_to_stage(source('raw', 'awards'), 'awards') }}
),

{#- Parsed and checked once per distinct value (macros/value_lookups.sql). -#}
{%- set looked_up = ['carrier_id', 'competition', 'award_level', 'award_date', 'enterprise_name', 'uscc'] %}
{{ value_lookups('awards', 'raw_awards', looked_up) }},

parsed as (
    select
        raw_awards._assessment_year,
        raw_awards._run_id,
        raw_awards._source_file,
        raw_awards._file_sha256,
        raw_awards._sheet,
        raw_awards._source_row,
        raw_awards._adjustments_sig,
        {{ row_id('awards', 'raw_awards') }} as _row_id,
        _v_carrier_id._parsed as carrier_id,
        _v_enterprise_name._parsed as enterprise_name,
        _v_uscc._parsed as uscc,
        _v_competition._parsed as competition,
        _v_award_level._parsed as award_level,
        cast({{ enum_code('awards', 'award_rank', 'raw_awards.award_rank') }} as integer) as award_rank,
        _v_award_date._parsed as award_date,
        {{ lookup_failures(looked_up) }},
        raw_awards as _raw
    from raw_awards
    {{- lookup_joins('awards', 'raw_awards', looked_up) }}
),

checked as (
    select
        parsed.* exclude (_raw{{ lookup_excludes(looked_up) }}),
        {{ row_failures('awards', looked_up=looked_up) }} as _failures
    from parsed
),

summarised as (
    select
        checked.*,
        {{ failed_checks_text('checked._failures') }} as _failed_checks
    from checked
)

select * from summarised
