"""Bad inputs end to end: each fault of ``tests/corpus.py`` reported at its cell, kept out of the warehouse.

Two flow runs for the whole module: the good months 1–5 of the 2022 sample first (so the period rules
have a previous month in the warehouse), then one batch with the good month 6 and every faulty file.
For each fault: the file's outcome (rejected, or loaded for warning-only faults), the exact rule at the
exact sheet and cell, nothing from a rejected file in the warehouse, and the rejected file quarantined
under ``<workdir>/quarantine/<year>/<MM>/`` (a copy: the file stays where it was sent from) with an
annotated copy and a text summary (INPUTS.md §3).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import Engine, func, select

from tasks.core.issues import MESSAGES
from tasks.settings import load_settings
from tests.fixtures.corpus import (
    BATCH_GOOD_MONTH,
    FAULT_NAMES,
    PRELOADED_MONTHS,
    Fault,
    build_corpus,
    copy_good_months,
    write_opd_register,
)
from warehouse.db import engine_for
from warehouse.models import FactRealization, FactRealizationAccount, Indicator, LoadBatch, Period

pytestmark = pytest.mark.prefect

YEAR = 2022
SUB_KEGIATAN_PER_MONTH = 38  # sub kegiatan rows of every sample month


@dataclass
class BadBatch:
    """The faults, the outcome of every file of the faulty batch, and the warehouse after it."""

    faults: dict[str, Fault]
    outcomes: dict[str, object]  # file name -> FileOutcome
    workdir: Path
    engine: Engine
    facts_before: dict[int, set[int]]  # month -> batch ids of its facts after the good months loaded


def batch_ids_by_month(engine: Engine) -> dict[int, set[int]]:
    """Month -> the load batches its fact_realization rows come from."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(Period.month, FactRealization.batch_id)
            .join(Period, Period.id == FactRealization.period_id)
            .where(Period.year == YEAR)
            .distinct()
        ).all()
    found: dict[int, set[int]] = {}
    for month, batch_id in rows:
        found.setdefault(int(month), set()).add(int(batch_id))
    return found


@pytest.fixture(scope="module")
def bad_batch(prefect_server, sample_2022, tmp_path_factory) -> BadBatch:
    """Load the good months 1–5, then run one batch of the good month 6 and every faulty file."""
    from flows.ingest import ingest_flow

    root = tmp_path_factory.mktemp("bad-inputs")
    workdir = root / "work"
    with pytest.MonkeyPatch.context() as env:
        env.setenv("SAKIP_OPD_REGISTER", str(write_opd_register(root / "opd.csv")))
        engine = engine_for(load_settings(str(workdir)).url)

        copy_good_months(sample_2022, root / "earlier", PRELOADED_MONTHS)
        first = ingest_flow([str(root / "earlier")], workdir=str(workdir), year=YEAR)
        assert [(o.path.name, o.status) for o in first if o.status != "loaded"] == []
        facts_before = batch_ids_by_month(engine)

        # the good month comes first (its own folder, given first), so the faulty copy is the duplicate
        copy_good_months(sample_2022, root / "good", (BATCH_GOOD_MONTH,))
        faults = build_corpus(sample_2022, root / "inbox")
        outcomes = ingest_flow([str(root / "good"), str(root / "inbox")], workdir=str(workdir), year=YEAR)
    return BadBatch(
        faults={fault.name: fault for fault in faults},
        outcomes={outcome.path.name: outcome for outcome in outcomes},
        workdir=workdir,
        engine=engine,
        facts_before=facts_before,
    )


def describe(outcome) -> str:
    """The issues of an outcome, one per line, for assertion messages."""
    return "\n".join(
        f"  {issue.rule} sheet={issue.sheet!r} cell={issue.cell!r} row={issue.row} {issue.severity}"
        for issue in outcome.issues
    )


def outcome_of(bad_batch: BadBatch, fault: Fault):
    """The outcome of the fault's file (every file of the batch has one)."""
    assert fault.file_name in bad_batch.outcomes, f"no outcome for {fault.file_name}"
    return bad_batch.outcomes[fault.file_name]


REJECTED = [name for name in FAULT_NAMES if name not in ("f24_budget_changed", "f28_capaian_beyond_bound")]


# --------------------------------------------------------------------------------------------------
# the corpus itself


def test_corpus_is_distinct_and_covers_both_kinds(bad_batch: BadBatch):
    faults = list(bad_batch.faults.values())
    assert len(faults) >= 25
    assert tuple(bad_batch.faults) == FAULT_NAMES
    assert len({f.path for f in faults}) == len(faults)
    assert len({f.file_name for f in faults}) == len(faults)
    assert all(f.rule in MESSAGES for f in faults), [f.rule for f in faults if f.rule not in MESSAGES]
    assert {f.sheet for f in faults} >= {"Realisasi", "Indikator"}
    assert [f.name for f in faults if f.loads] == ["f24_budget_changed", "f28_capaian_beyond_bound"]
    assert all(f.severity == ("warning" if f.loads else "error") for f in faults)
    assert sorted([*REJECTED, "f24_budget_changed", "f28_capaian_beyond_bound"]) == sorted(FAULT_NAMES)


# --------------------------------------------------------------------------------------------------
# one test per fault


@pytest.mark.parametrize("name", FAULT_NAMES)
def test_fault_outcome_status(bad_batch: BadBatch, name: str):
    fault = bad_batch.faults[name]
    outcome = outcome_of(bad_batch, fault)
    expected = "loaded" if fault.loads else "rejected"
    assert outcome.status == expected, f"{fault.file_name}: {outcome.status}\n{describe(outcome)}"


