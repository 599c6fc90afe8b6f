"""Validation of staged workbooks with Great Expectations: every rule is an expectation.

The suites are version-controlled JSON in ``expectations/suites``; at run time they are loaded into a
file-backed GX context in the work folder (``<workdir>/gx``), whose Data Docs site is
``<workdir>/data-docs``. A batch (one file, or all files of a run) is validated as one stacked frame
in which every row carries its ``file`` and worksheet ``row``, so each failure is traced back to the
cell a data steward must fix.

A GX context must not be shared across threads: :func:`validator_for` keeps one per thread.

Data Docs pages show the failing values and the file names as they are; the stored result a page is
built from has its values html-escaped first (GX writes them into the page unescaped).
"""

from __future__ import annotations

import json
import math
import re
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

import expectations.custom as custom_expectations
from tasks.core import metrics
from tasks.core.hierarchy import node_keys, parent_codes
from tasks.core.issues import InputIssue
from tasks.core.metrics import QUARTERS, quarterly_year_value, year_value_aggregation
from tasks.core.staging import IndicatorWorkbook, RealizationWorkbook, file_labels
from tasks.core.text import html_escape_tree

SUITES_DIR = Path(custom_expectations.__file__).resolve().parent / "suites"
REALIZATION_SUITE = "realisasi_bulanan"
INDICATOR_SUITE = "indikator_tahunan"
DATA_DOCS_SITE = "sakip"
#: Rules about the whole file: reported once per file, at the header-block cell they concern.
FILE_LEVEL_RULES = {
    "period.wrong_year": "year",
    "period.wrong_month": "month",
    "period.opd_unknown": "opd",
    "header.meta_missing": "opd",
    "batch.duplicate_period": "month",
}
AMOUNT_COLUMNS = (
    "anggaran_rp",
    "anggaran_murni_rp",
    "realisasi_bulan_ini_rp",
    "realisasi_sd_bulan_ini_rp",
    "anggaran_kas_sd_bulan_ini_rp",
)


class SuiteLoadError(RuntimeError):
    """A suite did not load whole (an expectation type unknown to GX would be dropped silently)."""


@dataclass(frozen=True)
class SuiteRun:
    """The outcome of one suite on one file."""

    file: str
    sha256: str
    suite: str
    suite_version: str
    success: bool
    evaluated: int
    failed: int
    errors: int
    warnings: int
    data_docs_url: str
    opd_code: str = ""
    year: int | None = None
    month: int | None = None


@dataclass
class BatchValidation:
    """Issues per file (keyed by its label, see :func:`tasks.staging.file_labels`), one suite run per file."""

    issues: dict[str, list[InputIssue]] = field(default_factory=dict)
    runs: list[SuiteRun] = field(default_factory=list)


# ----------------------------------------------------------------------------------------------
# Staged frames for GX
# ----------------------------------------------------------------------------------------------

PreviousLookup = Callable[[str, int, int], pd.DataFrame | None]
Labels = Mapping[Path, str]


def labels_of(workbooks: Iterable[RealizationWorkbook | IndicatorWorkbook], labels: Labels | None) -> Labels:
    """The given labels, or the workbooks' own (their names, paths where two names clash)."""
    return labels if labels is not None else file_labels(wb.path for wb in workbooks)


