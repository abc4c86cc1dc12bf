-- Every raw high_tech row, parsed once, with the list of checks it fails (empty: it passes).
-- stg_high_tech and stg_high_tech__rejected both read this table, so nothing is parsed twice.
{{ config(pre_hook="{{ restage_changed_years('high_tech') }}") }}
with

raw_high_tech as not materialized (
    {{ raw_rows_to_stage(source('raw', 'high_tech'), 'high_tech') }}
),

{#- Parsed and checked once per distinct value (macros/value_lookups.sql). -#}
{%- set looked_up = ['carrier_id', 'issue_date', 'cert_kind', 'enterprise_name'] %}
{{ value_lookups('high_tech', 'raw_high_tech', looked_up) }},

{#- Parsed and checked once per row: their values are (nearly) all different. -#}
{%- set by_row = ['uscc', 'certificate_no'] %}
{{ row_values('high_tech', 'raw_high_tech', by_row) }},

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
        _v_carrier_id._parsed as carrier_id,
        _v_enterprise_name._parsed as enterprise_name,
        raw_high_tech._parsed_uscc as uscc,
        raw_high_tech._parsed_certificate_no as certificate_no,
        _v_issue_date._parsed as issue_date,
        _v_cert_kind._parsed as cert_kind,
        {{ lookup_failures(looked_up) }},
        {{ row_value_failures('raw_high_tech', by_row) }},
        raw_high_tech as _raw
    from raw_high_tech_by_row as raw_high_tech
    {{- lookup_joins('high_tech', 'raw_high_tech', looked_up) }}
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
        parsed.* exclude (_raw{{ lookup_excludes(looked_up + by_row) }}),
        {{ row_failures('high_tech', extra=[year_mismatch], looked_up=looked_up + by_row) }} as _failures
    from parsed
),

summarised as (
    select
        checked.*,
        {{ failed_checks_text('checked._failures') }} as _failed_checks
    from checked
)

select * from summarised
