"""Check characters of credit codes, patent numbers and certificate numbers, on published values."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from orchestration.sample.identifiers import (
    USCC_ALPHABET,
    corrupt_uscc,
    is_valid_certificate,
    is_valid_patent_no,
    is_valid_uscc,
    normalize_patent_no,
    org_code_check_char,
    patent_check_batch,
    patent_check_char,
    patent_type_digit,
    uscc_batch,
    uscc_check_char,
)

# Real published credit codes (Huawei, Alibaba, Tencent, Baidu) and the worked example of
# GB 32100-2015 (91350100M000100Y4 → check character 3).
REAL_USCC = ["914403001922038216", "91330100716105852F", "9144030071526726XG", "91110000802100433B"]


@pytest.mark.parametrize("code", REAL_USCC)
def test_real_credit_codes_verify(code: str) -> None:
    assert is_valid_uscc(code)
    assert uscc_check_char(code[:17]) == code[17]
    assert org_code_check_char(code[8:16]) == code[16]  # GB 11714 inside


def test_standard_worked_example() -> None:
    assert uscc_check_char("91350100M000100Y4") == "3"
    assert not is_valid_uscc("91350100M000100Y4Z")
    assert is_valid_uscc("91350100M000100Y43")


@pytest.mark.parametrize(
    "bad",
    ["91350100m000100Y43", "91350100M000100Y4", "91350100I000100Y43", "", "9135 0100M000100Y43"],
)
def test_malformed_codes_fail(bad: str) -> None:
    assert not is_valid_uscc(bad)


@given(st.text(alphabet=USCC_ALPHABET, min_size=17, max_size=17))
def test_every_check_char_verifies_and_any_other_fails(first17: str) -> None:
    code = first17 + uscc_check_char(first17)
    assert is_valid_uscc(code)
    assert not is_valid_uscc(corrupt_uscc(code))


def test_batch_codes_match_scalar() -> None:
    bodies = np.array([0, 5, 12345678, 99999999, 31415926])
    codes = uscc_batch("91321012", bodies)
    assert len(set(codes)) == 5
    for code, body in zip(codes, bodies, strict=True):
        assert code.startswith(f"91321012{body:08d}")
        assert is_valid_uscc(code)
        assert org_code_check_char(code[8:16]) == code[16]


@pytest.mark.parametrize(
    ("digits", "check"),
    [
        ("201710601862", "3"),  # published example, weights 2..9,2..5
        ("202310123456", "6"),  # the contract's example
        ("95115608", "X"),  # old 8-digit form, remainder 10 → X
        ("97101765", "4"),
    ],
)
def test_patent_check_char(digits: str, check: str) -> None:
    assert patent_check_char(digits) == check
    d = np.array([[int(c) for c in digits]])
    assert patent_check_batch(d)[0] == check


@pytest.mark.parametrize(
    "written", ["ZL 2023 1 0123456.6", "CN202310123456.6", "202310123456.6", "2023101234566"]
)
def test_patent_forms_normalise(written: str) -> None:
    assert normalize_patent_no(written) == "202310123456.6"
    assert is_valid_patent_no(written, "invention")
    assert not is_valid_patent_no(written, "utility_model")


def test_patent_type_digit_and_bad_check() -> None:
    assert patent_type_digit("202320123456") == "2"
    assert patent_type_digit("97101765") == "1"
    assert is_valid_patent_no("ZL95115608.X", "invention")
    assert not is_valid_patent_no("202310123456.7")
    assert normalize_patent_no("2023-1-0123456") is None


def test_certificate_numbers() -> None:
    assert is_valid_certificate("GR202432001234", 2024)
    assert not is_valid_certificate("GR202332001234", 2024)
    assert not is_valid_certificate("GR20243200123", None)
