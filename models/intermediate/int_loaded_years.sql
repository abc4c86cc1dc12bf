-- The loaded years: every assessment year whose package left carriers or tenants rows in the
-- warehouse. Only events dated in one of them count anywhere but in the plan's targets
-- (int_events_unioned), and only they are worth a review (data_quality_issues).
{{ config(materialized='view') }}

with

carriers as (
    select * from {{ ref('int_carriers_deduplicated') }}
),

tenants as (
    select * from {{ ref('int_tenants_deduplicated') }}
),

final as (
    select distinct carriers._assessment_year as assessment_year
    from carriers
    union
    select distinct tenants._assessment_year as assessment_year
    from tenants
)

select * from final
