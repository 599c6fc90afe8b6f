"""The sentences of LKjIP chapters III and IV that today are written by hand, generated from the tables.

All text is in Bahasa Indonesia, amounts as ``Rp 22.500.227.865`` and percentages as ``83,79%``
(half-up rounding, as printed in the tables; no space before the sign, as the document and PUEBI
write it). Indicator values carry their unit where the document prints one (``76%``, ``76,64%``);
scores (``nilai``) stand without (``77,20``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import pandas as pd

from tasks.core.formatting import amount_text as rp
from tasks.core.formatting import format_percent, percent_text, value_with_unit
from tasks.core.scales import ReportScales
from tasks.report.tables import frame_in_role

_JENIS_WORDS = {"tujuan": "tujuan", "sasaran": "sasaran", "program": "program"}


def pct(value: float) -> str:
    """A percentage in a sentence: ``83,79%``."""
    return percent_text(value, "%")


def value_text(value: float, satuan: str = "") -> str:
    """An indicator value as the document writes it (``76%``, ``76,64%``, ``77,20``; ``-`` unknown)."""
    return value_with_unit(value, satuan) or "-"


@dataclass(frozen=True)
class Narrative:
    """Paragraphs per section of chapters III and IV: capaian, kemajuan, efisiensi, tujuan_sasaran,
    target_ditinjau, sumber_dana, anggaran, silpa_sasaran, sisa_anggaran, murni, kesimpulan_kinerja,
    kesimpulan_anggaran."""

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
    sentence = (
        f"Dari tabel di atas, tingkat kemajuan {_count(len(known))} indikator kinerja sasaran terhadap "
        f"target akhir Renstra {spread}"
    )
    if reached:
        sentence += f"; {reached} indikator telah mencapai atau melampaui target akhir Renstra"
    return [sentence + "."]


def efisiensi_paragraphs(efficiency: pd.DataFrame) -> list[str]:
    """The closing sentence of Table 3.4: how many sasaran used their budget efficiently."""
    known = efficiency.dropna(subset=["capaian_kinerja", "serapan"])
    if known.empty:
        return []
    efficient = known[known["efisiensi"] == "Efisiensi"]
    if len(efficient) == len(known):
        return [
            f"{_count(len(known)).capitalize()} sasaran mencapai targetnya dengan serapan anggaran di "
            "bawah 100%, sehingga penggunaan anggaran dinilai efisien."
        ]
    if efficient.empty:
        return ["Tidak ada sasaran yang mencapai targetnya dengan serapan anggaran di bawah 100%."]
    names = _join([f"{row.sasaran} (serapan {pct(row.serapan)})" for row in efficient.itertuples()])
    return [
        f"{len(efficient)} dari {len(known)} sasaran mencapai targetnya dengan serapan anggaran di bawah "
        f"100%, sehingga penggunaan anggaran dinilai efisien: {names}."
    ]


def _count(n: int) -> str:
    """``seluruh (3)`` for a whole set counted, as the document writes it."""
    return f"seluruh ({n})" if n > 1 else "satu"


def target_review_paragraphs(indicators: pd.DataFrame, bound_pct: float) -> list[str]:
    """The indicators whose capaian is beyond the plausible bound: their targets need review."""
    beyond = indicators[indicators["capaian"] > bound_pct]
    if beyond.empty:
        return []
    items = _join([f"{row.indikator} ({pct(row.capaian)})" for row in beyond.itertuples(index=False)])
    limit = format_percent(bound_pct).replace(",00", "")
    return [
        f"Catatan: capaian {len(beyond)} indikator melampaui {limit}% dari target, yaitu {items}. "
        "Target indikator tersebut perlu ditinjau kembali agar sesuai dengan kemampuan yang sebenarnya."
    ]


def category_count_paragraphs(indicators: pd.DataFrame, config: ReportScales) -> list[str]:
    """How many tujuan, sasaran and program indicators fall in each category, as a person writes it:
    ``Seluruh (2) indikator kinerja tujuan mencapai target dengan kategori Sangat Tinggi.``"""
    order = {label: i for i, (_, label) in enumerate(config.capaian_scale)}
    paragraphs = []
    for jenis, word in _JENIS_WORDS.items():
        rows = indicators[indicators["jenis"] == jenis]
        if rows.empty:
            continue
        paragraphs.append(_category_sentence(word, rows["capaian"], rows["kategori"], order))
    return paragraphs


def _category_sentence(word: str, capaian: pd.Series, kategori: pd.Series, order: dict[str, int]) -> str:
    """One sentence on a level's indicators: how many reach the target, in which categories."""
    total = len(capaian)
    counts = Counter(k for k in kategori if isinstance(k, str) and k)
    ranked = sorted(counts.items(), key=lambda kv: order.get(kv[0], 99))
    reached = int((capaian >= 100).sum())
    missing = total - sum(counts.values())
    subject = f"indikator kinerja {word}"
    if len(ranked) == 1 and not missing:
        label = ranked[0][0]
        if reached == total:
            who = f"Seluruh ({total}) {subject}" if total > 1 else f"Satu-satunya {subject}"
            return f"{who} mencapai target dengan kategori {label}."
        return (
            f"{_count(total).capitalize()} {subject} berkategori {label}; {reached} di antaranya "
            "mencapai atau melampaui target."
        )
    parts = [f"{n} berkategori {label}" for label, n in ranked]
    if missing:
        parts.append(f"{missing} belum dapat diukur")
    return (
        f"Dari {total} {subject}, {reached} mencapai atau melampaui target; menurut kategori capaian, "
        f"{_join(parts)}."
    )


