"""Excel 97-2003 (.xls) and OpenDocument (.ods) workbooks, written by LibreOffice from the sample's .xlsx.

They load exactly as the same data as .xlsx, a bad one is refused at its sheet and cell and quarantined
with an annotated .xlsx copy that says so, a far cell in an .ods is refused before it is read, and a file
whose content is no workbook is refused by name whatever its suffix.
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import text

from tasks.core.issues import InputError
from tasks.extract.book import open_book
from tasks.extract.limits import WorkbookLimits
from tasks.extract.reading import read_workbook
from tasks.load.realization import load_realization
from tasks.operations.intake import is_workbook
from tasks.operations.quarantine import ERROR_FILL, quarantine_file
from tests.fixtures.corpus import BULAN_INI, REALISASI, SUB_G, edit, row_of_code
from tests.fixtures.libreoffice import convert
from tests.fixtures.warehouse_tables import TABLES
from warehouse.db import open_warehouse


@pytest.fixture(scope="module")
def files(sample_2022, tmp_path_factory) -> dict[str, Path]:
    """January as .xlsx, .xls and .ods; a January .ods with a typo amount; an .ods with a far cell."""
    folder = tmp_path_factory.mktemp("legacy")
    source = folder / "realisasi_2022_01.xlsx"
    shutil.copyfile(sample_2022.realization[0], source)

    def typo(ws) -> str:
        cell = f"{BULAN_INI}{row_of_code(ws, SUB_G)}"
        ws[cell] = "1.5OO.000"  # letters O for zeros
        return cell

    bad, bad_cell = edit(source, folder / "salah_2022_01.xlsx", REALISASI, typo)

    def far(ws) -> str:
        ws["A200000"] = "catatan"
        return "A200000"

    far_path, _ = edit(source, folder / "jauh_2022_01.xlsx", REALISASI, far)
    legacy = folder / "legacy"
    legacy.mkdir()
    ods, bad_ods, far_ods = convert([source, bad, far_path], "ods", legacy)
    (xls,) = convert([source], "xls", legacy)
    return {
        "xlsx": source,
        "xls": xls,
        "ods": ods,
        "bad_ods": bad_ods,
        "bad_cell": Path(bad_cell),
        "far": far_ods,
    }


def warehouse_rows(workbook, name: str, db: Path) -> dict[str, list[tuple]]:
    """Every warehouse table after loading ``workbook`` alone; the file's name and checksum left out."""
    engine = open_warehouse(f"sqlite:///{db}")
    try:
        load_realization(engine, workbook, loaded_by="uji")
        with engine.connect() as conn:
            tables = {name: conn.execute(text(sql)).all() for name, sql in TABLES.items()}
    finally:
        engine.dispose()
    return {
        table: [
            tuple(v for v in row if v != name and not (isinstance(v, str) and len(v) == 64)) for row in rows
        ]
        for table, rows in tables.items()
    }


@pytest.mark.parametrize("form", ["xls", "ods"])
def test_legacy_month_loads_the_same_rows_as_xlsx(files, form, tmp_path):
    expected = read_workbook(files["xlsx"])
    staged = read_workbook(files[form])
    assert staged.kind == "realization" == expected.kind
    assert [i.describe() for i in staged.issues] == [
        i.describe().replace(files["xlsx"].name, files[form].name) for i in expected.issues
    ]
    got = warehouse_rows(staged.workbook, files[form].name, tmp_path / f"{form}.db")
    want = warehouse_rows(expected.workbook, files["xlsx"].name, tmp_path / "xlsx.db")
    assert got["fact_realization"], "nothing loaded"
    for table in TABLES:
        assert got[table] == want[table], table


