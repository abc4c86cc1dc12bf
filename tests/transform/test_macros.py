"""The cleaning macros compiled by dbt and run on DuckDB, against Python references.

dbt's own unit tests (models/staging/_staging__unit_tests.yml) pin every accepted form; these
compare whole character ranges and many generated identifiers with independent Python code.
"""

from __future__ import annotations

import random
import re
import unicodedata

import duckdb
import pytest

from tests.parsed_dbt import run_dbt_parsed

pytestmark = pytest.mark.slow

DUCKDB_CONFIG = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}

PROBE = """
select
    v,
    {{ normalize_text('v') }} as normalized,
    {{ normalize_uscc('v') }} as uscc,
    {{ uscc_is_valid(normalize_uscc('v')) }} as uscc_ok,
    {{ normalize_patent_no('v') }} as patent_no,
    {{ patent_no_is_valid(normalize_patent_no('v')) }} as patent_ok,
    {{ patent_type_from_no(normalize_patent_no('v')) }} as patent_type
from probe_input
"""

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


@pytest.fixture(scope="module")
def probe_sql(tmp_path_factory) -> str:
    """The probe query as dbt compiles it (one dbt call for the whole module)."""
    root = tmp_path_factory.mktemp("macros")
    result = run_dbt_parsed(["compile", "--inline", PROBE], root / "wh.duckdb", root / "target")
    assert result.compiled_sql, "dbt compile --inline returned no SQL"
    return result.compiled_sql[0]


def run_probe(sql: str, values: list[str]) -> list[tuple]:
    with duckdb.connect(config=DUCKDB_CONFIG) as con:
        con.execute("create table probe_input (i integer, v varchar)")
        con.executemany("insert into probe_input values (?, ?)", list(enumerate(values)))
        return con.execute(
            f"select probe.* from ({sql}) as probe join probe_input using (v) order by i"
        ).fetchall()


CJK = "[\u3001-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]"
"""The CJK characters between which a space is dropped (macros/normalize_text.sql)."""


def reference_normalize(text: str) -> str | None:
    """NFKC, then whitespace runs collapsed and trimmed, a space between two CJK characters
    removed, empty -> None."""
    out = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip(" ")
    out = re.sub(f"(?<={CJK}) (?={CJK})", "", out)
    return out or None


def test_normalize_text_drops_a_space_between_cjk_characters(probe_sql):
    values = [
        "樊川 镇",
        "生物 医药",
        "生 物 医 药",
        "樊川\u3000镇",
        " 江都 高新区 ",
        "ABC 科技",
        "科技 ABC 公司",
        "第 3 届",
        "《 专利 》",
        "𠀀 𠀁",
    ]
    rows = run_probe(probe_sql, values)
    got = {r[0]: r[1] for r in rows}
    assert got["樊川 镇"] == "樊川镇"
    assert got["生 物 医 药"] == "生物医药"
    assert got["樊川\u3000镇"] == "樊川镇"
    assert got["ABC 科技"] == "ABC 科技"
    assert got["第 3 届"] == "第 3 届"
    for value in values:
        assert got[value] == reference_normalize(value), value


def test_normalize_text_matches_nfkc_on_full_width_and_ideographic_space(probe_sql):
    chars = [chr(c) for c in range(0xFF01, 0xFF5F)] + ["\u3000", "\u00a0"]
    values = [f"a{c}b" for c in chars]
    rows = run_probe(probe_sql, values)
    assert len(rows) == len(values)
    for value, normalized in ((r[0], r[1]) for r in rows):
        assert normalized == reference_normalize(value), (value, hex(ord(value[1])))


def test_normalize_text_matches_reference_on_mixed_strings(probe_sql):
    rng = random.Random(20240305)
    alphabet = (
        [chr(c) for c in range(0x21, 0x7F)]
        + [chr(c) for c in range(0xFF01, 0xFF5F)]
        + list("科技孵化器（）【】《》、。𠀀")
        + [" ", "\u3000", "\n", "\r\n", "\t", "  "]
    )
    values = sorted(
        {"".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12))) for _ in range(400)}
    )
    rows = run_probe(probe_sql, values)
    assert len(rows) == len(values)
    for value, normalized in ((r[0], r[1]) for r in rows):
        assert normalized == reference_normalize(value), repr(value)


