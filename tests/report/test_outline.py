"""The report's outline and its blocks, read as a Kasubbag Perencanaan reads the LKjIP: the 2022
sample's tables and indicators (with the office's texts and indicator texts added here), through
:func:`tasks.report.render.document.report_blocks`, the narrative and the html page.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from tasks.core.outline import SECTION_KEYS, OfficeTexts
from tasks.core.scales import ReportScales, Signature
from tasks.report.build import compute_tables
from tasks.report.model import OUTLINE, TableInputs
from tasks.report.render.document import Block, report_blocks
from tasks.report.render.html import write_html_report
from tasks.report.render.narrative import build_narrative
from tasks.report.render.printed import printed_tables
from tasks.report.render.wording import all_of, number_word
from tasks.settings import ConfigError, parse_report_config
from warehouse.db import open_warehouse

OPD = "2.17.0.00.0.00.01.0000"
OPD_NAME = "Dinas Koperasi dan Usaha Mikro"
GOVERNMENT = "PEMERINTAH KOTA SEMARANG"
AGENCY = "Dinas Koperasi dan Usaha Mikro Kota Semarang"


@pytest.fixture(scope="module")
def inputs(sample_2022, tmp_path_factory) -> TableInputs:
    """The 2022 sample's table inputs (indicators and budget lines) from a fresh warehouse."""
    from tasks.extract.reading import read_workbook
    from tasks.operations.intake import discover_workbooks, load_workbook
    from tasks.report.inputs import budget_lines, indicator_rows
    from warehouse.queries import report_scope

    work = tmp_path_factory.mktemp("outline")
    engine = open_warehouse(f"sqlite:///{work / 'sakip.db'}")
    for path in discover_workbooks([sample_2022.indicators.parent]):
        assert load_workbook(engine, read_workbook(path)).status == "loaded"
    scales = ReportScales()
    result = TableInputs(
        indicators=indicator_rows(engine, OPD, 2022),
        budget=budget_lines(engine, report_scope(engine, OPD, 2022, None)),
        capaian_scale=scales.capaian_scale,
        efficiency_threshold_pct=100.0,
    )
    engine.dispose()
    return result


def blocks_of(
    inputs: TableInputs, texts: OfficeTexts | None = None, scales: ReportScales | None = None
) -> list[Block]:
    """The report's blocks for the inputs, as the writer makes them."""
    scales = scales or ReportScales()
    tables = compute_tables(inputs)
    narrative = build_narrative(tables, scales, opd_name=OPD_NAME, year=2022, government=GOVERNMENT)
    printed = printed_tables(tables, opd_name=OPD_NAME, year=2022, government=GOVERNMENT)
    return report_blocks(
        printed,
        narrative,
        {},
        opd_name=OPD_NAME,
        year=2022,
        source="",
        scales=scales,
        texts=texts,
        government=GOVERNMENT,
    )


def with_texts(inputs: TableInputs, **columns: dict[str, str]) -> TableInputs:
    """The inputs with indicator text columns: ``{column: {indicator or program code: text}}``."""
    indicators = inputs.indicators.copy()
    for column, values in columns.items():
        indicators[column] = [
            values.get(row.indikator, values.get(row.kode_program, "")) for row in indicators.itertuples()
        ]
    return replace(inputs, indicators=indicators)


def headings(blocks: list[Block]) -> list[str]:
    return [b.place for b in blocks if b.kind == "heading"]


def paragraphs(blocks: list[Block]) -> list[str]:
    return [b.text for b in blocks if b.kind == "paragraph"]


def captions(blocks: list[Block]) -> dict[str, tuple[str, ...]]:
    return {b.table.table_id: b.table.titles for b in blocks if b.kind == "table"}


# ------------------------------------------------------------------------------------ the outline


def test_every_outline_key_is_a_key_the_office_may_name_in_document_order():
    keys = [heading.key for heading in OUTLINE]
    assert set(keys) <= set(SECTION_KEYS)
    assert keys == [key for key in SECTION_KEYS if key in keys]
    titles = [heading.text(2022) for heading in OUTLINE]
    assert "C. Analisis Capaian Kinerja Tujuan dan Sasaran Tahun 2022" in titles
    assert not any("Analisa" in title for title in titles)


