-- One row per carrier × evaluation level × evaluation year of each year's package (B1 and R08
-- use the rows of year Y's package whose evaluation_year is Y).

with

evaluations as (
    select * from {{ ref('int_evaluations_deduplicated') }}
    where is_kept
),

final as (
    select
        evaluations._assessment_year as assessment_year,
        evaluations.carrier_id,
        evaluations.evaluation_level,
        evaluations.evaluation_year,
        evaluations.grade
    from evaluations
)

select * from final