def realization_frame(
    workbooks: Sequence[RealizationWorkbook],
    previous: PreviousLookup,
    corrections: Iterable[str] = (),
    labels: Labels | None = None,
    following: PreviousLookup | None = None,
) -> pd.DataFrame:
    """All realization workbooks of a batch stacked, with tree keys, last month's and next month's figures.

    ``previous(opd_code, year, month)`` gives the sub kegiatan rows (``kode``, ``realisasi_sd_bulan_ini_rp``,
    ``anggaran_rp``) of the month before, or None when that month is unknown; January starts from zero.
    ``following`` gives the rows (``kode``, ``realisasi_bulan_ini_rp``, ``realisasi_sd_bulan_ini_rp``) of
    the month after, where one is already loaded (``next_*`` columns; NaN otherwise).
    ``effective_realisasi_sd_bulan_ini_rp`` is the realization to date as it will be loaded: the file's,
    or, for a file giving only the month column, last month's to date plus this month.
    Each row's ``file`` is its file's label (unique in the batch); ``corrections`` are labels too.
    """
    if not workbooks:
        return pd.DataFrame()
    corrected = set(corrections)
    labels = labels_of(workbooks, labels)
    names = [labels[wb.path] for wb in workbooks]
    sizes = [len(wb.lines) for wb in workbooks]
    frame = pd.concat([wb.lines for wb in workbooks], ignore_index=True)
    frame["file"] = np.repeat(names, sizes)
    frame["opd_code"] = np.repeat([wb.opd_code for wb in workbooks], sizes)
    frame["year"] = np.repeat([wb.year for wb in workbooks], sizes)
    frame["month"] = np.repeat([wb.month for wb in workbooks], sizes)
    frame["is_correction"] = np.repeat([name in corrected for name in names], sizes)
    frame["node_key"] = node_keys(frame)
    frame["parent_key"] = parent_codes(frame).where(frame["level"] != "total", None)
    befores = {
        name: before
        for wb, name in zip(workbooks, names, strict=True)
        if (before := _previous_month(wb, previous)) is not None
    }
    subs = (frame["level"] == "sub_kegiatan").to_numpy()
    _attach_month(
        frame,
        subs,
        befores,
        {"realisasi_sd_bulan_ini_rp": "prev_realisasi_sd_bulan_ini_rp", "anggaran_rp": "prev_anggaran_rp"},
    )
    frame.loc[subs & (frame["month"] == 1), "prev_realisasi_sd_bulan_ini_rp"] = 0.0
    # as the load derives it: a code missing from a known previous month starts from zero
    previous_known = np.repeat(
        [wb.month <= 1 or name in befores for wb, name in zip(workbooks, names, strict=True)], sizes
    )
    before = frame["prev_realisasi_sd_bulan_ini_rp"].fillna(0.0).where(previous_known & subs)
    frame["effective_realisasi_sd_bulan_ini_rp"] = frame["realisasi_sd_bulan_ini_rp"].where(
        frame["realisasi_sd_bulan_ini_rp"].notna(), before + frame["realisasi_bulan_ini_rp"]
    )
    afters = {
        name: after
        for wb, name in zip(workbooks, names, strict=True)
        if following is not None
        and wb.month < 12
        and (after := following(wb.opd_code, wb.year, wb.month + 1)) is not None
    }
    _attach_month(
        frame,
        subs,
        afters,
        {
            "realisasi_bulan_ini_rp": "next_realisasi_bulan_ini_rp",
            "realisasi_sd_bulan_ini_rp": "next_realisasi_sd_bulan_ini_rp",
        },
    )
    # the amendment month: last month's budget became this month's Anggaran Murni
    murni = frame["anggaran_murni_rp"]
    frame["amendment"] = (
        murni.notna()
        & ((frame["prev_anggaran_rp"] - murni).abs() <= custom_expectations.RUPIAH_TOLERANCE)
        & ((frame["anggaran_rp"] - murni).abs() > custom_expectations.RUPIAH_TOLERANCE)
    )
    return frame


def _attach_month(
    frame: pd.DataFrame, subs: np.ndarray, months: dict[str, pd.DataFrame], columns: dict[str, str]
) -> None:
    """Put another month's sub kegiatan figures (per file label: its rows by ``kode``) on the frame's
    sub kegiatan rows, as the ``columns`` named (source -> new column; NaN where unknown)."""
    for name in columns.values():
        frame[name] = math.nan
    if not months:
        return
    known = (
        pd.concat([rows.assign(file=name) for name, rows in months.items()], ignore_index=True)
        .drop_duplicates(["file", "kode"])
        .set_index(["file", "kode"])
    )
    wanted = pd.MultiIndex.from_arrays([frame.loc[subs, "file"], frame.loc[subs, "kode"]])
    for source, name in columns.items():
        frame.loc[subs, name] = known[source].reindex(wanted).to_numpy()