def test_the_sample_follows_the_documents_chapters(inputs):
    blocks = blocks_of(inputs)
    assert headings(blocks) == [
        "IKHTISAR",
        "I",
        "I.D",
        "II",
        "II.A",
        "II.A.1",
        "II.A.2",
        "II.B",
        "III",
        "III.A",
        "III.B",
        "III.C",
        "III.D",
        "III.D.1",
        "III.D.2",
        "III.D.3",
        "IV",
        "IV.A",
        "LAMPIRAN",
    ]
    # no heading stands with nothing under it before the next heading of its level or above
    for i, block in enumerate(blocks[:-1]):
        if block.kind == "heading":
            follower = blocks[i + 1]
            assert follower.kind != "heading" or follower.level > block.level, block.text
    # Tabel 2.2 under II.B, for the Renstra's period, without the undefined Nilai AKIP
    table_2_2 = next(b for b in blocks if b.kind == "table" and b.table.table_id == "tabel_2_2")
    assert table_2_2.place == "II.B"
    assert table_2_2.table.titles[0] == "Tabel 2. 2"
    assert table_2_2.table.titles[-1] == f"{AGENCY} Tahun 2021 - 2026"
    assert not any("Nilai AKIP" in cell for row in table_2_2.table.rows for cell in row.cells)
    # II.A.2: the programs of the budget tree with their budget
    programs = next(b for b in blocks if b.kind == "items" and b.place == "II.A.2")
    assert (
        programs.items[0] == "Program Penunjang Urusan Pemerintahan Daerah Kabupaten/Kota: Rp 9.458.117.635"
    )
    assert len(programs.items) == 8


def test_body_tables_are_numbered_per_chapter_once_and_the_lampiran_holds_the_rest(inputs):
    blocks = blocks_of(inputs)
    body = [b for b in blocks if b.kind == "table" and b.place != "LAMPIRAN"]
    numbers = [b.table.titles[0] for b in body]
    assert all(re.fullmatch(r"Tabel \d\. \d+", n) for n in numbers), numbers
    assert len(set(numbers)) == len(numbers)
    for chapter in ("2", "3", "4"):
        own = [int(n.split(". ")[1]) for n in numbers if n.startswith(f"Tabel {chapter}.")]
        assert own == list(range(1, len(own) + 1))
    titles = captions(blocks)
    # the tables the document numbers keep their numbers
    for n in ("2_1", "2_2", "2_3", "3_1", "3_2", "3_3", "3_4", "3_5", "3_6", "3_7"):
        assert titles[f"tabel_{n}"][0] == "Tabel " + n.replace("_", ". ")
    assert titles["tabel_ringkasan_kinerja"][:2] == ("Tabel 4. 1", "Ringkasan Capaian Indikator Kinerja")
    assert titles["tabel_ringkasan_anggaran"][0] == "Tabel 4. 2"
    appended = [b.table.table_id for b in blocks if b.kind == "table" and b.place == "LAMPIRAN"]
    assert appended[:3] == ["tabel_pk_sasaran", "tabel_pk_program", "tabel_penetapan_iku"]
    assert {"tabel_silpa_sasaran", "tabel_fisik_keuangan"} <= set(appended)
    assert not any(titles[t][0].startswith("Tabel") for t in appended)
    assert titles["tabel_pk_sasaran"][:2] == (
        "Formulir Perjanjian Kinerja Tingkat Organisasi Perangkat Daerah (OPD)",
        f"Organisasi Perangkat Daerah : {AGENCY}",
    )
    pk = next(b.table for b in blocks if b.kind == "table" and b.table.table_id == "tabel_pk_program")
    assert pk.rows[-1].cells[1:] == ("JUMLAH", "22.500.227.865") and pk.rows[-1].bold


