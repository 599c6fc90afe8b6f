"""Builders of staged workbooks for tests of validation and loading (no xlsx involved)."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine

from sakip.config import Settings
from tasks.core.staging import (
    INDICATOR_COLUMNS,
    REALIZATION_COLUMNS,
    IndicatorWorkbook,
    RealizationWorkbook,
    StagedFile,
)
from tasks.operations.intake import FileOutcome, load_workbooks, split_by_opd, validate_batch

OPD = "2.17.0.00.0.00.01.0000"
NAN = math.nan
COLUMN_LETTERS = {
    "kode": "A",
    "uraian": "B",
    "anggaran_murni_rp": "C",
    "anggaran_rp": "D",
    "anggaran_kas_sd_bulan_ini_rp": "E",
    "realisasi_bulan_ini_rp": "F",
    "realisasi_sd_bulan_ini_rp": "G",
    "fisik_pct": "H",
    "sumber_dana": "I",
}


def realization_lines(subs: dict[str, tuple[float, float, float]], first_row: int = 9) -> pd.DataFrame:
    """Tidy realization lines from sub kegiatan (anggaran, bulan ini, s.d. bulan ini), with subtotals."""
    records = []
    codes = sorted(subs)
    parents: dict[str, list[str]] = {}
    for code in codes:
        parts = code.split(".")
        for keep in (2, 3, 5):
            parents.setdefault(".".join(parts[:keep]), []).append(code)
    level_of = {2: "urusan", 3: "program", 5: "kegiatan"}
    ordered = sorted(set(parents) | set(codes), key=lambda c: [int(p) for p in c.split(".")])
    for code in ordered:
        members = parents.get(code, [code])
        anggaran = sum(subs[m][0] for m in members)
        bulan = sum(subs[m][1] for m in members)
        sd = sum(subs[m][2] for m in members)
        level = "sub_kegiatan" if code in subs else level_of[len(code.split("."))]
        records.append(
            {
                "kode": code,
                "level": level,
                "uraian": f"Uraian {code}",
                "sub_kegiatan_kode": code if level == "sub_kegiatan" else "",
                "anggaran_rp": anggaran,
                "anggaran_murni_rp": NAN,
                "realisasi_bulan_ini_rp": bulan,
                "realisasi_sd_bulan_ini_rp": sd,
                "anggaran_kas_sd_bulan_ini_rp": anggaran * 0.5,
                "fisik_pct": 50.0 if level == "sub_kegiatan" else NAN,
                "sumber_dana": "PAD" if level == "sub_kegiatan" else "",
            }
        )
    total = {
        key: sum(r[key] for r in records if r["level"] == "urusan")
        for key in (
            "anggaran_rp",
            "realisasi_bulan_ini_rp",
            "realisasi_sd_bulan_ini_rp",
            "anggaran_kas_sd_bulan_ini_rp",
        )
    }
    records.append(
        {
            "kode": "",
            "level": "total",
            "uraian": "JUMLAH",
            "sub_kegiatan_kode": "",
            "anggaran_murni_rp": NAN,
            "fisik_pct": NAN,
            "sumber_dana": "",
            **total,
        }
    )
    frame = pd.DataFrame(records)
    frame.insert(0, "row", range(first_row, first_row + len(frame)))
    return frame.astype({k: v for k, v in REALIZATION_COLUMNS.items()})[list(REALIZATION_COLUMNS)]


def realization_workbook(
    lines: pd.DataFrame, *, month: int = 1, year: int = 2022, name: str = "", opd: str = OPD
) -> RealizationWorkbook:
    """A staged realization workbook around ``lines``, with a sha256 of its content."""
    digest = hashlib.sha256(pd.util.hash_pandas_object(lines).values.tobytes() + bytes([month])).hexdigest()
    return RealizationWorkbook(
        path=Path(name or f"realisasi_{year}_{month:02d}.xlsx"),
        sheet="Realisasi",
        opd_code=opd,
        opd_name="Dinas Uji",
        year=year,
        month=month,
        lines=lines,
        columns=dict(COLUMN_LETTERS),
        sha256=digest,
    )


def indicator_workbook(rows: list[dict[str, object]], year: int = 2022) -> IndicatorWorkbook:
    """A staged indicator workbook from partial rows (missing fields get neutral values)."""
    defaults: dict[str, object] = {
        "uraian": "",
        "satuan": "%",
        "arah": "positif",
        "rumus_capaian": "standar",
        "realisasi": NAN,
        "tw1": NAN,
        "tw2": NAN,
        "tw3": NAN,
        "tw4": NAN,
        "realisasi_tahun_lalu": NAN,
        "target_akhir_renstra": NAN,
        "kode_program": "",
    }
    frame = pd.DataFrame([{**defaults, "row": 6 + i, **row} for i, row in enumerate(rows)])
    frame = frame.astype(INDICATOR_COLUMNS)[list(INDICATOR_COLUMNS)]
    renstra = pd.DataFrame(
        {"jenis": [], "no": [], "uraian": [], "indikator": [], "data_awal": [], "tahun": [], "target": []}
    ).astype({"tahun": "int64", "data_awal": "float64", "target": "float64"})
    digest = hashlib.sha256(pd.util.hash_pandas_object(frame).values.tobytes()).hexdigest()
    return IndicatorWorkbook(
        path=Path(f"indikator_{year}.xlsx"),
        sheet="Indikator",
        opd_code=OPD,
        opd_name="Dinas Uji",
        year=year,
        indicators=frame,
        renstra=renstra,
        columns={"jenis": "A", "no": "B", "target": "G", "arah": "F", "indikator": "D"},
        sha256=digest,
    )


def staged(workbook: RealizationWorkbook | IndicatorWorkbook) -> StagedFile:
    """A staged file holding ``workbook``, as reading it would give."""
    kind = "realization" if isinstance(workbook, RealizationWorkbook) else "indicator"
    return StagedFile(path=workbook.path, kind=kind, workbook=workbook)


def ingest_batch(
    engine: Engine,
    files: Sequence[StagedFile],
    settings: Settings,
    *,
    workers: int = 1,
    corrections: bool = False,
) -> list[FileOutcome]:
    """What the monthly flow does with a batch, with plain functions: validate it, then load it in
    ``workers`` shares side by side (threads, as the flow's task runner), outcomes in batch order."""
    checked, _ = validate_batch(
        files, engine, settings.workdir, **settings.validation_options(), corrections=corrections
    )
    shares = split_by_opd(checked, workers)
    with ThreadPoolExecutor(max_workers=len(shares)) as pool:
        loaded = {o.path: o for share in pool.map(lambda s: load_workbooks(engine, s), shares) for o in share}
    return [loaded[file.path] for file in checked]