def _previous_month(wb: RealizationWorkbook, previous: PreviousLookup) -> pd.DataFrame | None:
    """The sub kegiatan rows of the month before ``wb`` (None in January or when unknown)."""
    if wb.month <= 1:
        return None
    return previous(wb.opd_code, wb.year, wb.month - 1)


def batch_previous_lookup(
    workbooks: Sequence[RealizationWorkbook], fallback: PreviousLookup
) -> PreviousLookup:
    """Last month's rows from the batch itself when it holds that month, else from ``fallback``.

    A month of the batch giving only the month column gets its realization to date as the load will
    derive it (the month before's to date plus this month), so the month after is checked against it.
    """
    by_period = {(wb.opd_code, wb.year, wb.month): wb for wb in workbooks}
    found: dict[tuple[str, int, int], pd.DataFrame | None] = {}

    def lookup(opd_code: str, year: int, month: int) -> pd.DataFrame | None:
        key = (opd_code, year, month)
        wb = by_period.get(key)
        if wb is None:
            return fallback(opd_code, year, month)
        if key not in found:
            subs = wb.lines[wb.lines["level"] == "sub_kegiatan"]
            rows = subs[["kode", "realisasi_sd_bulan_ini_rp", "anggaran_rp"]]
            if rows["realisasi_sd_bulan_ini_rp"].isna().any():
                before = lookup(opd_code, year, month - 1) if month > 1 else rows.iloc[:0]
                to_date = math.nan
                if before is not None:
                    earlier = before.drop_duplicates("kode").set_index("kode")["realisasi_sd_bulan_ini_rp"]
                    earlier = earlier.reindex(subs["kode"]).fillna(0.0).to_numpy()
                    to_date = earlier + subs["realisasi_bulan_ini_rp"].to_numpy()
                rows = rows.assign(realisasi_sd_bulan_ini_rp=to_date)
            found[key] = rows
        return found[key]

    return lookup


def indicator_frame(workbooks: Sequence[IndicatorWorkbook], labels: Labels | None = None) -> pd.DataFrame:
    """All indicator workbooks of a batch stacked, with the quarter aggregation and capaian."""
    labels = labels_of(workbooks, labels)
    frames = []
    for wb in workbooks:
        frame = wb.indicators.assign(file=labels[wb.path], opd_code=wb.opd_code, year=wb.year)
        frame["aggregation"] = year_value_aggregation(frame)
        implied = quarterly_year_value(frame, QUARTERS, "aggregation")
        year_value = frame["realisasi"].where(frame["realisasi"].notna(), implied)
        known_rule = frame["rumus_capaian"].where(
            frame["rumus_capaian"].isin(["standar", "selisih"]), "standar"
        )
        known_arah = frame["arah"].where(frame["arah"].isin(["positif", "negatif"]), "positif")
        frame["capaian"] = metrics.capaian_series(frame["target"], year_value, known_arah, known_rule)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


# ----------------------------------------------------------------------------------------------
# The GX context
# ----------------------------------------------------------------------------------------------


#: The columns naming a failing row in GX results: the file and its worksheet row.
UNEXPECTED_INDEX = ("file", "row")


def suite_names(definition: dict) -> frozenset[str]:
    """Every word in a suite's expectation arguments: a superset of the columns it reads."""
    words = re.findall(
        r"[A-Za-z_][A-Za-z0-9_]*", json.dumps([e["kwargs"] for e in definition["expectations"]])
    )
    return frozenset(words)


