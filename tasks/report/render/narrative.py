"""The sentences of the LKjIP that today are written by hand, generated from the tables: the text
around the tables of chapters III and IV here, the Ikhtisar Eksekutif, BAB I's sistematika, BAB II's
program list and the openings and closing from :mod:`tasks.report.render.framing`, all gathered by
:func:`build_narrative` into the report's narrative sections.

All text is in Bahasa Indonesia, amounts as ``Rp 22.500.227.865`` and percentages as ``83,79%``
(half-up rounding, as printed in the tables; no space before the sign, as the document and PUEBI
write it). Indicator values carry their unit where the document prints one (``76%``, ``76,64%``);
scores (``nilai``) stand without (``77,20``). Small counts are written in words (``tiga sasaran``,
``ketiga sasaran``), as a person writes them; the report's terms come from
:data:`tasks.report.model.TERMS`. The agency is named in full with its government (``Dinas Koperasi
dan Usaha Mikro Kota Semarang``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import pandas as pd

from tasks.core.formatting import amount_text as rp
from tasks.core.formatting import format_percent
from tasks.core.scales import ReportScales
from tasks.report.model import TERMS
from tasks.report.render.framing import (
    closing_paragraphs,
    conclusion_opening,
    ikhtisar_paragraphs,
    perjanjian_paragraphs,
    program_list_paragraphs,
    sistematika_paragraphs,
    table_openings,
)
from tasks.report.render.wording import (
    ITEM,
    agency_name,
    all_of,
    as_sentence,
    capitalized,
    join_items,
    number_word,
    pct,
    value_text,
)
from tasks.report.tables import frame_in_role

_JENIS_WORDS = {"tujuan": "tujuan", "sasaran": "sasaran", "program": "program"}


@dataclass(frozen=True)
class Narrative:
    """Paragraphs per section: ikhtisar, sistematika, program_list, perjanjian, the openings of the
    tables (pengantar_capaian, pengantar_analisis, pengantar_efisiensi, pengantar_tujuan_sasaran),
    capaian, kemajuan,
    efisiensi, tujuan_sasaran, analisis, pendapatan, alokasi, sumber_dana, anggaran, sisa_anggaran,
    murni, kesimpulan, kesimpulan_kinerja, kesimpulan_anggaran, penutup. A paragraph starting with
    :data:`ITEM` is an item of a bulleted list."""

    sections: dict[str, list[str]] = field(default_factory=dict)

    def all_paragraphs(self) -> list[str]:
        """Every paragraph, in section order."""
        return [p for paragraphs in self.sections.values() for p in paragraphs]


def capaian_paragraphs(pk: pd.DataFrame) -> list[str]:
    """One sentence per PK indicator: target, realisasi, capaian and category."""
    paragraphs = []
    for row in pk.itertuples(index=False):
        if pd.isna(row.capaian):
            continue
        satuan = getattr(row, "satuan", "")
        verb = "berhasil mencapai" if row.capaian >= 100 else "mencapai"
        paragraphs.append(
            f"Indikator {row.indikator} dengan target {value_text(row.target, satuan)} terealisasi "
            f"{value_text(row.realisasi, satuan)}, atau {verb} {pct(row.capaian)} dari target "
            f"(kategori {row.kategori})."
        )
    return paragraphs


def kemajuan_paragraphs(progress: pd.DataFrame) -> list[str]:
    """The closing sentence of Table 3.2: the range of the progress against the Renstra end target."""
    known = progress.dropna(subset=["tingkat_kemajuan"])
    if known.empty:
        return []
    low, high = float(known["tingkat_kemajuan"].min()), float(known["tingkat_kemajuan"].max())
    reached = int((known["tingkat_kemajuan"] >= 100).sum())
    spread = f"sebesar {pct(low)}" if pct(low) == pct(high) else f"antara {pct(low)} dan {pct(high)}"
    subject = all_of(len(known), "indikator kinerja sasaran")
    sentence = f"Dari tabel di atas, tingkat kemajuan {subject} terhadap target akhir Renstra {spread}"
    if reached == len(known):
        sentence += "; seluruhnya telah mencapai atau melampaui target akhir Renstra"
    elif reached:
        sentence += f"; {number_word(reached)} indikator telah mencapai atau melampaui target akhir Renstra"
    return [sentence + "."]


def efisiensi_paragraphs(efficiency: pd.DataFrame) -> list[str]:
    """The closing sentence of Table 3.4: which sasaran used their budget efficiently, each named with
    its serapan."""
    known = efficiency.dropna(subset=["capaian_kinerja", "serapan"])
    if known.empty:
        return []
    efficient = known[known["efisiensi"] == "Efisiensi"]
    named = join_items(
        [f"{row.sasaran} ({TERMS['serapan'].lower()} {pct(row.serapan)})" for row in efficient.itertuples()]
    )
    if len(efficient) == len(known):
        return [
            f"{capitalized(all_of(len(known), 'sasaran'))} mencapai targetnya dengan serapan anggaran di "
            f"bawah 100%, sehingga penggunaan anggarannya dinilai efisien, yaitu {named}."
        ]
    if efficient.empty:
        return ["Tidak ada sasaran yang mencapai targetnya dengan serapan anggaran di bawah 100%."]
    return [
        f"{capitalized(number_word(len(efficient)))} dari {number_word(len(known))} sasaran mencapai "
        f"targetnya dengan serapan anggaran di bawah 100%, sehingga penggunaan anggarannya dinilai "
        f"efisien, yaitu {named}."
    ]


def category_count_paragraphs(indicators: pd.DataFrame, config: ReportScales) -> list[str]:
    """How many tujuan, sasaran and program indicators fall in each category, as a person writes it:
    ``Kedua indikator kinerja tujuan mencapai target dengan kategori Sangat Tinggi.``"""
    order = {label: i for i, (_, label) in enumerate(config.capaian_scale)}
    paragraphs = []
    for jenis, word in _JENIS_WORDS.items():
        rows = indicators[indicators["jenis"] == jenis]
        if rows.empty:
            continue
        paragraphs.append(_categoryas_sentence(word, rows["capaian"], rows["kategori"], order))
    return paragraphs


def _categoryas_sentence(word: str, capaian: pd.Series, kategori: pd.Series, order: dict[str, int]) -> str:
    """One sentence on a level's indicators: how many reach the target, in which categories."""
    total = len(capaian)
    counts = Counter(k for k in kategori if isinstance(k, str) and k)
    ranked = sorted(counts.items(), key=lambda kv: order.get(kv[0], 99))
    reached = int((capaian >= 100).sum())
    missing = total - sum(counts.values())
    subject = all_of(total, f"indikator kinerja {word}")
    if len(ranked) == 1 and not missing:
        label = ranked[0][0]
        if reached == total:
            return f"{capitalized(subject)} mencapai target dengan kategori {label}."
        return (
            f"{capitalized(subject)} berkategori {label}; {number_word(reached)} di antaranya mencapai "
            "atau melampaui target."
        )
    parts = [f"{number_word(n)} berkategori {label}" for label, n in ranked]
    if missing:
        parts.append(f"{number_word(missing)} belum dapat diukur")
    return (
        f"Dari {number_word(total)} indikator kinerja {word}, {number_word(reached)} mencapai atau "
        f"melampaui target; menurut kategori capaian, {join_items(parts)}."
    )


