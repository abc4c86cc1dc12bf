-- Every data-quality finding of every loaded year, in the shape of results.dq_issues plus
-- assessment_year and carrier_id: what the ingest could not use, every rejected row
-- (int_rejected_rows: one row per failing check, severity error: the row was not used; warning
-- for a row the office excluded by an adjustment), and the warnings raised here:
-- duplicates that disagree with the kept row, events claimed by several carriers or by none,
-- tenants of a carrier missing from that year's carriers sheet, and towns not in the towns seed.
with

ingest_findings as (
    select
        findings._assessment_year as assessment_year,
        findings.dataset,
        findings.source_file,
        findings.sheet,
        findings.source_row,
        findings.column_name,
        findings.check_name,
        findings.severity,
        findings.value_as_written,
        findings.message,
        cast(null as varchar) as carrier_id
    from {{ source('ingest', '_ingest_findings') }} as findings
    where {{ as_of_filter('findings._assessment_year') }}
),

rejected as (
    select
        rejected._assessment_year as assessment_year,
        rejected.dataset,
        rejected._source_file as source_file,
        rejected._sheet as sheet,
        rejected._source_row as source_row,
        rejected.column_name,
        rejected.check_name,
        -- a row the office excluded is a decision, not an error in the data
        case when rejected.check_name = 'adjusted_exclude' then 'warning' else 'error' end as severity,
        rejected.value_as_written,
        rejected.message,
        cast(null as varchar) as carrier_id
    from {{ ref('int_rejected_rows') }} as rejected
    where {{ as_of_filter('rejected._assessment_year') }}
),

duplicate_conflicts as (
    select
        duplicates._assessment_year as assessment_year,
        duplicates.dataset,
        duplicates._source_file as source_file,
        duplicates._sheet as sheet,
        duplicates._source_row as source_row,
        duplicates.key_columns as column_name,
        'duplicate_conflict' as check_name,
        'warning' as severity,
        duplicates.dedup_key as value_as_written,
        format(
            '重复报送的记录与保留的记录内容不一致，以 {} 年 {} 第 {} 行为准 / '
            || 'Duplicate of {} disagrees with the kept row; the row kept is {} {} row {}',
            duplicates.kept_assessment_year,
            duplicates.kept_source_file,
            duplicates.kept_source_row,
            duplicates.dedup_key,
            duplicates.kept_assessment_year,
            duplicates.kept_source_file,
            duplicates.kept_source_row
        ) as message,
        duplicates.carrier_id
    from {{ ref('int_duplicate_rows') }} as duplicates
),

loaded_years as (
    select * from {{ ref('int_loaded_years') }}
),

-- Only events of a loaded year count anywhere, so only they are worth a review.
attribution_warnings as (
    select
        events.event_year as assessment_year,
        events.dataset,
        events._source_file as source_file,
        events._sheet as sheet,
        events._source_row as source_row,
        'uscc' as column_name,
        case events.attribution_status
            when 'multiple' then 'attribution_multiple'
            else 'attribution_none'
        end as check_name,
        'warning' as severity,
        events.uscc as value_as_written,
        case events.attribution_status
            when 'multiple' then format(
                '多个载体同时申报该企业：{} 当日在 {} 在孵，归属入驻日期最晚的 {}，请复核 / '
                || 'Double claim: on {} the enterprise was a tenant of {}; the {} {} goes to {}'
                || ' (latest entry date), please review',
                events.event_date,
                events.candidate_carrier_ids,
                events.attributed_carrier_id,
                events.event_date,
                events.candidate_carrier_ids,
                events.event_kind,
                events.event_key,
                events.attributed_carrier_id
            )
            else format(
                '企业在 {} 当日不在任何载体在孵，该事件不计入任何载体（申报载体 {}） / '
                || 'On {} the enterprise was a tenant of no carrier: the {} {} counts nowhere'
                || ' (reported by {})',
                events.event_date,
                events.reported_by,
                events.event_date,
                events.event_kind,
                events.event_key,
                events.reported_by
            )
        end as message,
        coalesce(events.attributed_carrier_id, events.kept_carrier_id) as carrier_id
    from {{ ref('int_events_attributed') }} as events
    inner join loaded_years
        on events.event_year = loaded_years.assessment_year
    where events.attribution_status in ('multiple', 'none')
),