def compact_frame(frame: pd.DataFrame, names: set[str] | frozenset[str]) -> pd.DataFrame:
    """The frame GX gets: only the columns the suite reads, text columns as categoricals.

    GX filters the whole frame for every row condition and hashes key columns for every uniqueness and
    grouping; on a province's batch (hundreds of thousands of rows) that costs seconds with text
    columns and a fraction with categoricals (integer codes). Values and row order are unchanged.
    """
    keep = [name for name in frame.columns if name in names]
    compact = frame[keep].copy()
    for name in keep:
        if pd.api.types.is_string_dtype(compact[name]) or compact[name].dtype == object:
            codes, uniques = pd.factorize(compact[name])  # categories in order of appearance: no sort
            compact[name] = pd.Categorical.from_codes(codes, categories=uniques)
    return compact


def load_suite_definitions() -> dict[str, dict]:
    """The suite JSON files of ``expectations/suites``, by suite name."""
    return {
        (data := json.loads(path.read_text(encoding="utf-8")))["name"]: data
        for path in sorted(SUITES_DIR.glob("*.json"))
    }


class Validator:
    """One file-backed GX context with the project's suites, checkpoints and Data Docs site."""

    def __init__(self, workdir: Path, keep_results: int = 30):
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

        self.workdir = workdir.resolve()
        self.docs_dir = self.workdir / "data-docs"
        self.keep_results = keep_results
        self.context = gx.get_context(mode="file", project_root_dir=str(self.workdir))
        self.context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
        self.context.variables.save()
        self._configure_docs_site()
        self.suites: dict[str, object] = {}
        self.versions: dict[str, str] = {}
        self.names: dict[str, frozenset[str]] = {}
        self.checkpoints: dict[str, object] = {}
        source = self.context.data_sources.add_or_update_pandas("sakip")
        for name, definition in load_suite_definitions().items():
            suite = self._load_suite(definition)
            asset = source.add_dataframe_asset(name)
            batch = asset.add_batch_definition_whole_dataframe(name)
            validation = self.context.validation_definitions.add_or_update(
                gx.ValidationDefinition(name=name, data=batch, suite=suite)
            )
            self.checkpoints[name] = self.context.checkpoints.add_or_update(
                gx.Checkpoint(
                    name=name,
                    validation_definitions=[validation],
                    actions=[],
                    result_format={
                        "result_format": "COMPLETE",
                        "unexpected_index_column_names": list(UNEXPECTED_INDEX),
                        "return_unexpected_index_query": False,
                    },
                )
            )
            self.suites[name] = suite
            self.versions[name] = str(definition.get("meta", {}).get("version", ""))
            self.names[name] = suite_names(definition)

    def _configure_docs_site(self) -> None:
        """Data Docs go to ``<workdir>/data-docs`` (plain HTML files)."""
        sites = dict(self.context.variables.data_docs_sites or {})
        wanted = {
            "class_name": "SiteBuilder",
            "show_how_to_buttons": False,
            "store_backend": {
                "class_name": "TupleFilesystemStoreBackend",
                "base_directory": str(self.docs_dir),
            },
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        }
        if sites.get(DATA_DOCS_SITE) == wanted and list(sites) == [DATA_DOCS_SITE]:
            return
        for name in list(sites):
            self.context.delete_data_docs_site(name)
        self.context.add_data_docs_site(site_name=DATA_DOCS_SITE, site_config=wanted)

    def _load_suite(self, definition: dict):
        """Load one suite into the context; every expectation of the JSON must survive the load."""
        import great_expectations as gx

        expected = [e["type"] for e in definition["expectations"]]
        suite = gx.ExpectationSuite(**definition)
        loaded = [e.expectation_type for e in suite.expectations]
        if len(loaded) != len(expected):
            missing = sorted(set(expected) - set(loaded)) or expected
            raise SuiteLoadError(
                f"suite {definition['name']}: {len(loaded)} of {len(expected)} expectations loaded; "
                f"not loaded: {missing} (is their module imported?)"
            )
        return self.context.suites.add_or_update(suite)

    def run(self, suite: str, frame: pd.DataFrame, parameters: dict[str, object]):
        """Run the suite's checkpoint on ``frame``; returns the expectation results and the docs URL."""
        from great_expectations.core.run_identifier import RunIdentifier

        result = self.checkpoints[suite].run(
            batch_parameters={"dataframe": compact_frame(frame, self.names[suite] | set(UNEXPECTED_INDEX))},
            expectation_parameters=parameters,
            run_id=RunIdentifier(run_name=suite),
        )
        identifier, validation = next(iter(result.run_results.items()))
        for outcome in validation.results:
            info = outcome.exception_info or {}
            if info.get("raised_exception"):
                name = outcome.expectation_config.type
                raise RuntimeError(f"expectation {name} failed to run: {info.get('exception_message')}")
        self._escape_stored_values(identifier)
        self.context.build_data_docs(site_names=[DATA_DOCS_SITE], resource_identifiers=[identifier])
        urls = self.context.get_docs_sites_urls(resource_identifier=identifier, site_name=DATA_DOCS_SITE)
        self.prune_results(suite)
        return validation.results, (urls[0]["site_url"] if urls else "")

    def _escape_stored_values(self, identifier) -> None:
        """Html-escape the values and file names in the stored result its Data Docs page is built from.

        The results returned to the caller are the checkpoint's own, untouched.
        """
        store = self.context.validation_results_store
        stored = store.get(identifier)
        changed = False
        for outcome in stored.results:
            escaped = html_escape_tree(outcome.result)
            if escaped != outcome.result:
                outcome.result, changed = escaped, True
        if changed:
            store.set(identifier, stored)

    def prune_results(self, suite: str) -> None:
        """Keep the newest ``keep_results`` stored results of a suite (and their Data Docs pages)."""
        stored = self.workdir / "gx" / "uncommitted" / "validations" / suite
        if not stored.is_dir():
            return
        results = sorted(stored.rglob("*.json"), key=lambda p: (p.stat().st_mtime, str(p)))
        for old in results[: max(0, len(results) - self.keep_results)]:
            relative = old.relative_to(stored.parent).with_suffix(".html")
            old.unlink(missing_ok=True)
            (self.docs_dir / "validations" / relative).unlink(missing_ok=True)
        for root in (stored, self.docs_dir / "validations" / suite):
            for folder in sorted((p for p in root.rglob("*") if p.is_dir()), key=lambda p: -len(p.parts)):
                if not any(folder.iterdir()):
                    folder.rmdir()