def analysis_paragraphs(analysis: pd.DataFrame) -> list[str]:
    """Section III.C per sasaran indicator the office analysed (Table 3.3's texts): its capaian, then
    the analysis, the supporting and hindering factors and the alternative solutions as written."""
    paragraphs = []
    labels = (
        ("analisis_penyebab", TERMS["analisis"]),
        ("faktor_pendukung", TERMS["faktor_pendukung"]),
        ("faktor_penghambat", TERMS["faktor_penghambat"]),
        ("solusi", TERMS["solusi"]),
    )
    for record in analysis.to_dict("records"):
        given = [(label, " ".join(str(record.get(key) or "").split())) for key, label in labels]
        given = [(label, text) for label, text in given if text and text.lower() != "nan"]
        if not given:
            continue
        capaian = record.get("capaian")
        figure = "" if capaian is None or pd.isna(capaian) else f" dengan capaian {pct(float(capaian))}"
        paragraphs.append(f"Indikator {record.get('indikator', '')}{figure}:")
        paragraphs += [f"{ITEM}{label}: {as_sentence(text)}" for label, text in given]
    return paragraphs


def budget_paragraphs(
    lines: pd.DataFrame, sumber_dana: pd.Series | None, agency: str, year: int
) -> list[str]:
    """Allocation by funding source and the year's realization and remaining budget."""
    total = lines[lines["level"] == "urusan"][["anggaran", "realisasi"]].sum()
    anggaran, realisasi = float(total["anggaran"]), float(total["realisasi"])
    silpa = anggaran - realisasi
    paragraphs = []
    if sumber_dana is not None and not sumber_dana.empty:
        sources = [
            f"{name} sebesar {rp(amount)}"
            for name, amount in sumber_dana.sort_values(ascending=False).items()
        ]
        paragraphs.append(
            f"Pada Tahun {year} {agency} mendapatkan alokasi anggaran setelah perubahan sebesar "
            f"{rp(anggaran)} yang bersumber dari {join_items(sources)}."
        )
    serapan = realisasi / anggaran * 100 if anggaran else float("nan")
    silpa_pct = silpa / anggaran * 100 if anggaran else float("nan")
    paragraphs.append(
        f"Dari total alokasi anggaran perubahan sebesar {rp(anggaran)}, anggaran terealisasi sebesar "
        f"{rp(realisasi)} ({pct(serapan)}), sehingga terdapat sisa anggaran sebesar {rp(silpa)} "
        f"({pct(silpa_pct)}). Rincian alokasi anggaran dan realisasinya tersaji pada tabel berikut."
    )
    return paragraphs


