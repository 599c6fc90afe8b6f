"""Workbooks built to exhaust memory are refused before anything is allocated, with a message.

The hostile files are generated (``tests/hostile.py``): an 11 KB copy of a sample month with one value in
``XFD1048576`` (python-calamine would allocate 17 billion cells and abort the process), and copies whose
shared strings or sheet inflate to 1 GiB, declared honestly or not. Reading and quarantining them run in
a child process whose address space is capped at 1 GiB: the child must answer with the rejection, not
die. The used-range checks are also compared with calamine on small sheets it can read.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import textwrap
import zipfile
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest
import python_calamine

from tasks.core.issues import InputError
from tasks.core.problems import UsageProblem
from tasks.extract import book, kind
from tasks.extract import limits as workbook_limits
from tasks.extract.indicators import read_indicators
from tasks.extract.limits import WorkbookLimits
from tasks.extract.reading import read_workbook
from tasks.extract.realization import read_realization
from tasks.operations.quarantine import quarantine_file
from tasks.settings import load_settings
from tests.fixtures.hostile import GIB, MIB, far_cell_workbook, zip_bomb_workbook
from tests.fixtures.paths import REPO
from tests.fixtures.workbooks import Sheet, write_xlsx

#: Address space of the child process that opens a hostile file: the interpreter with pandas and
#: calamine takes about 0.25 GiB; reading the 1 GiB shared strings before the limits took 1.5-2.2 GB.
CHILD_ADDRESS_SPACE = 1 << 30

_CHILD = textwrap.dedent(
    """
    import json, resource, sys
    from pathlib import Path
    resource.setrlimit(resource.RLIMIT_AS, ({cap}, {cap}))
    from tasks.extract.reading import read_workbook
    from tasks.operations.quarantine import quarantine_file
    path, root = Path(sys.argv[1]), Path(sys.argv[2])
    staged = read_workbook(path)
    placed = quarantine_file(path, list(staged.issues), root, year=2022, month=6)
    print(json.dumps({{
        "kind": staged.kind,
        "issues": [[i.rule, i.sheet, i.cell, i.describe()] for i in staged.issues],
        "annotated": str(placed.annotated) if placed.annotated else None,
        "summary": placed.summary.read_text(encoding="utf-8"),
    }}))
    """
).format(cap=CHILD_ADDRESS_SPACE)


def read_and_quarantine_capped(path: Path, root: Path) -> dict:
    """Read and quarantine ``path`` in a child process with a capped address space; its JSON answer."""
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(path), str(root)],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        cwd=REPO,
    )
    assert done.returncode == 0, f"child died with {done.returncode}:\n{done.stderr[-3000:]}"
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def month_6(sample_2022) -> Path:
    """A good realization workbook of the sample."""
    return sample_2022.realization[5]


# --------------------------------------------------------------------------------------------------
# the far cell


def test_far_cell_is_refused_not_allocated(month_6: Path, tmp_path: Path) -> None:
    path = far_cell_workbook(month_6, tmp_path / "inbox" / "realisasi_2022_06.xlsx")
    assert path.stat().st_size < 20_000
    answer = read_and_quarantine_capped(path, tmp_path / "quarantine")
    assert [issue[:3] for issue in answer["issues"]] == [["sheet.too_large", "Realisasi", "XFD1048576"]]
    message = answer["issues"][0][3]
    assert message.startswith(
        "realisasi_2022_06.xlsx, sheet 'Realisasi', sel XFD1048576: Area terpakai sheet"
    )
    assert "1.048.576 baris × 16.384 kolom" in message and "100.000 baris" in message
    # the annotated copy (openpyxl) is not attempted, and the summary says why
    assert answer["annotated"] is None
    assert (
        "Salinan beranotasi: tidak dibuat (Area terpakai sheet mencapai sel XFD1048576" in answer["summary"]
    )


def test_far_cell_refused_by_kind_detection_and_both_readers(sample_2022, tmp_path: Path) -> None:
    """Every way into a workbook checks the used range first (in-process: it is refused, not read)."""
    realization = far_cell_workbook(sample_2022.realization[0], tmp_path / "r.xlsx")
    indicators = far_cell_workbook(sample_2022.indicators, tmp_path / "i.xlsx", sheet="Renstra")
    for call in (
        lambda: kind.detect_kind(realization),
        lambda: read_realization(realization),
        lambda: read_indicators(indicators),
    ):
        with pytest.raises(InputError) as caught:
            call()
        assert [(i.rule, i.cell) for i in caught.value.issues] == [("sheet.too_large", "XFD1048576")]
    # the indicator workbook's own sheet is fine: the Renstra sheet is the one refused, by name
    staged = read_workbook(indicators)
    assert [(i.rule, i.sheet) for i in staged.issues] == [("sheet.too_large", "Renstra")]


def test_formatting_far_below_the_table_is_not_a_used_cell(month_6: Path, tmp_path: Path) -> None:
    """An empty cell with only a style (Excel writes these for formatted ranges) is not read by calamine."""
    book = openpyxl.load_workbook(month_6)
    book["Realisasi"]["XFD1048576"].font = openpyxl.styles.Font(bold=True)
    book.save(tmp_path / "styled.xlsx")
    staged = read_workbook(tmp_path / "styled.xlsx")
    assert staged.issues == () and staged.kind == "realization"


def test_limits_come_from_the_environment(month_6: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAKIP_MAX_ROWS", "50")
    monkeypatch.setenv("SAKIP_MAX_PART_MB", "1")
    limits = load_settings().workbook_limits
    assert (limits.max_rows, limits.max_part_mb, limits.max_columns) == (50, 1, 256)
    staged = read_workbook(month_6, limits=limits)
    assert [(i.rule, i.sheet) for i in staged.issues] == [("sheet.too_large", "Realisasi")]
    assert read_workbook(month_6).issues == ()  # the defaults hold a whole sample month
    monkeypatch.setenv("SAKIP_MAX_CELLS", "0")
    with pytest.raises(UsageProblem, match="SAKIP_MAX_CELLS"):
        load_settings()


def test_cells_read_from_one_workbook_are_bounded(tmp_path: Path) -> None:
    """Kind detection looks at every visible sheet: together they may not exceed ``max_cells``."""
    filler = [[f"x{r}{c}" for c in range(20)] for r in range(20)]  # 400 cells, no table header
    path = write_xlsx(tmp_path / "many.xlsx", *(Sheet(f"Lembar{n}", filler) for n in range(1, 5)))
    limits = WorkbookLimits(max_cells=1000)
    staged = read_workbook(path, limits=limits)
    assert [(i.rule, i.sheet) for i in staged.issues] == [("file.too_large", "Lembar4")]
    assert "1.000 sel" in staged.issues[0].describe()
    assert [i.rule for i in read_workbook(path).issues] == ["file.kind_unknown"]


# --------------------------------------------------------------------------------------------------
# zip bombs


@pytest.mark.parametrize(
    ("part", "declared"),
    [("xl/sharedStrings.xml", None), ("xl/sharedStrings.xml", 1000), ("xl/worksheets/sheet1.xml", 1000)],
    ids=["shared-strings", "shared-strings-lying", "sheet-lying"],
)
def test_zip_bomb_is_refused_in_bounded_memory(
    month_6: Path, tmp_path: Path, part: str, declared: int | None
) -> None:
    path = zip_bomb_workbook(month_6, tmp_path / "realisasi_2022_06.xlsx", part=part, declared=declared)
    assert path.stat().st_size < 2 * MIB
    answer = read_and_quarantine_capped(path, tmp_path / "quarantine")
    assert [issue[:3] for issue in answer["issues"]] == [["file.too_large", "", ""]]
    message = answer["issues"][0][3]
    assert message.startswith("realisasi_2022_06.xlsx: Berkas terlalu besar untuk dibuka dengan aman")
    assert f"bagian '{part}' berisi lebih dari 128 MB setelah diekstrak" in message
    assert answer["annotated"] is None
    assert "Salinan beranotasi: tidak dibuat (Berkas terlalu besar" in answer["summary"]


def test_inflated_size_is_counted_not_declared(month_6: Path, tmp_path: Path) -> None:
    lying = zip_bomb_workbook(month_6, tmp_path / "lying.xlsx", inflated=16 * MIB, declared=1000)
    data = lying.read_bytes()
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo("xl/sharedStrings.xml")
    assert info.file_size == 1000
    real = workbook_limits.inflated_size(data, info, limit=GIB)
    assert 16 * MIB - MIB < real <= 16 * MIB + MIB
    assert workbook_limits.inflated_size(data, info, limit=MIB) <= 2 * MIB  # stops soon past the limit
    with pytest.raises(InputError) as caught:
        book._open_book_uncached(lying, WorkbookLimits(max_part_mb=8))
    assert caught.value.issues[0].rule == "file.too_large"
    # the same 16 MiB honestly declared is an ordinary (if odd) workbook within the default limits
    honest = zip_bomb_workbook(month_6, tmp_path / "honest.xlsx", inflated=16 * MIB)
    assert kind.detect_kind(honest) == "realization"


def test_small_parts_are_not_inflated_to_be_checked(
    month_6: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A part whose compressed size cannot inflate past the limit is trusted without inflating it."""

    def refuse(*_args, **_kwargs):
        raise AssertionError("inflated a part that cannot exceed the limits")

    monkeypatch.setattr(workbook_limits, "inflated_size", refuse)
    data = month_6.read_bytes()
    workbook_limits.check_archive(zipfile.ZipFile(io.BytesIO(data)), data, month_6.name, WorkbookLimits())


