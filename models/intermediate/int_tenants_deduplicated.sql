-- One row per staging tenants row, flagged: is_kept marks the one row kept per key
-- (carrier_id, uscc) per assessment year (a package lists them afresh every year).
-- Kept: the latest assessment year, then the first file, sheet and row (deterministic).
-- is_conflict: a dropped row disagreeing with the kept row in the same package year (a warning).
-- attracted_by_town is mapped to its canonical name (int_town_names); an unknown one is kept as
-- written and flagged (is_town_unknown).
-- A view over stg_tenants and int_tenants_duplicate_groups: national, its rows of both years cost
-- more to write again than to flag where they are read (docs/benchmarks.md, issue 21).
-- The shared logic: macros/flag_duplicates.sql (flag_rows); the key and the rows read:
-- macros/dedup_specs.sql.
{{ config(materialized='view') }}

{%- set spec = dedup_spec('tenants') %}

with

staged as not materialized (
    {{ dedup_input('tenants') }}
),

{{ flag_rows('staged', ref('int_tenants_duplicate_groups'),
    spec.key_columns, spec.compare_columns, spec.per_year) }}

select * from flagged
