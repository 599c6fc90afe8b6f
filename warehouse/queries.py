"""Every read query of the warehouse, in one place: what the report, monitoring, intake and command-line
listings ask of it, as data frames or plain values. Writes live in :mod:`tasks.load`.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, select

from warehouse.models import (
    Revision,
    RevisionLine,
)


def list_revisions(
    engine: Engine,
    *,
    opd_code: str | None = None,
    year: int | None = None,
    month: int | None = None,
    detail: bool = False,
) -> pd.DataFrame:
    """The corrections, newest first: one row per revision, or per changed amount with ``detail``."""
    columns = [
        Revision.changed_at,
        Revision.opd_code,
        Revision.year,
        Revision.month,
        Revision.old_file,
        Revision.new_file,
        Revision.changed_by,
        Revision.changed_rows,
    ]
    query = select(*columns)
    if detail:
        query = select(
            *columns[:7],
            RevisionLine.kode,
            RevisionLine.field,
            RevisionLine.old_value,
            RevisionLine.new_value,
        ).join(RevisionLine, RevisionLine.revision_id == Revision.id)
    for column, value in ((Revision.opd_code, opd_code), (Revision.year, year), (Revision.month, month)):
        if value is not None:
            query = query.where(column == value)
    with engine.connect() as conn:
        return pd.read_sql(query.order_by(Revision.changed_at.desc(), Revision.id.desc()), conn)