unknown_carriers as (
    select
        tenants._assessment_year as assessment_year,
        'tenants' as dataset,
        tenants._source_file as source_file,
        tenants._sheet as sheet,
        tenants._source_row as source_row,
        'carrier_id' as column_name,
        'tenant_carrier_unknown' as check_name,
        'warning' as severity,
        tenants.carrier_id as value_as_written,
        format(
            '载体编号 {} 不在 {} 年载体信息表中，该在孵企业不计入任何载体 / '
            || 'Carrier {} is not in the {} carriers sheet; this tenant counts for no carrier',
            tenants.carrier_id,
            tenants._assessment_year,
            tenants.carrier_id,
            tenants._assessment_year
        ) as message,
        tenants.carrier_id
    from {{ ref('int_tenants_deduplicated') }} as tenants
    left join {{ ref('int_carriers_deduplicated') }} as carriers
        on tenants._assessment_year = carriers._assessment_year
        and tenants.carrier_id = carriers.carrier_id
        and carriers.is_kept
    where tenants.is_kept
        and carriers.carrier_id is null
),

-- A town or park not in seeds/towns.csv: kept as written, with the closest known name.
written_towns as (
    select
        carriers._assessment_year as assessment_year,
        'carriers' as dataset,
        carriers._source_file as source_file,
        carriers._sheet as sheet,
        carriers._source_row as source_row,
        'town' as column_name,
        carriers.town_as_written as value_as_written,
        carriers.carrier_id
    from {{ ref('int_carriers_deduplicated') }} as carriers
    where carriers.is_kept and carriers.is_town_unknown
    union all
    select
        tenants._assessment_year as assessment_year,
        'tenants' as dataset,
        tenants._source_file as source_file,
        tenants._sheet as sheet,
        tenants._source_row as source_row,
        'attracted_by_town' as column_name,
        tenants.town_as_written as value_as_written,
        tenants.carrier_id
    from {{ ref('int_tenants_deduplicated') }} as tenants
    where tenants.is_kept and tenants.is_town_unknown
),

-- The closest name once per distinct spelling, not once per row: national, 577,000 tenant rows
-- hold a few hundred unknown spellings (docs/benchmarks.md, issue 21).
closest_names as (
    select
        spellings.value_as_written,
        first(
            town_names.town_name
            order by
                levenshtein(spellings.value_as_written, town_names.match_name),
                length(town_names.match_name),
                town_names.town_name
        ) as closest_town
    from (select distinct written_towns.value_as_written from written_towns) as spellings
    cross join {{ ref('int_town_names') }} as town_names
    group by all
),

closest_towns as (
    select
        written_towns.*,
        closest_names.closest_town
    from written_towns
    inner join closest_names
        on written_towns.value_as_written is not distinct from closest_names.value_as_written
),

unknown_towns as (
    select
        closest_towns.assessment_year,
        closest_towns.dataset,
        closest_towns.source_file,
        closest_towns.sheet,
        closest_towns.source_row,
        closest_towns.column_name,
        'town_unknown' as check_name,
        'warning' as severity,
        closest_towns.value_as_written,
        format(
            '“{}”不在镇（园区）名录中，按原样保留；最接近的是“{}” / '
            || '{} is not a known town or park (seeds/towns.csv), kept as written; '
            || 'the closest known name is {}',
            closest_towns.value_as_written,
            closest_towns.closest_town,
            closest_towns.value_as_written,
            closest_towns.closest_town
        ) as message,
        closest_towns.carrier_id
    from closest_towns
),

unioned as (
    select * from ingest_findings
    union all
    select * from rejected
    union all
    select * from duplicate_conflicts
    union all
    select * from attribution_warnings
    union all
    select * from unknown_carriers
    union all
    select * from unknown_towns
),

final as (
    select
        cast(unioned.assessment_year as integer) as assessment_year,
        cast(unioned.dataset as varchar) as dataset,
        cast(unioned.source_file as varchar) as source_file,
        cast(unioned.sheet as varchar) as sheet,
        cast(unioned.source_row as integer) as source_row,
        cast(unioned.column_name as varchar) as column_name,
        cast(unioned.check_name as varchar) as check_name,
        cast(unioned.severity as varchar) as severity,
        cast(unioned.value_as_written as varchar) as value_as_written,
        cast(unioned.message as varchar) as message,
        cast(unioned.carrier_id as varchar) as carrier_id
    from unioned
)

select * from final
