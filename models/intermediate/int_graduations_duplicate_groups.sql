-- One row per graduation reported more than once (carrier_id, uscc), in any files, by any
-- carriers, in any loaded years: the row kept (the latest assessment year, then the first file,
-- sheet and row), who reported it and in which rows, and whether any of its rows is a conflict
-- (has_conflict). int_graduations_deduplicated flags every staging row from it.
-- The shared logic: macros/flag_duplicates.sql (duplicate_groups); the key and the rows read:
-- macros/dedup_specs.sql.

{%- set spec = dedup_spec('graduations') %}

with

staged as not materialized (
    {{ dedup_input('graduations') }}
),

{{ duplicate_groups('staged', spec.key_columns, spec.compare_columns, spec.per_year, conflict_flag=true) }}

select * from groups
