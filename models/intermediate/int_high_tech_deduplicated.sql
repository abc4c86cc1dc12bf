-- One row per staging high_tech row, flagged: is_kept marks the one row kept per key
-- (certificate_no) across files, carriers and years (one fact, however often it is reported).
-- Kept: the latest assessment year, then the first file, sheet and row (deterministic).
-- is_conflict: a dropped row whose other values disagree with the kept row (a warning).

with

staged as (
    select * from {{ ref('stg_high_tech') }}
),

keyed as (
    select
        staged.*,
        coalesce(cast(certificate_no as varchar), '') as dedup_key,
        md5(cast(row("enterprise_name", "uscc", "issue_date", "cert_kind") as varchar)) as compare_hash
    from staged
),

ranked as (
    select
        keyed.*,
        row_number() over by_key as dedup_rank,
        first_value(keyed._row_id) over by_key as kept_row_id,
        first_value(keyed._assessment_year) over by_key as kept_assessment_year,
        first_value(keyed._source_file) over by_key as kept_source_file,
        first_value(keyed._source_row) over by_key as kept_source_row,
        first_value(keyed.compare_hash) over by_key as kept_compare_hash
    from keyed
    window by_key as (
        partition by dedup_key
        order by
            keyed._assessment_year desc, keyed._source_file, keyed._sheet, keyed._source_row
    )
),

groups as (
    select
        dedup_key,
        string_agg(distinct carrier_id, ',' order by carrier_id) as reported_by,
        string_agg(_row_id, ',' order by _row_id) as source_row_ids,
        count(*) as rows_in_group
    from keyed
    group by all
),

final as (
    select
        ranked.* exclude (dedup_rank, compare_hash, kept_compare_hash),
        ranked.dedup_rank = 1 as is_kept,
        -- a later year's package updating a fact (a patent granted since) is not a conflict
        ranked.compare_hash <> ranked.kept_compare_hash
            and ranked._assessment_year = ranked.kept_assessment_year as is_conflict,
        groups.reported_by,
        groups.source_row_ids,
        groups.rows_in_group
    from ranked
    inner join groups
        on ranked.dedup_key = groups.dedup_key
),

-- History across every loaded year: a certificate is first when cert_kind is first and no
-- kept certificate of the enterprise was issued earlier, in any package.
with_history as (
    select
        final.*,
        min(case when final.is_kept then final.issue_date end)
            over (partition by final.uscc) as enterprise_first_issue_date
    from final
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
