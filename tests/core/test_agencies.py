"""Which agency a workbook is for: names compared loosely, the header checked against the run's OPD."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tasks.core.agencies import check_agencies, name_conflict, same_agency_name
from tasks.core.issues import InputIssue
from tasks.core.staging import StagedFile

OWN = "2.17.0.00.0.00.01.0000"
OTHER = "1.01.0.00.0.00.01.0000"
NAMES = {OWN: ["Dinas Koperasi dan Usaha Mikro"], OTHER: ["Dinas Pendidikan"]}


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Dinas Koperasi dan Usaha Mikro", "DINAS  KOPERASI DAN USAHA MIKRO"),
        ("Dinas Koperasi dan Usaha Mikro", "Dis. Koperasi & Usaha Mikro"),
        ("Dinas Pendidikan", "Dinas Pendidikan Kota Semarang"),
        ("Kecamatan Semarang Tengah", "Kec. Semarang Tengah"),
        ("Badan Perencanaan Pembangunan Daerah", "BAPPEDA"),
        ("Dinas Pekerjaan Umum Kab. Demak", "Dinas Pekerjaan Umum"),
    ],
)
def test_the_same_agency_written_differently(a: str, b: str):
    assert same_agency_name(a, b) and same_agency_name(b, a)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Dinas Koperasi dan Usaha Mikro", "Dinas Pendidikan"),
        ("Dinas Tata Kota dan Perumahan", "Dinas Tata Kota Semarang"),
        ("Kecamatan Semarang Tengah", "Kecamatan Semarang Utara"),
        ("", ""),
    ],
)
def test_different_agencies(a: str, b: str):
    assert not same_agency_name(a, b)


def test_a_name_conflicts_with_its_code_only_on_evidence():
    assert name_conflict("Dinas Koperasi dan Usaha Mikro", OTHER, NAMES)  # another agency's name
    assert name_conflict("Dinas Kesehatan", OTHER, NAMES)  # not the name known for OTHER
    assert not name_conflict("Dis. Pendidikan", OTHER, NAMES)
    assert not name_conflict("Dinas Kesehatan", OTHER, NAMES, with_code=True)  # its own code is believed
    assert name_conflict("Dinas Koperasi dan Usaha Mikro", OTHER, NAMES, with_code=True)
    assert not name_conflict("Dinas Kesehatan", "9.99", {})  # nothing known: nothing to say


@dataclass
class _Workbook:
    """What check_agencies reads of a workbook."""

    opd_code: str
    opd_name: str
    header_cells: dict[str, str] = field(default_factory=dict)
    sheet: str = "Realisasi"


def _staged(name: str, header: dict[str, str], code: str = OTHER) -> StagedFile:
    return StagedFile(path=Path("a.xlsx"), kind="realization", workbook=_Workbook(code, name, header))


def test_a_header_naming_another_agency_by_name_is_refused_at_its_cell():
    (checked,) = check_agencies([_staged("Dinas Koperasi dan Usaha Mikro", {"opd": "A3"})], OTHER, NAMES)
    (issue,) = checked.errors
    assert (issue.rule, issue.sheet, issue.cell) == ("header.meta_conflict", "Realisasi", "A3")
    message = issue.message()
    assert "Dinas Koperasi dan Usaha Mikro" in message and f"{OTHER} (Dinas Pendidikan)" in message


def test_a_header_naming_no_agency_is_refused_only_when_required():
    staged = [_staged("", {})]
    assert check_agencies(staged, OTHER, NAMES)[0].errors == ()
    (issue,) = check_agencies(staged, OTHER, NAMES, require_header_opd=True)[0].errors
    assert issue.rule == "header.opd_missing"
    assert f"tambahkan baris 'SKPD : {OTHER} Dinas Pendidikan' di atas tabel" in issue.message()


def test_an_unread_file_is_kept_under_the_runs_agency_and_nothing_changes_without_one():
    unread = StagedFile(path=Path("x.xlsx"), issues=(InputIssue("x.xlsx", "file.not_workbook"),))
    assert check_agencies([unread], OTHER, NAMES)[0].opd_code == OTHER
    assert check_agencies([unread], None, NAMES) == [unread]
    assert check_agencies([unread], "Dinas Pendidikan", NAMES) == [unread]  # a name, not a code


def test_a_rejection_is_recorded_in_indonesian_one_problem_a_line():
    issues = [
        InputIssue("a.xlsx", "cell.not_number", sheet="Realisasi", row=12, column="G", params={"value": "x"}),
        InputIssue("a.xlsx", "header.opd_missing", params={"code": OWN, "name": "Dinas Koperasi"}),
    ]
    lines = [issue.describe("id", with_file=False) for issue in issues]
    assert lines[0] == "sheet 'Realisasi', sel G12: Isi sel bukan angka: 'x' [cell.not_number]"
    assert lines[1].startswith("Kepala laporan tidak menyebut OPD")


def test_a_year_workbook_is_judged_whole():
    def month(name: str, header: dict[str, str], part: str) -> StagedFile:
        return StagedFile(
            path=Path("tahun.xlsx"), kind="realization", workbook=_Workbook(OTHER, name, header), part=part
        )

    named_first = [month("Dinas Pendidikan", {"opd": "A3"}, "Januari"), month("", {}, "Februari")]
    assert all(s.errors == () for s in check_agencies(named_first, OTHER, NAMES, require_header_opd=True))
    foreign_first = [
        month("Dinas Koperasi dan Usaha Mikro", {"opd": "A3"}, "Januari"),
        month("", {}, "Februari"),
    ]
    checked = check_agencies(foreign_first, OTHER, NAMES)
    assert [[i.rule for i in s.errors] for s in checked] == [["header.meta_conflict"]] * 2
    assert checked[1].errors[0].file == "tahun.xlsx [Februari]"
