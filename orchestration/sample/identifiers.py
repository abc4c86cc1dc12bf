"""Check characters of the identifiers carriers report: credit codes, patent numbers, certificates.

The sample generator needs valid identifiers in bulk (vectorised, numpy) and deliberately invalid
ones; tests and the ingest can use the scalar functions. The algorithms:

- USCC, GB 32100-2015: 18 characters from ``0-9A-Z`` without I, O, S, V, Z; check character =
  31 − (Σ value × weight mod 31), 31 → ``0``. The organisation code inside (positions 9–17)
  carries its own GB 11714 check character (weights 3,7,9,10,5,8,4,2; 11 − Σ mod 11, 10 → X,
  11 → 0); the generator makes that valid too so codes look real.
- Chinese patent application numbers: since 2003 12 digits (4-digit year, type digit, 7-digit
  serial) with weights 2..9,2..5; before, 8 digits (2-digit year, type digit, 5-digit serial) with
  weights 2..9; check = Σ mod 11, 10 → ``X``.
- High-tech enterprise certificates: ``GR`` + 4-digit year + 2-digit province code + 6 digits.
"""

from __future__ import annotations

import re

import numpy as np

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_VALUE = {ch: i for i, ch in enumerate(USCC_ALPHABET)}
_USCC_RE = re.compile(f"^[{USCC_ALPHABET}]{{18}}$")

ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)

PATENT_WEIGHTS_12 = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)
PATENT_WEIGHTS_8 = (2, 3, 4, 5, 6, 7, 8, 9)
PATENT_TYPE_DIGITS: dict[str, tuple[str, ...]] = {
    "invention": ("1", "8"),
    "utility_model": ("2", "9"),
    "design": ("3",),
}
"""Type digit(s) of an application number that agree with each patent type (8/9: PCT)."""

_PATENT_RE = re.compile(r"^(\d{12}|\d{8})\.([0-9X])$")
CERTIFICATE_RE = re.compile(r"^GR(\d{4})(\d{2})(\d{6})$")


# --- unified social credit code (GB 32100-2015) -----------------------------------------------


def uscc_check_char(first17: str) -> str:
    """The 18th character of a credit code whose first 17 characters are given."""
    if len(first17) != 17:
        raise ValueError(f"need 17 characters, got {len(first17)}: {first17!r}")
    try:
        total = sum(_USCC_VALUE[ch] * w for ch, w in zip(first17, USCC_WEIGHTS, strict=True))
    except KeyError as exc:
        raise ValueError(f"character {exc.args[0]!r} is not allowed in a credit code") from exc
    return USCC_ALPHABET[(31 - total % 31) % 31]


def is_valid_uscc(code: str) -> bool:
    """True when `code` is 18 allowed upper-case characters and its check character verifies."""
    if not isinstance(code, str) or not _USCC_RE.match(code):
        return False
    return uscc_check_char(code[:17]) == code[17]


def org_code_check_char(first8: str) -> str:
    """GB 11714 check character of an organisation code body (8 characters, 0-9 A-Z)."""
    if len(first8) != 8:
        raise ValueError(f"need 8 characters, got {len(first8)}")
    total = sum(int(ch, 36) * w for ch, w in zip(first8, ORG_CODE_WEIGHTS, strict=True))
    c = 11 - total % 11
    return "X" if c == 10 else "0" if c == 11 else str(c)


def uscc_from_parts(prefix8: str, org_body8: str) -> str:
    """A valid credit code: registration authority + category + division code (`prefix8`), then
    the organisation code body with its GB 11714 check, then the GB 32100 check."""
    first17 = prefix8 + org_body8 + org_code_check_char(org_body8)
    return first17 + uscc_check_char(first17)


