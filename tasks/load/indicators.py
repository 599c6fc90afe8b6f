"""Loading an indicator workbook: a new version of the OPD-year's indicators, targets and realizations,
and of the texts the office wrote for its report (sheet ``Narasi``)."""

from __future__ import annotations

import math

import pandas as pd
from sqlalchemy import Connection, Engine, insert, update

from tasks.core.calendar import now_utc
from tasks.core.metrics import QUARTERS, quarterly_year_value, year_value_aggregation
from tasks.core.staging import INDICATOR_TEXTS, IndicatorWorkbook
from tasks.load.batches import LoadResult, current_batch, record_batch
from tasks.load.writes import ensure_opd, none_if_nan
from warehouse.db import write_transaction
from warehouse.models import (
    FactIndicatorRealization,
    FactIndicatorTarget,
    Indicator,
    IndicatorNarrative,
    LoadBatch,
)


def load_indicators(engine: Engine, wb: IndicatorWorkbook, loaded_by: str = "") -> LoadResult:
    """Load one indicator workbook as one transaction: a new current version of the OPD-year's indicators."""
    with write_transaction(engine, f"indicator/{wb.opd_code}/{wb.year}") as conn:
        current = current_batch(conn, "indicator", wb.opd_code, wb.year, None)
        if current is not None and current.sha256 == wb.sha256:
            return LoadResult(
                wb.path.name, "indicator", "unchanged", current.rows, wb.opd_code, wb.year, None, current.id
            )
        opd_id = ensure_opd(conn, wb.opd_code, wb.opd_name, wb.government)
        if current is not None:
            conn.execute(
                update(LoadBatch)
                .where(LoadBatch.id == current.id)
                .values(status="replaced", superseded_at=now_utc())
            )
        batch_id = record_batch(
            conn,
            file_name=wb.path.name,
            sha256=wb.sha256,
            kind="indicator",
            opd_code=wb.opd_code,
            year=wb.year,
            month=None,
            rows=len(wb.indicators),
            status="loaded",
            loaded_by=loaded_by,
        )
        _insert_indicators(conn, wb, opd_id, batch_id)
        _insert_texts(conn, wb, batch_id)
    return LoadResult(
        wb.path.name, "indicator", "loaded", len(wb.indicators), wb.opd_code, wb.year, None, batch_id
    )


def _insert_indicators(conn: Connection, wb: IndicatorWorkbook, opd_id: int, batch_id: int) -> None:
    """Insert indicator rows with their targets (this year and Renstra years) and realizations."""
    renstra = wb.renstra
    baseline: dict[tuple[str, str], float] = {}
    if not renstra.empty:
        baseline = renstra.drop_duplicates(["jenis", "no"]).set_index(["jenis", "no"])["data_awal"].to_dict()
    targets: list[dict[str, object]] = []
    realizations: list[dict[str, object]] = []
    indicators = wb.indicators.assign(aggregation=year_value_aggregation(wb.indicators))
    implied = quarterly_year_value(indicators, QUARTERS, "aggregation")
    indicators["year_value"] = indicators["realisasi"].where(indicators["realisasi"].notna(), implied)
    for _, row in indicators.iterrows():
        indicator_id = conn.execute(
            insert(Indicator)
            .values(
                opd_id=opd_id,
                year=wb.year,
                jenis=row["jenis"],
                no=row["no"],
                uraian=row["uraian"],
                indikator=row["indikator"],
                satuan=row["satuan"],
                arah=row["arah"],
                rumus_capaian=row["rumus_capaian"] or "standar",
                kode_program=row["kode_program"],
                data_awal=none_if_nan(baseline.get((row["jenis"], row["no"]), math.nan)),
                target_akhir_renstra=none_if_nan(row["target_akhir_renstra"]),
                **{name: row.get(name, "") or "" for name in INDICATOR_TEXTS},
                batch_id=batch_id,
            )
            .returning(Indicator.id)
        ).scalar_one()
        years = {wb.year: row["target"]}
        if not renstra.empty:
            own = renstra[(renstra["jenis"] == row["jenis"]) & (renstra["no"] == row["no"])]
            for tahun, target in zip(own["tahun"], own["target"], strict=True):
                if not pd.isna(target) and int(tahun) != wb.year:
                    years[int(tahun)] = target
        targets += [
            {"indicator_id": indicator_id, "tahun": t, "target": float(v)}
            for t, v in years.items()
            if not pd.isna(v)
        ]
        values = {(wb.year, 0): row["year_value"], (wb.year - 1, 0): row["realisasi_tahun_lalu"]}
        values.update({(wb.year, q): row[f"tw{q}"] for q in range(1, 5)})
        realizations += [
            {"indicator_id": indicator_id, "tahun": t, "triwulan": q, "realisasi": float(v)}
            for (t, q), v in values.items()
            if not pd.isna(v)
        ]
    if targets:
        conn.execute(insert(FactIndicatorTarget), targets)
    if realizations:
        conn.execute(insert(FactIndicatorRealization), realizations)


def _insert_texts(conn: Connection, wb: IndicatorWorkbook, batch_id: int) -> None:
    """The office's texts, one row per paragraph in sheet order, with the workbook's batch."""
    rows = [
        {"batch_id": batch_id, "position": position, "bagian": key, "teks": paragraph}
        for position, (key, paragraph) in enumerate(
            (key, paragraph) for key, paragraphs in wb.texts.sections.items() for paragraph in paragraphs
        )
    ]
    if rows:
        conn.execute(insert(IndicatorNarrative), rows)