def test_bad_ods_refused_at_its_cell_and_annotated_as_xlsx(files, tmp_path):
    path = files["bad_ods"]
    before = path.read_bytes()
    staged = read_workbook(path)
    assert staged.workbook is None
    cell = str(files["bad_cell"])
    errors = [i for i in staged.issues if i.rule == "cell.not_number"]
    assert [(i.file, i.sheet, i.cell) for i in errors] == [(path.name, REALISASI, cell)]

    root = tmp_path / "karantina"
    result = quarantine_file(path, staged.issues, root, year=2022, month=1)
    assert result.original.read_bytes() == before == path.read_bytes()  # the sender's file untouched
    assert result.annotated == root / "2022" / "01" / "salah_2022_01.annotated.xlsx"
    copy = openpyxl.load_workbook(result.annotated)
    marked = copy[REALISASI][cell]
    assert marked.value == "1.5OO.000"
    assert marked.fill.fgColor.rgb.endswith(ERROR_FILL.fgColor.rgb[-6:])
    assert "cell.not_number" in marked.comment.text
    notes = [c for row in copy["Catatan Validasi"].iter_rows(values_only=True) for c in row if c]
    note = "Salinan bertanda disimpan sebagai .xlsx karena format asli .ods tidak dapat ditandai"
    assert any(str(c).startswith(note) for c in notes)
    assert note in result.summary.read_text(encoding="utf-8")
    # the other cells keep their values: the header block and the amounts as read from the .ods
    assert copy[REALISASI]["A1"].value == openpyxl.load_workbook(files["xlsx"])[REALISASI]["A1"].value


def test_far_cell_in_an_ods_is_refused_before_it_is_read(files):
    staged = read_workbook(files["far"])
    assert [(i.rule, i.sheet, i.cell) for i in staged.issues] == [("sheet.too_large", REALISASI, "A200000")]
    with pytest.raises(InputError) as refused:  # refused on opening, before calamine reads any table
        open_book(files["far"])
    assert tuple(refused.value.issues) == staged.issues


def test_xls_within_limits_only(files):
    small = WorkbookLimits(max_cells=100)
    staged = read_workbook(files["xls"], limits=small)
    assert [i.rule for i in staged.issues] == ["sheet.too_large"]
    assert staged.issues[0].sheet == REALISASI


def test_suffix_that_does_not_match_the_content(files, tmp_path):
    as_xls = tmp_path / "realisasi_2022_01.xls"  # an .xlsx saved under an .xls name: read by its content
    shutil.copyfile(files["xlsx"], as_xls)
    assert read_workbook(as_xls).workbook is not None

    page = tmp_path / "ekspor_sipd.xls"  # an export that is an HTML table named .xls
    page.write_text("<html><body><table><tr><td>Kode</td></tr></table></body></html>", encoding="utf-8")
    (issue,) = read_workbook(page).issues
    assert issue.rule == "file.not_workbook"
    assert issue.describe().startswith("ekspor_sipd.xls: ")
    assert "halaman web (HTML/XML)" in issue.message("id")
    assert issue.message("id").count("LibreOffice") == 1  # what to do with the file, said once

    renamed = tmp_path / "catatan.ods"
    renamed.write_bytes(b"bukan workbook\n")
    (issue,) = read_workbook(renamed).issues
    assert issue.rule == "file.not_workbook" and issue.file == "catatan.ods"

    quarantined = quarantine_file(page, [issue], tmp_path / "q", year=2022, month=1)
    assert quarantined.annotated is None and quarantined.original.read_bytes() == page.read_bytes()


def test_discovery_takes_xls_and_ods():
    assert all(is_workbook(name) for name in ("a.xlsx", "a.xlsm", "a.XLS", "a.ods"))
    assert not is_workbook("~$a.ods")


def hostile_ods(path: Path, rows: int, columns: int) -> Path:
    """An .ods of a few hundred bytes whose one value cell is repeated over ``rows`` × ``columns``."""
    table = 'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
    office = 'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
    value = 'office:value-type="float" office:value="1"'
    small = (
        f'<table:table table:name="Data"><table:table-row><table:table-cell {value}/>'
        "</table:table-row></table:table>"
    )
    big = (
        f'<table:table table:name="Bom"><table:table-row table:number-rows-repeated="{rows}">'
        f'<table:table-cell {value} table:number-columns-repeated="{columns}"/>'
        "</table:table-row></table:table>"
    )
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {office} {table}>'
        f"<office:body><office:spreadsheet>{small}{big}</office:spreadsheet></office:body></office:document-content>"
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED)
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
    return path


def test_repeated_cells_of_an_ods_are_refused_before_calamine_expands_them(tmp_path):
    bomb = hostile_ods(tmp_path / "bom.ods", rows=1_000_000, columns=16_384)  # 16 billion cells
    (issue,) = read_workbook(bomb).issues
    assert (issue.rule, issue.sheet, issue.cell) == ("sheet.too_large", "Bom", "A1000000")
    wide = hostile_ods(tmp_path / "lebar.ods", rows=3, columns=2_000)
    (issue,) = read_workbook(wide).issues
    assert (issue.rule, issue.sheet, issue.cell) == ("sheet.too_large", "Bom", "BXX1")
