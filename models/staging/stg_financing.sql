-- The financing rows that pass every check: typed, normalised, named as docs/architecture.md says.
with

checked as (
    select * from {{ ref('stg_financing__checked') }}
),

passed as (
    select checked.* exclude (_failures, _failed_checks, amount_unit)
    from checked
    where len(checked._failures) = 0
)

select * from passed