def uscc_batch(prefix8: np.ndarray | str, org_numbers: np.ndarray) -> np.ndarray:
    """Vectorised valid credit codes from integer organisation-code bodies (0..99,999,999).

    `prefix8` is one 8-character prefix (e.g. ``"91321012"``) or an array of them. The body is
    written as 8 digits; its GB 11714 check may be ``X``, which the USCC alphabet allows.
    """
    n = len(org_numbers)
    prefixes = np.broadcast_to(np.asarray(prefix8, dtype="<U8"), (n,))
    body_digits = np.stack([(org_numbers // 10 ** (7 - i)) % 10 for i in range(8)], axis=1).astype(
        np.int64
    )
    org_sum = body_digits @ np.asarray(ORG_CODE_WEIGHTS, dtype=np.int64)
    org_c = 11 - org_sum % 11
    # value of the org check char in the USCC alphabet: X → 30 (index of X), 11 → 0.
    x_value = _USCC_VALUE["X"]
    org_val = np.where(org_c == 10, x_value, np.where(org_c == 11, 0, org_c))
    uniq, inv = np.unique(prefixes, return_inverse=True)
    prefix_vals = np.array([[_USCC_VALUE[ch] for ch in p] for p in uniq], dtype=np.int64)
    values = np.concatenate([prefix_vals[inv], body_digits, org_val[:, None]], axis=1)
    total = values @ np.asarray(USCC_WEIGHTS, dtype=np.int64)
    check = (31 - total % 31) % 31
    alphabet = np.array(list(USCC_ALPHABET))
    chars = alphabet[np.concatenate([values, check[:, None]], axis=1)]
    return _join_rows(chars)


def _join_rows(chars: np.ndarray) -> np.ndarray:
    """Join a 2-D array of single characters row-wise, without a Python loop per row."""
    if not chars.size:
        return np.array([], dtype="<U18")
    chars = np.ascontiguousarray(chars.astype("<U1"))
    return chars.view(f"<U{chars.shape[1]}").reshape(-1)


def corrupt_uscc(code: str) -> str:
    """The same code with a wrong check character (for planted defects)."""
    good = code[17]
    wrong = USCC_ALPHABET[(_USCC_VALUE[good] + 7) % 31]
    return code[:17] + wrong


# --- patent application numbers ---------------------------------------------------------------


def patent_check_char(digits: str) -> str:
    """Check character of a 12-digit (since 2003) or 8-digit (before) application number."""
    if not digits.isdigit() or len(digits) not in (8, 12):
        raise ValueError(f"need 8 or 12 digits, got {digits!r}")
    weights = PATENT_WEIGHTS_12 if len(digits) == 12 else PATENT_WEIGHTS_8
    r = sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11
    return "X" if r == 10 else str(r)


def patent_type_digit(digits: str) -> str:
    """The type digit: 5th of the 12-digit form, 3rd of the old 8-digit form."""
    return digits[4] if len(digits) == 12 else digits[2]


def normalize_patent_no(value: str) -> str | None:
    """Canonical ``202310123456.6`` from the forms carriers write (ZL/CN prefix, spaces, no dot);
    None when it is not shaped like an application number."""
    s = re.sub(r"[\s\u3000]", "", value).upper()
    s = s.removeprefix("ZL").removeprefix("CN")
    if "." not in s and len(s) in (9, 13):
        s = s[:-1] + "." + s[-1]
    return s if _PATENT_RE.match(s) else None


def is_valid_patent_no(value: str, patent_type: str | None = None) -> bool:
    """True when the number's check character verifies and, if given, its type digit agrees."""
    canon = normalize_patent_no(value)
    if canon is None:
        return False
    digits, check = canon.split(".")
    if patent_check_char(digits) != check:
        return False
    if patent_type is not None:
        return patent_type_digit(digits) in PATENT_TYPE_DIGITS[patent_type]
    return True


def patent_check_batch(digits: np.ndarray) -> np.ndarray:
    """Vectorised check characters for an (n, 12) or (n, 8) integer digit matrix."""
    weights = PATENT_WEIGHTS_12 if digits.shape[1] == 12 else PATENT_WEIGHTS_8
    r = (digits @ np.asarray(weights, dtype=np.int64)) % 11
    return np.where(r == 10, "X", r.astype(str))


# --- high-tech enterprise certificates --------------------------------------------------------


def certificate_no(year: int, province: str, serial: int) -> str:
    """``GR`` + year + province code + 6-digit serial, e.g. GR202432001234."""
    return f"GR{year:04d}{province}{serial:06d}"


def certificate_year(cert_no: str) -> int | None:
    """The year a certificate number names, None when it is not shaped like one."""
    m = CERTIFICATE_RE.match(cert_no.strip().upper())
    return int(m.group(1)) if m else None


def is_valid_certificate(cert_no: str, issue_year: int | None = None) -> bool:
    """True when shaped like a certificate number and, if given, its year is the issue year."""
    year = certificate_year(cert_no)
    return year is not None and (issue_year is None or year == issue_year)
