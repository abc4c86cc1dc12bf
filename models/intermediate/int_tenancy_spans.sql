-- One row per tenancy span (carrier × enterprise × entry date), from the tenants rows of every
-- loaded year: the same span reported again in a later package is one span, and the latest
-- package's exit_date and status win (an exit is usually reported the year after entry).
-- Events are attributed against these spans (rules.md: a tenant on the event's date).
-- A view: only int_events_attributed reads it, as one materialized CTE of the four columns it
-- needs, computed once however often the query uses it; nothing is built twice and the batch
-- runs one dbt node fewer (benchmarks.md).
{{ config(materialized='view') }}

with

tenants as (
    select * from {{ ref('int_tenants_deduplicated') }}
    where is_kept
),

{#- One hash aggregate per span instead of two windows (docs/benchmarks.md, issue 21): the latest
    report is the one with the smallest (year descending, file, sheet, row). -#}
spans as (
    select
        tenants.carrier_id,
        tenants.uscc,
        tenants.entry_date,
        arg_min(
            {'exit_date': tenants.exit_date, 'tenant_status': tenants.tenant_status,
             'year': tenants._assessment_year},
            {'year': -tenants._assessment_year, 'file': tenants._source_file,
             'sheet': tenants._sheet, 'row': tenants._source_row}
        ) as latest,
        min(tenants._assessment_year) as first_reported_year
    from tenants
    group by tenants.carrier_id, tenants.uscc, tenants.entry_date
),

final as (
    select
        spans.carrier_id,
        spans.uscc,
        spans.entry_date,
        spans.latest.exit_date as exit_date,
        spans.latest.tenant_status as tenant_status,
        spans.first_reported_year,
        spans.latest.year as last_reported_year
    from spans
)

select * from final