@pytest.mark.parametrize("name", FAULT_NAMES)
def test_fault_reported_at_its_cell(bad_batch: BadBatch, name: str):
    fault = bad_batch.faults[name]
    outcome = outcome_of(bad_batch, fault)
    found = [
        issue
        for issue in outcome.issues
        if (issue.rule, issue.sheet, issue.cell) == (fault.rule, fault.sheet, fault.cell)
    ]
    assert found, (
        f"{fault.file_name}: expected {fault.rule} at sheet={fault.sheet!r} cell={fault.cell!r}; "
        f"got:\n{describe(outcome)}"
    )
    assert {issue.severity for issue in found} == {fault.severity}
    if fault.loads:
        assert all(issue.severity == "warning" for issue in outcome.issues), describe(outcome)


@pytest.mark.parametrize("name", FAULT_NAMES)
def test_fault_and_the_warehouse(bad_batch: BadBatch, name: str):
    """A rejected file is recorded with 0 rows and no fact refers to it; a warning-only file loads."""
    fault = bad_batch.faults[name]
    with bad_batch.engine.connect() as conn:
        batches = conn.execute(
            select(LoadBatch.id, LoadBatch.status, LoadBatch.rows).where(
                LoadBatch.file_name == fault.file_name
            )
        ).all()
        ids = [batch.id for batch in batches]
        facts = sum(
            conn.scalar(select(func.count()).select_from(table).where(table.batch_id.in_(ids))) or 0
            for table in (FactRealization, FactRealizationAccount, Indicator)
        )
    assert batches, f"{fault.file_name} is not recorded in load_batch"
    if fault.loads:
        assert [b.status for b in batches] == ["loaded"]
        assert batches[0].rows > 0 and facts > 0
    else:
        assert [(b.status, b.rows) for b in batches] == [("rejected", 0)]
        assert facts == 0


def quarantine_dir(bad_batch: BadBatch, outcome) -> Path:
    """``<workdir>/quarantine/<year>/<MM>`` (``tahunan`` for yearly workbooks, ``tanpa-periode`` unknown)."""
    root = bad_batch.workdir / "quarantine"
    if not outcome.year:
        return root / "tanpa-periode"
    if outcome.kind == "indicator" or not outcome.month:
        return root / str(outcome.year) / "tahunan"
    return root / str(outcome.year) / f"{outcome.month:02d}"


def is_red(cell) -> bool:
    """A solid fill whose colour is mostly red (Excel's "Bad" FFC7CE, plain FF0000 ...)."""
    fill = cell.fill
    rgb = str(getattr(fill.start_color, "rgb", "") or "")[-6:]
    if fill.fill_type != "solid" or len(rgb) != 6:
        return False
    red, green, blue = (int(rgb[i : i + 2], 16) for i in (0, 2, 4))
    return red >= 0xC0 and red > green and red > blue


@pytest.mark.parametrize("name", REJECTED)
def test_rejected_fault_is_quarantined(bad_batch: BadBatch, name: str):
    fault = bad_batch.faults[name]
    outcome = outcome_of(bad_batch, fault)
    folder = quarantine_dir(bad_batch, outcome)
    copied = folder / fault.file_name
    stem = Path(fault.file_name).stem
    assert copied.is_file(), f"{fault.file_name} not copied to {folder}"
    assert fault.path.read_bytes() == copied.read_bytes(), f"{fault.file_name} not left in place as it was"
    summary = folder / f"{stem}.txt"
    assert summary.is_file()
    assert fault.rule in summary.read_text(encoding="utf-8")
    annotated = folder / f"{stem}.annotated.xlsx"
    if not fault.annotated:  # too large to load whole: no copy, and the summary says why
        assert not annotated.exists()
        assert "Salinan beranotasi: tidak dibuat (" in summary.read_text(encoding="utf-8")
        return
    if not fault.sheet:  # the file could not be read as a workbook, or has no usable sheet
        return
    assert annotated.is_file(), f"no annotated copy {annotated.name} in {folder}"
    if not fault.cell:
        return
    cell = openpyxl.load_workbook(annotated)[fault.sheet][fault.cell]
    assert is_red(cell), f"{fault.cell} fill: {cell.fill.fill_type} {cell.fill.start_color.rgb}"
    assert cell.comment is not None and fault.rule in cell.comment.text


# --------------------------------------------------------------------------------------------------
# the rest of the batch


def test_good_month_of_the_batch_loads(bad_batch: BadBatch):
    outcome = bad_batch.outcomes[f"realisasi_{YEAR}_{BATCH_GOOD_MONTH:02d}.xlsx"]
    assert (outcome.status, outcome.rows) == ("loaded", SUB_KEGIATAN_PER_MONTH), describe(outcome)


def test_earlier_months_unchanged_by_rejected_files(bad_batch: BadBatch):
    """Months 1–4 still hold the facts of their good files; month 5 those of the warning-only file."""
    after = batch_ids_by_month(bad_batch.engine)
    assert sorted(after) == [*PRELOADED_MONTHS, BATCH_GOOD_MONTH]
    for month in PRELOADED_MONTHS[:-1]:
        assert after[month] == bad_batch.facts_before[month], f"month {month} changed"
    with bad_batch.engine.connect() as conn:
        month_5 = conn.scalar(select(LoadBatch.file_name).where(LoadBatch.id.in_(after[5])))
        total = conn.scalar(select(func.count()).select_from(FactRealization))
    assert month_5 == "f24_budget_changed.xlsx"
    assert total == SUB_KEGIATAN_PER_MONTH * (len(PRELOADED_MONTHS) + 1)