def test_the_text_reads_as_written_once_without_internal_notes(inputs):
    blocks = blocks_of(inputs)
    text = paragraphs(blocks) + [item for b in blocks if b.kind == "items" for item in b.items]
    assert len(set(paragraphs(blocks))) == len(paragraphs(blocks))  # no paragraph printed twice
    joined = "\n".join(text)
    assert "300%" not in joined and "ditinjau kembali" not in joined
    assert "Analisa" not in joined and "Sisa Lebih Pagu" not in joined
    assert not re.search(r"\(\d+\)", joined)  # no counts in brackets
    assert "Data realisasi yang dilaporkan" not in joined
    assert (
        f"Berdasarkan tugas pokok dan fungsinya, {AGENCY} bukan merupakan OPD penghasil pendapatan" in joined
    )
    # the agency named in full everywhere, the Sumber Data line too
    assert not re.search(r"Dinas Koperasi dan Usaha Mikro(?! Kota Semarang)", joined)
    assert {b.source for b in blocks if b.kind == "table"} == {AGENCY}
    # the efficiency names the sasaran with their serapan in a sentence
    assert (
        "Ketiga sasaran mencapai targetnya dengan serapan anggaran di bawah 100%, sehingga penggunaan "
        "anggarannya dinilai efisien, yaitu Meningkatnya kualitas penyelenggaraan, kelembagaan dan "
        "kesehatan koperasi (serapan 81,40%)," in joined
    )
    assert "Empat program menyerap anggaran di bawah 80%, yaitu Program Pemberdayaan Usaha Menengah" in joined
    # III.D.3: one list, each program once (2.17.01 among them)
    listed = [p for p in paragraphs(blocks) if re.match(r"^[a-z]\. ", p)]
    assert [p[:2] for p in listed] == ["a.", "b.", "c."]
    assert sum("Program Penunjang Urusan Pemerintahan Daerah" in p for p in listed) == 1
    # the Ikhtisar from Tables 3.1, 3.4 and 3.6
    ikhtisar = [b.text for b in blocks if b.place == "IKHTISAR" and b.kind == "paragraph"]
    assert ikhtisar[0].startswith(f"Laporan Kinerja Instansi Pemerintah (LKjIP) {AGENCY} Tahun 2022")
    assert any(
        "Capaian tertinggi diraih indikator Persentase pertumbuhan wirausaha baru" in p for p in ikhtisar
    )
    assert any("Rp 22.500.227.865" in p and "83,79%" in p for p in ikhtisar)


def test_office_texts_stand_under_their_headings_and_before_their_tables(inputs):
    texts = OfficeTexts(
        {
            "I.A": ("Gambaran umum dinas.", "Paragraf kedua."),
            "II.C": ("Kredit WIBAWA.",),
            "III.D.1": ("Dinas menerima retribusi.",),
            "III.D.3": ("Sisa anggaran terutama dari belanja pegawai.",),
            "IV.C": ("Saran pertama.",),
            "3.4": ("Sasaran 2 tidak menyerap biaya HAKI.",),
            "1.1": ("Jumlah pegawai menurut golongan.",),
            "3.9": ("Tabel inovasi daerah.",),
        }
    )
    blocks = blocks_of(inputs, texts)
    order = headings(blocks)
    assert order.index("I.A") < order.index("I.D") and "I.B" not in order
    assert {"II.C", "IV.C"} <= set(order) and "IV.B" not in order
    for key, own in texts.sections.items():
        if key[0].isdigit():
            continue
        at = next(i for i, b in enumerate(blocks) if b.kind == "heading" and b.place == key)
        assert [b.text for b in blocks[at + 1 : at + 1 + len(own)]] == list(own), key
    # the table's text before Tabel 3.4 (and before sakip's sentence leading into it), after 3.3
    at = next(i for i, b in enumerate(blocks) if b.kind == "table" and b.table.titles[0] == "Tabel 3. 4")
    assert [b.text for b in blocks[at - 2 : at]] == [
        "Sasaran 2 tidak menyerap biaya HAKI.",
        "Tingkat efisiensi penggunaan anggaran dinilai dengan membandingkan capaian kinerja setiap "
        "sasaran dengan serapan anggaran program yang mendukungnya:",
    ]
    # a text for a table number the report does not print ends its chapter, never lost
    chapter_i = [b for b in blocks if b.place.startswith("I.") or b.place == "I"]
    assert chapter_i[-1].text == "Jumlah pegawai menurut golongan." and chapter_i[-1].place == "I.D"
    chapter_iii = [b for b in blocks if b.place.startswith("III")]
    assert chapter_iii[-1].text == "Tabel inovasi daerah." and chapter_iii[-1].place == "III.D.3"
    # the office's revenue text replaces sakip's, which would contradict it
    assert not any("bukan merupakan OPD penghasil" in p for p in paragraphs(blocks))
    # BAB IV closes after IV.C with the closing words and the signature
    chapter_iv = [b for b in blocks if b.place.startswith("IV")]
    assert chapter_iv[-1].kind == "signature" and chapter_iv[-1].place == "IV.C"
    assert chapter_iv[-2].text.startswith(f"Demikian Laporan Kinerja Instansi Pemerintah (LKjIP) {AGENCY}")


