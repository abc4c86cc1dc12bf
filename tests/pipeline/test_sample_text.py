"""The sample district writes towns and industries as offices do (`樊川 镇`, `樊川`, `生物 医药`);
the published results hold each town once, under its name in seeds/towns.csv."""

from __future__ import annotations

import duckdb

from orchestration.lock import DUCKDB_CONFIG
from orchestration.publish.template import town_names


def test_planted_spaces_and_aliases_are_read_as_one_town(published_district):
    with duckdb.connect(
        str(published_district.warehouse), read_only=True, config=DUCKDB_CONFIG
    ) as con:
        written = {
            row[0]
            for row in con.execute(
                "select town from raw.carriers union select attracted_by_town from raw.tenants "
                "union select industry from raw.tenants"
            ).fetchall()
            if row[0]
        }
        towns = {r[0] for r in con.execute("select town from results.town_tasks").fetchall()}
        mart_towns = {
            r[0] for r in con.execute("select town from marts.carrier_year_indicators").fetchall()
        }
        unknown = con.execute(
            "select count(*) from results.dq_issues where check_name = 'town_unknown'"
        ).fetchone()[0]
    known = set(town_names())
    # the package holds the loose forms ...
    assert any(" " in t.strip() and t.strip().replace(" ", "") in known for t in written)
    assert any(t.strip() + "镇" in known for t in written)
    # ... and the results only the canonical names
    assert towns <= known and mart_towns <= known
    assert unknown == 0
