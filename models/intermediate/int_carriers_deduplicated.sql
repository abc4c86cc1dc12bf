-- One row per carriers row that passes every check (int_carriers_named), flagged: is_kept marks the one row kept per key
-- (carrier_id) per assessment year (a package lists them afresh every year).
-- Kept: the latest assessment year, then the first file, sheet and row (deterministic).
-- is_conflict: a dropped row disagreeing with the kept row in the same package year (a warning).
-- The shared logic: macros/flag_duplicates.sql. The town is mapped to its canonical name
-- (int_town_names); an unknown one is kept as written and flagged (is_town_unknown).

with

staged as not materialized (
    select
        carriers.* replace (coalesce(town_names.town_name, carriers.town) as town),
        carriers.town as town_as_written,
        town_names.town_name is null and carriers.town is not null as is_town_unknown
    from {{ ref('int_carriers_named') }} as carriers
    left join {{ ref('int_town_names') }} as town_names
        on carriers.town = town_names.match_name
    where {{ as_of_filter('carriers._assessment_year') }}
),

{{ flag_duplicates(
    'staged',
    key_columns=['carrier_id'],
    compare_columns=['carrier_name', 'carrier_type', 'level', 'level_date', 'town', 'operator_name', 'operator_uscc', 'operator_kind', 'total_area_m2', 'incubation_area_m2', 'established_date', 'seed_fund', 'seed_fund_amount_wan', 'service_staff'],
    per_year=true
) }}

select * from flagged
