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
-- kept certificate of the enterprise was issued earlier, in any package. The enterprise's first
-- issue date by a hash aggregate and a join, not a window over every row sorted by uscc
-- (national: the model ~0.7 CPU s less; the same rows: docs/benchmarks.md, issue 21).
first_issues as (
    select
        flagged.uscc,
        min(flagged.issue_date) as enterprise_first_issue_date
    from flagged
    where flagged.is_kept
    group by flagged.uscc
),

with_history as (
    select
        flagged.*,
        first_issues.enterprise_first_issue_date
    from flagged
    left join first_issues
        on flagged.uscc is not distinct from first_issues.uscc
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
