-- One row per staging subsidy_claims row, flagged: is_kept marks the one row kept per key
-- (carrier_id, claim_kind, claimant_uscc) per assessment year (a package lists them afresh every year).
-- Kept: the latest assessment year, then the first file, sheet and row (deterministic).
-- is_conflict: a dropped row disagreeing with the kept row in the same package year (a warning).
-- The shared logic: macros/flag_duplicates.sql.

with

staged as not materialized (
    select * from {{ ref('stg_subsidy_claims') }}
    where {{ as_of_filter('_assessment_year') }}
),

{{ flag_duplicates(
    'staged',
    key_columns=['carrier_id', 'claim_kind', 'claimant_uscc'],
    compare_columns=['claimant_name', 'amount_audited_wan', 'amount_previous_wan', 'rent_year_index', 'note'],
    per_year=true
) }}

select * from flagged
