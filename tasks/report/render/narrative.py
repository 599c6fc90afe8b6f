"""The sentences of LKjIP chapter III that today are written by hand, generated from the tables.

All text is in Bahasa Indonesia, amounts as ``Rp 22.500.227.865`` and percentages as ``83,79 %``
(half-up rounding, as printed in the tables).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import pandas as pd

from tasks.core.formatting import amount_text as rp
from tasks.core.formatting import format_percent
from tasks.core.formatting import percent_text as pct
from tasks.core.scales import ReportScales

_JENIS_WORDS = {"tujuan": "tujuan", "sasaran": "sasaran", "program": "program"}


def value_text(value: float) -> str:
    """An indicator value with two decimals (``76,64``)."""
    text = format_percent(value)
    return "0" if text == "-" else text


@dataclass(frozen=True)
class Narrative:
    """Paragraphs per section of chapter III: capaian, tujuan_sasaran, anggaran, sisa_anggaran, murni."""

    sections: dict[str, list[str]] = field(default_factory=dict)

    def all_paragraphs(self) -> list[str]:
        """Every paragraph, in section order."""
        return [p for paragraphs in self.sections.values() for p in paragraphs]


def capaian_paragraphs(tabel_3_1: pd.DataFrame) -> list[str]:
    """One sentence per PK indicator: target, realisasi, capaian and category."""
    paragraphs = []
    for row in tabel_3_1.itertuples(index=False):
        if pd.isna(row.capaian):
            continue
        paragraphs.append(
            f"Indikator {row.indikator} dengan target {value_text(row.target)} tercapai "
            f"{value_text(row.realisasi)}, atau capaian {pct(row.capaian)} (kategori {row.kategori})."
        )
    return paragraphs


def category_count_paragraphs(tabel_3_5: pd.DataFrame, config: ReportScales) -> list[str]:
    """How many tujuan, sasaran and program indicators fall in each category."""
    order = {label: i for i, (_, label) in enumerate(config.capaian_scale)}
    paragraphs = []
    for jenis, word in _JENIS_WORDS.items():
        rows = tabel_3_5[tabel_3_5["jenis"] == jenis]
        if rows.empty:
            continue
        counts = Counter(k for k in rows["kategori"] if isinstance(k, str) and k)
        parts = [
            f"{n} berkategori {label}"
            for label, n in sorted(counts.items(), key=lambda kv: order.get(kv[0], 99))
        ]
        missing = len(rows) - sum(counts.values())
        if missing:
            parts.append(f"{missing} belum dapat diukur")
        beyond = int((rows["capaian"] >= 100).sum())
        paragraphs.append(
            f"Terdapat {len(rows)} indikator kinerja {word}: {_join(parts)}; "
            f"{beyond} dari {len(rows)} indikator mencapai atau melampaui target."
        )
    return paragraphs


def _join(parts: list[str]) -> str:
    """Indonesian enumeration: ``a, b dan c``."""
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " dan " + parts[-1]


def budget_paragraphs(
    tabel_3_6: pd.DataFrame, sumber_dana: pd.Series | None, opd_name: str, year: int
) -> list[str]:
    """Allocation by funding source and the year's realization and SILPA."""
    total = tabel_3_6[tabel_3_6["level"] == "urusan"][["anggaran", "realisasi"]].sum()
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
        f"Dari total alokasi anggaran perubahan sebesar {rp(anggaran)}, realisasi anggaran sebesar "
        f"{rp(realisasi)} atau {pct(serapan)}, sehingga terdapat sisa anggaran {rp(silpa)} "
        f"({pct(silpa_pct)})."
    )
    return paragraphs


def program_paragraphs(tabel_3_7: pd.DataFrame) -> list[str]:
    """One line per program: anggaran, realisasi (serapan) and sisa anggaran (% SILPA)."""
    programs = tabel_3_7[tabel_3_7["level"] == "program"]
    letters = "abcdefghijklmnopqrstuvwxyz"
    return [
        f"{letters[i % 26]}. {row.uraian}, anggaran sebesar {rp(row.anggaran)} terealisasi sebesar "
        f"{rp(row.realisasi)} ({pct(100 - row.persen_silpa)}) dan sisa anggaran sebesar {rp(row.silpa)} "
        f"({pct(row.persen_silpa)})."
        for i, row in enumerate(programs.itertuples(index=False))
    ]


def low_absorption_paragraph(tabel_3_6: pd.DataFrame, threshold_pct: float) -> str:
    """The programs whose serapan is under the threshold, lowest first."""
    programs = tabel_3_6[tabel_3_6["level"] == "program"]
    low = programs[programs["serapan"] < threshold_pct].sort_values("serapan")
    limit = format_percent(threshold_pct).replace(",00", "")
    if low.empty:
        return f"Tidak ada program dengan serapan anggaran di bawah {limit} %."
    items = [f"{row.uraian} ({pct(row.serapan)})" for row in low.itertuples(index=False)]
    return f"Program dengan serapan anggaran di bawah {limit} % ({len(low)} program): {_join(items)}."


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
    """Every generated paragraph the tables support."""
    sections: dict[str, list[str]] = {}
    if "tabel_3_1" in tables:
        sections["capaian"] = capaian_paragraphs(tables["tabel_3_1"])
    if "tabel_3_5" in tables:
        sections["tujuan_sasaran"] = category_count_paragraphs(tables["tabel_3_5"], config)
    if "tabel_3_6" in tables:
        sections["anggaran"] = budget_paragraphs(tables["tabel_3_6"], sumber_dana, opd_name, year)
        sections["sisa_anggaran"] = [
            *(program_paragraphs(tables["tabel_3_7"]) if "tabel_3_7" in tables else []),
            low_absorption_paragraph(tables["tabel_3_6"], config.absorption_threshold_pct),
        ]
    murni = tables.get("tabel_murni_perubahan")
    if murni is not None and (text := murni_paragraph(murni)):
        sections["murni"] = [text]
    return Narrative(sections)