def revenue_paragraphs(agency: str) -> list[str]:
    """Section III.D.1 for an OPD whose data hold no revenue: it is not a revenue-earning OPD."""
    return [
        f"Berdasarkan tugas pokok dan fungsinya, {agency} bukan merupakan OPD penghasil pendapatan, "
        "sehingga tidak terdapat target dan realisasi pendapatan."
    ]


def funding_paragraphs(funding: pd.DataFrame) -> list[str]:
    """Per transfer source: its total and the sub kegiatan it paid for, each with its realization."""
    paragraphs = []
    for source, rows in funding.groupby("jenis", sort=False):
        count = len(rows)
        where = "satu sub kegiatan" if count == 1 else f"{number_word(count)} sub kegiatan"
        paragraphs.append(
            f"Anggaran {source} sebesar {rp(rows['anggaran'].sum())} digunakan pada {where} dan "
            f"terealisasi sebesar {rp(rows['realisasi'].sum())}, dengan rincian sebagai berikut:"
        )
        paragraphs += [
            f"{ITEM}Sub Kegiatan {row.uraian} sebesar {rp(row.anggaran)} dengan realisasi sebesar "
            f"{rp(row.realisasi)} atau {pct(row.serapan)}."
            for row in rows.itertuples(index=False)
        ]
    return paragraphs


def remaining_paragraphs(
    lines: pd.DataFrame,
    per_sasaran: pd.DataFrame | None,
    remaining: pd.DataFrame | None,
    threshold_pct: float,
    agency: str,
    year: int,
) -> list[str]:
    """Section III.D.3: the year's remaining budget, then one list of what the programs left unspent
    (grouped by the sasaran they fund when the indicator workbook names them, each program once),
    each followed by the office's reasons, and the programs whose serapan is low."""
    total = lines[lines["level"] == "urusan"][["anggaran", "realisasi"]].sum()
    anggaran, realisasi = float(total["anggaran"]), float(total["realisasi"])
    paragraphs = []
    if anggaran:
        paragraphs.append(
            f"Pada Tahun {year}, dari total alokasi anggaran perubahan {agency} sebesar {rp(anggaran)} "
            f"terealisasi sebesar {rp(realisasi)} ({pct(realisasi / anggaran * 100)}), sehingga terdapat "
            f"{TERMS['sisa_anggaran']} sebesar {rp(anggaran - realisasi)} "
            f"({pct((anggaran - realisasi) / anggaran * 100)}), dengan uraian sebagai berikut:"
        )
    letters = "abcdefghijklmnopqrstuvwxyz"
    items: list[tuple[str, str]] = []
    covered: set[str] = set()
    if per_sasaran is not None and not per_sasaran.empty:
        for row in per_sasaran.itertuples(index=False):
            names = [name.strip() for name in str(row.program).split(";") if name.strip()]
            covered.update(names)
            subject = join_items(names)
            several = len(names) > 1
            items.append(
                (
                    f"{subject}, dengan {'total ' if several else ''}anggaran sebesar {rp(row.anggaran)} "
                    f"terealisasi sebesar {rp(row.realisasi)} ({pct(row.serapan)}) dan "
                    f"{TERMS['sisa_anggaran']} sebesar {rp(row.silpa)} ({pct(row.persen_silpa)}).",
                    str(getattr(row, "keterangan", "") or ""),
                )
            )
    programs = remaining[remaining["level"] == "program"] if remaining is not None else lines.iloc[0:0]
    for row in programs.itertuples(index=False):
        if str(row.uraian).strip() in covered:
            continue
        items.append(
            (
                f"{row.uraian}, anggaran sebesar {rp(row.anggaran)} terealisasi sebesar "
                f"{rp(row.realisasi)} ({pct(100 - row.persen_silpa)}) dan {TERMS['sisa_anggaran']} "
                f"sebesar {rp(row.silpa)} ({pct(row.persen_silpa)}).",
                "",
            )
        )
    for i, (text, reasons) in enumerate(items):
        paragraphs.append(f"{letters[i % 26]}. {text}")
        paragraphs += [as_sentence(line.strip()) for line in reasons.split("\n") if line.strip()]
    paragraphs.append(low_absorption_paragraph(lines, threshold_pct))
    if remaining is not None:
        paragraphs.append(
            f"Rincian {TERMS['sisa_anggaran']} per program, kegiatan dan sub kegiatan tersaji pada tabel "
            "berikut:"
        )
    return paragraphs