def test_indicator_texts_fill_table_3_3_and_section_iii_c(inputs):
    bare = replace(
        inputs,
        indicators=inputs.indicators.drop(columns=["faktor_pendukung", "faktor_penghambat"], errors="ignore"),
    )
    plain = captions(blocks_of(bare))
    table = next(b.table for b in blocks_of(bare) if b.kind == "table" and b.table.table_id == "tabel_3_3")
    assert [h.text for h in table.header if "Faktor" in h.text] == []
    assert plain["tabel_3_3"][0] == "Tabel 3. 3"
    given = with_texts(
        bare,
        faktor_pendukung={"Nilai AKIP": "Komitmen pimpinan"},
        faktor_penghambat={"Persentase koperasi Aktif": "Banyak koperasi tidak melaksanakan RAT."},
    )
    blocks = blocks_of(given)
    table = next(b.table for b in blocks if b.kind == "table" and b.table.table_id == "tabel_3_3")
    assert [h.text for h in table.header if "Faktor" in h.text] == ["Faktor Pendukung", "Faktor Penghambat"]
    lists = [b.items for b in blocks if b.kind == "items" and b.place == "III.C"]
    assert (
        "Analisis: Peningkatan kualitas pelayanan yang antara lain karena peningkatan kapasitas aparatur, "
        "dukungan sarana prasarana, serta optimalisasi pelayanan teknologi informasi."
    ) in lists[-1]
    assert "Faktor Pendukung: Komitmen pimpinan." in lists[-1]
    assert "Faktor Penghambat: Banyak koperasi tidak melaksanakan RAT." in lists[0]
    assert "Indikator Nilai AKIP dengan capaian 103,25%:" in paragraphs(blocks)


def test_the_reasons_for_a_programs_remaining_budget_follow_it_in_iii_d_3(inputs):
    given = with_texts(
        inputs,
        keterangan_silpa={
            "2.17.01": "Selisih harga dengan Standar Harga Satuan dan tagihan listrik sesuai pemakaian",
            "2.17.08": "Pengajuan HAKI tidak lolos verifikasi Kemenkop RI.",
        },
    )
    text = [b.text for b in blocks_of(given) if b.place == "III.D.3" and b.kind == "paragraph"]
    own = text.index(next(p for p in text if p.startswith("c. Program Penunjang Urusan")))
    assert text[own + 1] == "Selisih harga dengan Standar Harga Satuan dan tagihan listrik sesuai pemakaian."
    grouped = text.index(next(p for p in text if p.startswith("b. Program Pemberdayaan Usaha Menengah")))
    assert (
        text[grouped + 1] == "Program Pengembangan UMKM: Pengajuan HAKI tidak lolos verifikasi Kemenkop RI."
    )


# ------------------------------------------------------------------------------------ the signature


