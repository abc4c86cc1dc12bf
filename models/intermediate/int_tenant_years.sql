-- One row per carrier × enterprise × assessment year from that year's tenants rows, with the
-- rules.md definitions that depend on the row alone:
--   tenant set: entry_date <= 31 Dec Y and (no exit_date or exit_date >= 1 Jan Y);
--   incubating at year end: in the tenant set, status incubating, no exit_date on or before
--   31 Dec Y;
--   months in incubation: whole calendar months from entry_date to 31 Dec Y (entry
--   2020-01-15 -> 59 at the end of 2024); NULL when the entry is after the year.
-- A view: only tenant_year_facts reads it, as one CTE, which DuckDB computes once however often the
-- query uses it; nothing is built twice and the batch runs one dbt node fewer (benchmarks.md).
{{ config(materialized='view') }}

with

tenants as (
    select * from {{ ref('int_tenants_deduplicated') }}
    where is_kept
),

dated as (
    select
        tenants.*,
        make_date(tenants._assessment_year, 1, 1) as year_start,
        make_date(tenants._assessment_year, 12, 31) as year_end
    from tenants
),

final as (
    select
        dated._assessment_year as assessment_year,
        dated.carrier_id,
        dated.uscc,
        dated.enterprise_name,
        dated.entry_date,
        dated.exit_date,
        dated.tenant_status,
        dated.industry,
        dated.tech_sme_reg_no,
        dated.tech_sme_reg_date,
        dated.revenue_wan,
        dated.rd_expense_wan,
        dated.tax_paid_wan,
        dated.employees,
        dated.talents,
        dated.attracted_by_town,
        dated.tech_recruit_certified,
        dated.occupied_area_m2,
        dated.entry_date <= dated.year_end
        and (dated.exit_date is null or dated.exit_date >= dated.year_start)
            as is_in_tenant_set,
        dated.entry_date <= dated.year_end
        and dated.tenant_status = 'incubating'
        and (dated.exit_date is null or dated.exit_date > dated.year_end)
            as is_incubating_at_year_end,
        year(dated.entry_date) = dated._assessment_year as is_entered_in_year,
        coalesce(year(dated.tech_sme_reg_date) = dated._assessment_year, false)
            as is_tech_sme_registered_in_year,
        case
            when dated.entry_date <= dated.year_end
                then cast(date_diff('month', dated.entry_date, dated.year_end) as integer)
        end as months_in_incubation,
        dated._row_id
    from dated
)

select * from final
