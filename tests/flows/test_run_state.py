"""What an operator sees of a run with rejected files: its state, its log lines and its artifact."""

from __future__ import annotations

import io
import json
import logging
import shutil
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import openpyxl
import pytest

from tasks.core.issues import InputIssue
from tasks.core.text import markdown_text
from tasks.operations.artifacts import ISSUES_LISTED_PER_FILE, outcome_log_lines, rejection_table
from tasks.operations.intake import FileOutcome

#: An unreadable file whose name tries to forge a line of output.
FORGED_NAME = "x\nrealisasi_2022_09.xlsx: dimuat (38).xlsx"
#: The same name as every log line and message must show it: one line.
ESCAPED_NAME = "x\\nrealisasi_2022_09.xlsx: dimuat (38).xlsx"


def over_budget(name: str, row: int) -> InputIssue:
    """A realization-over-budget problem in column G of ``row``."""
    return InputIssue(
        name,
        "amount.realization_over_budget",
        sheet="Realisasi",
        row=row,
        column="G",
        params={"value": "2.000", "expected": "1.000"},
    )


def test_log_lines_name_every_problem_and_escape_names():
    junk = FileOutcome(
        Path("/in") / FORGED_NAME,
        "unknown",
        "rejected",
        issues=(InputIssue(FORGED_NAME, "file.not_workbook", params={"detail": "bad zip"}),),
        quarantined=Path("/q/tanpa-periode") / FORGED_NAME,
    )
    many = FileOutcome(
        Path("/in/realisasi_2022_02.xlsx"),
        "realization",
        "rejected",
        issues=tuple(
            over_budget("realisasi_2022_02.xlsx", 10 + n) for n in range(ISSUES_LISTED_PER_FILE + 5)
        ),
    )
    loaded = FileOutcome(Path("/in/realisasi_2022_01.xlsx"), "realization", "loaded", rows=38)

    lines = outcome_log_lines([loaded, junk, many], every_file=False)

    texts = [text for _, text in lines]
    assert not any("\n" in text for text in texts)
    assert texts[0] == f"{ESCAPED_NAME}: rejected, 1 problem(s), quarantined in /q/tanpa-periode"
    assert texts[1].startswith(f"  {ESCAPED_NAME}: Not a readable workbook")
    assert texts[1].endswith("[file.not_workbook]")
    assert texts[2] == f"realisasi_2022_02.xlsx: rejected, {ISSUES_LISTED_PER_FILE + 5} problem(s)"
    assert texts[3] == (
        "  realisasi_2022_02.xlsx, sheet 'Realisasi', cell G10: "
        "Realization to date (2.000) exceeds the budget (1.000) [amount.realization_over_budget]"
    )
    assert texts[-1] == "  ... 5 more in the quarantine summary of realisasi_2022_02.xlsx"
    assert len(lines) == 2 + 1 + ISSUES_LISTED_PER_FILE + 1  # the loaded file had nothing to say
    assert {level for level, _ in lines} == {logging.WARNING}
    assert outcome_log_lines([loaded]) == [(logging.INFO, "realisasi_2022_01.xlsx: loaded (38 rows)")]
    bound = InputIssue(
        "ind.xlsx",
        "indicator.capaian_beyond_bound",
        sheet="Indikator",
        row=14,
        column="L",
        severity="warning",
    )
    warned = FileOutcome(Path("/in/ind.xlsx"), "indicator", "loaded", rows=16, issues=(bound,))
    head, problem = outcome_log_lines([warned], every_file=False)
    assert head == (logging.INFO, "ind.xlsx: loaded (16 rows), 1 warning(s)")
    assert problem[0] == logging.INFO
    assert problem[1].startswith("  ind.xlsx, sheet 'Indikator', cell L14: ")


def test_rejection_table_lists_unreadable_files_and_shows_text_literally():
    hostile = InputIssue(
        "x|y.xlsx", "cell.not_number", sheet="Realisasi", row=7, column="F", params={"value": "<script>"}
    )
    rows = rejection_table(
        [
            FileOutcome(Path("x|y.xlsx"), "realization", "rejected", issues=(hostile,)),
            FileOutcome(Path(FORGED_NAME), "unknown", "rejected"),
            FileOutcome(Path("ok.xlsx"), "realization", "loaded", rows=38),
        ]
    )
    assert rows == [
        {
            "berkas": "x\\|y.xlsx",
            "sheet": "Realisasi",
            "sel": "F7",
            "aturan": "cell.not\\_number",
            "pesan": "Isi sel bukan angka: '&lt;script&gt;'",
            "karantina": "",
        },
        {  # a rejected file is listed even when nothing more is known
            "berkas": "x\\\\nrealisasi\\_2022\\_09.xlsx: dimuat (38).xlsx",
            "sheet": "",
            "sel": "",
            "aturan": "",
            "pesan": "",
            "karantina": "",
        },
    ]


