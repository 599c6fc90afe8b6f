"""What a run publishes: short human-readable summaries (markdown, tables) for Prefect artifacts and the
console, each with its artifact key and description; the flows only hand them to Prefect.

Every text from the data goes through :func:`tasks.core.text.markdown_text`: the Prefect UI renders
artifacts (table artifact cells too) as markdown, so raw text could add markup, links or columns.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from tasks.core.calendar import BULAN
from tasks.core.formatting import format_percent, format_rupiah
from tasks.core.text import markdown_text, printable

if TYPE_CHECKING:
    from tasks.core.issues import InputIssue
    from tasks.operations.intake import FileOutcome
    from tasks.validate.context import SuiteRun


#: Runs with more OPDs than this publish the city-level consolidation instead of one monitoring per OPD,
#: and log a summary instead of every file's line.
MONITORING_ARTIFACT_LIMIT = 10

Period = tuple[str, int, int]  # (OPD code, year, month)


@dataclass(frozen=True)
class MarkdownArtifact:
    """A markdown artifact of a run: its key (unique per OPD-month), text and description."""

    key: str
    markdown: str
    description: str


def outcome_counts(outcomes: Sequence[FileOutcome]) -> dict[str, int]:
    """How many files of a run loaded, were unchanged or were rejected."""
    return {
        status: sum(o.status == status for o in outcomes) for status in ("loaded", "unchanged", "rejected")
    }


def loaded_periods(outcomes: Sequence[FileOutcome]) -> list[Period]:
    """The OPD-months a run loaded realization for (or found already loaded), sorted."""
    return sorted(
        {
            (o.opd_code, o.year, o.month)
            for o in outcomes
            if o.kind == "realization" and o.status in ("loaded", "unchanged")
        }
    )


def one_opd(periods: Sequence[Period]) -> bool:
    """True when the run's months are all of one OPD (its programs are shown month by month)."""
    return len({opd_code for opd_code, _, _ in periods}) == 1


def months_of(periods: Sequence[Period]) -> list[tuple[int, int]]:
    """The (year, month) of the run's periods, sorted: one consolidation artifact each."""
    return sorted({(year, month) for _, year, month in periods})


def monitored_months(periods: Sequence[Period]) -> list[Period]:
    """The newest month of each OPD, whose monitoring the run publishes (none for a city's run)."""
    latest = {opd_code: (year, month) for opd_code, year, month in periods}
    if len(latest) > MONITORING_ARTIFACT_LIMIT:  # a city's run: the consolidation; `sakip monitoring` per OPD
        return []
    return [(opd_code, year, month) for opd_code, (year, month) in sorted(latest.items())]


def _slug(opd_code: str) -> str:
    """An OPD code as part of an artifact key (dots become dashes, lower case)."""
    return opd_code.replace(".", "-")


def absorption_artifact(summary: pd.DataFrame, opd_code: str, year: int, month: int) -> MarkdownArtifact:
    """The per-program absorption of one OPD-month as an artifact."""
    return MarkdownArtifact(
        f"serapan-{_slug(opd_code)}-{year}-{month:02d}".lower(),
        absorption_markdown(summary, opd_code, year, month),
        f"Serapan anggaran {opd_code} {month:02d}/{year}",
    )


def consolidation_artifact(markdown: str, year: int, month: int) -> MarkdownArtifact:
    """Every OPD's absorption of one month (its markdown) as an artifact."""
    return MarkdownArtifact(
        f"konsolidasi-serapan-{year}-{month:02d}", markdown, f"Konsolidasi serapan {month:02d}/{year}"
    )


def monitoring_artifact(markdown: str, opd_code: str, year: int, month: int) -> MarkdownArtifact:
    """The monitoring of one OPD-month (its markdown) as an artifact."""
    return MarkdownArtifact(
        f"monitoring-{_slug(opd_code)}-{year}-{month:02d}".lower(),
        markdown,
        f"Monitoring realisasi {opd_code} {month:02d}/{year}",
    )


