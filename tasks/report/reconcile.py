"""Reconcile a published LKjIP against the data: every printed cell that the data does not give.

The published report is a folder of CSV files in the shape of ``tests/data/lkjip-2022`` (one file per
table, ``*_tercetak`` columns holding values exactly as printed). Each printed cell is compared with
the value the warehouse gives, by the rule of its column:

- amounts (rupiah): exactly;
- percentages and indicator values: at the printed rounding, two decimals, half up;
- labels (kategori, the Table 3.4 efficiency label): loosely (case, spacing, punctuation);
- names (programs, kegiatan, sasaran, indicators): loosely: case, ``.``/``,`` punctuation, spacing
  and ``/`` spacing are not misprints, only different words are.

The Table 3.4 ``keterangan`` column is reconciled as a label: where the document prints an
explanation instead of the label the rule gives, that is listed (the explanation may be right as a
comment, but the cell no longer says whether the sasaran is efficient).

A blank printed where the data has a value is listed; so are rows only on one side.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path

import pandas as pd

from tasks.core.formatting import digits_text
from tasks.core.problems import UsageProblem
from tasks.core.text import loose_text
from tasks.report.build import build_tables
from tasks.report.checks import Check, TableSpec
from tasks.report.extras import report_extras
from tasks.report.tables import REGISTRY, table_id_of
from warehouse.queries import report_scope

FINDING_COLUMNS = ["tabel", "baris", "kolom", "tercetak", "data", "aturan", "jenis"]


#: The funding sources of chapter III.D, reconciled like a table (not one of the LKjIP tables).
SUMBER_DANA = TableSpec(
    "sumber_dana*.csv",
    "sumber_dana",
    "Sumber dana (Bab III.D)",
    (("sumber", "sumber"),),
    (Check("jumlah", "jumlah", "amount"),),
)


def table_specs(year: int, published_columns: dict[str, list[str]]) -> list[TableSpec]:
    """The comparison of every reconciled table (its module's rule, year-dependent columns resolved)."""
    specs = [
        table.reconcile(year, published_columns.get(table.table_id, []))
        for table in REGISTRY
        if table.reconcile is not None
    ]
    return [*specs, SUMBER_DANA]


def _missing(value: object) -> bool:
    """True for None, NaN and empty text."""
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() == ""
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _decimal(value: object) -> Decimal | None:
    """A number as an exact decimal (floats by their shortest repr), None when not a number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            return None
        return Decimal(repr(float(value))) if isinstance(value, float) else Decimal(value)
    try:
        return Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None


def _printed(value: Decimal) -> Decimal:
    """Two decimals, half up, as the document prints."""
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def values_agree(kind: str, published: object, data: object) -> bool:
    """Whether a printed value agrees with the data's under the column's rule."""
    if _missing(published) and _missing(data):
        return True
    if _missing(published) or _missing(data):
        return False
    if kind in ("label", "name"):
        return loose_text(published) == loose_text(data)
    p, d = _decimal(published), _decimal(data)
    if p is None or d is None:
        return loose_text(published) == loose_text(data)
    if kind == "amount":
        return p == d
    return _printed(p) == _printed(d)


def show(kind: str, value: object) -> str:
    """A value in its printed form for the findings list (``(kosong)`` for blanks)."""
    if _missing(value):
        return "(kosong)"
    number = _decimal(value) if kind in ("amount", "pct", "value") else None
    if number is None:
        return str(value)
    return digits_text(number, 0 if kind == "amount" else 2)


def _key_text(value: object) -> str:
    """A row key as text (``1`` not ``1.0``; codes untouched; case-insensitive names)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def reconcile_table(spec: TableSpec, published: pd.DataFrame, data: pd.DataFrame) -> list[dict[str, str]]:
    """Findings of one published table against its data table."""
    findings: list[dict[str, str]] = []

    def keyed(frame: pd.DataFrame, columns: list[str]) -> dict[tuple[str, ...], dict]:
        rows = {}
        for record in frame.to_dict("records"):
            key = tuple(_key_text(record.get(c, "")).lower() for c in columns)
            if all(key):
                rows[key] = record
        return rows

    printed_rows = keyed(published, [p for p, _ in spec.keys])
    data_rows = keyed(data, [d for _, d in spec.keys])
    checks = [c for c in spec.checks if c.published in published.columns]
    for key, row in printed_rows.items():
        label = " ".join(_key_text(row[p]) for p, _ in spec.keys)
        other = data_rows.get(key)
        if other is None:
            findings.append(_finding(spec, label, "(baris)", "ada", "tidak ada", "baris tidak ada di data"))
            continue
        for check in checks:
            value, expected = row.get(check.published), other.get(check.data)
            if not values_agree(check.kind, value, expected):
                kind = "kosong di laporan" if _missing(value) else "beda nilai"
                findings.append(
                    _finding(
                        spec,
                        label,
                        check.published,
                        show(check.kind, value),
                        show(check.kind, expected),
                        check.rule_text,
                        kind,
                    )
                )
    for key, row in data_rows.items():
        if key not in printed_rows:
            label = " ".join(_key_text(row[d]) for _, d in spec.keys)
            findings.append(
                _finding(
                    spec,
                    label,
                    "(baris)",
                    "tidak ada",
                    "ada",
                    "baris data tidak tercetak",
                    "baris tidak tercetak",
                )
            )
    return findings


def _finding(
    spec: TableSpec, row: str, column: str, printed: str, data: str, rule: str, kind: str | None = None
) -> dict[str, str]:
    """One line of the findings list."""
    return {
        "tabel": spec.title,
        "baris": row,
        "kolom": column,
        "tercetak": printed,
        "data": data,
        "aturan": rule,
        "jenis": kind or rule,
    }


def read_published(folder: Path) -> dict[str, tuple[Path, pd.DataFrame]]:
    """The published tables found in the folder, keyed by table id (codes and numbers kept as text)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder} is not a folder")
    found: dict[str, tuple[Path, pd.DataFrame]] = {}
    for spec in table_specs(0, {}):
        matches = sorted(folder.glob(spec.pattern))
        if matches:
            frame = pd.read_csv(
                matches[0],
                dtype={"kode": str, "no": str, "program_kode": str, "jenis": str},
                keep_default_na=True,
            )
            found[spec.table_id] = (matches[0], frame)
    return found


def reconcile(
    tables: dict[str, pd.DataFrame], published_dir: Path, year: int, sumber_dana: pd.Series | None = None
) -> pd.DataFrame:
    """Every printed cell of the published folder that the data tables do not give, as a findings table.

    A folder holding none of the published tables is an error, not a report without differences.
    """
    published = read_published(published_dir)
    if not published:
        patterns = ", ".join(spec.pattern for spec in table_specs(year, {}))
        raise UsageProblem("reconcile.no_tables", folder=str(published_dir), patterns=patterns)
    data = dict(tables)
    if sumber_dana is not None:
        data["sumber_dana"] = pd.DataFrame(
            {"sumber": sumber_dana.index.astype(str), "jumlah": sumber_dana.values}
        )
    columns = {table_id: list(frame.columns) for table_id, (_path, frame) in published.items()}
    findings: list[dict[str, str]] = []
    for spec in table_specs(year, columns):
        if spec.table_id not in published:
            continue
        _path, frame = published[spec.table_id]
        if spec.table_id not in data:
            findings.append(
                _finding(spec, "", "(tabel)", "ada", "tidak ada", "tabel tidak dapat dihitung dari data")
            )
            continue
        findings += reconcile_table(spec, frame, data[spec.table_id])
    return pd.DataFrame(findings, columns=FINDING_COLUMNS)


def reconcile_warehouse(
    engine,
    opd_code: str,
    year: int,
    published_dir: Path,
    capaian_scale: Sequence[tuple[float, str]],
    efficiency_threshold_pct: float,
) -> pd.DataFrame:
    """Reconcile the published folder against the tables the warehouse gives for the OPD and year."""
    tables = build_tables(engine, opd_code, year, capaian_scale, efficiency_threshold_pct)
    extras = report_extras(engine, opd_code, year, report_scope(engine, opd_code, year).month)
    if not extras.murni.empty:
        tables[table_id_of("budget_change")] = extras.murni
    return reconcile(tables, published_dir, year, extras.sumber_dana)


def findings_text(findings: pd.DataFrame) -> str:
    """The findings as a table for the screen."""
    if findings.empty:
        return "Tidak ada perbedaan: setiap sel yang tercetak sesuai dengan data."
    shown = findings.copy()
    shown["aturan"] = shown["aturan"].str.slice(0, 60)
    return f"{len(findings)} sel berbeda dari data:\n" + shown.to_string(index=False)
