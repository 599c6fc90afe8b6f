"""Budget codes of Permendagri 90/2019: classify, check and expand short codes printed under a parent.

Levels and their full forms:

- urusan ``2.17``; program ``2.17.01``; kegiatan ``2.17.01.2.01``;
- sub kegiatan ``2.17.01.2.01.01`` (old) or ``2.17.01.2.01.0001`` (new nomenclature);
- rekening (expenditure account) ``5.1.02.01.01.0024``: starts with ``5.`` followed by a one-digit
  segment (``5.01`` is an urusan-like code of a supporting agency, not an account); it belongs to the
  sub kegiatan above it. Account rows at every depth (``5.1``, ``5.1.02`` ...) are all level ``rekening``.
- total: a code or uraian cell reading ``JUMLAH`` / ``TOTAL`` (any case, optionally followed by more
  words); its kode is "".

Short codes: a kegiatan ``2.01`` under program ``2.17.01`` is ``2.17.01.2.01``; a sub kegiatan ``01`` or
``0001`` under a kegiatan is appended to it. A ``d.dd`` code after a program is a short kegiatan unless the
next code row is a full program code of that urusan (then it is a new urusan).

Codes read from numeric cells (Excel turned ``2.10`` into 2.1 and ``01`` into 1): see ``code_text``.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Sequence
from typing import NamedTuple

#: Well-formed full codes per level (Permendagri 90/2019; sub kegiatan with a 2- or 4-digit suffix):
#: the one definition the readers, the suite's ``code.malformed`` rule and the benchmark all use.
CODE_PATTERNS: dict[str, str] = {
    "urusan": r"^\d\.\d{2}$",
    "program": r"^\d\.\d{2}\.\d{2}$",
    "kegiatan": r"^\d\.\d{2}\.\d{2}\.\d\.\d{2}$",
    "sub_kegiatan": r"^\d\.\d{2}\.\d{2}\.\d\.\d{2}\.(?:\d{2}|\d{4})$",
    "rekening": r"^5\.\d(?:\.\d{1,4})*$",
}
_PATTERNS: dict[str, re.Pattern[str]] = {
    level: re.compile(pattern) for level, pattern in CODE_PATTERNS.items()
}
#: all levels in one pattern (fullmatch, group named by level): the levels' patterns exclude each other
#: (segment count, and a one-digit second segment for rekening only), so one match finds the level
_LEVEL = re.compile("|".join(f"(?P<{level}>{pattern.pattern[1:-1]})" for level, pattern in _PATTERNS.items()))
_SHORT_KEGIATAN = re.compile(r"^\d\.\d{2}$")
_SHORT_SUB_KEGIATAN = re.compile(r"^(?:\d{2}|\d{4})$")
#: a code or uraian cell marking the total row (``JUMLAH``, ``Total Belanja`` ...)
TOTAL_PATTERN = re.compile(r"^(?:jumlah|total)\b", re.IGNORECASE)
_TOTAL = TOTAL_PATTERN


class CodeRow(NamedTuple):
    """One row's code, expanded: full code, level, owning sub kegiatan, and a problem if any."""

    full_code: str  # "" for total rows and rows without a usable code
    level: str  # urusan | program | kegiatan | sub_kegiatan | rekening | total | "" (no usable code)
    sub_kegiatan_code: str  # own code for sub_kegiatan, parent's for rekening, else ""
    problem: str = ""  # "" | "malformed" | "orphan" | "missing"


def clean_code(raw: str | None) -> str:
    """Code text as written, without spaces, and without a trailing dot (``2.17.01.`` -> ``2.17.01``)."""
    if raw is None:
        return ""
    if type(raw) is str:
        return "".join(raw.split()).rstrip(".")
    return "".join(str(raw).split()).rstrip(".")


def is_total(text: str | None) -> bool:
    """True when a code or uraian cell marks the total row (``JUMLAH``, ``Total Belanja`` ...)."""
    return bool(text) and bool(_TOTAL.match(str(text).strip()))


@functools.lru_cache(maxsize=65536)
def level_of(full_code: str) -> str | None:
    """Level of a full code (urusan … rekening), or None when the code fits no level (cached: pure)."""
    match = _LEVEL.fullmatch(clean_code(full_code))
    return match.lastgroup if match else None


def is_well_formed(code: str, level: str) -> bool:
    """True when ``code`` is a well-formed *full* code of ``level``."""
    pattern = _PATTERNS.get(level)
    return bool(pattern and pattern.match(clean_code(code)))


