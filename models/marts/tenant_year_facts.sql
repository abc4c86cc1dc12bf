-- One row per carrier × enterprise × assessment year: that year's tenants row, the rules.md
-- flags (tenant set, incubating at year end, entered in the year, tech enterprise, tech-SME
-- registered in the year, months in incubation) and the clear-out facts C1/C2 need, looked up
-- over every loaded package (a fact reported again in a later year is one fact).

with

tenant_years as (
    select * from {{ ref('int_tenant_years') }}
),

carriers as (
    select * from {{ ref('int_carriers_deduplicated') }}
    where is_kept
),

patents as (
    select * from {{ ref('int_patents_deduplicated') }}
    where is_kept
),

certificates as (
    select * from {{ ref('int_high_tech_deduplicated') }}
    where is_kept
),

financing as (
    select * from {{ ref('int_financing_deduplicated') }}
    where is_kept
),

all_tenant_rows as (
    select * from {{ ref('int_tenants_deduplicated') }}
    where is_kept
),

-- One row per enterprise and year, so the history look-ups run once per enterprise even when it
-- is a tenant of several carriers.
enterprise_years as (
    select distinct
        tenant_years.uscc,
        tenant_years.assessment_year
    from tenant_years
),

patent_activity as (
    select
        enterprise_years.uscc,
        enterprise_years.assessment_year,
        count(distinct patents.patent_no) as patent_events
    from enterprise_years
    inner join patents
        on enterprise_years.uscc = patents.uscc
        and (
            year(patents.application_date)
                between enterprise_years.assessment_year - 1 and enterprise_years.assessment_year
            or year(patents.grant_date)
                between enterprise_years.assessment_year - 1 and enterprise_years.assessment_year
        )
    group by all
),

certificate_activity as (
    select
        enterprise_years.uscc,
        enterprise_years.assessment_year,
        count(distinct certificates.certificate_no) filter (
            where year(certificates.issue_date)
                between enterprise_years.assessment_year - 2 and enterprise_years.assessment_year
        ) as certificates_last_three_years,
        min(certificates.issue_date) as first_issue_date
    from enterprise_years
    inner join certificates
        on enterprise_years.uscc = certificates.uscc
    group by all
),

financing_activity as (
    select
        enterprise_years.uscc,
        enterprise_years.assessment_year,
        count(*) as financing_events
    from enterprise_years
    inner join financing
        on enterprise_years.uscc = financing.uscc
        and year(financing.financing_date)
            between enterprise_years.assessment_year - 1 and enterprise_years.assessment_year
    group by all
),

tech_sme_registrations as (
    select distinct
        all_tenant_rows.uscc,
        all_tenant_rows.tech_sme_reg_date
    from all_tenant_rows
    where all_tenant_rows.tech_sme_reg_date is not null
),

tech_sme_activity as (
    select distinct
        enterprise_years.uscc,
        enterprise_years.assessment_year
    from enterprise_years
    inner join tech_sme_registrations
        on enterprise_years.uscc = tech_sme_registrations.uscc
        and year(tech_sme_registrations.tech_sme_reg_date)
            between enterprise_years.assessment_year - 1 and enterprise_years.assessment_year
),

final as (
    select
        cast(tenant_years.assessment_year as integer) as assessment_year,
        tenant_years.carrier_id,
        carriers.carrier_type,
        carriers.town as carrier_town,
        tenant_years.uscc,
        tenant_years.enterprise_name,
        tenant_years.entry_date,
        tenant_years.exit_date,
        tenant_years.tenant_status,
        tenant_years.industry,
        tenant_years.tech_sme_reg_no,
        tenant_years.tech_sme_reg_date,
        cast(tenant_years.revenue_wan as decimal(18, 4)) as revenue_wan,
        cast(tenant_years.rd_expense_wan as decimal(18, 4)) as rd_expense_wan,
        cast(tenant_years.tax_paid_wan as decimal(18, 4)) as tax_paid_wan,
        tenant_years.employees,
        tenant_years.talents,
        tenant_years.attracted_by_town,
        tenant_years.tech_recruit_certified,
        tenant_years.occupied_area_m2,
        tenant_years.is_in_tenant_set,
        tenant_years.is_incubating_at_year_end,
        tenant_years.is_entered_in_year,
        (
            coalesce(tenant_years.tech_recruit_certified, false)
            or coalesce(tenant_years.tech_sme_reg_no, '') <> ''
            or coalesce(
                certificate_activity.first_issue_date
                <= make_date(tenant_years.assessment_year, 12, 31),
                false
            )
        ) as is_tech_enterprise,
        tenant_years.is_tech_sme_registered_in_year,
        tenant_years.months_in_incubation,
        cast(coalesce(patent_activity.patent_events, 0) as integer)
            as patent_events_prev_and_this_year,
        tech_sme_activity.uscc is not null as has_tech_sme_reg_prev_and_this_year,
        cast(coalesce(certificate_activity.certificates_last_three_years, 0) as integer)
            as certificates_last_three_years,
        cast(coalesce(financing_activity.financing_events, 0) as integer)
            as financing_events_prev_and_this_year,
        coalesce(tenant_years.rd_expense_wan, 0) = 0 as is_rd_expense_zero_or_missing
    from tenant_years
    left join carriers
        on tenant_years.carrier_id = carriers.carrier_id
        and tenant_years.assessment_year = carriers._assessment_year
    left join patent_activity
        on tenant_years.uscc = patent_activity.uscc
        and tenant_years.assessment_year = patent_activity.assessment_year
    left join certificate_activity
        on tenant_years.uscc = certificate_activity.uscc
        and tenant_years.assessment_year = certificate_activity.assessment_year
    left join financing_activity
        on tenant_years.uscc = financing_activity.uscc
        and tenant_years.assessment_year = financing_activity.assessment_year
    left join tech_sme_activity
        on tenant_years.uscc = tech_sme_activity.uscc
        and tenant_years.assessment_year = tech_sme_activity.assessment_year
)

select * from final
