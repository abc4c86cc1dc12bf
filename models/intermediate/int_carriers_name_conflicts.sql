-- The same carrier id under two names in one year's package, a check across rows: the first row
-- that passes every staging check (by file, sheet, row, the order dedup keeps) names the
-- carrier; a later row with another name is rejected (carrier_name_conflict), its message naming
-- both, so the office sees which one was used. Every staged row is compared, those failing other
-- checks too (such a row is reported for each). One row per rejected row, shaped as the staging
-- rejects: int_rejected_rows adds them to those, int_carriers_named leaves these rows out.
-- A view: small, read by those two only, each computing it once in its own query.
{{ config(materialized='view') }}

with

checked as (
    select * from {{ ref('stg_carriers__checked') }}
),

first_named as (
    select
        checked._assessment_year,
        checked._source_file,
        checked._sheet,
        checked._source_row,
        checked._row_id,
        checked.carrier_id,
        checked.carrier_name,
        first_value(
            case
                when len(checked._failures) = 0
                    then {'name': checked.carrier_name, 'file': checked._source_file,
                          'sheet': checked._sheet, 'row': checked._source_row}
            end ignore nulls
        ) over (
            partition by checked._assessment_year, checked.carrier_id
            order by checked._source_file, checked._sheet, checked._source_row
            rows between unbounded preceding and unbounded following
        ) as _first_named
    from checked
),

conflicts as (
    select
        first_named.*,
        {{ dq_failure('carrier_name', 'carrier_name_conflict', 'first_named.carrier_name', none, none,
            message_sql="'【载体名称】载体编号 ' || first_named.carrier_id || ' 已在“'
                || first_named._first_named.file || '”' || "
                ~ "case when first_named._first_named.sheet <> '' then '工作表“' || first_named._first_named.sheet || '”' else '' end"
                ~ " || '第 ' || first_named._first_named.row || ' 行以名称“' || first_named._first_named.name
                || '”报送，此行名称为“' || first_named.carrier_name || '”，此行未采用 / Carrier id '
                || first_named.carrier_id || ' is already reported as ''' || first_named._first_named.name
                || ''' in ' || first_named._first_named.file || ' row ' || first_named._first_named.row
                || '; this row names it ''' || first_named.carrier_name || ''' and is not used'") }} as failure
    from first_named
    where first_named.carrier_id is not null
        and first_named.carrier_name is not null
        and first_named._first_named is not null
        and first_named.carrier_name <> first_named._first_named.name
),

rejected as (
    select
        {{ reject_columns('conflicts', 'carriers') }}
    from conflicts
)

select * from rejected
