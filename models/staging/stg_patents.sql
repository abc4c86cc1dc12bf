-- The patents rows that pass every check: typed, normalised, named as docs/architecture.md says.
with

checked as (
    select * from {{ ref('stg_patents__checked') }}
),

passed as (
    select checked.* exclude (_failures, _failed_checks)
    from checked
    where len(checked._failures) = 0
)

select * from passed
