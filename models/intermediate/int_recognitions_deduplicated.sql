-- One row per staging recognitions row, flagged: is_kept marks the one row kept per key
-- (carrier_id, recognized_type, recognized_level) per assessment year (a package lists them afresh every year).
-- Kept: the latest assessment year, then the first file, sheet and row (deterministic).
-- is_conflict: a dropped row disagreeing with the kept row in the same package year (a warning).
-- The shared logic: macros/flag_duplicates.sql.

with

staged as not materialized (
    select * from {{ ref('stg_recognitions') }}
    where {{ as_of_filter('_assessment_year') }}
),

{{ flag_duplicates(
    'staged',
    key_columns=['carrier_id', 'recognized_type', 'recognized_level'],
    compare_columns=['recognized_date', 'document_no', 'holder_name', 'holder_uscc'],
    per_year=true
) }}

select * from flagged