_LOCAL = threading.local()


def validator_for(workdir: Path, keep_results: int = 30) -> Validator:
    """This thread's validator for a work folder (a GX context is never shared across threads)."""
    cache: dict[Path, Validator] = getattr(_LOCAL, "validators", None) or {}
    _LOCAL.validators = cache
    key = workdir.resolve()
    if key not in cache:
        cache[key] = Validator(key, keep_results)
    return cache[key]


# ----------------------------------------------------------------------------------------------
# From results to the steward's issues
# ----------------------------------------------------------------------------------------------


def _fmt(value: object) -> str:
    """A number for a message, Indonesian style (``1.234.567,5``); text as is."""
    if isinstance(value, str):
        return value
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(value)
    if math.isnan(number):
        return "-"
    text = f"{number:,.2f}".rstrip("0").rstrip(".")
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


def _fmt_period(value: object) -> str:
    """A year or month for a message, without thousands separators."""
    try:
        return str(int(value))  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return str(value)


def _expected_values(rule: str, meta: dict, frame: pd.DataFrame, parameters: dict) -> pd.Series | None:
    """The value each row should have had, for the message."""
    if rule == "amount.subtotal_mismatch":
        return custom_expectations.sum_of_children(frame, "file", "node_key", "parent_key", meta["field"])
    if rule == "period.month_inconsistent":
        return frame["realisasi_sd_bulan_ini_rp"] - frame["prev_realisasi_sd_bulan_ini_rp"]
    if rule == "period.next_month_inconsistent":
        return frame["next_realisasi_sd_bulan_ini_rp"] - frame["next_realisasi_bulan_ini_rp"]
    if rule == "indicator.quarterly_inconsistent":
        return quarterly_year_value(frame, QUARTERS, "aggregation")
    expected_field = meta.get("expected_field", "")
    if expected_field in frame.columns:
        return frame[expected_field]
    if expected_field in parameters:
        value = parameters[expected_field]
        return pd.Series([value] * len(frame), index=frame.index, dtype=object)
    return None


