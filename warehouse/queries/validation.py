"""The web application's reads about validation runs: one run by its public key, the runs of an
agency, the names files were sent under, and the issues the web application recorded for a file.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Engine, and_, or_, select

from warehouse.models import ValidationRun, WebUploadFile


def validation_run(engine: Engine, run_id: str, row_id: int):
    """The ``validation_run`` row with this batch run id and row id, or None (both must match)."""
    with engine.connect() as conn:
        return conn.execute(
            select(ValidationRun).where(ValidationRun.id == row_id, ValidationRun.run_id == run_id)
        ).first()


def _sent_by(opd_code: str):
    """The contents the agency's people sent through the web application."""
    return select(WebUploadFile.sha256).where(
        WebUploadFile.agency_code == opd_code, WebUploadFile.sha256 != ""
    )


def agency_validation_runs(engine: Engine, opd_code: str, limit: int = 200) -> list:
    """The newest ``validation_run`` rows of one agency, newest first: those of its workbooks, and
    those of files its people sent that name no agency."""
    unnamed = and_(ValidationRun.opd_code == "", ValidationRun.sha256.in_(_sent_by(opd_code)))
    query = (
        select(ValidationRun)
        .where(or_(ValidationRun.opd_code == opd_code, unnamed))
        .order_by(ValidationRun.validated_at.desc(), ValidationRun.id.desc())
        .limit(limit)
    )
    with engine.connect() as conn:
        return list(conn.execute(query).all())


def sent_names(engine: Engine, sha256s: Sequence[str]) -> dict[str, str]:
    """sha256 -> the name the newest web upload of that content was sent under."""
    wanted = sorted({s for s in sha256s if s})
    names: dict[str, str] = {}
    for start in range(0, len(wanted), 500):
        query = (
            select(WebUploadFile.sha256, WebUploadFile.original_name)
            .where(WebUploadFile.sha256.in_(wanted[start : start + 500]))
            .order_by(WebUploadFile.id)
        )
        with engine.connect() as conn:
            names.update({sha: name for sha, name in conn.execute(query).all() if name})
    return names


def sent_file_issues(engine: Engine, sha256: str) -> str | None:
    """The issues (JSON) the newest web upload of this content recorded, or None."""
    query = (
        select(WebUploadFile.issues_json)
        .where(WebUploadFile.sha256 == sha256)
        .order_by(WebUploadFile.id.desc())
        .limit(1)
    )
    with engine.connect() as conn:
        return conn.scalar(query)


def upload_file_validation(engine: Engine, file_public_id: str):
    """(agency_code, sha256, data_docs_url, uploaded file id) of a web-uploaded file, or None."""
    with engine.connect() as conn:
        return conn.execute(
            select(
                WebUploadFile.agency_code,
                WebUploadFile.sha256,
                WebUploadFile.data_docs_url,
                WebUploadFile.id,
            ).where(WebUploadFile.public_id == file_public_id)
        ).first()


def runs_of_file(engine: Engine, sha256: str) -> list:
    """The ``validation_run`` rows of one file content, newest first."""
    query = (
        select(ValidationRun)
        .where(ValidationRun.sha256 == sha256)
        .order_by(ValidationRun.validated_at.desc(), ValidationRun.id.desc())
    )
    with engine.connect() as conn:
        return list(conn.execute(query).all())


def run_agencies(engine: Engine, opd_code: str, sha256: str) -> set[str]:
    """The agencies a run belongs to: its workbook's, else those whose people sent the file ("" when
    none did)."""
    if opd_code:
        return {opd_code}
    query = select(WebUploadFile.agency_code).where(WebUploadFile.sha256 == sha256).distinct()
    with engine.connect() as conn:
        return {code or "" for code in conn.execute(query).scalars().all()} or {""}


def page_owner_agencies(engine: Engine, page_suffix: str) -> set[str]:
    """The agencies of the runs whose Data Docs page ends with ``page_suffix`` (as :func:`run_agencies`)."""
    query = select(ValidationRun.opd_code, ValidationRun.sha256).where(
        ValidationRun.data_docs_url.endswith(page_suffix)
    )
    with engine.connect() as conn:
        runs = set(conn.execute(query).all())
    return {code for opd_code, sha256 in runs for code in run_agencies(engine, opd_code or "", sha256)}
