-- One row per distinct event dated in a loaded year (a graduation: in any year), whoever
-- reported it: patent grants, high-tech certificates, graduations, financing and awards, each
-- from its de-duplicated kept row, with the carriers that reported it and the staging rows
-- behind it. The event's year is the year of its date (contract README: grant date, issue
-- date, ...).
-- Each kind selects only its own columns; `union all by name` leaves the others NULL. Each
-- kind's key and date: macros/event_kinds.sql.
-- A view: only int_events_attributed reads it, as one CTE, which DuckDB computes once however often the
-- query uses it; nothing is built twice and the batch runs one dbt node fewer (benchmarks.md).
{{ config(materialized='view') }}

with

patents as (
    select * from {{ ref('int_patents_deduplicated') }}
    where is_kept and grant_date is not null
),

certificates as (
    select * from {{ ref('int_high_tech_deduplicated') }}
    where is_kept
),

graduations as (
    select * from {{ ref('int_graduations_deduplicated') }}
    where is_kept
),

financing as (
    select * from {{ ref('int_financing_deduplicated') }}
    where is_kept
),

awards as (
    select * from {{ ref('int_awards_deduplicated') }}
    where is_kept
),

loaded_years as (
    select * from {{ ref('int_loaded_years') }}
),

patent_grants as (
    select
        {{ event_identity('patent_grant', 'patents') }},
        patents.uscc,
        patents.enterprise_name,
        patents.carrier_id as kept_carrier_id,
        patents.reported_by,
        patents.source_row_ids,
        patents._assessment_year,
        patents._source_file,
        patents._sheet,
        patents._source_row,
        cast(null as decimal(18, 4)) as amount_wan,
        patents.patent_type
    from patents
),

certificate_issues as (
    select
        {{ event_identity('high_tech_certificate', 'certificates') }},
        certificates.uscc,
        certificates.enterprise_name,
        certificates.carrier_id as kept_carrier_id,
        certificates.reported_by,
        certificates.source_row_ids,
        certificates._assessment_year,
        certificates._source_file,
        certificates._sheet,
        certificates._source_row,
        cast(null as decimal(18, 4)) as amount_wan,
        certificates.certificate_no,
        certificates.cert_kind,
        certificates.is_first_certificate
    from certificates
),

graduation_events as (
    select
        {{ event_identity('graduation', 'graduations') }},
        graduations.uscc,
        graduations.enterprise_name,
        graduations.carrier_id as kept_carrier_id,
        graduations.reported_by,
        graduations.source_row_ids,
        graduations._assessment_year,
        graduations._source_file,
        graduations._sheet,
        graduations._source_row,
        cast(null as decimal(18, 4)) as amount_wan,
        graduations.graduation_basis,
        graduations.landed_in_district
    from graduations
),

financing_events as (
    select
        {{ event_identity('financing', 'financing') }},
        financing.uscc,
        financing.enterprise_name,
        financing.carrier_id as kept_carrier_id,
        financing.reported_by,
        financing.source_row_ids,
        financing._assessment_year,
        financing._source_file,
        financing._sheet,
        financing._source_row,
        financing.amount_wan
    from financing
),

award_events as (
    select
        {{ event_identity('award', 'awards') }},
        awards.uscc,
        awards.enterprise_name,
        awards.carrier_id as kept_carrier_id,
        awards.reported_by,
        awards.source_row_ids,
        awards._assessment_year,
        awards._source_file,
        awards._sheet,
        awards._source_row,
        cast(null as decimal(18, 4)) as amount_wan,
        awards.award_level,
        awards.award_rank,
        awards.competition
    from awards
),

unioned as (
    select * from patent_grants
    union all by name
    select * from certificate_issues
    union all by name
    select * from graduation_events
    union all by name
    select * from financing_events
    union all by name
    select * from award_events
),

dated as (
    select
        cast(year(unioned.event_date) as integer) as event_year,
        unioned.*
    from unioned
),

{#- An event dated outside the loaded years counts nowhere (a carrier's indicators, its rules
    and the review all read loaded years), except a graduation: the plan's targets count the
    graduations of their whole window (T7), which may hold a year not loaded (the rows scoring
    reads: MART_FILTERS in orchestration/score/__init__.py). National, a quarter of the events
    are earlier patent grants and certificates, 1.1 M rows the attribution no longer joins and
    writes (docs/benchmarks.md, issue 21). -#}
final as (
    select dated.*
    from dated
    where dated.event_kind = 'graduation'
        or dated.event_year in (select loaded_years.assessment_year from loaded_years)
)

select * from final