def _join(parts: list[str]) -> str:
    """Indonesian enumeration: ``a, b dan c``."""
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " dan " + parts[-1]


def budget_paragraphs(
    lines: pd.DataFrame, sumber_dana: pd.Series | None, opd_name: str, year: int
) -> list[str]:
    """Allocation by funding source and the year's realization and SILPA."""
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
            f"Pada Tahun {year} {opd_name} mendapatkan alokasi anggaran setelah perubahan sebesar "
            f"{rp(anggaran)} yang bersumber dari {_join(sources)}."
        )
    serapan = realisasi / anggaran * 100 if anggaran else float("nan")
    silpa_pct = silpa / anggaran * 100 if anggaran else float("nan")
    paragraphs.append(
        f"Dari total alokasi anggaran perubahan sebesar {rp(anggaran)}, anggaran terealisasi sebesar "
        f"{rp(realisasi)} ({pct(serapan)}), sehingga terdapat sisa anggaran sebesar {rp(silpa)} "
        f"({pct(silpa_pct)})."
    )
    return paragraphs


def funding_paragraphs(funding: pd.DataFrame) -> list[str]:
    """Per transfer source: its total and the sub kegiatan it paid for, each with its realization."""
    paragraphs = []
    for source, rows in funding.groupby("jenis", sort=False):
        paragraphs.append(
            f"Anggaran {source} sebesar {rp(rows['anggaran'].sum())} digunakan pada {len(rows)} sub "
            f"kegiatan dan terealisasi sebesar {rp(rows['realisasi'].sum())}, dengan rincian:"
        )
        paragraphs += [
            f"- Sub Kegiatan {row.uraian} sebesar {rp(row.anggaran)} dengan realisasi sebesar "
            f"{rp(row.realisasi)} atau {pct(row.serapan)}."
            for row in rows.itertuples(index=False)
        ]
    return paragraphs


def silpa_sasaran_paragraphs(per_sasaran: pd.DataFrame) -> list[str]:
    """Per sasaran: its programs' budget, realization and remaining budget."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    return [
        f"{letters[i % 26]}. {row.program}, dengan total anggaran sebesar {rp(row.anggaran)} terealisasi "
        f"sebesar {rp(row.realisasi)} ({pct(row.serapan)}) dan sisa anggaran sebesar {rp(row.silpa)} "
        f"({pct(row.persen_silpa)})."
        for i, row in enumerate(per_sasaran.itertuples(index=False))
    ]


def conclusion_paragraphs(ringkasan: pd.DataFrame) -> list[str]:
    """Chapter IV's numbered conclusions on the indicators of each level."""
    paragraphs = []
    for i, row in enumerate(ringkasan.itertuples(index=False), 1):
        word = str(row.jenis)
        own = f"Terdapat {row.jumlah} {word} dengan {row.jumlah_indikator} indikator kinerja {word}"
        if row.mencapai_target == row.jumlah_indikator:
            reached = (
                "seluruhnya mencapai atau melampaui target"
                if row.jumlah_indikator > 1
                else "yang mencapai target"
            )
        else:
            reached = f"{row.mencapai_target} di antaranya mencapai atau melampaui target"
        kategori = f" (kategori capaian: {row.kategori})" if row.kategori else ""
        paragraphs.append(f"{i}) {own}; {reached}{kategori}.")
    return paragraphs


def budget_conclusion_paragraphs(ringkasan: pd.DataFrame) -> list[str]:
    """Chapter IV's conclusion on the budget: allocation, realization, serapan and SILPA."""
    return [
        f"Dari alokasi anggaran belanja sebesar {rp(row.anggaran)} terealisasi sebesar {rp(row.realisasi)} "
        f"({pct(row.serapan)}), sehingga terdapat Sisa Lebih Pagu Anggaran (SiLPA) sebesar "
        f"{rp(row.silpa)} ({pct(row.persen_silpa)})."
        for row in ringkasan.itertuples(index=False)
    ]