def code_text(value: object, number_format: str = "General", sub_kegiatan_width: int = 2) -> str:
    """Text of a code cell as Excel displays it; numbers without a format get a documented repair.

    Text is returned as written. A number is formatted with its cell number format when that format is
    made of ``0``/``#`` digits (``00`` -> ``01``, ``0.00`` -> ``2.10``). With the ``General`` format: an
    integer (a short sub kegiatan code whose leading zero Excel dropped) is zero-padded to
    ``sub_kegiatan_width`` digits (2, or 4 for the new nomenclature) and a decimal number is written with
    at least two decimals (2.1 -> ``2.10``, 2.17 -> ``2.17``), because no code has a one-digit second part.
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value).strip()
    number = float(value)
    if math.isnan(number):
        return ""
    formatted = _apply_digit_format(number, number_format)
    if formatted is not None:
        return formatted
    if number.is_integer():
        return f"{int(number):0{sub_kegiatan_width}d}"
    text = repr(number)
    whole, _, frac = text.partition(".")
    if "e" in text:
        return text
    return f"{whole}.{frac.ljust(2, '0')}"


def _apply_digit_format(number: float, number_format: str) -> str | None:
    """Format with a simple digit format (``00``, ``0.00``, ``#,##0``); None for General/other formats."""
    fmt = (number_format or "General").split(";")[0].strip()
    if not fmt or not re.fullmatch(r"[0#,]+(?:\.[0#]+)?", fmt):
        return None
    whole_fmt, _, frac_fmt = fmt.partition(".")
    min_int = whole_fmt.replace(",", "").count("0")
    decimals = len(frac_fmt)
    text = f"{abs(number):.{decimals}f}"
    if frac_fmt and "#" in frac_fmt:
        whole, _, frac = text.partition(".")
        keep = max(frac_fmt.count("0"), len(frac.rstrip("0")))
        text = whole + ("." + frac[:keep] if keep else "")
    whole, dot, frac = text.partition(".")
    whole = whole.zfill(min_int) if min_int else whole.lstrip("0")
    return ("-" if number < 0 else "") + whole + dot + frac


def expand_codes(raw_codes: Sequence[str | None], names: Sequence[str | None] | None = None) -> list[CodeRow]:
    """Walk code cells top to bottom, expanding short codes under the current parent.

    ``names`` (the uraian cells) let a row with an empty code and ``JUMLAH``/``TOTAL`` as uraian be the
    total row. A row whose code fits no level gets problem ``malformed``; a short code without a parent
    above it gets ``orphan``; an empty code that is not a total gets level "" and problem ``missing``.
    """
    codes = [clean_code(raw) for raw in raw_codes]
    labels = list(names) if names is not None else [None] * len(codes)
    program = kegiatan = sub_kegiatan = ""
    rows: list[CodeRow] = []
    total = _TOTAL.match
    for index, code in enumerate(codes):
        # is_total(code): a clean code has no spaces around it
        if total(code) if code else is_total(labels[index]):
            rows.append(CodeRow("", "total", ""))
            program = kegiatan = sub_kegiatan = ""
            continue
        if not code:
            rows.append(CodeRow("", "", "", "missing"))
            continue
        level = level_of(code)
        full = code
        if level == "urusan" and program and _SHORT_KEGIATAN.match(code):
            if not _next_is_program_of(codes, index, code):
                level, full = "kegiatan", f"{program}.{code}"
        elif level is None and _SHORT_SUB_KEGIATAN.match(code):
            if not kegiatan:
                rows.append(CodeRow(code, "sub_kegiatan", "", "orphan"))
                continue
            level, full = "sub_kegiatan", f"{kegiatan}.{code}"
        if level is None:
            rows.append(CodeRow(code, "", "", "malformed"))
            continue
        if level == "urusan":
            program, kegiatan, sub_kegiatan = "", "", ""
        elif level == "program":
            program, kegiatan, sub_kegiatan = full, "", ""
        elif level == "kegiatan":
            program, kegiatan, sub_kegiatan = full[:7], full, ""
        elif level == "sub_kegiatan":
            program, kegiatan, sub_kegiatan = full[:7], full[:12], full
        elif level == "rekening":
            if not sub_kegiatan:
                rows.append(CodeRow(full, "rekening", "", "orphan"))
                continue
            rows.append(CodeRow(full, "rekening", sub_kegiatan))
            continue
        rows.append(CodeRow(full, level, full if level == "sub_kegiatan" else ""))
    return rows


def _next_is_program_of(codes: Sequence[str], index: int, urusan: str) -> bool:
    """True when the next non-empty code after ``index`` is a full program code of ``urusan``."""
    for code in codes[index + 1 :]:
        if code:
            return level_of(code) == "program" and code.startswith(urusan + ".")
    return False


def sub_kegiatan_width(code: str) -> int:
    """Digits of the last segment of a sub kegiatan code (2 or 4), 2 when not a sub kegiatan code."""
    code = clean_code(code)
    if _SHORT_SUB_KEGIATAN.match(code):
        return len(code)
    if _PATTERNS["sub_kegiatan"].match(code):  # level_of(code) == "sub_kegiatan"
        return len(code.rsplit(".", 1)[1])
    return 2


def expand_program_codes(text: str, urusan: str = "") -> list[str]:
    """Program codes from a ``Kode Program`` cell (``2.17.02; 2.17.03``).

    A short code (``02``) gets ``urusan`` or, without one, the urusan of a full code before it in the cell.
    """
    codes = []
    for part in re.split(r"[;,\s]+", text or ""):
        code = clean_code(part)
        if not code:
            continue
        if re.fullmatch(r"\d{2}", code) and urusan:
            code = f"{urusan}.{code}"
        elif level_of(code) == "program":
            urusan = urusan or code[:4]
        codes.append(code)
    return codes
