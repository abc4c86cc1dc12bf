-- One row per distinct event of every loaded year (patent grant, high-tech certificate,
-- graduation, financing, award) with the carrier it is attributed to. The scoring step counts
-- an event for carrier c in year Y when attributed_carrier_id = c and event_year = Y.
-- A view (its contract enforced as a table's is): the columns of int_events_attributed that
-- scoring and the audit read, which that table already holds; writing its 4.2 million national
-- rows a second time cost ~2.5 s of every build (docs/benchmarks.md, issue 21).
{{ config(materialized='view') }}

with

events as (
    select * from {{ ref('int_events_attributed') }}
),

final as (
    select
        events.event_year,
        events.event_kind,
        events.event_key,
        events.uscc,
        events.enterprise_name,
        events.event_date,
        events.reported_by,
        events.attributed_carrier_id,
        events.attribution_status,
        cast(events.amount_wan as decimal(18, 4)) as amount_wan,
        events.patent_type,
        events.certificate_no,
        events.cert_kind,
        events.is_first_certificate,
        events.graduation_basis,
        events.landed_in_district,
        events.award_level,
        events.award_rank,
        events.competition,
        events.source_row_ids
    from events
)

select * from final