def test_the_whole_archive_is_bounded(month_6: Path, tmp_path: Path) -> None:
    """Parts each within the limit but together beyond it: refused, the sizes really inflated."""
    path = zip_bomb_workbook(month_6, tmp_path / "bomb.xlsx", inflated=12 * MIB, declared=1000)
    limits = WorkbookLimits(max_part_mb=16, max_workbook_mb=10)
    with pytest.raises(InputError) as caught:
        book._open_book_uncached(path, limits)
    assert "isi arsip lebih dari 10 MB setelah diekstrak" in caught.value.issues[0].message()


def test_annotated_copy_is_skipped_for_a_workbook_with_too_many_cells(
    month_6: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    source = tmp_path / "inbox" / month_6.name
    source.parent.mkdir()
    source.write_bytes(month_6.read_bytes())
    small = replace(WorkbookLimits(), max_annotated_cells=100)
    with caplog.at_level("WARNING", logger="tasks.operations.quarantine"):
        placed = quarantine_file(source, [], tmp_path / "q", year=2022, month=6, limits=small)
    assert placed.annotated is None
    assert "lebih dari 100 sel yang dapat dimuat untuk salinan beranotasi" in placed.summary.read_text()
    logged = [r.getMessage() for r in caplog.records if r.getMessage().startswith("not annotating")]
    assert len(logged) == 1 and "an annotated copy may load" in logged[0]  # the log line is in English
    assert "salinan" not in logged[0]


# --------------------------------------------------------------------------------------------------
# the used range, cheap and exact, against calamine

SHEET_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)
SHEET_TAIL = b"</worksheet>"

