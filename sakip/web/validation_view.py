"""sakip's own page of a validation run: what each expectation checks, in Indonesian, and the cells
that failed it.

A run (one suite on one file) is stored in the warehouse with the address of its Data Docs page;
GX keeps the result that page was drawn from as JSON in the work folder
(``gx/uncommitted/validations/<same path>.json``, the newest ``gx_keep_results`` of each suite). The
result is read as plain JSON; its texts were html-escaped when stored (for GX's pages) and are
unescaped here, the template escaping them again. A batch's result covers every file of the batch:
only the rows of the run's file are shown. The cells come from the web upload of the same file when
there is one (sheet and cell as the result page showed them), else from the worksheet rows GX names.
"""

from __future__ import annotations

import html
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse

from sakip.web.pipeline import column_label

#: A run's public key: its batch's random run id (32 hex digits) and its row's number
KEY = re.compile(r"^([0-9a-f]{32,40})-([1-9][0-9]{0,11})$")
#: The longest list of failing cells shown for one expectation
MAX_CELLS = 200

#: What each rule checks, as the steward reads it (the suites' own descriptions are in English).
CHECKS: dict[str, str] = {
    "code.malformed": "Kode rekening sesuai tingkatnya (urusan, program, kegiatan, sub kegiatan)",
    "code.duplicate": "Tidak ada kode yang muncul dua kali dalam satu berkas",
    "code.orphan": "Setiap baris punya baris induk di berkas yang sama",
    "header.meta_missing": "Kepala laporan memuat kode OPD",
    "amount.negative": "Tidak ada jumlah rupiah yang negatif",
    "amount.subtotal_mismatch": "Setiap baris subtotal sama dengan jumlah rinciannya, sampai rupiah",
    "cash_plan.months_not_total": "Kolom Jumlah sub kegiatan sama dengan jumlah dua belas bulannya",
    "cash_plan.months_not_budget": "Jumlah dua belas bulan sub kegiatan sama dengan anggarannya",
    "period.wrong_year": "Tahun berkas sama dengan tahun yang diproses",
    "period.wrong_month": "Bulan berkas sama dengan bulan yang diproses",
    "period.opd_unknown": "OPD terdaftar",
    "cash_plan.duplicate_year": "Satu workbook anggaran kas per OPD dan tahun dalam satu kiriman",
    "indicator.missing_value": "Setiap indikator punya nama dan target",
    "indicator.target_not_positive": "Target lebih besar dari nol",
    "indicator.direction_unknown": "Arah indikator positif atau negatif",
    "indicator.jenis_unknown": "Tingkat indikator: tujuan, sasaran, program atau kegiatan",
    "indicator.formula_unknown": "Rumus capaian: standar atau selisih",
    "indicator.duplicate": "Satu baris per tingkat dan nomor indikator",
    "indicator.quarterly_inconsistent": (
        "Nilai tahunan sesuai nilai triwulan (jumlah untuk hitungan, nilai terakhir selain itu)"
    ),
    "indicator.capaian_beyond_bound": "Capaian di luar batas wajar perlu dikonfirmasi",
    "amount.realization_over_budget": "Realisasi s.d. bulan ini tidak melebihi anggaran",
    "amount.month_over_cumulative": "Realisasi bulan ini tidak melebihi realisasi s.d. bulan ini",
    "amount.kas_over_budget": "Anggaran kas s.d. bulan ini tidak melebihi anggaran",
    "amount.fisik_range": "Capaian fisik antara 0 dan 100 %",
    "period.cumulative_decreased": (
        "Realisasi s.d. bulan ini tidak turun dari bulan lalu, kecuali berkas koreksi"
    ),
    "period.month_inconsistent": (
        "Realisasi bulan ini = realisasi s.d. bulan ini dikurangi realisasi s.d. bulan lalu"
    ),
    "period.next_month_inconsistent": (
        "Bila bulan berikutnya sudah dimuat: realisasi s.d. bulan ini cocok dengan bulan berikutnya"
    ),
    "period.budget_changed": (
        "Anggaran hanya berubah saat perubahan anggaran (dilaporkan, tidak menolak berkas)"
    ),
    "batch.duplicate_period": "Satu berkas per OPD dan bulan dalam satu kiriman",
}
#: An expectation of the staging contract (a column's type), not a rule of the steward's
CONTRACT_CHECK = "Struktur data hasil pembacaan sesuai kontrak (tipe kolom {column})"


@dataclass(frozen=True)
class FailingCell:
    """One cell (or row) that broke an expectation."""

    sheet: str
    cell: str
    value: str


@dataclass(frozen=True)
class ExpectationView:
    """One expectation of a run as the page shows it."""

    check: str
    rule: str
    success: bool
    warning: bool
    observed: str
    cells: tuple[FailingCell, ...] = ()
    more_cells: int = 0


@dataclass(frozen=True)
class RunDetails:
    """The expectations of a run, or why they cannot be shown."""

    expectations: tuple[ExpectationView, ...] = field(default_factory=tuple)
    kept: bool = True


def run_key(run_id: str, row_id: int) -> str:
    """The public key of a stored run (unguessable: its batch's run id is random)."""
    return f"{run_id}-{row_id}"