def test_the_signature_comes_from_the_configuration_per_opd(inputs):
    config = parse_report_config(
        {
            "report": {
                "signature": {
                    "place": "Semarang",
                    "date": pd.Timestamp("2023-02-17").date(),
                    OPD: {
                        "position": "Kepala Dinas Koperasi dan Usaha Mikro\nKota Semarang",
                        "name": "Drs. AGUS WURYANTO, M.Si",
                        "rank": "Pembina Tingkat I",
                        "nip": "19660110 198702 1 002",
                    },
                }
            }
        }
    )
    blocks = blocks_of(inputs, scales=config.for_opd(OPD))
    signatures = [b for b in blocks if b.kind == "signature"]
    assert [b.place for b in signatures] == ["IV.A", "LAMPIRAN", "LAMPIRAN"]  # BAB IV, PK and IKU forms
    lines = [line for line in signatures[0].items if line]
    assert lines == [
        "Semarang, 17 Februari 2023",
        "Kepala Dinas Koperasi dan Usaha Mikro",
        "Kota Semarang",
        "Drs. AGUS WURYANTO, M.Si",
        "Pembina Tingkat I",
        "NIP. 19660110 198702 1 002",
    ]
    # another OPD signs with the deployment's place and date, its own head left to fill by hand
    other = config.for_opd("1.01.0.00.0.00.01.0000").signature
    assert other.place == "Semarang" and other.name == ""
    unconfigured = next(b for b in blocks_of(inputs) if b.kind == "signature").items
    assert unconfigured[0].startswith(".....") and f"Kepala {AGENCY}" in unconfigured
    assert unconfigured[-1].startswith("NIP. ....")


def test_a_person_of_an_opd_never_takes_the_deployments_nip():
    merged = Signature(name="B").over(Signature(place="Kendal", name="A", nip="1"))
    assert (merged.place, merged.name, merged.nip) == ("Kendal", "B", "")


@pytest.mark.parametrize(
    ("signature", "message"),
    [
        ("x", "report.signature: expected a table"),
        ({"nama": "A"}, "report.signature: unknown key(s) nama"),
        ({"name": 3}, "report.signature.name: expected text"),
        ({"1.01": {"rank": ["IV/b"]}}, 'report.signature."1.01".rank: expected text'),
    ],
)
def test_a_wrong_signature_is_refused_by_name(signature, message):
    with pytest.raises(ConfigError, match=re.escape(message)):
        parse_report_config({"report": {"signature": signature}})


# ------------------------------------------------------------------------------------ the html page


def test_the_html_page_shows_the_same_blocks_escaped(inputs, tmp_path: Path):
    scales = replace(ReportScales(), signature=Signature(name="<b>Kepala</b>"))
    tables = compute_tables(inputs)
    narrative = build_narrative(tables, scales, opd_name=OPD_NAME, year=2022, government=GOVERNMENT)
    printed = printed_tables(tables, opd_name=OPD_NAME, year=2022, government=GOVERNMENT)
    page = write_html_report(
        printed,
        narrative,
        {},
        tmp_path / "r.html",
        opd_name=OPD_NAME,
        year=2022,
        scales=scales,
        texts=OfficeTexts({"IV.B": ("<script>alert(1)</script>", "1. Pelatihan\n2. Pendampingan")}),
        government=GOVERNMENT,
    ).read_text("utf-8")
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<p>1. Pelatihan<br>2. Pendampingan</p>" in page
    assert '<p class="signature">' in page and "&lt;b&gt;Kepala&lt;/b&gt;" in page
    assert "<h2>IKHTISAR EKSEKUTIF</h2>" in page and "<h3>B. Progres Penyelesaian Isu Strategis</h3>" in page
    assert "<caption>Formulir Perjanjian Kinerja Tingkat Organisasi Perangkat Daerah (OPD)" in page
    assert "<caption>Tabel 4. 1<span>Ringkasan Capaian Indikator Kinerja</span>" in page
    assert f"<p>{AGENCY}</p>" in page


# ------------------------------------------------------------------------------------ counts in words


def test_small_counts_are_words():
    assert [number_word(n) for n in (1, 3, 10, 11, 15, 20, 38, 120)] == [
        "satu",
        "tiga",
        "sepuluh",
        "sebelas",
        "lima belas",
        "dua puluh",
        "38",
        "120",
    ]
    assert [all_of(n, "sasaran") for n in (1, 2, 3, 11)] == [
        "satu-satunya sasaran",
        "kedua sasaran",
        "ketiga sasaran",
        "seluruh sebelas sasaran",
    ]
