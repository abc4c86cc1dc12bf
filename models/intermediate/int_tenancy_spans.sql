-- One row per tenancy span (carrier × enterprise × entry date), from the tenants rows of every
-- loaded year: the same span reported again in a later package is one span, and the latest
-- package's exit_date and status win (an exit is usually reported the year after entry).
-- Events are attributed against these spans (rules.md: a tenant on the event's date).
-- A view: only int_events_attributed reads it, as one CTE, which DuckDB computes once however often the
-- query uses it; nothing is built twice and the batch runs one dbt node fewer (benchmarks.md).
{{ config(materialized='view') }}

with

tenants as (
    select * from {{ ref('int_tenants_deduplicated') }}
    where is_kept
),

ranked as (
    select
        tenants.carrier_id,
        tenants.uscc,
        tenants.entry_date,
        tenants.exit_date,
        tenants.tenant_status,
        tenants._assessment_year,
        row_number() over (
            partition by tenants.carrier_id, tenants.uscc, tenants.entry_date
            order by
                tenants._assessment_year desc,
                tenants._source_file,
                tenants._sheet,
                tenants._source_row
        ) as span_rank,
        min(tenants._assessment_year) over (
            partition by tenants.carrier_id, tenants.uscc, tenants.entry_date
        ) as first_reported_year
    from tenants
),

final as (
    select
        ranked.carrier_id,
        ranked.uscc,
        ranked.entry_date,
        ranked.exit_date,
        ranked.tenant_status,
        ranked.first_reported_year,
        ranked._assessment_year as last_reported_year
    from ranked
    where ranked.span_rank = 1
)

select * from final
