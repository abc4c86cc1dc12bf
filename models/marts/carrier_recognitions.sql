-- One row per recognition of each year's package, every loaded year kept: R02's top-up and
-- R07's "first of that type ever" look at earlier years. The holder is the carrier's operator
-- when the holder columns are blank, else a service body hosted by the carrier.

with

recognitions as (
    select * from {{ ref('int_recognitions_deduplicated') }}
    where is_kept
),

final as (
    select
        recognitions._assessment_year as assessment_year,
        recognitions.carrier_id,
        recognitions.recognized_type,
        recognitions.recognized_level,
        recognitions.recognized_date,
        recognitions.document_no,
        recognitions.holder_name,
        recognitions.holder_uscc,
        case
            when coalesce(recognitions.holder_name, '') = ''
                and coalesce(recognitions.holder_uscc, '') = ''
                then 'operator'
            else 'service_body'
        end as holder_kind,
        recognitions._row_id
    from recognitions
)

select * from final
