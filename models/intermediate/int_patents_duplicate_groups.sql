-- One row per patent number reported more than once (in any files, by any carriers, in any
-- loaded years): the row kept (the latest assessment year, then the first file, sheet and row),
-- who reported it and in which rows, and whether any of its rows is a conflict (has_conflict).
-- int_patents_deduplicated flags every staging row from it.
-- The shared logic: macros/flag_duplicates.sql (duplicate_groups); the key and the rows read:
-- macros/dedup_specs.sql.

{%- set spec = dedup_spec('patents') %}

with

staged as not materialized (
    {{ dedup_input('patents') }}
),

{{ duplicate_groups('staged', spec.key_columns, spec.compare_columns, spec.per_year, conflict_flag=true) }}

select * from groups