def results_to_issues(
    results: Iterable,
    frame: pd.DataFrame,
    workbooks: dict[str, RealizationWorkbook | IndicatorWorkbook],
    parameters: dict,
) -> tuple[dict[str, list[InputIssue]], dict[str, set[int]]]:
    """Issues per file from GX results, and per file the indexes of the expectations that failed for it."""
    issues: dict[str, list[InputIssue]] = {name: [] for name in workbooks}
    failed: dict[str, set[int]] = {name: set() for name in workbooks}
    positions = pd.Series(range(len(frame)), index=pd.MultiIndex.from_arrays([frame["file"], frame["row"]]))
    for number, outcome in enumerate(results):
        if outcome.success:
            continue
        config = outcome.expectation_config
        meta = dict(config.meta or {})
        rule, field_name = meta["rule"], meta["field"]
        severity = (
            "warning" if str(getattr(config.severity, "value", config.severity)) == "warning" else "error"
        )
        offending = _offending_fields(rule, meta, frame)
        seen_files: set[str] = set()
        for entry in outcome.result.get("unexpected_index_list") or []:
            file_name, row = str(entry["file"]), int(entry["row"])
            failed[file_name].add(number)
            wb = workbooks[file_name]
            position = int(positions[(file_name, row)])
            values = frame.iloc[position]
            if rule in FILE_LEVEL_RULES:
                if file_name in seen_files:
                    continue
                seen_files.add(file_name)
            fields = [
                f
                for f in meta.get("fields", [field_name])
                if offending is None or offending[f].iloc[position]
            ]
            for one_field in fields:
                if rule in FILE_LEVEL_RULES:
                    column, row_number = _split_cell(wb.header_cells.get(FILE_LEVEL_RULES[rule], ""))
                else:  # a row lacking the value named: the column the value was derived from
                    given = not pd.isna(values.get(one_field))
                    column = wb.columns.get(one_field if given else meta.get("fallback_field", one_field), "")
                    row_number = row
                expected = _expected_values(rule, {**meta, "field": one_field}, frame, parameters)
                shown = _fmt_period if one_field in ("year", "month") else _fmt
                params = _context_params(rule, frame, position)
                params |= {
                    "value": shown(values.get(meta.get("value_field", one_field), "")),
                    "expected": shown(expected.iloc[position]) if expected is not None else "",
                    "column": one_field,
                    "what": "Kode OPD",
                    "period": f"{int(values.get('month', 0) or 0):02d}/{values.get('year', '')}",
                    "next_period": f"{int(values.get('month', 0) or 0) + 1:02d}/{values.get('year', '')}",
                    "opd": values.get("opd_code", ""),
                    "jenis": values.get("jenis", ""),
                    "no": values.get("no", ""),
                    "aggregation": values.get("aggregation", ""),
                }
                issues[file_name].append(
                    InputIssue(
                        file=file_name,
                        sheet=wb.sheet,
                        row=row_number,
                        column=column,
                        rule=rule,
                        params=params,
                        severity=severity,
                    )
                )
    for file_name in issues:
        issues[file_name].sort(key=lambda i: (i.severity != "error", i.row or 0, i.column, i.rule))
    return issues, failed


