-- A tenant of a carrier missing from the same year's carriers sheet: real data can do this (a
-- carrier left the sheet out), so it is a warning here and a tenant_carrier_unknown row in
-- data_quality_issues, never a build failure.
{{ config(severity='warn') }}

select
    tenant_year_facts.assessment_year,
    tenant_year_facts.carrier_id,
    tenant_year_facts.uscc
from {{ ref('tenant_year_facts') }} as tenant_year_facts
left join {{ ref('carrier_year_indicators') }} as carrier_year_indicators
    on tenant_year_facts.assessment_year = carrier_year_indicators.assessment_year
    and tenant_year_facts.carrier_id = carrier_year_indicators.carrier_id
where carrier_year_indicators.carrier_id is null
