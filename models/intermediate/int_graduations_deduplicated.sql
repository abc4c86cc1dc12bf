-- One row per staging graduations row, flagged: is_kept marks the one row kept per key
-- (carrier_id, uscc) across files, carriers and years (one fact, however often it is reported).
-- Kept: the latest assessment year, then the first file, sheet and row (deterministic).
-- is_conflict: a dropped row disagreeing with the kept row in the same package year (a warning).
-- A view over stg_graduations and int_graduations_duplicate_groups: national, its rows of both years
-- cost more to write again than to flag where they are read (docs/benchmarks.md, issue 21).
-- The shared logic: macros/flag_duplicates.sql (flag_rows); the key and the rows read:
-- macros/dedup_specs.sql.
{{ config(materialized='view') }}

{%- set spec = dedup_spec('graduations') %}

with

staged as not materialized (
    {{ dedup_input('graduations') }}
),

{{ flag_rows('staged', ref('int_graduations_duplicate_groups'),
    spec.key_columns, spec.compare_columns, spec.per_year) }}

select * from flagged