def program_paragraphs(remaining: pd.DataFrame) -> list[str]:
    """One line per program: anggaran, realisasi (serapan) and sisa anggaran (% SILPA)."""
    programs = remaining[remaining["level"] == "program"]
    letters = "abcdefghijklmnopqrstuvwxyz"
    return [
        f"{letters[i % 26]}. {row.uraian}, anggaran sebesar {rp(row.anggaran)} terealisasi sebesar "
        f"{rp(row.realisasi)} ({pct(100 - row.persen_silpa)}) dan sisa anggaran sebesar {rp(row.silpa)} "
        f"({pct(row.persen_silpa)})."
        for i, row in enumerate(programs.itertuples(index=False))
    ]


def low_absorption_paragraph(lines: pd.DataFrame, threshold_pct: float) -> str:
    """The programs whose serapan is under the threshold, lowest first."""
    programs = lines[lines["level"] == "program"]
    low = programs[programs["serapan"] < threshold_pct].sort_values("serapan")
    limit = format_percent(threshold_pct).replace(",00", "")
    if low.empty:
        return f"Tidak ada program dengan serapan anggaran di bawah {limit}%."
    items = [f"{row.uraian} ({pct(row.serapan)})" for row in low.itertuples(index=False)]
    return f"Program dengan serapan anggaran di bawah {limit}% ({len(low)} program): {_join(items)}."


def murni_paragraph(murni: pd.DataFrame) -> str | None:
    """The change from the original (Perjanjian Kinerja) to the revised budget."""
    if murni.empty:
        return None
    total = murni[murni["uraian"] == "JUMLAH"].iloc[0]
    change = float(total["perubahan"])
    direction = "berkurang" if change < 0 else "bertambah"
    moved = murni[(murni["uraian"] != "JUMLAH") & (murni["perubahan"] != 0)]
    return (
        f"Anggaran murni sesuai Perjanjian Kinerja sebesar {rp(total['anggaran_murni'])} setelah perubahan "
        f"menjadi {rp(total['anggaran_perubahan'])}, {direction} {rp(abs(change))} "
        f"({pct(abs(total['perubahan_pct']))}); anggaran {len(moved)} program berubah."
    )


def build_narrative(
    tables: dict[str, pd.DataFrame],
    config: ReportScales,
    *,
    opd_name: str,
    year: int,
    sumber_dana: pd.Series | None = None,
) -> Narrative:
    """Every generated paragraph the tables support (each table found by its role in the registry)."""

    def frame(role: str) -> pd.DataFrame | None:
        return frame_in_role(tables, role)

    sections: dict[str, list[str]] = {}
    if (pk := frame("pk_capaian")) is not None:
        sections["capaian"] = capaian_paragraphs(pk)
    if (progress := frame("renstra_progress")) is not None:
        sections["kemajuan"] = kemajuan_paragraphs(progress)
    if (efficiency := frame("efficiency")) is not None:
        sections["efisiensi"] = efisiensi_paragraphs(efficiency)
    if (indicators := frame("indicator_capaian")) is not None:
        sections["tujuan_sasaran"] = category_count_paragraphs(indicators, config)
        sections["target_ditinjau"] = target_review_paragraphs(indicators, config.capaian_bound_pct)
    if (per_sasaran := frame("sasaran_silpa")) is not None:
        sections["silpa_sasaran"] = silpa_sasaran_paragraphs(per_sasaran)
    if (performance := frame("performance_summary")) is not None:
        sections["kesimpulan_kinerja"] = conclusion_paragraphs(performance)
    if (summary := frame("budget_summary")) is not None:
        sections["kesimpulan_anggaran"] = budget_conclusion_paragraphs(summary)
    if (lines := frame("program_budget")) is not None:
        budget = budget_paragraphs(lines, sumber_dana, opd_name, year)
        if (funding := frame("funding_sources")) is not None:
            # the allocation by source, the transfer funds' detail and its table, then the budget lines
            sections["alokasi"] = budget[:-1]
            sections["sumber_dana"] = funding_paragraphs(funding)
            budget = budget[-1:]
        sections["anggaran"] = budget
        remaining = frame("program_silpa")
        sections["sisa_anggaran"] = [
            *(program_paragraphs(remaining) if remaining is not None else []),
            low_absorption_paragraph(lines, config.absorption_threshold_pct),
        ]
    murni = frame("budget_change")
    if murni is not None and (text := murni_paragraph(murni)):
        sections["murni"] = [text]
    return Narrative(sections)
