-- One row per patent number reported more than once (in any files, by any carriers, in any
-- loaded years): the row kept (the latest assessment year, then the first file, sheet and row),
-- who reported it and in which rows, and whether any of its rows is a conflict (has_conflict).
-- int_patents_deduplicated flags every staging row from it.
-- The shared logic: macros/flag_duplicates.sql (duplicate_groups); the key: macros/dedup_patents.sql.

{%- set spec = patents_dedup() %}

with

staged as not materialized (
    select * from {{ ref('stg_patents') }}
    where {{ as_of_filter('_assessment_year') }}
),

{{ duplicate_groups('staged', spec.key_columns, spec.compare_columns, spec.per_year, conflict_flag=true) }}

select * from groups