def _cell_of_code(sheet, code: str, column: str) -> str:
    """Address of ``column`` on the row whose Kode is ``code``."""
    for row in sheet.iter_rows(min_col=1, max_col=1):
        if row[0].value == code:
            return f"{column}{row[0].row}"
    raise AssertionError(f"{code} not in sheet")


def _flow_run_of(client, flow_name: str, workdir: Path):
    """The newest run of ``flow_name`` on ``workdir``: its ``workdir`` parameter, or its settings' work
    folder (the command hands the flow the settings it built)."""
    from prefect.client.schemas.filters import FlowFilter, FlowFilterName
    from prefect.client.schemas.sorting import FlowRunSort

    runs = client.read_flow_runs(
        flow_filter=FlowFilter(name=FlowFilterName(any_=[flow_name])), sort=FlowRunSort.START_TIME_DESC
    )
    return next(
        run
        for run in runs
        if str(workdir)
        in (run.parameters.get("workdir"), (run.parameters.get("settings") or {}).get("workdir"))
    )


@pytest.mark.prefect
def test_a_run_with_rejected_files_ends_rejected_and_says_why(prefect_server, sample_2022, tmp_path: Path):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        ArtifactFilter,
        ArtifactFilterFlowRunId,
        LogFilter,
        LogFilterFlowRunId,
    )
    from prefect.client.schemas.objects import StateType
    from prefect.logging.handlers import APILogHandler

    from sakip.cli import main

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(sample_2022.realization[0], inbox / "realisasi_2022_01.xlsx")
    book = openpyxl.load_workbook(sample_2022.realization[1])
    over = _cell_of_code(book.active, "2.17.01.2.06.03", "G")
    book.active[over] = 999_999_999_999
    book.save(inbox / "realisasi_2022_02.xlsx")
    (inbox / FORGED_NAME).write_bytes(b"PK\x03\x04 not a workbook")
    workdir = tmp_path / "work"

    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        status = main(["ingest", str(inbox), "--workdir", str(workdir)])

    assert status == 1  # the flow's outcomes reached the command through the Rejected state
    printed = out.getvalue()
    assert "realisasi_2022_01.xlsx: dimuat (38)" in printed
    assert "realisasi_2022_02.xlsx: DITOLAK" in printed
    assert "[amount.realization_over_budget]" in err.getvalue()
    APILogHandler().flush()
    with get_client(sync_client=True) as client:
        run = _flow_run_of(client, "sakip-ingest", workdir)
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[run.id]))
        )
        logs = [
            log.message for log in client.read_logs(LogFilter(flow_run_id=LogFilterFlowRunId(any_=[run.id])))
        ]

    assert (run.state.type, run.state.name) == (StateType.COMPLETED, "Rejected")
    assert run.state.message == "2 of 3 file(s) rejected; the others loaded or were unchanged"
    rejected = {artifact.key: artifact for artifact in artifacts}["berkas-ditolak"]
    rows = json.loads(rejected.data)
    assert {row["berkas"] for row in rows} == {"realisasi\\_2022\\_02.xlsx", markdown_text(ESCAPED_NAME)}
    # the typed cell leads with its arithmetic (its right value), then the budget it also exceeds
    at_cell = [(row["sheet"], row["aturan"]) for row in rows if row["sel"] == over]
    assert at_cell[:2] == [
        ("Realisasi", "period.month\\_inconsistent"),
        ("Realisasi", "amount.realization\\_over\\_budget"),
    ]
    unreadable = [row for row in rows if row["berkas"].startswith("x\\\\n")]
    assert [row["aturan"] for row in unreadable] == ["file.not\\_workbook"]
    assert all(row["karantina"].startswith(markdown_text(workdir / "quarantine")) for row in rows)
    assert any(
        f"realisasi_2022_02.xlsx, sheet 'Realisasi', cell {over}: Realization to date" in line
        and line.endswith("[amount.realization_over_budget]")
        for line in logs
    )
    assert any(line.startswith(f"{ESCAPED_NAME}: rejected") for line in logs)
    assert not any("\n" in line for line in logs)


@pytest.mark.prefect
def test_the_inbox_run_ends_rejected_and_still_returns_its_counts(prefect_server, tmp_path: Path):
    from prefect.client.schemas.objects import StateType

    from flows.inbox import inbox_flow

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "rusak.xlsx").write_bytes(b"not a workbook")

    state = inbox_flow(inbox=str(inbox), year=2022, month=1, workdir=str(tmp_path / "w"), return_state=True)

    assert (state.type, state.name) == (StateType.COMPLETED, "Rejected")
    assert state.result() == {"loaded": 0, "unchanged": 0, "rejected": 1}