def parse_run_key(key: str) -> tuple[str, int] | None:
    """(run id, row id) of a public key, or None when it is not one."""
    found = KEY.match(key or "")
    return (found.group(1), int(found.group(2))) if found else None


def stored_result_path(workdir: Path, data_docs_url: str) -> Path | None:
    """The stored GX result behind a run's Data Docs page, or None when outside the work folder."""
    parsed = urlparse(data_docs_url or "")
    if parsed.scheme not in ("file", "") or not parsed.path:
        return None
    try:
        page = Path(unquote(parsed.path)).resolve()
        docs = (workdir / "data-docs" / "validations").resolve()
        stored = (workdir / "gx" / "uncommitted" / "validations").resolve()
        if not page.is_relative_to(docs) or page.suffix != ".html":
            return None
        result = (stored / page.relative_to(docs)).with_suffix(".json")
    except (OSError, ValueError):
        return None
    return result if result.is_relative_to(stored) else None


def _unescaped(value: object) -> object:
    """A stored result's value with its texts as they were before GX's pages needed them escaped."""
    if isinstance(value, str):
        return html.unescape(value)
    if isinstance(value, dict):
        return {_unescaped(k): _unescaped(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unescaped(v) for v in value]
    return value


def read_stored_result(path: Path | None) -> dict | None:
    """A stored GX validation result (texts unescaped), or None when it is gone or unreadable."""
    if path is None:
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return _unescaped(data) if isinstance(data, dict) else None


def shown_value(value: object) -> str:
    """A value for the page: numbers the Indonesian way (``1.234.567,5``), lists joined, text as is."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ya" if value else "tidak"
    if isinstance(value, int | float):
        if isinstance(value, float) and math.isnan(value):
            return "-"
        text = f"{value:,.2f}".rstrip("0").rstrip(".") if isinstance(value, float) else f"{value:,}"
        return text.replace(",", "_").replace(".", ",").replace("_", ".")
    if isinstance(value, list | tuple):
        return "; ".join(shown_value(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{column_label(str(k))}: {shown_value(v)}" for k, v in value.items())
    return str(value)


def _check(config: dict) -> str:
    """What an expectation checks, in Indonesian."""
    meta = config.get("meta") or {}
    if meta.get("contract"):
        return CONTRACT_CHECK.format(column=column_label(str(meta.get("field", ""))))
    rule = str(meta.get("rule", ""))
    return CHECKS.get(rule) or str(meta.get("description") or config.get("type", ""))


def _gx_cells(entries: list[dict], meta: dict) -> list[FailingCell]:
    """Failing rows as GX names them: the worksheet row and the value of the rule's column."""
    wanted = str(meta.get("value_field") or meta.get("field") or "")
    cells = []
    for entry in entries:
        values = {k: v for k, v in entry.items() if k not in ("file", "row")}
        value = values.get(wanted, values if len(values) != 1 else next(iter(values.values())))
        where = f"baris {entry.get('row')}" + (f", kolom {column_label(wanted)}" if wanted else "")
        cells.append(FailingCell("", where, shown_value(value)))
    return cells


def expectation_views(result: dict, file_label: str, issues: list[dict]) -> list[ExpectationView]:
    """Each expectation of a stored result for one file of its batch: check, success, observed value,
    failing cells (from ``issues``, the web upload's, when they name the rule; else GX's rows)."""
    views = []
    for outcome in result.get("results") or []:
        config = outcome.get("expectation_config") or {}
        meta = config.get("meta") or {}
        rule = str(meta.get("rule", ""))
        found = outcome.get("result") or {}
        entries = [
            e
            for e in found.get("unexpected_index_list") or []
            if isinstance(e, dict) and str(e.get("file", "")) == file_label
        ]
        batch_failed = not outcome.get("success", True)
        success = not entries if "unexpected_index_list" in found else not batch_failed
        if "observed_value" in found:
            observed = shown_value(found["observed_value"])
        elif "unexpected_index_list" in found:
            observed = f"{len(entries)} baris tidak sesuai" if entries else "semua baris sesuai"
        else:
            observed = ""
        cells: list[FailingCell] = []
        if not success:
            named = [i for i in issues if i.get("rule") == rule]
            cells = (
                [
                    FailingCell(str(i.get("sheet", "")), str(i.get("cell", "")), str(i.get("value", "")))
                    for i in named
                ]
                if named
                else _gx_cells(entries, meta)
            )
        views.append(
            ExpectationView(
                check=_check(config),
                rule=rule,
                success=success,
                warning=str(config.get("severity", "")) == "warning",
                observed=observed,
                cells=tuple(cells[:MAX_CELLS]),
                more_cells=max(0, len(cells) - MAX_CELLS),
            )
        )
    return sorted(views, key=lambda v: (v.success, v.warning))


def run_details(workdir: Path, data_docs_url: str, file_label: str, issues_json: str | None) -> RunDetails:
    """The expectations of a stored run, or ``kept=False`` when GX's stored result is gone."""
    result = read_stored_result(stored_result_path(workdir, data_docs_url))
    if result is None:
        return RunDetails(kept=False)
    try:
        issues = json.loads(issues_json or "[]")
    except ValueError:
        issues = []
    issues = [i for i in issues if isinstance(i, dict)] if isinstance(issues, list) else []
    return RunDetails(tuple(expectation_views(result, file_label, issues)))
