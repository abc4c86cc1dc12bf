-- One row per subsidy claim of each year's package (claims carry no date: the package year is
-- the claim year), duplicates within a year's package merged.

with

claims as (
    select * from {{ ref('int_subsidy_claims_deduplicated') }}
    where is_kept
),

final as (
    select
        claims._assessment_year as assessment_year,
        claims.carrier_id,
        claims.claim_kind,
        claims.claimant_name,
        claims.claimant_uscc,
        cast(claims.amount_audited_wan as decimal(18, 4)) as amount_audited_wan,
        cast(claims.amount_previous_wan as decimal(18, 4)) as amount_previous_wan,
        claims.rent_year_index,
        claims.note,
        claims._row_id
    from claims
)

select * from final
