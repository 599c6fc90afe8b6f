"""The indicator workbook's optional sheet ``Narasi``: the office's texts by part of the report, read
into :class:`~tasks.core.outline.OfficeTexts`; a row that names no part, or gives no text, refuses the
workbook at its cell; the indicator text columns under their titles."""

from __future__ import annotations

from pathlib import Path

import pytest

from tasks.core.issues import InputError
from tasks.core.outline import OfficeTexts
from tasks.extract.indicators import read_indicators
from tasks.extract.narasi import MAX_SHEET_CHARACTERS, MAX_TEXT_CHARACTERS
from tasks.extract.reading import read_workbook
from tests.fixtures.libreoffice import convert
from tests.fixtures.workbooks import INDICATOR_HEADER, Sheet, indicator_block, write_xlsx

INDIKATOR = Sheet(
    "Indikator",
    [
        *indicator_block(),
        INDICATOR_HEADER,
        ["Sasaran", 1, "Meningkatnya kualitas koperasi", "Persentase koperasi Aktif", "%", None, 76, 76.64],
    ],
)


def workbook(tmp_path: Path, rows: list[list[object]], name: str = "Narasi") -> Path:
    """An indicator workbook with a sheet ``name`` of the given rows."""
    return write_xlsx(tmp_path / "indikator_2022.xlsx", INDIKATOR, Sheet(name, rows))


def refused(path: Path) -> list[tuple[str, str, str, str]]:
    """(rule, sheet, cell, message) of every issue reading ``path`` raises; each message formats fully."""
    with pytest.raises(InputError) as error:
        read_indicators(path)
    for issue in error.value.issues:
        for lang in ("id", "en"):
            assert "{" not in issue.describe(lang), issue.describe(lang)
    return [(i.rule, i.sheet, i.cell, i.describe()) for i in error.value.issues]


def test_texts_by_part_in_sheet_order(tmp_path: Path) -> None:
    rows = [
        ["TEKS LAPORAN KINERJA"],  # a title row above the header
        [],
        ["BAGIAN", "teks"],  # headings in any case
        ["I.A", "Dinas Koperasi dan Usaha Mikro Kota Semarang …\n\nParagraf kedua."],
        [None, None],  # an empty row is skipped
        ["iii. d. 3", "Sisa anggaran karena efisiensi."],
        ["Tabel 3. 4", "Penjelasan sasaran 2."],
        ["I.A", "Paragraf ketiga,\nditulis dua baris."],  # the same part again: joined in sheet order
        ["Ikhtisar Eksekutif", 2022],  # a number is text too
    ]
    wb = read_indicators(workbook(tmp_path, rows))
    assert wb.texts == OfficeTexts(
        {
            "I.A": (
                "Dinas Koperasi dan Usaha Mikro Kota Semarang …",
                "Paragraf kedua.",
                "Paragraf ketiga,\nditulis dua baris.",
            ),
            "III.D.3": ("Sisa anggaran karena efisiensi.",),
            "3.4": ("Penjelasan sasaran 2.",),
            "IKHTISAR": ("2022",),
        }
    )
    assert list(wb.texts.sections) == ["I.A", "III.D.3", "3.4", "IKHTISAR"]
    assert wb.columns["narasi.bagian"] == "A" and wb.columns["narasi.teks"] == "B"
    assert len(wb.indicators) == 1  # the indicators as without the sheet


def test_no_narasi_sheet_gives_no_texts(tmp_path: Path) -> None:
    wb = read_indicators(write_xlsx(tmp_path / "ind.xlsx", INDIKATOR))
    assert wb.texts == OfficeTexts() and wb.texts.under("I.A") == ()


def test_unknown_key_refused_at_its_cell(tmp_path: Path) -> None:
    rows = [
        ["Bagian", "Teks"],
        ["I.A", "Gambaran umum."],
        ["BAB V", "Bab yang tidak ada."],
        ["Tabel 9.9", "Tabel yang tidak ada."],
    ]
    problems = refused(workbook(tmp_path, rows))
    assert [p[:3] for p in problems] == [
        ("narasi.key_unknown", "Narasi", "A3"),
        ("narasi.key_unknown", "Narasi", "A4"),
    ]
    message = problems[0][3]
    assert "indikator_2022.xlsx, sheet 'Narasi', sel A3" in message
    assert "Bagian 'BAB V' tidak menunjuk bagian laporan mana pun" in message
    assert "I.A" in message and "III.D.3" in message and "IKHTISAR" in message


def test_a_key_without_text_and_a_text_without_key(tmp_path: Path) -> None:
    rows = [["Bagian", "Teks"], ["II.C", None], [None, "Teks tanpa bagian."], ["IV.C", "   "]]
    assert [p[:3] for p in refused(workbook(tmp_path, rows))] == [
        ("narasi.text_missing", "Narasi", "B2"),
        ("narasi.key_missing", "Narasi", "A3"),
        ("narasi.text_missing", "Narasi", "B4"),
    ]