#: sheetData bodies calamine reads without harm, each with a way of placing cells
PLACEMENTS: dict[str, bytes] = {
    "canonical": b'<row r="1"><c r="A1" s="0" t="n"><v>0</v></c><c r="C1"><v>2</v></c></row>'
    b'<row r="4"><c r="B4"><v>1</v></c></row>',
    "no-references": b"<row><c><v>1</v></c><c><v>2</v></c></row><row><c><v>3</v></c></row>",
    "mixed": b'<row r="3"><c><v>1</v></c><c r="E3"><v>2</v></c><c><v>9</v></c></row>'
    b"<row><c><v>3</v></c></row>",
    "empty-cells": b'<row r="1"><c r="A1"><v>1</v></c><c r="C5"/><c r="D7" t="s"></c>'
    b'<c r="E9"><is><t></t></is></c></row>',
    "styled-far": b'<row r="1"><c r="A1"><v>1</v></c></row><row r="900"><c r="Z900" s="3"/></row>',
    "lowercase": b'<row r="1"><c r="c12"><v>1</v></c></row>',
    "second-r-wins": b'<row r="1"><c r="A1" r="J20"><v>1</v></c></row>',
    "prefixed": b'<row r="1"><x:c xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    b'r="D30"><x:v>1</x:v></x:c></row>',
    "spaces-and-quotes": b"<row r='1'><c r = 'G12'><v>1</v></c></row>",
}


