-- One row per staging high_tech row, flagged: is_kept marks the one row kept per key
-- (certificate_no) across files, carriers and years (one fact, however often it is reported).
-- Kept: the latest assessment year, then the first file, sheet and row (deterministic).
-- is_conflict: a dropped row disagreeing with the kept row in the same package year (a warning).
-- The shared logic: macros/flag_duplicates.sql.

with

staged as not materialized (
    select * from {{ ref('stg_high_tech') }}
    where {{ as_of_filter('_assessment_year') }}
),

{{ flag_duplicates(
    'staged',
    key_columns=['certificate_no'],
    compare_columns=['enterprise_name', 'uscc', 'issue_date', 'cert_kind'],
    per_year=false
) }},

-- History across every loaded year: a certificate is first when cert_kind is first and no
-- kept certificate of the enterprise was issued earlier, in any package.
with_history as (
    select
        flagged.*,
        min(case when flagged.is_kept then flagged.issue_date end)
            over (partition by flagged.uscc) as enterprise_first_issue_date
    from flagged
)

select
    with_history.* exclude (enterprise_first_issue_date),
    coalesce(
        with_history.is_kept
        and with_history.cert_kind = 'first'
        and with_history.issue_date <= with_history.enterprise_first_issue_date,
        false
    ) as is_first_certificate
from with_history
