-- One row per enterprise × innovation activity × year it happened, over every loaded package (a
-- fact reported again in a later year is one fact): a patent applied for or granted (a patent
-- granted in another year than applied for has a row for each year), a high-tech certificate
-- issued, a financing event, a tech-SME registration. Clear-out C2 (rules.md "Clear-out")
-- counts the activities inside the rulebook's look-back windows (clearout.C2: activity_years,
-- certificate_years), so the windows are the rulebook's, not this model's.
-- Only of the enterprises C2 could flag: a tenant row of a loaded year incubating at the end of
-- its year with R&D zero or missing (scoring/clearout.py c2_could_apply; the months are the
-- rulebook's, tested there). C2 is this model's only reader; nationally all but 286 of its
-- 6.95 million rows were written for nothing (2.6 -> 0.5 s: docs/benchmarks.md, issue 21,
-- tenth pass).

with

c2_enterprises as (
    select distinct tenant_facts.uscc
    from {{ ref('tenant_year_facts') }} as tenant_facts
    where coalesce(tenant_facts.is_incubating_at_year_end, false)
        and coalesce(tenant_facts.is_rd_expense_zero_or_missing, true)
),

{#- Each source filtered on the enterprise before the union: DuckDB then reads only their rows
    of the patents' flagged view, not the 5.6 million national ones. -#}
patents as (
    select * from {{ ref('int_patents_deduplicated') }}
    where is_kept and uscc in (select c2_enterprises.uscc from c2_enterprises)
),

certificates as (
    select * from {{ ref('int_high_tech_deduplicated') }}
    where is_kept and uscc in (select c2_enterprises.uscc from c2_enterprises)
),

financing as (
    select * from {{ ref('int_financing_deduplicated') }}
    where is_kept and uscc in (select c2_enterprises.uscc from c2_enterprises)
),

tenant_rows as (
    select * from {{ ref('int_tenants_deduplicated') }}
    where is_kept and uscc in (select c2_enterprises.uscc from c2_enterprises)
),

{#- Patents, certificates and financing are the de-duplicated kept rows, one per key, so their
    activities are distinct as they stand and are added without a hash-distinct over all of them
    (a patent applied for and granted in the same year is one row: list_distinct). Only the
    tech-SME registrations, one per tenant row, are made distinct (national 2.1 -> 1.5 s;
    tests/dbt/marts/enterprise_activity_one_row_per_activity.sql guards the premise). -#}
activities as (
    select uscc, 'patent' as activity_kind, patent_no as activity_key,
        unnest(list_distinct([year(application_date), year(grant_date)])) as activity_year
    from patents
    where patent_no is not null
    union all
    select uscc, 'certificate', certificate_no, year(issue_date)
    from certificates
    where issue_date is not null and certificate_no is not null
    union all
    select uscc, 'financing', dedup_key, year(financing_date)
    from financing
    where financing_date is not null
    union all
    select distinct uscc, 'tech_sme_registration', cast(tech_sme_reg_date as varchar),
        year(tech_sme_reg_date)
    from tenant_rows
    where tech_sme_reg_date is not null
),

final as (
    select
        uscc,
        activity_kind,
        activity_key,
        cast(activity_year as integer) as activity_year
    from activities
    where uscc is not null
)

select * from final
