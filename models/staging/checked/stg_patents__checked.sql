-- Every raw patents row, parsed once, with the list of checks it fails (empty: it passes).
-- stg_patents and stg_patents__rejected both read this table, so nothing is parsed twice.
{{ config(pre_hook="{{ restage_changed_years('patents') }}") }}
with

raw_patents as not materialized (
    {{ raw_rows_to_stage(source('raw', 'patents'), 'patents') }}
),

{#- Parsed and checked once per distinct value (macros/value_lookups.sql). -#}
{%- set looked_up = ['carrier_id', 'enterprise_name', 'uscc', 'patent_type', 'title', 'application_date', 'grant_date', 'legal_status'] %}
{{ value_lookups('patents', 'raw_patents', looked_up) }},

{#- Parsed and checked once per row: their values are (nearly) all different. -#}
{%- set by_row = ['patent_no'] %}
{{ row_values('patents', 'raw_patents', by_row) }},

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
        _v_carrier_id._parsed as carrier_id,
        _v_enterprise_name._parsed as enterprise_name,
        _v_uscc._parsed as uscc,
        raw_patents._parsed_patent_no as patent_no,
        _v_patent_type._parsed as patent_type,
        _v_title._parsed as title,
        _v_application_date._parsed as application_date,
        _v_grant_date._parsed as grant_date,
        _v_legal_status._parsed as legal_status,
        {{ lookup_failures(looked_up) }},
        {{ row_value_failures('raw_patents', by_row) }},
        raw_patents as _raw
    from raw_patents_by_row as raw_patents
    {{- lookup_joins('patents', 'raw_patents', looked_up) }}
),

{#- The type digit of a valid patent number must agree with 专利类型. -#}
{%- set type_mismatch -%}
    case
        when parsed.patent_type is not null
            and parsed.patent_type is distinct from {{ patent_type_from_no('parsed.patent_no') }}
            and {{ patent_no_is_valid('parsed.patent_no') }}
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
        parsed.* exclude (_raw{{ lookup_excludes(looked_up + by_row) }}),
        {{ row_failures('patents', extra=[type_mismatch], looked_up=looked_up + by_row) }} as _failures
    from parsed
),

summarised as (
    select
        checked.*,
        {{ failed_checks_text('checked._failures') }} as _failed_checks
    from checked
)

select * from summarised
