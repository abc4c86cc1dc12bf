-- int_patents_duplicate_groups.has_conflict is true exactly for the patent numbers that have a
-- conflicting row (is_conflict in int_patents_deduplicated): int_duplicate_rows looks for patent
-- conflicts only in those groups, so a group flagged wrongly would hide its conflicts from the
-- data-quality list (macros/flag_duplicates.sql). Any row returned fails.
with

conflicting as (
    select distinct deduplicated.dedup_key
    from {{ ref('int_patents_deduplicated') }} as deduplicated
    where deduplicated.is_conflict
),

flagged as (
    select groups.dedup_key
    from {{ ref('int_patents_duplicate_groups') }} as groups
    where groups.has_conflict
),

final as (
    (select dedup_key, 'conflict in a group not flagged' as problem from conflicting
     except select dedup_key, 'conflict in a group not flagged' from flagged)
    union all
    (select dedup_key, 'flagged group without a conflict' as problem from flagged
     except select dedup_key, 'flagged group without a conflict' from conflicting)
)

select * from final
