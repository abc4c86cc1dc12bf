-- Every distinct event attributed to one carrier, exactly as rules.md says: the carrier in
-- which the event's enterprise was a tenant on the event's date (entry_date <= date <=
-- exit_date, or no exit_date). Several such carriers: the one with the latest entry_date
-- (ties: the smallest carrier_id), status `multiple`. None: no carrier, status `none`.
-- A range join on (uscc, date) over the tenancy spans of every loaded year.

with

events as (
    select * from {{ ref('int_events_unioned') }}
),

spans as (
    select * from {{ ref('int_tenancy_spans') }}
),

candidate_spans as (
    select
        events.event_kind,
        events.event_key,
        spans.carrier_id,
        spans.entry_date
    from events
    inner join spans
        on events.uscc = spans.uscc
        and spans.entry_date <= events.event_date
        and (spans.exit_date is null or events.event_date <= spans.exit_date)
),

candidate_carriers as (
    select
        candidate_spans.event_kind,
        candidate_spans.event_key,
        candidate_spans.carrier_id,
        max(candidate_spans.entry_date) as entry_date
    from candidate_spans
    group by all
),

ranked as (
    select
        candidate_carriers.*,
        row_number() over (
            partition by candidate_carriers.event_kind, candidate_carriers.event_key
            order by candidate_carriers.entry_date desc, candidate_carriers.carrier_id
        ) as candidate_rank
    from candidate_carriers
),

summarised as (
    select
        ranked.event_kind,
        ranked.event_key,
        count(*) as candidate_count,
        string_agg(ranked.carrier_id, ',' order by ranked.carrier_id) as candidate_carrier_ids,
        max(case when ranked.candidate_rank = 1 then ranked.carrier_id end)
            as attributed_carrier_id
    from ranked
    group by all
),

final as (
    select
        events.*,
        summarised.attributed_carrier_id,
        case
            when summarised.candidate_count is null then 'none'
            when summarised.candidate_count = 1 then 'single'
            else 'multiple'
        end as attribution_status,
        summarised.candidate_carrier_ids
    from events
    left join summarised
        on events.event_kind = summarised.event_kind
        and events.event_key = summarised.event_key
)

select * from final
