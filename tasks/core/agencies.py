"""Which agency a workbook is for: its header's OPD checked against the agency the run expects.

A run may be given the agency its files are for (``sakip ingest --opd CODE``, an agency's user of the
web application, a steward's choice). The readers already refuse a header naming another agency
*code* (``header.meta_conflict``); :func:`check_agencies` also compares the header's agency *name*
with the names known for the expected code (the OPD register, earlier loads), loosely
(:func:`same_agency_name`), and can require the header to name the agency at all
(``header.opd_missing``). A file whose workbook could not be read is kept under the expected agency,
so its refusal is listed with that agency's.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from tasks.core.issues import InputIssue
from tasks.core.staging import StagedFile

#: Words written short in agency names, as the long form they stand for (names the offices use).
ABBREVIATIONS: dict[str, str] = {
    "dis": "dinas",
    "din": "dinas",
    "kab": "kabupaten",
    "kec": "kecamatan",
    "kel": "kelurahan",
    "bag": "bagian",
    "sekr": "sekretariat",
    "setda": "sekretariat daerah",
    "sekda": "sekretariat daerah",
    "setwan": "sekretariat dprd",
    "prov": "provinsi",
    "pemkot": "pemerintah kota",
    "pemkab": "pemerintah kabupaten",
    "bappeda": "badan perencanaan pembangunan daerah",
    "bpkad": "badan pengelolaan keuangan dan aset daerah",
    "bpbd": "badan penanggulangan bencana daerah",
    "bkpsdm": "badan kepegawaian dan pengembangan sumber daya manusia",
    "disdik": "dinas pendidikan",
    "dinkes": "dinas kesehatan",
    "dishub": "dinas perhubungan",
    "diskominfo": "dinas komunikasi dan informatika",
    "disdukcapil": "dinas kependudukan dan pencatatan sipil",
    "satpol": "satuan polisi",
    "pp": "pamong praja",
    "rsud": "rumah sakit umum daerah",
    "ukm": "usaha kecil dan menengah",
    "umkm": "usaha mikro kecil dan menengah",
    "&": "dan",
}
#: A region written after the agency's own name (``Dinas Pendidikan Kota Semarang``).
_REGION_TAIL = re.compile(r"\s(?:pemerintah\s)?(?:kota|kabupaten|provinsi)\s.*$")
_WORD = re.compile(r"[0-9a-z]+|&")
_CODE = re.compile(r"\d+(?:\.\d+)+")


def agency_name_key(name: str) -> str:
    """An agency name as compared: lower case, no punctuation, short words written out."""
    return " ".join(ABBREVIATIONS.get(word, word) for word in _WORD.findall(name.casefold()))


def same_agency_name(a: str, b: str) -> bool:
    """Whether two agency names are the same agency's, written differently (case, spacing,
    punctuation, ``Dis.``/``Dinas``, ``Kab.``, common short names, a trailing ``Kota Semarang``
    on one of them)."""
    first, second = agency_name_key(a), agency_name_key(b)
    if not first or not second:
        return False
    return first == second or _REGION_TAIL.sub("", first) == second or first == _REGION_TAIL.sub("", second)


def is_agency_code(text: str | None) -> bool:
    """Whether ``text`` is an agency code (``2.17.0.00.0.00.01.0000``), not a name."""
    return bool(text) and bool(_CODE.fullmatch(text.strip()))


def _issue(staged: StagedFile, rule: str, severity: str = "error", **params: object) -> InputIssue:
    """An issue about the header's OPD, at the cell the OPD was read from when there is one."""
    workbook = staged.workbook
    cell = (getattr(workbook, "header_cells", None) or {}).get("opd", "")
    found = re.fullmatch(r"([A-Z]+)(\d+)", cell)
    return InputIssue(
        file=staged.name,
        rule=rule,
        sheet=getattr(workbook, "sheet", ""),
        row=int(found.group(2)) if found else None,
        column=found.group(1) if found else "",
        params=params,
        severity=severity,
    )


def name_conflict(
    header_name: str, code: str, names: Mapping[str, Sequence[str]], *, with_code: bool = False
) -> bool:
    """Whether a header naming the agency ``header_name`` is *not* for the agency ``code``.

    ``names``: every known name of each agency code. A header naming another known agency always
    conflicts. A header with no code conflicts too when names are known for ``code`` and it matches
    none; one whose code is ``code`` (``with_code``) is then believed.
    """
    own = [n for n in names.get(code, ()) if n]
    if any(same_agency_name(header_name, n) for n in own):
        return False
    other = any(
        same_agency_name(header_name, n) for known, listed in names.items() if known != code for n in listed
    )
    return other or (bool(own) and not with_code)


def agency_label(code: str, names: Mapping[str, Sequence[str]]) -> str:
    """``2.17.0.00.0.00.01.0000 (Dinas Koperasi dan Usaha Mikro)``, or the code alone."""
    known = [n for n in names.get(code, ()) if n]
    return f"{code} ({known[0]})" if known else code


def check_agencies(
    staged: Sequence[StagedFile],
    opd: str | None,
    names: Mapping[str, Sequence[str]],
    *,
    require_header_opd: bool = False,
) -> list[StagedFile]:
    """The staged files, with their header's agency checked against the run's ``opd`` code.

    - a header naming another agency by name (``SKPD : Dinas Koperasi dan Usaha Mikro``, with or
      without a code) is refused: ``header.meta_conflict`` at the OPD cell;
    - with ``require_header_opd``, a header that names no agency is refused (``header.opd_missing``);
      without it the run's agency fills it in, as ``--opd`` always did;
    - a file whose workbook could not be read is kept under ``opd`` (``StagedFile.opd_code``).

    A year workbook is judged whole: the months of a file whose first sheet names another agency
    are all refused, and a sheet without a header of its own is not missing the agency when another
    sheet of the file names it. Without ``opd`` (or with a name instead of a code) the files are
    returned as they are.
    """
    if not is_agency_code(opd):
        return list(staged)
    code = str(opd).strip()
    named: set[Path] = set()
    conflicts: dict[Path, InputIssue] = {}
    for item in staged:
        cells = getattr(item.workbook, "header_cells", None) or {}
        if item.workbook is None or "opd" not in cells:
            continue
        named.add(item.path)
        header_name = getattr(item.workbook, "opd_name", "") or ""
        if header_name and name_conflict(header_name, code, names, with_code="opd_code" in cells):
            found = _issue(
                item, "header.meta_conflict", what="OPD", in_file=header_name, given=agency_label(code, names)
            )
            conflicts.setdefault(item.path, found)
    checked = []
    for item in staged:
        if item.workbook is None:
            checked.append(replace(item, opd_code=item.opd_code or code))
            continue
        found: InputIssue | None = None
        if item.path in conflicts:
            found = replace(conflicts[item.path], file=item.name)
        elif item.path not in named and require_header_opd:
            known = [n for n in names.get(code, ()) if n]
            found = _issue(item, "header.opd_missing", code=code, name=known[0] if known else "nama OPD")
        checked.append(item if found is None else replace(item, issues=(*item.issues, found)))
    return checked