def _offending_fields(rule: str, meta: dict, frame: pd.DataFrame) -> pd.DataFrame | None:
    """For expectations over several amount columns: which column of each row broke the rule."""
    fields = meta.get("fields")
    if not fields:
        return None
    if rule == "amount.subtotal_mismatch":
        return custom_expectations.subtotal_mismatches(frame, "file", "node_key", "parent_key", fields)
    return frame[fields].astype("float64") < 0


def _context_params(rule: str, frame: pd.DataFrame, position: int) -> dict[str, object]:
    """Where else a duplicated code or period stands (``other_row``, ``other``), for the message."""
    row = frame.iloc[position]
    if rule == "code.duplicate":
        same = frame[(frame["file"] == row["file"]) & (frame["node_key"] == row["node_key"])]
        others = same.loc[same["row"] != row["row"], "row"]
        return {"other_row": int(others.iloc[0]) if not others.empty else ""}
    if rule == "batch.duplicate_period":
        same = frame[
            (frame["opd_code"] == row["opd_code"])
            & (frame["year"] == row["year"])
            & (frame["month"] == row["month"])
        ]
        return {"other": str(same["file"].iloc[0])}
    return {"other_row": "", "other": ""}


def _split_cell(cell: str) -> tuple[str, int | None]:
    """("B", 4) from "B4"; ("", None) from ""."""
    letters = "".join(ch for ch in cell if ch.isalpha())
    digits = "".join(ch for ch in cell if ch.isdigit())
    return letters, (int(digits) if digits else None)


# ----------------------------------------------------------------------------------------------
# The batch
# ----------------------------------------------------------------------------------------------


def validate_realizations(
    validator: Validator,
    workbooks: Sequence[RealizationWorkbook],
    previous: PreviousLookup,
    *,
    year: int | None = None,
    month: int | None = None,
    known_opds: Sequence[str] | None = None,
    corrections: Iterable[str] = (),
    labels: Labels | None = None,
    following: PreviousLookup | None = None,
) -> BatchValidation:
    """Validate the realization workbooks of a batch with the monthly suite (issues keyed by file label).

    ``previous`` gives the month before each file's (see :func:`realization_frame`); ``following``,
    when given, the month after it already loaded, which each file must stay consistent with.
    """
    if not workbooks:
        return BatchValidation()
    labels = labels_of(workbooks, labels)
    periods = sorted({(wb.year, wb.month) for wb in workbooks})
    if len(periods) > 1:
        return _validate_month_by_month(
            validator,
            workbooks,
            previous,
            periods,
            year=year,
            month=month,
            known_opds=known_opds,
            corrections=corrections,
            labels=labels,
            following=following,
        )
    frame = realization_frame(workbooks, previous, corrections, labels, following)
    parameters = {
        "run_years": [year] if year is not None else sorted({int(y) for y in frame["year"]}),
        "run_months": [month] if month is not None else sorted({int(m) for m in frame["month"]}),
        "known_opds": list(known_opds) if known_opds is not None else sorted(set(frame["opd_code"])),
        "expected_year": year,
        "expected_month": month,
    }
    frame["expected_year"] = year if year is not None else frame["year"]
    frame["expected_month"] = month if month is not None else frame["month"]
    return _validate(
        validator, REALIZATION_SUITE, frame, {labels[wb.path]: wb for wb in workbooks}, parameters
    )