def absorption_markdown(summary: pd.DataFrame, opd_code: str, year: int, month: int) -> str:
    """Per-program absorption of one OPD-month as a markdown table (in Bahasa Indonesia)."""
    lines = [
        f"### Serapan anggaran {markdown_text(opd_code)} s.d. {BULAN[month - 1]} {year}",
        "",
        "| Kode | Uraian | Anggaran (Rp) | Realisasi s.d. bulan ini (Rp) | Serapan % | RAK % "
        "| Deviasi (poin) |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in summary.itertuples(index=False):
        lines.append(
            f"| {markdown_text(row.kode)} | {markdown_text(row.uraian)} | {format_rupiah(row.anggaran)} | "
            f"{format_rupiah(row.realisasi_sd_bulan_ini)} | {format_percent(row.serapan)} | "
            f"{format_percent(row.rak_pct)} | {format_percent(row.deviasi_poin)} |"
        )
    return "\n".join(lines)


def validation_table(runs: Sequence[SuiteRun], outcomes: Sequence[FileOutcome]) -> list[dict[str, object]]:
    """One row per file: suite, result, failed expectations, errors, warnings, status and Data Docs page.

    The cells are markdown (the Prefect UI renders table artifact cells as markdown).
    """
    status = {outcome.name: outcome.status for outcome in outcomes}
    return [
        {
            "berkas": markdown_text(run.file),
            "suite": markdown_text(f"{run.suite} {run.suite_version}"),
            "lulus": "ya" if run.success else "tidak",
            "ekspektasi_gagal": f"{run.failed}/{run.evaluated}",
            "galat": run.errors,
            "peringatan": run.warnings,
            "status": status.get(run.file, ""),
            "data_docs": markdown_text(run.data_docs_url),
        }
        for run in runs
    ]


#: Problems of one file listed in the run's log and in its rejection artifact; the file's quarantine
#: summary (``<name>.txt``) lists them all.
ISSUES_LISTED_PER_FILE = 50


def outcome_log_lines(outcomes: Sequence[FileOutcome], *, every_file: bool = True) -> list[tuple[int, str]]:
    """(log level, line) for the run's log: each file's outcome, then one line per problem found in it.

    A rejected file's lines are warnings: its outcome and where it was quarantined, then each problem
    with file, sheet, cell, message and rule (in English). Files without problems get their outcome
    line only with ``every_file``. Control characters in names and cell texts are shown escaped.
    """
    lines: list[tuple[int, str]] = []
    for outcome in outcomes:
        rejected = outcome.status == "rejected"
        if not (every_file or rejected or outcome.issues):
            continue
        level = logging.WARNING if rejected else logging.INFO
        head = f"{outcome.name}: {outcome.status}" + ("" if rejected else f" ({outcome.rows} rows)")
        if outcome.issues:
            head += f", {len(outcome.issues)} {'problem' if rejected else 'warning'}(s)"
        if outcome.quarantined is not None:
            head += f", quarantined in {outcome.quarantined.parent}"
        lines.append((level, printable(head)))
        shown = outcome.issues[:ISSUES_LISTED_PER_FILE]
        lines += [(level, printable(f"  {issue.describe('en')}")) for issue in shown]
        if len(outcome.issues) > len(shown):
            more = len(outcome.issues) - len(shown)
            lines.append((level, printable(f"  ... {more} more in the quarantine summary of {outcome.name}")))
    return lines


def rejection_table(outcomes: Sequence[FileOutcome], lang: str = "id") -> list[dict[str, str]]:
    """One row per problem of every rejected file, unreadable files included (a Prefect table artifact).

    Columns ``berkas, sheet, sel, aturan, pesan, karantina``; the message in ``lang``. Every cell is
    shown literally: control characters escaped, and markdown, which the Prefect UI renders table
    cells with, escaped too.
    """
    rows: list[dict[str, str]] = []
    for outcome in outcomes:
        if outcome.status != "rejected":
            continue
        shown = outcome.issues[:ISSUES_LISTED_PER_FILE]
        cells = [(i.sheet, _location(i, lang), i.rule, i.message(lang)) for i in shown]
        if len(outcome.issues) > len(shown):
            more = len(outcome.issues) - len(shown)
            note = (
                "masalah lain: lihat ringkasan di karantina"
                if lang == "id"
                else "more: see the quarantine summary"
            )
            cells.append(("", "", "", f"… {more} {note}"))
        where = str(outcome.quarantined.parent) if outcome.quarantined is not None else ""
        rows += [
            {
                "berkas": outcome.name,
                "sheet": sheet,
                "sel": cell,
                "aturan": rule,
                "pesan": text,
                "karantina": where,
            }
            for sheet, cell, rule, text in cells or [("", "", "", "")]
        ]
    return [{key: markdown_text(printable(value)) for key, value in row.items()} for row in rows]


def _location(issue: InputIssue, lang: str) -> str:
    """The cell (``G14``), else the row or column of a problem, else ""."""
    if issue.cell:
        return issue.cell
    if issue.row:
        return f"{'row' if lang == 'en' else 'baris'} {issue.row}"
    return f"{'column' if lang == 'en' else 'kolom'} {issue.column}" if issue.column else ""
