-- The carriers rows that pass every check: staging's (stg_carriers) and the one name per carrier
-- id and year of int_carriers_name_conflicts. What de-duplication (int_carriers_deduplicated)
-- and the quality gate's carriers suite (expectations/stg_carriers.json) read.
-- A view: it only leaves rows out.
{{ config(materialized='view') }}

with

staged as (
    select * from {{ ref('stg_carriers') }}
),

conflicts as (
    select conflicts._row_id from {{ ref('int_carriers_name_conflicts') }} as conflicts
),

named as (
    select staged.*
    from staged
    anti join conflicts
        on staged._row_id = conflicts._row_id
)

select * from named