def test_a_huge_text_is_refused_at_its_cell(tmp_path: Path) -> None:
    rows = [["Bagian", "Teks"], ["I.A", "ab " * (MAX_TEXT_CHARACTERS // 3 + 1)], ["I.B", "Tupoksi."]]
    problems = refused(workbook(tmp_path, rows))
    assert [p[:3] for p in problems] == [("narasi.text_too_long", "Narasi", "B2")]
    assert f"batas {MAX_TEXT_CHARACTERS}" in problems[0][3]


def test_the_sheet_s_texts_are_bounded_as_a_whole(tmp_path: Path) -> None:
    size = MAX_TEXT_CHARACTERS - 1000
    count = MAX_SHEET_CHARACTERS // size + 1  # each text within its limit, all of them beyond the sheet's
    rows = [["Bagian", "Teks"], *(["I.A", "x" * size] for _ in range(count))]
    problems = refused(workbook(tmp_path, rows))
    assert [p[:3] for p in problems] == [("narasi.sheet_too_long", "Narasi", f"B{count + 1}")]


def test_a_sheet_without_its_header_is_refused(tmp_path: Path) -> None:
    rows = [["Judul", "Isi"], ["I.A", "Gambaran umum."]]
    assert [p[:2] for p in refused(workbook(tmp_path, rows, name="NARASI LKJIP"))] == [
        ("header.not_found", "NARASI LKJIP")
    ]


def test_a_refused_narasi_refuses_the_whole_workbook(tmp_path: Path) -> None:
    """Staged without a workbook: nothing of it can be loaded, the issue names its cell."""
    staged = read_workbook(workbook(tmp_path, [["Bagian", "Teks"], ["II.Z", "x"]]))
    assert staged.workbook is None
    assert [(i.rule, i.sheet, i.cell) for i in staged.issues] == [("narasi.key_unknown", "Narasi", "A2")]


def test_indicator_text_columns_under_their_titles(tmp_path: Path) -> None:
    header = [
        *INDICATOR_HEADER,
        "Kode Program",
        "Analisis",
        "Faktor Pendukung",
        "Faktor Penghambat",
        "Alternatif Solusi",
        "Keterangan SILPA",
    ]
    rows = [
        *indicator_block(),
        header,
        ["Sasaran", 1, "Meningkatnya kualitas koperasi", "Persentase koperasi Aktif", "%", None, 76, 76.64,
         None, "Pelatihan dan pendampingan", "Sistem updating", "Pandemi", "Pendampingan", None],
        ["Program", 1, None, "Persentase perencanaan", "%", None, 100, 100, "2.17.08", None, None, None,
         None, "Pengajuan HAKI tidak lolos verifikasi"],
    ]  # fmt: skip
    frame = read_indicators(write_xlsx(tmp_path / "ind.xlsx", Sheet("Indikator", rows))).indicators
    assert frame["analisis_penyebab"].tolist() == ["Pelatihan dan pendampingan", ""]
    assert frame["faktor_pendukung"].tolist() == ["Sistem updating", ""]
    assert frame["faktor_penghambat"].tolist() == ["Pandemi", ""]
    assert frame["solusi"].tolist() == ["Pendampingan", ""]
    assert frame["keterangan_silpa"].tolist() == ["", "Pengajuan HAKI tidak lolos verifikasi"]
    assert frame["kode_program"].tolist() == ["", "2.17.08"]


def test_the_texts_of_an_ods_and_an_xls_are_those_of_the_xlsx(sample_2022, tmp_path: Path) -> None:
    """The sample's indicator workbook saved by LibreOffice as .ods and .xls: the same texts, the
    paragraphs and the lines of its lists as in the .xlsx."""
    expected = read_indicators(sample_2022.indicators).texts
    assert "\n" in expected.under("I.C")[-1]  # a list typed line by line
    (ods,) = convert([sample_2022.indicators], "ods", tmp_path)
    (xls,) = convert([sample_2022.indicators], "xls", tmp_path)
    assert read_indicators(ods).texts == expected
    assert read_indicators(xls).texts == expected


def test_a_control_character_in_a_text_is_removed_and_reported(tmp_path: Path) -> None:
    """Excel's escape of ESC (``_x001B_``) in a text: removed when read, the cell named in a warning."""
    rows = [["Bagian", "Teks"], ["I.A", "Gambaran _x001B_umum <script>."]]
    wb = read_indicators(workbook(tmp_path, rows))
    assert wb.texts.under("I.A") == ("Gambaran umum <script>.",)  # escaped by each output, not here
    warnings = [(w.rule, w.sheet, w.cell, w.severity) for w in wb.warnings]
    assert warnings == [("cell.control_characters", "Narasi", "B2", "warning")]


def test_a_narasi_sheet_before_an_indicator_sheet_not_named_so(tmp_path: Path) -> None:
    narasi = Sheet("Narasi", [["Bagian", "Teks"], ["II.C", "Kredit WIBAWA."]])
    path = write_xlsx(tmp_path / "pk_2022.xlsx", narasi, Sheet("PK 2022", INDIKATOR.rows))
    wb = read_workbook(path).workbook
    assert wb is not None and wb.sheet == "PK 2022" and len(wb.indicators) == 1
    assert wb.texts.under("II.C") == ("Kredit WIBAWA.",)
