-- Counts taken over the tenant set cannot exceed it, and tenants incubating at year end are
-- part of it: a guard against a join that multiplies rows.
select *
from {{ ref('carrier_year_indicators') }}
where financed_tenant_count > tenant_set_count
    or tech_recruited_count > tenant_set_count
    or tech_sme_registered_count > tenant_set_count
    or incubating_year_end_count > tenant_set_count
