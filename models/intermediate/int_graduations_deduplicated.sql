-- One row per staging graduations row, flagged: is_kept marks the one row kept per key
-- (carrier_id, uscc) across files, carriers and years (one fact, however often it is reported).
-- Kept: the latest assessment year, then the first file, sheet and row (deterministic).
-- is_conflict: a dropped row whose other values disagree with the kept row (a warning).

with

staged as (
    select * from {{ ref('stg_graduations') }}
),

keyed as (
    select
        staged.*,
        coalesce(cast(carrier_id as varchar), '')
        || '|' || coalesce(cast(uscc as varchar), '') as dedup_key,
        md5(cast(row("enterprise_name", "graduation_date", "graduation_basis", "landed_in_district", "landed_park") as varchar)) as compare_hash
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
)

select * from final