def conclusion_paragraphs(ringkasan: pd.DataFrame) -> list[str]:
    """Chapter IV's numbered conclusions on the indicators of each level."""
    paragraphs = []
    for i, row in enumerate(ringkasan.itertuples(index=False), 1):
        word = str(row.jenis)
        own = (
            f"Terdapat {number_word(int(row.jumlah))} {word} dengan "
            f"{number_word(int(row.jumlah_indikator))} indikator kinerja {word}"
        )
        if row.mencapai_target == row.jumlah_indikator:
            reached = (
                "seluruhnya mencapai atau melampaui target"
                if row.jumlah_indikator > 1
                else "yang mencapai target"
            )
        else:
            reached = f"{number_word(int(row.mencapai_target))} di antaranya mencapai atau melampaui target"
        paragraphs.append(
            f"{i}) {own}; {reached}{_category_phrase(str(row.kategori or ''), row.jumlah_indikator)}."
        )
    return paragraphs


def _category_phrase(kategori: str, total: int) -> str:
    """`` dengan kategori capaian Sangat Tinggi`` when every indicator has it, else the counts in words
    (``, dengan kategori capaian dua Sangat Tinggi dan satu Tinggi``); "" when none is known."""
    parts = []
    for part in kategori.split(","):
        count, _, label = part.strip().partition(" ")
        if count.isdigit() and label:
            parts.append((int(count), label))
    if not parts:
        return ""
    if len(parts) == 1 and parts[0][0] == total:
        return f" dengan kategori capaian {parts[0][1]}"
    return ", dengan kategori capaian " + join_items([f"{number_word(n)} {label}" for n, label in parts])


def budget_conclusion_paragraphs(ringkasan: pd.DataFrame) -> list[str]:
    """Chapter IV's conclusion on the budget: allocation, realization, serapan and the remaining budget."""
    return [
        f"Dari alokasi anggaran belanja sebesar {rp(row.anggaran)} terealisasi sebesar {rp(row.realisasi)} "
        f"({pct(row.serapan)}), sehingga terdapat {TERMS['sisa_anggaran']} sebesar {rp(row.silpa)} "
        f"({pct(row.persen_silpa)})."
        for row in ringkasan.itertuples(index=False)
    ]


def low_absorption_paragraph(lines: pd.DataFrame, threshold_pct: float) -> str:
    """The programs whose serapan is under the threshold, lowest first, in one sentence."""
    programs = lines[lines["level"] == "program"]
    low = programs[programs["serapan"] < threshold_pct].sort_values("serapan")
    limit = format_percent(threshold_pct).replace(",00", "")
    if low.empty:
        return f"Serapan anggaran setiap program mencapai {limit}% atau lebih."
    items = join_items([f"{row.uraian} ({pct(row.serapan)})" for row in low.itertuples(index=False)])
    if len(low) == 1:
        return f"Satu program menyerap anggaran di bawah {limit}%, yaitu {items}."
    return f"{capitalized(number_word(len(low)))} program menyerap anggaran di bawah {limit}%, yaitu {items}."


