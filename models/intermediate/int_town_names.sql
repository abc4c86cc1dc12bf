-- Every way a town or park may be written (its name and each alias of seeds/towns.csv, in the
-- form normalize_text gives), with the canonical name it maps to.

with

towns as (
    select * from {{ ref('towns') }}
),

spelled as (
    select towns.name as town_name, towns.name as written
    from towns
    union all
    select towns.name as town_name, trim(alias.written) as written
    from towns
    cross join unnest(string_split(coalesce(towns.aliases, ''), '|')) as alias (written)
),

final as (
    select distinct
        {{ normalize_text('spelled.written') }} as match_name,
        spelled.town_name
    from spelled
    where {{ normalize_text('spelled.written') }} is not null
)

select * from final
