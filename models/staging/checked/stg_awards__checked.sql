-- Every raw awards row, parsed once, with the list of checks it fails (empty: it passes).
-- stg_awards and stg_awards__rejected both read this table, so nothing is parsed twice.
with

raw_awards as (
    {{ raw_rows_to_stage(source('raw', 'awards'), 'awards') }}
),

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
        upper({{ normalize_text('raw_awards.carrier_id') }}) as carrier_id,
        {{ normalize_text('raw_awards.enterprise_name') }} as enterprise_name,
        {{ normalize_uscc('raw_awards.uscc') }} as uscc,
        {{ normalize_text('raw_awards.competition') }} as competition,
        {{ enum_code('awards', 'award_level', 'raw_awards.award_level') }} as award_level,
        cast({{ enum_code('awards', 'award_rank', 'raw_awards.award_rank') }} as integer) as award_rank,
        {{ parse_date('raw_awards.award_date') }} as award_date,
        raw_awards as _raw
    from raw_awards
),

checked as (
    select
        parsed.* exclude (_raw),
        {{ row_failures('awards') }} as _failures
    from parsed
),

summarised as (
    select
        checked.*,
        {{ failed_checks_text('checked._failures') }} as _failed_checks
    from checked
)

select * from summarised