def _validate_month_by_month(
    validator: Validator,
    workbooks: Sequence[RealizationWorkbook],
    previous: PreviousLookup,
    periods: list[tuple[int, int]],
    *,
    following: PreviousLookup | None = None,
    **options,
) -> BatchValidation:
    """One suite run per period, oldest first; a month's predecessor in the batch counts only if it passed.

    A month whose successor is in the batch is checked against it when the successor is validated;
    should the successor be rejected, the month stands next to the successor already loaded, so it
    is checked again against that one (newest first: a month rejected then leaves its predecessor
    next to the loaded month in turn).
    """
    labels: Labels = options["labels"]
    in_batch = {(wb.opd_code, wb.year, wb.month) for wb in workbooks}

    def loaded_successor(opd_code: str, year: int, month: int) -> pd.DataFrame | None:
        if following is None or (opd_code, year, month) in in_batch:
            return None
        return following(opd_code, year, month)

    def errors(result: BatchValidation, wb: RealizationWorkbook) -> bool:
        return any(issue.severity == "error" for issue in result.issues[labels[wb.path]])

    combined = BatchValidation()
    passed: dict[int, RealizationWorkbook] = {}
    for period in periods:
        group = [wb for wb in workbooks if (wb.year, wb.month) == period]
        lookup = batch_previous_lookup(list(passed.values()), previous)
        result = validate_realizations(validator, group, lookup, following=loaded_successor, **options)
        combined.issues.update(result.issues)
        combined.runs += result.runs
        passed.update({id(wb): wb for wb in group if not errors(result, wb)})
    if following is None:
        return combined
    for period in reversed(periods):
        standing = {(wb.opd_code, wb.year, wb.month) for wb in passed.values()}
        again = [
            wb
            for wb in passed.values()
            if (wb.year, wb.month) == period
            and (wb.opd_code, wb.year, wb.month + 1) in in_batch
            and (wb.opd_code, wb.year, wb.month + 1) not in standing
        ]
        if not again:
            continue
        lookup = batch_previous_lookup(list(passed.values()), previous)
        result = validate_realizations(validator, again, lookup, following=following, **options)
        combined.issues.update(result.issues)
        rechecked = {labels[wb.path] for wb in again}
        combined.runs = [run for run in combined.runs if run.file not in rechecked] + result.runs
        for wb in again:
            if errors(result, wb):
                del passed[id(wb)]
    return combined


def validate_indicator_workbooks(
    validator: Validator,
    workbooks: Sequence[IndicatorWorkbook],
    *,
    year: int | None = None,
    known_opds: Sequence[str] | None = None,
    capaian_bound_pct: float = 300.0,
    labels: Labels | None = None,
) -> BatchValidation:
    """Validate the indicator workbooks of a batch with the yearly suite (issues keyed by file label)."""
    if not workbooks:
        return BatchValidation()
    labels = labels_of(workbooks, labels)
    frame = indicator_frame(workbooks, labels)
    frame["expected_year"] = year if year is not None else frame["year"]
    parameters = {
        "run_years": [year] if year is not None else sorted({int(y) for y in frame["year"]}),
        "known_opds": list(known_opds) if known_opds is not None else sorted(set(frame["opd_code"])),
        "capaian_bound_pct": capaian_bound_pct,
    }
    return _validate(validator, INDICATOR_SUITE, frame, {labels[wb.path]: wb for wb in workbooks}, parameters)


def _validate(
    validator: Validator, suite: str, frame: pd.DataFrame, workbooks: dict, parameters: dict
) -> BatchValidation:
    """Run one suite on a stacked frame and attribute the failures to their files."""
    results, docs_url = validator.run(suite, frame, parameters)
    issues, failed = results_to_issues(results, frame, workbooks, parameters)
    runs = []
    for name, wb in workbooks.items():
        errors = sum(issue.severity == "error" for issue in issues[name])
        runs.append(
            SuiteRun(
                file=name,
                sha256=wb.sha256,
                suite=suite,
                suite_version=validator.versions[suite],
                success=errors == 0,
                evaluated=len(results),
                failed=len(failed[name]),
                errors=errors,
                warnings=len(issues[name]) - errors,
                data_docs_url=docs_url,
                opd_code=wb.opd_code,
                year=wb.year,
                month=getattr(wb, "month", None),
            )
        )
    return BatchValidation(issues=issues, runs=runs)
