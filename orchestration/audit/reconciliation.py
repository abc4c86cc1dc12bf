"""Indicator totals against the events and facts behind them, computed in DuckDB; GX decides."""

from __future__ import annotations

RECONCILIATION_SQL = """
with indicators as (
    select carrier_id, financing_total_wan, patent_grant_count, invention_grant_count,
        graduation_count, first_high_tech_count, tenant_set_count, talents_sum
    from marts.carrier_year_indicators
    where assessment_year = $year
),
events as (
    select
        attributed_carrier_id as carrier_id,
        sum(amount_wan) filter (where event_kind = 'financing') as financing,
        count(*) filter (where event_kind = 'patent_grant') as patents,
        count(*) filter (where event_kind = 'patent_grant' and patent_type = 'invention')
            as inventions,
        count(*) filter (where event_kind = 'graduation') as graduations,
        count(distinct uscc) filter (
            where event_kind = 'high_tech_certificate' and is_first_certificate
        ) as first_certificates
    from marts.attributed_events
    where event_year = $year and attributed_carrier_id is not null
    group by attributed_carrier_id
),
tenant_facts as (
    select
        carrier_id,
        count(*) filter (where is_in_tenant_set) as tenant_set,
        sum(talents) filter (where is_in_tenant_set) as talents
    from marts.tenant_year_facts
    where assessment_year = $year
    group by carrier_id
),
joined as (
    select indicators.*, events.* exclude (carrier_id), tenant_facts.* exclude (carrier_id)
    from indicators
    left join events on events.carrier_id = indicators.carrier_id
    left join tenant_facts on tenant_facts.carrier_id = indicators.carrier_id
),
pairs as (
    select carrier_id, 'financing_total_wan' as measure,
        coalesce(financing, 0) as expected, coalesce(financing_total_wan, 0) as actual
    from joined
    union all
    select carrier_id, 'patent_grant_count', coalesce(patents, 0), coalesce(patent_grant_count, 0)
    from joined
    union all
    select carrier_id, 'invention_grant_count', coalesce(inventions, 0),
        coalesce(invention_grant_count, 0)
    from joined
    union all
    select carrier_id, 'graduation_count', coalesce(graduations, 0),
        coalesce(graduation_count, 0)
    from joined
    union all
    select carrier_id, 'first_high_tech_count', coalesce(first_certificates, 0),
        coalesce(first_high_tech_count, 0)
    from joined
    union all
    select carrier_id, 'tenant_set_count', coalesce(tenant_set, 0), coalesce(tenant_set_count, 0)
    from joined
    union all
    select carrier_id, 'talents_sum', coalesce(talents, 0), coalesce(talents_sum, 0)
    from joined
    union all
    select null, 'tenant_rows_vs_staging',
        (select count(*) from (
            select distinct carrier_id, uscc from staging.stg_tenants where _assessment_year = $year
        )),
        (select count(*) from marts.tenant_year_facts where assessment_year = $year)
)
select
    cast($year as integer) as assessment_year,
    carrier_id,
    measure,
    cast(expected as double) as expected,
    cast(actual as double) as actual,
    cast(actual as double) - cast(expected as double) as difference
from pairs
order by measure, carrier_id
"""
"""Indicator totals against the events and facts behind them, computed in DuckDB; GX decides.

`expected` comes from the detail (attributed events, tenant facts, staging), `actual` from
`carrier_year_indicators`; a difference beyond half a unit of the 4th decimal is an error.
"""

COMPUTED_FRAMES: dict[str, str] = {"marts_reconciliation": RECONCILIATION_SQL}