def murni_paragraph(murni: pd.DataFrame) -> str | None:
    """The change from the original (Perjanjian Kinerja) to the revised budget."""
    if murni.empty:
        return None
    total = murni[murni["uraian"] == "JUMLAH"].iloc[0]
    change = float(total["perubahan"])
    direction = "berkurang" if change < 0 else "bertambah"
    moved = murni[(murni["uraian"] != "JUMLAH") & (murni["perubahan"] != 0)]
    if moved.empty:
        return (
            f"Anggaran murni sesuai Perjanjian Kinerja sebesar {rp(total['anggaran_murni'])} tidak berubah "
            "setelah perubahan anggaran."
        )
    return (
        f"Anggaran murni sesuai Perjanjian Kinerja sebesar {rp(total['anggaran_murni'])} setelah perubahan "
        f"menjadi {rp(total['anggaran_perubahan'])}, {direction} {rp(abs(change))} "
        f"({pct(abs(total['perubahan_pct']))}); anggaran {number_word(len(moved))} program berubah."
    )


def build_narrative(
    tables: dict[str, pd.DataFrame],
    config: ReportScales,
    *,
    opd_name: str,
    year: int,
    sumber_dana: pd.Series | None = None,
    government: str = "",
) -> Narrative:
    """Every generated paragraph the tables support (each table found by its role in the registry);
    ``government`` (``PEMERINTAH KOTA SEMARANG``) names the agency in full."""

    def frame(role: str) -> pd.DataFrame | None:
        return frame_in_role(tables, role)

    agency = agency_name(opd_name, government)
    sections: dict[str, list[str]] = {}
    pk = frame("pk_capaian")
    efficiency = frame("efficiency")
    lines = frame("program_budget")
    if pk is not None or lines is not None:
        sections["ikhtisar"] = ikhtisar_paragraphs(pk, efficiency, lines, agency, year)
    if tables:
        sections["sistematika"] = sistematika_paragraphs(agency, year)
        sections.update(table_openings(agency, year))
    if pk is not None:
        sections["capaian"] = capaian_paragraphs(pk)
    if (agreement := frame("pk_form")) is not None:
        sections["perjanjian"] = perjanjian_paragraphs(agreement, agency, year)
    if (progress := frame("renstra_progress")) is not None:
        sections["kemajuan"] = kemajuan_paragraphs(progress)
    if efficiency is not None:
        sections["efisiensi"] = efisiensi_paragraphs(efficiency)
    if (indicators := frame("indicator_capaian")) is not None:
        sections["tujuan_sasaran"] = category_count_paragraphs(indicators, config)
    if (analysis := frame("analysis")) is not None:
        sections["analisis"] = analysis_paragraphs(analysis)
    if (performance := frame("performance_summary")) is not None:
        sections["kesimpulan"] = conclusion_opening(agency, year)
        sections["kesimpulan_kinerja"] = conclusion_paragraphs(performance)
    if (summary := frame("budget_summary")) is not None:
        sections.setdefault("kesimpulan", conclusion_opening(agency, year))
        sections["kesimpulan_anggaran"] = budget_conclusion_paragraphs(summary)
    if lines is not None:
        sections["program_list"] = program_list_paragraphs(lines, agency, year)
        sections["pendapatan"] = revenue_paragraphs(agency)
        budget = budget_paragraphs(lines, sumber_dana, agency, year)
        if (funding := frame("funding_sources")) is not None:
            # the allocation by source, the transfer funds' detail, then the budget lines
            sections["alokasi"] = budget[:-1]
            sections["sumber_dana"] = funding_paragraphs(funding)
            budget = budget[-1:]
        sections["anggaran"] = budget
        sections["sisa_anggaran"] = remaining_paragraphs(
            lines,
            frame("sasaran_silpa"),
            frame("program_silpa"),
            config.absorption_threshold_pct,
            agency,
            year,
        )
    murni = frame("budget_change")
    if murni is not None and (text := murni_paragraph(murni)):
        sections["murni"] = [text]
    if tables:
        sections["penutup"] = closing_paragraphs(agency, year)
    return Narrative(sections)
