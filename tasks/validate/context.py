"""Validation of staged workbooks with Great Expectations: every rule is an expectation.

The suites are version-controlled JSON in ``expectations/suites``; at run time they are loaded into a
file-backed GX context in the work folder (``<workdir>/gx``), whose Data Docs site is
``<workdir>/data-docs``. A batch (one file, or all files of a run) is validated as one stacked frame
in which every row carries its ``file`` and worksheet ``row``, so each failure is traced back to the
cell a data steward must fix.

A GX context must not be shared across threads: :func:`validator_for` keeps one per thread. Great
Expectations is imported when a validator is made, not with this module.

Data Docs pages show the failing values and the file names as they are; the stored result a page is
built from has its values html-escaped first (GX writes them into the page unescaped).
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

try:
    import fcntl
except ImportError:  # not on Windows
    fcntl = None  # type: ignore[assignment]

import expectations
from expectations.columns import with_spec_columns
from tasks.core.text import html_escape_tree

#: The suites' JSON files (the package's folder: found without importing Great Expectations)
SUITES_DIR = Path(expectations.__file__).resolve().parent / "suites"
REALIZATION_SUITE = "realisasi_bulanan"
INDICATOR_SUITE = "indikator_tahunan"
CASH_PLAN_SUITE = "anggaran_kas"
DATA_DOCS_SITE = "sakip"
#: The fingerprint of what the stored context was built from (``<workdir>/gx/``): equal, it is reused.
CONTEXT_MARKER = "sakip-context.sha256"
#: The lock file (in the work folder, beside ``gx/``) held while a process writes the GX project or
#: Data Docs site.
LOCK_NAME = "gx.lock"


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
    """The suite JSON files of ``expectations/suites``, by suite name, with the parts that follow the
    column spec filled in (:func:`expectations.columns.with_spec_columns`)."""
    return {
        (data := with_spec_columns(json.loads(path.read_text(encoding="utf-8"))))["name"]: data
        for path in sorted(SUITES_DIR.glob("*.json"))
    }


@contextmanager
def gx_write_lock(workdir: Path) -> Iterator[None]:
    """Hold the work folder's exclusive lock on its GX project and Data Docs site (``flock`` on
    ``<workdir>/gx.lock``), so two processes (web workers, ``sakip ingest`` commands) never write
    them at once. Threads of one process each open the file, so they wait for each other too. The
    operating system releases the lock when its holder dies."""
    if fcntl is None:  # not on Windows: one process at a time is the user's to keep
        yield
        return
    path = workdir / LOCK_NAME
    workdir.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class Validator:
    """One file-backed GX context with the project's suites, checkpoints and Data Docs site."""

    def __init__(self, workdir: Path, keep_results: int = 30):
        import great_expectations as gx

        import expectations.custom  # noqa: F401 (registers the custom expectations the suites use)

        self.workdir = workdir.resolve()
        self.docs_dir = self.workdir / "data-docs"
        self.keep_results = keep_results
        with gx_write_lock(self.workdir):
            self._open(gx)

    def _open(self, gx) -> None:
        """Open the work folder's context: reuse its stored suites and checkpoints, else build them."""
        self.context = gx.get_context(mode="file", project_root_dir=str(self.workdir))
        self.suites: dict[str, object] = {}
        self.versions: dict[str, str] = {}
        self.names: dict[str, frozenset[str]] = {}
        self.checkpoints: dict[str, object] = {}
        definitions = load_suite_definitions()
        for name, definition in definitions.items():
            self.versions[name] = str(definition.get("meta", {}).get("version", ""))
            self.names[name] = suite_names(definition)
        marker = self.workdir / "gx" / CONTEXT_MARKER
        fingerprint = self._fingerprint(definitions)
        try:
            if marker.read_text(encoding="utf-8") == fingerprint and self._reuse_stored(definitions):
                return  # a previous process stored these very suites and checkpoints: read, not rebuilt
        except OSError:
            pass
        self._build(definitions)
        marker.write_text(fingerprint, encoding="utf-8")

    def _fingerprint(self, definitions: dict[str, dict]) -> str:
        """What the stored context was built from: suites, result format, GX's version, the Data Docs site."""
        import great_expectations as gx

        basis = [gx.__version__, self.docs_site_config(), list(UNEXPECTED_INDEX), definitions]
        return hashlib.sha256(json.dumps(basis, sort_keys=True, default=str).encode("utf-8")).hexdigest()

    def _reuse_stored(self, definitions: dict[str, dict]) -> bool:
        """Take the suites and checkpoints stored in the context; False when one cannot be read."""
        try:
            for name in definitions:
                self.suites[name] = self.context.suites.get(name)
                self.checkpoints[name] = self.context.checkpoints.get(name)
        except Exception:  # anything unreadable: the context is built again
            self.suites.clear()
            self.checkpoints.clear()
            return False
        # every expectation of the JSON must be there (as _load_suite checks when building)
        return all(
            len(self.suites[name].expectations) == len(definition["expectations"])
            for name, definition in definitions.items()
        )

    def _build(self, definitions: dict[str, dict]) -> None:
        """Store the suites, their batch definitions, checkpoints and the Data Docs site in the context."""
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

        self.context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
        self.context.variables.save()
        self._configure_docs_site()
        source = self.context.data_sources.add_or_update_pandas("sakip")
        for name, definition in definitions.items():
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

    def docs_site_config(self) -> dict:
        """The Data Docs site: plain HTML files in ``<workdir>/data-docs``, drawn by GX's own views."""
        return {
            "class_name": "SiteBuilder",
            "show_how_to_buttons": False,
            "store_backend": {
                "class_name": "TupleFilesystemStoreBackend",
                "base_directory": str(self.docs_dir),
            },
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        }

    def _configure_docs_site(self) -> None:
        """Data Docs go to ``<workdir>/data-docs`` (plain HTML files)."""
        sites = dict(self.context.variables.data_docs_sites or {})
        wanted = self.docs_site_config()
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

        compact = compact_frame(frame, self.names[suite] | set(UNEXPECTED_INDEX))
        # the checkpoint stores its result, the site's index lists every stored result, pruning deletes
        # some: one process at a time writes them (the expectations' computing is most of the time)
        with gx_write_lock(self.workdir):
            result = self.checkpoints[suite].run(
                batch_parameters={"dataframe": compact},
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
