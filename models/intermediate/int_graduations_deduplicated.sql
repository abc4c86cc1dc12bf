-- One row per staging graduations row, flagged: is_kept marks the one row kept per key
-- (carrier_id, uscc) across files, carriers and years (one fact, however often it is reported).
-- Kept: the latest assessment year, then the first file, sheet and row (deterministic).
-- is_conflict: a dropped row disagreeing with the kept row in the same package year (a warning).
-- The shared logic: macros/flag_duplicates.sql.

with

staged as not materialized (
    select * from {{ ref('stg_graduations') }}
    where {{ as_of_filter('_assessment_year') }}
),

{{ flag_duplicates(
    'staged',
    key_columns=['carrier_id', 'uscc'],
    compare_columns=['enterprise_name', 'graduation_date', 'graduation_basis', 'landed_in_district', 'landed_park'],
    per_year=false
) }}

select * from flagged
