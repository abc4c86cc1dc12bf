-- One row per carrier per assessment year: the carrier's facts from that year's carriers
-- sheet, the counts behind every rules.md indicator, and the raw values S1-S5, P1-P6, D1-D3,
-- B1-B2 (DOUBLE; NULL where data is missing or a denominator is zero; D1 is 0 when revenue
-- sums to 0). Tenant measures count an enterprise in every carrier whose rows hold it; events
-- count only for the carrier they are attributed to, in the year of their date.

with

carriers as (
    select * from {{ ref('int_carriers_deduplicated') }}
    where is_kept
),

tenant_facts as (
    select * from {{ ref('tenant_year_facts') }}
),

{#- `not materialized`: read by event_measures and financed_tenants; a whole copy of the
    attributed events first costs more than reading them twice (national 1.8 s -> 1.2 s). -#}
events as not materialized (
    select * from {{ ref('attributed_events') }}
    where attributed_carrier_id is not null
),

evaluations as (
    select * from {{ ref('carrier_evaluations') }}
),

tenant_measures as (
    select
        tenant_facts.assessment_year,
        tenant_facts.carrier_id,
        count(*) as tenant_row_count,
        count(*) filter (where tenant_facts.is_in_tenant_set) as tenant_set_count,
        count(*) filter (where tenant_facts.is_incubating_at_year_end)
            as incubating_year_end_count,
        count(*) filter (
            where tenant_facts.is_in_tenant_set
            and tenant_facts.is_entered_in_year
            and tenant_facts.is_tech_enterprise
        ) as tech_recruited_count,
        count(*) filter (
            where tenant_facts.is_in_tenant_set and tenant_facts.is_tech_sme_registered_in_year
        ) as tech_sme_registered_count,
        sum(tenant_facts.talents) filter (where tenant_facts.is_in_tenant_set) as talents_sum,
        sum(tenant_facts.rd_expense_wan) filter (where tenant_facts.is_in_tenant_set)
            as rd_expense_sum_wan,
        sum(tenant_facts.revenue_wan) filter (where tenant_facts.is_in_tenant_set)
            as revenue_sum_wan,
        sum(tenant_facts.tax_paid_wan) filter (where tenant_facts.is_in_tenant_set)
            as tax_paid_sum_wan,
        sum(tenant_facts.occupied_area_m2) filter (
            where tenant_facts.is_incubating_at_year_end
        ) as occupied_area_incubating_m2
    from tenant_facts
    group by all
),

event_measures as (
    select
        events.event_year as assessment_year,
        events.attributed_carrier_id as carrier_id,
        sum(events.amount_wan) filter (where events.event_kind = 'financing')
            as financing_total_wan,
        count(distinct events.uscc) filter (
            where events.event_kind = 'high_tech_certificate' and events.is_first_certificate
        ) as first_high_tech_count,
        count(*) filter (where events.event_kind = 'graduation') as graduation_count,
        count(*) filter (
            where events.event_kind = 'graduation' and events.landed_in_district
        ) as landed_graduation_count,
        {#- An event is one row (attributed_events: (event_kind, event_key) unique, a tested
            premise), so its key is counted, not made distinct: two hash-distincts over the
            4 M national events fewer (1.7 -> 0.65 s alone; docs/benchmarks.md, issue 21). #}
        count(events.event_key) filter (
            where events.event_kind = 'patent_grant' and events.patent_type = 'invention'
        ) as invention_grant_count,
        count(events.event_key) filter (where events.event_kind = 'patent_grant')
            as patent_grant_count
    from events
    group by all
),

-- S2: tenant set members of c with a financing event in Y attributed to c.
financed_tenants as (
    select
        tenant_facts.assessment_year,
        tenant_facts.carrier_id,
        count(distinct tenant_facts.uscc) as financed_tenant_count
    from tenant_facts
    inner join events
        on tenant_facts.carrier_id = events.attributed_carrier_id
        and tenant_facts.uscc = events.uscc
        and tenant_facts.assessment_year = events.event_year
        and events.event_kind = 'financing'
    where tenant_facts.is_in_tenant_set
    group by all
),

-- B1: grade A in the national or provincial evaluation for Y, from Y's package.
grade_a as (
    select distinct
        evaluations.assessment_year,
        evaluations.carrier_id
    from evaluations
    where evaluations.evaluation_year = evaluations.assessment_year
        and evaluations.grade = 'A'
),

joined as (
    select
        carriers._assessment_year as assessment_year,
        carriers.carrier_id,
        carriers.carrier_name,
        carriers.carrier_type,
        carriers.level,
        carriers.level_date,
        carriers.town,
        carriers.operator_name,
        carriers.operator_uscc,
        carriers.operator_kind,
        carriers.total_area_m2,
        carriers.incubation_area_m2,
        carriers.established_date,
        carriers.seed_fund,
        carriers.seed_fund_amount_wan,
        carriers.service_staff,
        tenant_measures.carrier_id is not null as has_tenant_rows,
        coalesce(tenant_measures.tenant_set_count, 0) as tenant_set_count,
        coalesce(tenant_measures.incubating_year_end_count, 0) as incubating_year_end_count,
        coalesce(event_measures.financing_total_wan, 0) as financing_total_wan,
        coalesce(financed_tenants.financed_tenant_count, 0) as financed_tenant_count,
        coalesce(tenant_measures.tech_recruited_count, 0) as tech_recruited_count,
        coalesce(event_measures.first_high_tech_count, 0) as first_high_tech_count,
        coalesce(tenant_measures.tech_sme_registered_count, 0) as tech_sme_registered_count,
        coalesce(event_measures.graduation_count, 0) as graduation_count,
        coalesce(event_measures.invention_grant_count, 0) as invention_grant_count,
        coalesce(event_measures.patent_grant_count, 0) as patent_grant_count,
        tenant_measures.talents_sum,
        tenant_measures.rd_expense_sum_wan,
        tenant_measures.revenue_sum_wan,
        tenant_measures.tax_paid_sum_wan,
        case
            when coalesce(tenant_measures.incubating_year_end_count, 0) = 0 then 0
            else tenant_measures.occupied_area_incubating_m2
        end as occupied_area_incubating_m2,
        grade_a.carrier_id is not null as has_grade_a_evaluation,
        coalesce(event_measures.landed_graduation_count, 0) as landed_graduation_count
    from carriers
    left join tenant_measures
        on carriers._assessment_year = tenant_measures.assessment_year
        and carriers.carrier_id = tenant_measures.carrier_id
    left join event_measures
        on carriers._assessment_year = event_measures.assessment_year
        and carriers.carrier_id = event_measures.carrier_id
    left join financed_tenants
        on carriers._assessment_year = financed_tenants.assessment_year
        and carriers.carrier_id = financed_tenants.carrier_id
    left join grade_a
        on carriers._assessment_year = grade_a.assessment_year
        and carriers.carrier_id = grade_a.carrier_id
),

final as (
    select
        cast(joined.assessment_year as integer) as assessment_year,
        joined.carrier_id,
        joined.carrier_name,
        joined.carrier_type,
        joined.level,
        joined.level_date,
        joined.town,
        joined.operator_name,
        joined.operator_uscc,
        joined.operator_kind,
        cast(joined.total_area_m2 as double) as total_area_m2,
        cast(joined.incubation_area_m2 as double) as incubation_area_m2,
        joined.established_date,
        joined.seed_fund,
        cast(joined.seed_fund_amount_wan as decimal(18, 4)) as seed_fund_amount_wan,
        cast(joined.service_staff as integer) as service_staff,
        joined.has_tenant_rows,
        cast(joined.tenant_set_count as integer) as tenant_set_count,
        cast(joined.incubating_year_end_count as integer) as incubating_year_end_count,
        cast(joined.financing_total_wan as decimal(18, 4)) as financing_total_wan,
        cast(joined.financed_tenant_count as integer) as financed_tenant_count,
        cast(joined.tech_recruited_count as integer) as tech_recruited_count,
        cast(joined.first_high_tech_count as integer) as first_high_tech_count,
        cast(joined.tech_sme_registered_count as integer) as tech_sme_registered_count,
        cast(joined.graduation_count as integer) as graduation_count,
        cast(joined.invention_grant_count as integer) as invention_grant_count,
        cast(joined.patent_grant_count as integer) as patent_grant_count,
        cast(joined.talents_sum as integer) as talents_sum,
        cast(joined.rd_expense_sum_wan as decimal(18, 4)) as rd_expense_sum_wan,
        cast(joined.revenue_sum_wan as decimal(18, 4)) as revenue_sum_wan,
        cast(joined.tax_paid_sum_wan as decimal(18, 4)) as tax_paid_sum_wan,
        cast(joined.occupied_area_incubating_m2 as double) as occupied_area_incubating_m2,
        joined.has_grade_a_evaluation,
        cast(joined.landed_graduation_count as integer) as landed_graduation_count,
        -- The raw values of rules.md.
        cast(joined.financing_total_wan as double) as s1_raw,
        case
            when joined.tenant_set_count > 0
                then cast(joined.financed_tenant_count as double) / joined.tenant_set_count
        end as s2_raw,
        cast(case when joined.seed_fund then 1 when not joined.seed_fund then 0 end as double)
            as s3_raw,
        case
            when joined.incubation_area_m2 > 0
                then joined.incubating_year_end_count / (joined.incubation_area_m2 / 1000.0)
        end as s4_raw,
        cast(joined.tech_recruited_count as double) as s5_raw,
        cast(joined.first_high_tech_count as double) as p1_raw,
        cast(joined.tech_sme_registered_count as double) as p2_raw,
        cast(joined.graduation_count as double) as p3_raw,
        cast(joined.invention_grant_count as double) as p4_raw,
        cast(joined.patent_grant_count as double) as p5_raw,
        cast(joined.talents_sum as double) as p6_raw,
        case
            when joined.revenue_sum_wan = 0 then cast(0 as double)
            when joined.revenue_sum_wan > 0
                then cast(joined.rd_expense_sum_wan as double)
                / cast(joined.revenue_sum_wan as double)
        end as d1_raw,
        cast(joined.tax_paid_sum_wan as double) as d2_raw,
        case
            when joined.incubation_area_m2 > 0
                then joined.occupied_area_incubating_m2 / joined.incubation_area_m2
        end as d3_raw,
        cast(case when joined.has_grade_a_evaluation then 1 else 0 end as double) as b1_raw,
        cast(case when joined.landed_graduation_count > 0 then 1 else 0 end as double) as b2_raw
    from joined
)

select * from final
