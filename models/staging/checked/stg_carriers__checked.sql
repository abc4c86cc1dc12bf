-- Every raw carriers row, parsed once, with the list of checks it fails (empty: it passes).
-- stg_carriers and stg_carriers__rejected both read this table, so nothing is parsed twice.
-- Beyond the column checks: carrier_name_conflict (one id, two names in a year).
{{ config(pre_hook="{{ restage_changed_years('carriers') }}") }}
with

raw_carriers as (
    {{ raw_rows_to_stage(source('raw', 'carriers'), 'carriers') }}
),

parsed as (
    select
        raw_carriers._assessment_year,
        raw_carriers._run_id,
        raw_carriers._source_file,
        raw_carriers._file_sha256,
        raw_carriers._sheet,
        raw_carriers._source_row,
        raw_carriers._adjustments_sig,
        {{ row_id('carriers', 'raw_carriers') }} as _row_id,
        upper({{ normalize_text('raw_carriers.carrier_id') }}) as carrier_id,
        {{ normalize_text('raw_carriers.carrier_name') }} as carrier_name,
        {{ enum_code('carriers', 'carrier_type', 'raw_carriers.carrier_type') }} as carrier_type,
        {{ enum_code('carriers', 'level', 'raw_carriers.level') }} as level,
        {{ parse_date('raw_carriers.level_date') }} as level_date,
        {{ normalize_text('raw_carriers.town') }} as town,
        {{ normalize_text('raw_carriers.operator_name') }} as operator_name,
        {{ normalize_uscc('raw_carriers.operator_uscc') }} as operator_uscc,
        {{ enum_code('carriers', 'operator_kind', 'raw_carriers.operator_kind') }} as operator_kind,
        {{ parse_decimal('raw_carriers.total_area_m2') }} as total_area_m2,
        {{ parse_decimal('raw_carriers.incubation_area_m2') }} as incubation_area_m2,
        {{ parse_date('raw_carriers.established_date') }} as established_date,
        {{ parse_bool('raw_carriers.seed_fund') }} as seed_fund,
        {{ parse_money('raw_carriers.seed_fund_amount', row_unit=none, header_unit='raw_carriers.seed_fund_amount__header_unit') }} as seed_fund_amount_wan,
        {{ parse_int('raw_carriers.service_staff') }} as service_staff,
        raw_carriers as _raw
    from raw_carriers
),

row_checked as (
    select
        parsed.* exclude (_raw),
        {{ row_failures('carriers') }} as _failures
    from parsed
),

-- The same carrier id under two names in one year's package: the first row that passes every
-- other check (by file, sheet, row, the order dedup keeps) names the carrier; a later row with
-- another name is rejected, its message naming both, so the office sees which one was used.
first_named as (
    select
        row_checked.*,
        first_value(
            case
                when len(row_checked._failures) = 0
                    then {'name': row_checked.carrier_name, 'file': row_checked._source_file,
                          'sheet': row_checked._sheet, 'row': row_checked._source_row}
            end ignore nulls
        ) over (
            partition by row_checked._assessment_year, row_checked.carrier_id
            order by row_checked._source_file, row_checked._sheet, row_checked._source_row
            rows between unbounded preceding and unbounded following
        ) as _first_named
    from row_checked
),

checked as (
    select
        first_named.* exclude (_first_named, _failures),
        list_filter(list_append(first_named._failures, case
            when first_named.carrier_id is not null
                and first_named.carrier_name is not null
                and first_named._first_named is not null
                and first_named.carrier_name <> first_named._first_named.name
                then {{ dq_failure('carrier_name', 'carrier_name_conflict', 'first_named.carrier_name', none, none,
                    message_sql="'【载体名称】载体编号 ' || first_named.carrier_id || ' 已在“'
                        || first_named._first_named.file || '”' || "
                        ~ "case when first_named._first_named.sheet <> '' then '工作表“' || first_named._first_named.sheet || '”' else '' end"
                        ~ " || '第 ' || first_named._first_named.row || ' 行以名称“' || first_named._first_named.name
                        || '”报送，此行名称为“' || first_named.carrier_name || '”，此行未采用 / Carrier id '
                        || first_named.carrier_id || ' is already reported as ''' || first_named._first_named.name
                        || ''' in ' || first_named._first_named.file || ' row ' || first_named._first_named.row
                        || '; this row names it ''' || first_named.carrier_name || ''' and is not used'") }}
        end), lambda failure: failure is not null) as _failures
    from first_named
),

summarised as (
    select
        checked.*,
        {{ failed_checks_text('checked._failures') }} as _failed_checks
    from checked
)

select * from summarised