GATE_PROBE = """
select
    v,
    {{ normalize_text('v') }} as normalized,
    nullif({{ drop_cjk_spaces(collapse_text_always('v')) }}, '') as without_gate
from probe_input
"""

CONTEXTS = (
    "c",
    "c || 'a'",
    "'a' || c",
    "'a' || c || 'b'",
    "c || c",
    "'中' || c || '文'",
    "' ' || c || ' '",
)
"""Each code point `c` alone, at either end, inside, doubled, between two CJK characters, in
spaces."""


def test_normalize_text_gate_changes_no_code_point(tmp_path):
    """The gate (collapse_gate) lets text through untouched only where the full clean-up would
    not change it: every Unicode scalar value, in every context of CONTEXTS, normalises the same
    with and without it (DuckDB's trim() strips the space separators, not only ' ')."""
    sql = run_dbt_parsed(
        ["compile", "--inline", GATE_PROBE], tmp_path / "wh.duckdb", tmp_path / "target"
    ).compiled_sql[0]
    with duckdb.connect(config=DUCKDB_CONFIG) as con:
        con.execute(
            "create table cp as select chr(i::integer) as c from range(1, 1114112) as r(i) "
            "where i < 55296 or i > 57343"  # every Unicode scalar value but NUL
        )
        con.execute(
            "create table probe_input as "
            + " union all ".join(f"select {context} as v from cp" for context in CONTEXTS)
        )
        total, differ, changed = con.execute(
            "select count(*), count(*) filter (where normalized is distinct from without_gate), "
            f"count(*) filter (where normalized is distinct from v) from ({sql})"
        ).fetchone()
    assert total == 1_112_063 * len(CONTEXTS)
    assert differ == 0
    assert changed > 0  # the probe does reach text the clean-up changes


def reference_uscc_check(body: str) -> str:
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(body, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def test_uscc_is_valid_agrees_with_gb32100_reference(probe_sql):
    rng = random.Random(32100)
    codes: list[str] = []
    for _ in range(300):
        body = "".join(rng.choice(USCC_ALPHABET) for _ in range(17))
        good = body + reference_uscc_check(body)
        wrong = body + rng.choice(USCC_ALPHABET.replace(good[-1], ""))
        codes += [good, wrong, good.lower(), "-".join([good[:6], good[6:]])]
    codes = list(dict.fromkeys(codes))
    rows = run_probe(probe_sql, codes)
    assert len(rows) == len(codes)
    for value, uscc, ok in ((r[0], r[2], r[3]) for r in rows):
        clean = value.replace("-", "").upper()
        assert uscc == clean
        assert ok == (clean[-1] == reference_uscc_check(clean[:17])), value
    assert any(r[3] for r in rows) and not all(r[3] for r in rows)


def reference_patent_check(digits: str) -> str:
    weights = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5) if len(digits) == 12 else range(2, 10)
    total = sum(int(d) * w for d, w in zip(digits, weights, strict=False)) % 11
    return "X" if total == 10 else str(total)


def test_patent_no_check_and_type_agree_with_reference(probe_sql):
    rng = random.Random(11)
    numbers: list[str] = []
    for _ in range(300):
        digits = "".join(rng.choice("0123456789") for _ in range(rng.choice((8, 12))))
        check = reference_patent_check(digits)
        other = rng.choice([c for c in "0123456789X" if c != check])
        numbers += [f"{digits}.{check}", f"ZL{digits}.{other}", f"CN{digits}{check}"]
    numbers = list(dict.fromkeys(numbers))
    rows = run_probe(probe_sql, numbers)
    assert len(rows) == len(numbers)
    kinds = {
        "1": "invention",
        "8": "invention",
        "2": "utility_model",
        "9": "utility_model",
        "3": "design",
    }
    short_kinds = {"1": "invention", "2": "utility_model", "3": "design"}
    for value, canonical, ok, kind in ((r[0], r[4], r[5], r[6]) for r in rows):
        digits = re.sub(r"^(ZL|CN)", "", value).replace(".", "")
        assert canonical == f"{digits[:-1]}.{digits[-1]}"
        assert ok == (digits[-1] == reference_patent_check(digits[:-1])), value
        expected_kind = kinds.get(digits[4]) if len(digits) == 13 else short_kinds.get(digits[2])
        assert kind == expected_kind, value
