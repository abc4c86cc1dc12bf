-- One row per carrier × enterprise × assessment year: that year's tenants row, the rules.md
-- flags (tenant set, incubating at year end, entered in the year, tech enterprise, tech-SME
-- registered in the year, months in incubation) and the clear-out facts C1/C2 need from the
-- row itself. C2's activities in its look-back windows (the rulebook's) come from
-- enterprise_activity; the certificates are looked up over every loaded package (a fact
-- reported again in a later year is one fact).

with

tenant_years as (
    select * from {{ ref('int_tenant_years') }}
),

carriers as (
    select * from {{ ref('int_carriers_deduplicated') }}
    where is_kept
),

certificates as (
    select * from {{ ref('int_high_tech_deduplicated') }}
    where is_kept
),

-- The enterprise's first certificate ever issued (S5's tech-enterprise test).
first_certificates as (
    select
        certificates.uscc,
        min(certificates.issue_date) as first_issue_date
    from certificates
    group by certificates.uscc
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
                first_certificates.first_issue_date
                <= make_date(tenant_years.assessment_year, 12, 31),
                false
            )
        ) as is_tech_enterprise,
        tenant_years.is_tech_sme_registered_in_year,
        tenant_years.months_in_incubation,
        coalesce(tenant_years.rd_expense_wan, 0) = 0 as is_rd_expense_zero_or_missing
    from tenant_years
    left join carriers
        on tenant_years.carrier_id = carriers.carrier_id
        and tenant_years.assessment_year = carriers._assessment_year
    left join first_certificates
        on tenant_years.uscc = first_certificates.uscc
)

select * from final
