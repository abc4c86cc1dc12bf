-- Every raw patents row, parsed once, with the list of checks it fails (empty: it passes).
-- stg_patents and stg_patents__rejected both read this table, so nothing is parsed twice.
with

raw_patents as (
    {{ raw_rows_to_stage(source('raw', 'patents'), 'patents') }}
),

parsed as (
    select
        raw_patents._assessment_year,
        raw_patents._run_id,
        raw_patents._source_file,
        raw_patents._file_sha256,
        raw_patents._sheet,
        raw_patents._source_row,
        raw_patents._adjustments_sig,
        {{ row_id('patents', 'raw_patents') }} as _row_id,
        upper({{ normalize_text('raw_patents.carrier_id') }}) as carrier_id,
        {{ normalize_text('raw_patents.enterprise_name') }} as enterprise_name,
        {{ normalize_uscc('raw_patents.uscc') }} as uscc,
        {{ normalize_patent_no('raw_patents.patent_no') }} as patent_no,
        {{ enum_code('patents', 'patent_type', 'raw_patents.patent_type') }} as patent_type,
        {{ normalize_text('raw_patents.title') }} as title,
        {{ parse_date('raw_patents.application_date') }} as application_date,
        {{ parse_date('raw_patents.grant_date') }} as grant_date,
        {{ enum_code('patents', 'legal_status', 'raw_patents.legal_status') }} as legal_status,
        raw_patents as _raw
    from raw_patents
),

{#- The type digit of a valid patent number must agree with 专利类型. -#}
{%- set type_mismatch -%}
    case
        when parsed.patent_type is not null
            and {{ patent_no_is_valid('parsed.patent_no') }}
            and parsed.patent_type is distinct from {{ patent_type_from_no('parsed.patent_no') }}
            then {{ dq_failure('patent_type', 'patent_type_mismatch', '_raw.patent_type', none, none,
                message_sql="'【专利类型】专利类型“' || _raw.patent_type || '”与专利号 ' || parsed.patent_no
                    || ' 的类型位不符（类型位为 ' || coalesce(" ~ patent_type_digit('parsed.patent_no') ~ ", '?')
                    || '：1/8 发明，2/9 实用新型，3 外观设计） / Patent type ''' || _raw.patent_type
                    || ''' in 专利类型 disagrees with the type digit ' || coalesce(" ~ patent_type_digit('parsed.patent_no') ~ ", '?')
                    || ' of 专利号 ' || parsed.patent_no
                    || ' (1/8 invention, 2/9 utility model, 3 design)'") }}
    end
{%- endset %}

checked as (
    select
        parsed.* exclude (_raw),
        {{ row_failures('patents', extra=[type_mismatch]) }} as _failures
    from parsed
),

summarised as (
    select
        checked.*,
        {{ failed_checks_text('checked._failures') }} as _failed_checks
    from checked
)

select * from summarised
