-- One row per staging patents row, flagged: is_kept marks the one row kept per key
-- (patent_no) across files, carriers and years (one fact, however often it is reported).
-- Kept: the latest assessment year, then the first file, sheet and row (deterministic).
-- is_conflict: a dropped row disagreeing with the kept row in the same package year (a warning).
-- The shared logic: macros/flag_duplicates.sql.

with

staged as not materialized (
    select * from {{ ref('stg_patents') }}
    where {{ as_of_filter('_assessment_year') }}
),

{{ flag_duplicates(
    'staged',
    key_columns=['patent_no'],
    compare_columns=['enterprise_name', 'uscc', 'patent_type', 'title', 'application_date', 'grant_date', 'legal_status'],
    per_year=false
) }}

select * from flagged
