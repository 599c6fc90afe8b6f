"""One time zone wherever a person reads or types a time: Asia/Jakarta with its offset; storage stays UTC."""

from __future__ import annotations

import io
from contextlib import redirect_stderr, redirect_stdout
from datetime import UTC, datetime, timedelta, timezone

import pandas as pd
import pytest
from sqlalchemy import insert, select

from sakip.cli import main
from tasks.core.calendar import format_moment, format_moments, local_time, parse_moment
from tasks.load.realization import load_realization
from tasks.operations.quarantine import summary_text
from tests.fixtures.staged import realization_lines, realization_workbook
from warehouse.models import Revision, ValidationRun

#: 07:05:09 UTC is 14:05:09 in Jakarta (UTC+7, no daylight saving)
STORED = datetime(2026, 11, 28, 7, 5, 9, tzinfo=UTC)
SHOWN = "2026-11-28 14:05:09 +07:00"


def run(*argv: str) -> tuple[int, str, str]:
    """Run the command line in-process; (exit status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        status = main(list(argv))
    return status, out.getvalue(), err.getvalue()


def test_moments_are_shown_in_jakarta_with_the_offset():
    assert format_moment(STORED) == SHOWN
    assert format_moment(STORED.replace(tzinfo=None)) == SHOWN  # SQLite hands stored UTC back naive
    assert format_moment(pd.Timestamp("2026-11-28 07:05:09")) == SHOWN
    assert format_moment(pd.Timestamp("2026-11-28 07:05:09", tz="UTC")) == SHOWN
    assert format_moment(STORED.astimezone(timezone(timedelta(hours=-5)))) == SHOWN
    assert format_moment(datetime(2026, 12, 31, 20, 0, tzinfo=UTC)) == "2027-01-01 03:00:00 +07:00"
    assert format_moment(None) == "" and format_moment(pd.NaT) == ""
    assert format_moments(pd.Series([STORED, pd.NaT])).tolist() == [SHOWN, ""]
    assert local_time(STORED).utcoffset() == timedelta(hours=7)


def test_moments_typed_are_read_in_jakarta_and_kept_in_utc():
    assert parse_moment("2026-11-28") == datetime(2026, 11, 28, 16, 59, 59, 999999, tzinfo=UTC)
    assert parse_moment("2026-11-28T14:05:09") == STORED
    assert parse_moment("2026-11-28T07:05:09+00:00") == STORED
    assert format_moment(parse_moment("2026-11-28T14:05:09")) == SHOWN  # what is typed is what is shown
    with pytest.raises(ValueError):
        parse_moment("28/11/2026")


def test_quarantine_summary_time_is_jakarta():
    text = summary_text("x.xlsx", [], annotated=None, now=STORED)
    assert f"Waktu: {SHOWN}" in text.splitlines()
    assert "UTC" not in text
    assert f"Time: {SHOWN}" in summary_text("x.xlsx", [], annotated=None, now=STORED, lang="en")


def _warehouse_url(engine) -> str:
    """The URL the command line needs to reach the fixture's warehouse."""
    return engine.url.render_as_string(hide_password=False)


def test_validations_listing_shows_jakarta_time(warehouse, tmp_path, monkeypatch):
    with warehouse.begin() as conn:
        conn.execute(
            insert(ValidationRun).values(
                run_id="r1",
                file_name="realisasi_2022_03.xlsx",
                sha256="0" * 64,
                suite="realisasi_bulanan",
                suite_version="1.0.0",
                success=True,
                evaluated=17,
                failed=0,
                opd_code="2.17.0.00.0.00.01.0000",
                year=2022,
                month=3,
                validated_at=STORED,
            )
        )
    with warehouse.connect() as conn:  # stored as UTC whatever the database
        assert local_time(conn.scalar(select(ValidationRun.validated_at))) == STORED
    monkeypatch.setenv("SAKIP_DATABASE_URL", _warehouse_url(warehouse))

    status, out, _ = run("validations", "--workdir", str(tmp_path))

    assert status == 0
    row = out.splitlines()[1]
    assert row.startswith(SHOWN) and "realisasi_2022_03.xlsx" in row
    assert "07:05:09" not in out


def test_revisions_listing_shows_jakarta_time(warehouse, tmp_path, monkeypatch):
    subs = {"2.17.01.2.01.01": (1000.0, 100.0, 100.0)}
    fixed = {"2.17.01.2.01.01": (1000.0, 150.0, 150.0)}
    load_realization(warehouse, realization_workbook(realization_lines(subs), month=3, name="maret.xlsx"))
    monkeypatch.setattr("tasks.load.realization.now_utc", lambda: STORED)
    load_realization(
        warehouse, realization_workbook(realization_lines(fixed), month=3, name="maret_koreksi.xlsx")
    )
    with warehouse.connect() as conn:
        assert local_time(conn.scalar(select(Revision.changed_at))) == STORED
    monkeypatch.setenv("SAKIP_DATABASE_URL", _warehouse_url(warehouse))

    status, out, _ = run("revisions", "--workdir", str(tmp_path))

    assert status == 0
    assert SHOWN in out and "maret_koreksi.xlsx" in out
    assert "07:05:09" not in out
