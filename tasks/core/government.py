"""The regional government an OPD belongs to, as a workbook's first lines name it.

Budget workbooks open with the government's line, ``PEMERINTAH KOTA SEMARANG`` (or ``PEMERINTAH
KABUPATEN ...``, ``PEMERINTAH PROVINSI ...``); the LKjIP names the OPD with it in its titles:
"Dinas Koperasi dan Usaha Mikro Kota Semarang". The line is untrusted text like any cell.
"""

from __future__ import annotations

import re

#: ``PEMERINTAH [DAERAH] KOTA|KABUPATEN|PROVINSI <name>``: the whole cell, with a name after the kind
GOVERNMENT_LINE = re.compile(
    r"^pemerintah\s+(?:daerah\s+)?((?:kota|kabupaten|kab\.|provinsi|prov\.)\s+\S.*)$",
    re.IGNORECASE | re.DOTALL,
)

#: Words an Indonesian title keeps in lower case (except as its first word)
_LOWER_WORDS = frozenset({"dan", "di", "ke", "dari", "yang", "atau", "untuk", "pada", "dengan", "serta"})
#: Abbreviations kept in capitals
_UPPER_WORDS = frozenset({"DKI"})
_WORD = re.compile(r"[^\W\d_]+")


def government_line(text: str) -> str:
    """``text`` (spaces collapsed) when it is a government line, else ""."""
    line = " ".join(text.split())
    return line if GOVERNMENT_LINE.match(line) else ""


def government_title(line: str) -> str:
    """The government's name in title form: ``PEMERINTAH KOTA SEMARANG`` -> ``Kota Semarang``.

    "PEMERINTAH" (and "DAERAH") are dropped; words written in capitals are title-cased the Indonesian
    way (connectives such as "dan" in lower case, "DKI" kept); words already in mixed case stay as
    written. "" for "" or a line that names no government.
    """
    match = GOVERNMENT_LINE.match(" ".join(line.split()))
    if not match:
        return ""
    words = match.group(1).split(" ")
    return " ".join(_title_word(word, first=i == 0) for i, word in enumerate(words))


def _title_word(word: str, *, first: bool) -> str:
    """One word of a title: re-cased only when written all in capitals (or all in lower case)."""
    if word.upper() in _UPPER_WORDS or not (word.isupper() or word.islower()):
        return word
    if not first and word.lower() in _LOWER_WORDS:
        return word.lower()
    return _WORD.sub(lambda m: m.group(0)[0].upper() + m.group(0)[1:].lower(), word)
