-- int_<dataset>_duplicate_groups.has_conflict is true exactly for the groups that have a
-- conflicting row (is_conflict in int_<dataset>_deduplicated), for every dataset
-- de-duplicated in two models (macros/dedup_specs.sql): int_duplicate_rows looks for conflicts
-- only in those groups, so a group flagged wrongly would hide its conflicts from the
-- data-quality list (macros/flag_duplicates.sql). A group is its key, and its package year
-- where the key is per year (tenants: listed afresh every year). Any row returned fails.
with

{% for dataset in grouped_datasets() %}
{%- set group_year = '_assessment_year' if dedup_spec(dataset).per_year else 'cast(null as integer)' %}
conflicting_{{ dataset }} as (
    select distinct
        '{{ dataset }}' as dataset,
        {{ group_year }} as group_year,
        deduplicated.dedup_key
    from {{ ref('int_' ~ dataset ~ '_deduplicated') }} as deduplicated
    where deduplicated.is_conflict
),

flagged_{{ dataset }} as (
    select distinct
        '{{ dataset }}' as dataset,
        {{ group_year }} as group_year,
        groups.dedup_key
    from {{ ref('int_' ~ dataset ~ '_duplicate_groups') }} as groups
    where groups.has_conflict
),

{% endfor %}
conflicting as (
    {% for dataset in grouped_datasets() %}
    select * from conflicting_{{ dataset }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

flagged as (
    {% for dataset in grouped_datasets() %}
    select * from flagged_{{ dataset }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

final as (
    (select dataset, group_year, dedup_key, 'conflict in a group not flagged' as problem
     from conflicting
     except
     select dataset, group_year, dedup_key, 'conflict in a group not flagged' from flagged)
    union all
    (select dataset, group_year, dedup_key, 'flagged group without a conflict' as problem
     from flagged
     except
     select dataset, group_year, dedup_key, 'flagged group without a conflict' from conflicting)
)

select * from final
