-- Every distinct event attributed to one carrier, exactly as rules.md says: the carrier in
-- which the event's enterprise was a tenant on the event's date (entry_date <= date <=
-- exit_date, or no exit_date). Several such carriers: the one with the latest entry_date
-- (ties: the smallest carrier_id), status `multiple`. None: no carrier, status `none`.
-- A range join on (uscc, date) over the tenancy spans of every loaded year.

{# `not materialized`: events and spans are each read twice; DuckDB would otherwise copy them
    whole (4.2 M national events, every column) before the first read, and the range join then
    spilled past the memory cap. Reading them twice is cheaper (national 8.8 s -> 6.0 s, no
    spill: docs/benchmarks.md, issue 21). #}
with

events as not materialized (
    select * from {{ ref('int_events_unioned') }}
),

spans as not materialized (
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

{#- One hash aggregate, no window: the attributed carrier is the smallest (days before the
    end of time, carrier_id), i.e. the latest entry_date, ties the smallest carrier_id; the
    candidates' list is sorted per event (docs/benchmarks.md, issue 21). -#}
summarised as (
    select
        candidate_carriers.event_kind,
        candidate_carriers.event_key,
        count(*) as candidate_count,
        array_to_string(list_sort(list(candidate_carriers.carrier_id)), ',')
            as candidate_carrier_ids,
        arg_min(
            candidate_carriers.carrier_id,
            {'days_before': date '9999-12-31' - candidate_carriers.entry_date,
             'carrier_id': candidate_carriers.carrier_id}
        ) as attributed_carrier_id
    from candidate_carriers
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