def workbook_with_sheet(path: Path, sheet_data: bytes) -> Path:
    """A workbook whose only sheet has this sheetData (the rest from an openpyxl workbook)."""
    buffer = io.BytesIO()
    openpyxl.Workbook().save(buffer)
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = SHEET_HEAD + b"<sheetData>" + sheet_data + b"</sheetData>" + SHEET_TAIL
            target.writestr(info.filename, data)
    return path


@pytest.mark.parametrize("name", list(PLACEMENTS))
def test_exact_used_range_is_the_grid_calamine_builds(tmp_path: Path, name: str) -> None:
    sheet_data = PLACEMENTS[name]
    if name == "second-r-wins":  # ElementTree refuses a repeated attribute; calamine keeps the last
        with pytest.raises(Exception, match="duplicate attribute"):
            workbook_limits.used_range(
                SHEET_HEAD + b"<sheetData>" + sheet_data + b"</sheetData>" + SHEET_TAIL
            )
        return
    path = workbook_with_sheet(tmp_path / f"{name}.xlsx", sheet_data)
    xml = zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml")
    grid = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
    rows = grid.to_python(skip_empty_area=False)
    found = workbook_limits.used_range(xml)
    assert (found.rows, found.columns) == (len(rows), max(map(len, rows), default=0))


@pytest.mark.parametrize("name", list(PLACEMENTS))
def test_cheap_check_passes_only_canonical_cells(name: str) -> None:
    xml = SHEET_HEAD + b"<sheetData>" + PLACEMENTS[name] + b"</sheetData>" + SHEET_TAIL
    canonical = ("canonical", "empty-cells", "styled-far", "lowercase")
    assert workbook_limits.within_quick_bound(xml, WorkbookLimits()) == (name in canonical)


def test_cheap_check_is_sound_at_its_edge() -> None:
    """Whatever the cheap check lets through lies within the limits, checked on the exact scan."""
    limits = WorkbookLimits(max_rows=1_000, max_columns=10, max_cells=10_000)
    for ref, passes in (("J999", True), ("J1000", False), ("K1", False), ("AA1", False), ("j9", True)):
        xml = SHEET_HEAD + f'<sheetData><row r="1"><c r="{ref}"><v>1</v></c></row></sheetData>'.encode()
        assert workbook_limits.within_quick_bound(xml, limits) is passes, ref
        if passes:
            found = workbook_limits.used_range(xml + SHEET_TAIL)
            assert workbook_limits.range_issue(found, limits, file="f", sheet="s") is None


def test_cheap_check_agrees_on_real_sheets(sample_2022) -> None:
    """Every sheet of the sample passes the cheap check, and the exact scan finds it within the limits."""
    limits = WorkbookLimits()
    for path in [*sample_2022.realization, sample_2022.indicators]:
        archive = zipfile.ZipFile(path)
        for name in archive.namelist():
            if name.startswith("xl/worksheets/sheet"):
                xml = archive.read(name)
                assert workbook_limits.within_quick_bound(xml, limits), (path.name, name)
                found = workbook_limits.used_range(xml)
                assert 0 < found.rows < 200 and 0 < found.columns < 30


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le"], ids=["with-bom", "without-bom"])
def test_other_encodings_are_parsed_exactly(encoding: str) -> None:
    text = (SHEET_HEAD.replace(b"UTF-8", b"UTF-16") + b'<sheetData><row r="1"><c r="XFD9"><v>1</v></c>'
            b"</row></sheetData>" + SHEET_TAIL).decode()  # fmt: skip
    xml = text.encode(encoding)
    assert not workbook_limits.within_quick_bound(xml, WorkbookLimits())
    with pytest.raises(InputError) as caught:
        workbook_limits.check_used_range(xml, WorkbookLimits(), file="f.xlsx", sheet="S")
    assert [(i.rule, i.cell) for i in caught.value.issues] == [("sheet.too_large", "XFD9")]


def test_merged_ranges_are_cut_to_the_grid() -> None:
    merged = [((0, 0), (0, 16383)), ((2, 1), (1_048_575, 3)), ((500, 0), (501, 1))]
    assert book._clipped(merged, 10, 5) == [((0, 0), (0, 4)), ((2, 1), (9, 3))]
