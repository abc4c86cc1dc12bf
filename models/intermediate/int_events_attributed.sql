-- Every distinct event attributed to one carrier, exactly as rules.md says: the carrier in
-- which the event's enterprise was a tenant on the event's date (entry_date <= date <=
-- exit_date, or no exit_date). Several such carriers: the one with the latest entry_date
-- (ties: the smallest carrier_id), status `multiple`. None: no carrier, status `none`.
-- Over the tenancy spans of every loaded year: a hash join on uscc for an enterprise with one
-- span, a range join on (uscc, date) for one with several.

{# The events are read once (`reported_rows`), and `not materialized`: DuckDB would otherwise
    copy them whole, 4.2 M national rows of every column, before the first read (when they were
    read twice the range join then spilled past the memory cap; national 8.8 s -> 6.0 s, no
    spill: docs/benchmarks.md, issue 21). The spans are read twice (`uscc_spans`,
    `candidate_spans`) and `materialized`, their four columns only: the view's aggregate over
    every tenant row runs once, not once per read (national: 1.04 M spans, ~1 CPU s less). #}
with

events as not materialized (
    select * from {{ ref('int_events_unioned') }}
),

spans as materialized (
    select
        tenancy_spans.uscc,
        tenancy_spans.carrier_id,
        tenancy_spans.entry_date,
        tenancy_spans.exit_date
    from {{ ref('int_tenancy_spans') }} as tenancy_spans
),

{#- 99 % of the enterprises have one tenancy span in all (national: 1,029,684 of 1,036,060
    USCCs). Their events are attributed by one hash join on uscc and a date comparison; only
    the events of an enterprise with several spans go through the range join and the two
    aggregates below (national: 39,596 of 4.2 M events; the model 8.4 s -> 5.3 s, the same rows:
    docs/benchmarks.md, issue 21). -#}
uscc_spans as (
    select
        spans.uscc,
        count(*) as span_count,
        any_value(spans.carrier_id) as carrier_id,
        any_value(spans.entry_date) as entry_date,
        any_value(spans.exit_date) as exit_date
    from spans
    group by spans.uscc
),

{#- Every reported row of every kind, kept or not, as (kind, key, uscc, date) (the kinds:
    macros/event_kinds.sql). Only an enterprise with several spans needs them: its rows are
    attributed from these narrow ones, by that tuple, and `matched` joins each event to the
    attribution of its own tuple (its kept row's uscc and date). A dropped row that disagrees
    with the kept one makes a tuple no event has, which nothing joins; one that agrees makes the
    same tuple. So `events` is read once: it was read a second time for these rows, the patents'
    duplicates flagged for all 5.6 M national rows to find 39,596 events (~1.3 CPU s;
    docs/benchmarks.md, issue 21). -#}
reported_rows as (
    {%- for spec in event_kinds() %}
    select
        '{{ spec.kind }}' as event_kind,
        reported.{{ spec.key }} as event_key,
        reported.uscc,
        reported.{{ spec.date }} as event_date
    from {{ ref(spec.rows) }} as reported
    {{- "\n    union all" if not loop.last }}
    {%- endfor %}
),

{#- `materialized`: the few rows of an enterprise with several spans, narrow; without it
    DuckDB ran the range join over every row first and filtered after. -#}
shared_uscc_events as materialized (
    select
        reported_rows.event_kind,
        reported_rows.event_key,
        reported_rows.uscc,
        reported_rows.event_date
    from reported_rows
    semi join uscc_spans
        on reported_rows.uscc = uscc_spans.uscc
        and uscc_spans.span_count > 1
),

candidate_spans as (
    select
        shared_uscc_events.event_kind,
        shared_uscc_events.event_key,
        shared_uscc_events.uscc,
        shared_uscc_events.event_date,
        spans.carrier_id,
        spans.entry_date
    from shared_uscc_events
    inner join spans
        on shared_uscc_events.uscc = spans.uscc
        and spans.entry_date <= shared_uscc_events.event_date
        and (spans.exit_date is null or shared_uscc_events.event_date <= spans.exit_date)
),

candidate_carriers as (
    select
        candidate_spans.event_kind,
        candidate_spans.event_key,
        candidate_spans.uscc,
        candidate_spans.event_date,
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
        candidate_carriers.uscc,
        candidate_carriers.event_date,
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

{#- The one span of a one-span enterprise, if the event's date falls in it. -#}
matched as (
    select
        events.*,
        case
            when uscc_spans.span_count = 1
                and uscc_spans.entry_date <= events.event_date
                and (uscc_spans.exit_date is null or events.event_date <= uscc_spans.exit_date)
                then uscc_spans.carrier_id
        end as only_span_carrier_id,
        summarised.candidate_count,
        summarised.candidate_carrier_ids,
        summarised.attributed_carrier_id
    from events
    left join uscc_spans
        on events.uscc = uscc_spans.uscc
    left join summarised
        on events.event_kind = summarised.event_kind
        and events.event_key = summarised.event_key
        and events.uscc = summarised.uscc
        and events.event_date = summarised.event_date
),

final as (
    select
        matched.* exclude (
            only_span_carrier_id, candidate_count, candidate_carrier_ids, attributed_carrier_id
        ),
        coalesce(matched.only_span_carrier_id, matched.attributed_carrier_id)
            as attributed_carrier_id,
        case
            when matched.only_span_carrier_id is not null then 'single'
            when matched.candidate_count is null then 'none'
            when matched.candidate_count = 1 then 'single'
            else 'multiple'
        end as attribution_status,
        coalesce(matched.only_span_carrier_id, matched.candidate_carrier_ids)
            as candidate_carrier_ids
    from matched
)

select * from final
