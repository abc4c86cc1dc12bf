-- The marts checked against themselves: one row per carrier, assessment year and indicator total
-- (financing, patents, inventions, graduations, first high-tech certificates, tenant set,
-- talents), `expected` summed from the detail behind it (attributed events, tenant facts) and
-- `actual` as carrier_year_indicators holds it; plus one row per year comparing the tenant facts'
-- rows with the distinct tenants staged. Not read by scoring: the quality gate reads it
-- (expectations/marts_reconciliation.json: a difference beyond half a unit of the 4th decimal is
-- an error). A view, so it always reads the marts as they are when the gate runs.

{{ config(materialized='view') }}

with

indicators as (
    select
        assessment_year, carrier_id, financing_total_wan, patent_grant_count,
        invention_grant_count, graduation_count, first_high_tech_count, tenant_set_count,
        talents_sum
    from {{ ref('carrier_year_indicators') }}
),

events as (
    select
        event_year as assessment_year,
        attributed_carrier_id as carrier_id,
        sum(amount_wan) filter (where event_kind = 'financing') as financing,
        count(*) filter (where event_kind = 'patent_grant') as patents,
        count(*) filter (where event_kind = 'patent_grant' and patent_type = 'invention')
            as inventions,
        count(*) filter (where event_kind = 'graduation') as graduations,
        count(distinct uscc) filter (
            where event_kind = 'high_tech_certificate' and is_first_certificate
        ) as first_certificates
    from {{ ref('attributed_events') }}
    where attributed_carrier_id is not null
    group by event_year, attributed_carrier_id
),

tenant_facts as (
    select
        assessment_year,
        carrier_id,
        count(*) filter (where is_in_tenant_set) as tenant_set,
        sum(talents) filter (where is_in_tenant_set) as talents
    from {{ ref('tenant_year_facts') }}
    group by assessment_year, carrier_id
),

joined as (
    select
        indicators.*,
        events.* exclude (assessment_year, carrier_id),
        tenant_facts.* exclude (assessment_year, carrier_id)
    from indicators
    left join events
        on events.assessment_year = indicators.assessment_year
        and events.carrier_id = indicators.carrier_id
    left join tenant_facts
        on tenant_facts.assessment_year = indicators.assessment_year
        and tenant_facts.carrier_id = indicators.carrier_id
),

staged_tenants as (
    select _assessment_year as assessment_year, count(*) as tenants
    from (select distinct _assessment_year, carrier_id, uscc from {{ ref('stg_tenants') }})
    group by _assessment_year
),

tenant_fact_rows as (
    select assessment_year, count(*) as tenant_facts
    from {{ ref('tenant_year_facts') }}
    group by assessment_year
),

tenant_rows as (
    select
        coalesce(staged_tenants.assessment_year, tenant_fact_rows.assessment_year)
            as assessment_year,
        coalesce(staged_tenants.tenants, 0) as expected,
        coalesce(tenant_fact_rows.tenant_facts, 0) as actual
    from staged_tenants
    full outer join tenant_fact_rows
        on tenant_fact_rows.assessment_year = staged_tenants.assessment_year
),

pairs as (
    select assessment_year, carrier_id, 'financing_total_wan' as measure,
        coalesce(financing, 0) as expected, coalesce(financing_total_wan, 0) as actual
    from joined
    union all
    select assessment_year, carrier_id, 'patent_grant_count', coalesce(patents, 0),
        coalesce(patent_grant_count, 0)
    from joined
    union all
    select assessment_year, carrier_id, 'invention_grant_count', coalesce(inventions, 0),
        coalesce(invention_grant_count, 0)
    from joined
    union all
    select assessment_year, carrier_id, 'graduation_count', coalesce(graduations, 0),
        coalesce(graduation_count, 0)
    from joined
    union all
    select assessment_year, carrier_id, 'first_high_tech_count', coalesce(first_certificates, 0),
        coalesce(first_high_tech_count, 0)
    from joined
    union all
    select assessment_year, carrier_id, 'tenant_set_count', coalesce(tenant_set, 0),
        coalesce(tenant_set_count, 0)
    from joined
    union all
    select assessment_year, carrier_id, 'talents_sum', coalesce(talents, 0),
        coalesce(talents_sum, 0)
    from joined
    union all
    select assessment_year, null, 'tenant_rows_vs_staging', expected, actual
    from tenant_rows
),

final as (
    select
        cast(assessment_year as integer) as assessment_year,
        carrier_id,
        measure,
        cast(expected as double) as expected,
        cast(actual as double) as actual,
        cast(actual as double) - cast(expected as double) as difference
    from pairs
)

select * from final
