"""Load batches: the record of every file offered (loaded, replaced or rejected), who loaded it and
when, and the advisory locks that keep two writers off one OPD-month or OPD-year.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Engine, insert, select

from tasks.core.calendar import now_utc
from tasks.core.issues import InputIssue
from warehouse.models import (
    LoadBatch,
)


@dataclass(frozen=True)
class LoadResult:
    """What loading one file did."""

    file_name: str
    kind: str
    status: str  # loaded | unchanged | rejected
    rows: int
    opd_code: str = ""
    year: int | None = None
    month: int | None = None
    batch_id: int | None = None
    path: Path | None = None  # the file loaded
    part: str = ""  # the month of a year workbook loaded (see ``RealizationWorkbook.part``)


def realization_lock(opd_code: str, year: int, month: int) -> str:
    """Lock key of an OPD-month's realization rows."""
    return f"realization/{opd_code}/{year}/{month}"


def budget_lock(opd_code: str, year: int) -> str:
    """Lock key of an OPD-year's budget facts (rebuilt from all its months by every realization load)."""
    return f"budget/{opd_code}/{year}"


def current_batch(
    conn: Connection, kind: str, opd_code: str, year: int, month: int | None
) -> LoadBatch | None:
    """The batch currently loaded for a partition, if any."""
    query = select(LoadBatch).where(
        LoadBatch.kind == kind,
        LoadBatch.opd_code == opd_code,
        LoadBatch.year == year,
        LoadBatch.status == "loaded",
    )
    query = (
        query.where(LoadBatch.month == month) if month is not None else query.where(LoadBatch.month.is_(None))
    )
    return conn.execute(query.order_by(LoadBatch.id.desc())).first()


def record_batch(
    conn: Connection,
    *,
    file_name: str,
    sha256: str,
    kind: str,
    opd_code: str,
    year: int | None,
    month: int | None,
    rows: int,
    status: str,
    message: str = "",
    loaded_by: str = "",
) -> int:
    """Insert a load-batch record and return its id."""
    return int(
        conn.execute(
            insert(LoadBatch)
            .values(
                file_name=file_name,
                sha256=sha256,
                kind=kind,
                opd_code=opd_code,
                year=year,
                month=month,
                rows=rows,
                loaded_at=now_utc(),
                status=status,
                message=message[:4000],
                loaded_by=loaded_by[:100],
            )
            .returning(LoadBatch.id)
        ).scalar_one()
    )


def record_rejection(
    engine: Engine,
    *,
    file_name: str,
    sha256: str,
    kind: str,
    issues: list[InputIssue],
    opd_code: str = "",
    year: int | None = None,
    month: int | None = None,
    loaded_by: str = "",
) -> int:
    """Record a rejected file (no data), offered by ``loaded_by``, and return the batch id.

    Its message: one line per problem (at most 50), in Bahasa Indonesia as the agency's and the
    steward's pages show it, located by sheet and cell (the batch names the file).
    """
    message = "\n".join(issue.describe("id", with_file=False) for issue in issues[:50])
    with engine.begin() as conn:
        return record_batch(
            conn,
            file_name=file_name,
            sha256=sha256,
            kind=kind,
            opd_code=opd_code,
            year=year,
            month=month,
            rows=0,
            status="rejected",
            message=message,
            loaded_by=loaded_by[:100],
        )
