-- Every raw high_tech row, parsed once, with the list of checks it fails (empty: it passes).
-- stg_high_tech and stg_high_tech__rejected both read this table, so nothing is parsed twice.
with

raw_high_tech as (
    {{ raw_rows_to_stage(source('raw', 'high_tech'), 'high_tech') }}
),

parsed as (
    select
        raw_high_tech._assessment_year,
        raw_high_tech._run_id,
        raw_high_tech._source_file,
        raw_high_tech._file_sha256,
        raw_high_tech._sheet,
        raw_high_tech._source_row,
        raw_high_tech._adjustments_sig,
        {{ row_id('high_tech', 'raw_high_tech') }} as _row_id,
        upper({{ normalize_text('raw_high_tech.carrier_id') }}) as carrier_id,
        {{ normalize_text('raw_high_tech.enterprise_name') }} as enterprise_name,
        {{ normalize_uscc('raw_high_tech.uscc') }} as uscc,
        {{ normalize_certificate_no('raw_high_tech.certificate_no') }} as certificate_no,
        {{ parse_date('raw_high_tech.issue_date') }} as issue_date,
        {{ enum_code('high_tech', 'cert_kind', 'raw_high_tech.cert_kind') }} as cert_kind,
        raw_high_tech as _raw
    from raw_high_tech
),

{#- The year in a well-formed certificate number must be the issue date's year. -#}
{%- set year_mismatch -%}
    case
        when parsed.issue_date is not null
            and {{ certificate_no_is_well_formed('parsed.certificate_no') }}
            and not {{ certificate_no_is_valid('parsed.certificate_no', 'parsed.issue_date') }}
            then {{ dq_failure('certificate_no', 'certificate_year_mismatch', '_raw.certificate_no', none, none,
                message_sql="'【证书编号】证书编号中的年份 ' || substr(parsed.certificate_no, 3, 4)
                    || ' 与发证日期 ' || strftime(parsed.issue_date, '%Y-%m-%d') || ' 的年份不符：' || _raw.certificate_no
                    || ' / Year ' || substr(parsed.certificate_no, 3, 4) || ' in certificate number '''
                    || _raw.certificate_no || ''' (证书编号) does not match the issue date '
                    || strftime(parsed.issue_date, '%Y-%m-%d') || ' (发证日期)'") }}
    end
{%- endset %}

checked as (
    select
        parsed.* exclude (_raw),
        {{ row_failures('high_tech', extra=[year_mismatch]) }} as _failures
    from parsed
),

summarised as (
    select
        checked.*,
        {{ failed_checks_text('checked._failures') }} as _failed_checks
    from checked
)

select * from summarised
