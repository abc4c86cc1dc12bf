-- One row per staging financing row, flagged: is_kept marks the one row kept per key
-- (uscc, financing_date, amount_wan, financing_kind, investor) across files, carriers and years (one fact, however often it is reported).
-- Kept: the latest assessment year, then the first file, sheet and row (deterministic).
-- is_conflict: a dropped row disagreeing with the kept row in the same package year (a warning).
-- A view over stg_financing and int_financing_duplicate_groups: national, its rows of both years
-- cost more to write again than to flag where they are read (docs/benchmarks.md, issue 21).
-- The shared logic: macros/flag_duplicates.sql (flag_rows); the key and the rows read:
-- macros/dedup_specs.sql.
{{ config(materialized='view') }}

{%- set spec = dedup_spec('financing') %}

with

staged as not materialized (
    {{ dedup_input('financing') }}
),

{{ flag_rows('staged', ref('int_financing_duplicate_groups'),
    spec.key_columns, spec.compare_columns, spec.per_year) }}

select * from flagged
