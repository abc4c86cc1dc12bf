-- One row per staging tenants row, flagged: is_kept marks the one row kept per key
-- (carrier_id, uscc) per assessment year (a package lists them afresh every year).
-- Kept: the latest assessment year, then the first file, sheet and row (deterministic).
-- is_conflict: a dropped row disagreeing with the kept row in the same package year (a warning).
-- The shared logic: macros/flag_duplicates.sql. attracted_by_town is mapped to its canonical
-- name (int_town_names); an unknown one is kept as written and flagged (is_town_unknown).

with

staged as not materialized (
    select
        tenants.* replace (
            coalesce(town_names.town_name, tenants.attracted_by_town) as attracted_by_town
        ),
        tenants.attracted_by_town as town_as_written,
        town_names.town_name is null and tenants.attracted_by_town is not null
            as is_town_unknown
    from {{ ref('stg_tenants') }} as tenants
    left join {{ ref('int_town_names') }} as town_names
        on tenants.attracted_by_town = town_names.match_name
    where {{ as_of_filter('tenants._assessment_year') }}
),

{{ flag_duplicates(
    'staged',
    key_columns=['carrier_id', 'uscc'],
    compare_columns=['enterprise_name', 'entry_date', 'exit_date', 'tenant_status', 'industry', 'tech_sme_reg_no', 'tech_sme_reg_date', 'revenue_wan', 'rd_expense_wan', 'tax_paid_wan', 'employees', 'talents', 'attracted_by_town', 'tech_recruit_certified', 'occupied_area_m2'],
    per_year=true
) }}

select * from flagged
