"""The web application's reads of the warehouse: accounts, sessions, sign-in attempts, uploads, and
the stewards' pages (agencies, months, submissions). Its writes stay beside the code that makes them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import pandas as pd
from sqlalchemy import Engine, func, select, text, update

from warehouse.models import (
    FactRealization,
    LoadBatch,
    Opd,
    Period,
    ValidationRun,
    WebLoginAttempt,
    WebSession,
    WebUpload,
    WebUploadFile,
    WebUser,
)
from warehouse.queries.dashboard import plan_to_date


def web_user_named(engine: Engine, username: str):
    """The ``web_user`` row named ``username``, or None."""

    with engine.connect() as conn:
        return conn.execute(select(WebUser).where(WebUser.username == username)).first()


def web_user_with_id(engine: Engine, user_id: int):
    """The ``web_user`` row with id ``user_id``, or None."""

    with engine.connect() as conn:
        return conn.execute(select(WebUser).where(WebUser.id == user_id)).first()


def web_users(engine: Engine) -> list:
    """Every ``web_user`` row, by user name."""

    with engine.connect() as conn:
        return list(conn.execute(select(WebUser).order_by(WebUser.username)).all())


def web_user_role(engine: Engine, user_id: int) -> str | None:
    """The role (``steward`` or ``opd``) of the account with id ``user_id``, or None."""

    with engine.connect() as conn:
        return conn.scalar(select(WebUser.role).where(WebUser.id == user_id))


def web_password_hash(engine: Engine, username: str):
    """(id, password_hash) of the account named ``username``, or None."""

    with engine.connect() as conn:
        return conn.execute(
            select(WebUser.id, WebUser.password_hash).where(WebUser.username == username)
        ).first()


def web_session(engine: Engine, token_digest: str):
    """(user_id, csrf_token, expires_at) of the session whose token has this sha256, or None."""

    with engine.connect() as conn:
        return conn.execute(
            select(WebSession.user_id, WebSession.csrf_token, WebSession.expires_at).where(
                WebSession.id == token_digest
            )
        ).first()


def last_web_sign_in(engine: Engine, username: str, client: str | None = None) -> datetime | None:
    """When ``username`` last signed in successfully (from the address ``client`` when given), or None."""

    conditions = [WebLoginAttempt.username == username, WebLoginAttempt.success.is_(True)]
    if client is not None:
        conditions.append(WebLoginAttempt.client == client)
    with engine.connect() as conn:
        return conn.scalar(select(func.max(WebLoginAttempt.attempted_at)).where(*conditions))


def failed_web_sign_ins(
    engine: Engine, *, after: datetime, limit: int, username: str | None = None, client: str | None = None
) -> list[datetime]:
    """The moments of the newest ``limit`` failed sign-ins after ``after``, newest first: of the user
    name ``username``, from the address ``client``, or (both given) of that user name from that address."""

    if username is None and client is None:
        raise ValueError("failed_web_sign_ins needs a user name, a client address or both")
    conditions = [WebLoginAttempt.success.is_(False), WebLoginAttempt.attempted_at > after]
    if username is not None:
        conditions.append(WebLoginAttempt.username == username)
    if client is not None:
        conditions.append(WebLoginAttempt.client == client)
    query = (
        select(WebLoginAttempt.attempted_at)
        .where(*conditions)
        .order_by(WebLoginAttempt.attempted_at.desc())
        .limit(limit)
    )
    with engine.connect() as conn:
        return list(conn.execute(query).scalars().all())


def web_upload(engine: Engine, public_id: str) -> tuple[object, list] | None:
    """The ``web_upload`` row with this public id and its ``web_upload_file`` rows in order, or None."""

    with engine.connect() as conn:
        upload = conn.execute(select(WebUpload).where(WebUpload.public_id == public_id)).first()
        if upload is None:
            return None
        files = conn.execute(
            select(WebUploadFile).where(WebUploadFile.upload_id == upload.id).order_by(WebUploadFile.id)
        ).all()
    return upload, list(files)


def web_upload_file(engine: Engine, public_id: str):
    """(annotated_path, original_name, agency_code) of the uploaded file with this public id, or None."""

    with engine.connect() as conn:
        return conn.execute(
            select(
                WebUploadFile.annotated_path, WebUploadFile.original_name, WebUploadFile.agency_code
            ).where(WebUploadFile.public_id == public_id)
        ).first()


def recent_web_uploads(
    engine: Engine, agency_code: str | None, limit: int
) -> list[tuple[object, list[tuple[str, str]]]]:
    """The newest ``web_upload`` rows (those of one agency or with a file of it, or all), each with the
    (status, name as sent) of its files in order (of that agency's files only, when one is given)."""

    query = select(WebUpload).order_by(WebUpload.uploaded_at.desc(), WebUpload.id.desc()).limit(limit)
    if agency_code is not None:
        mine = select(WebUploadFile.upload_id).where(WebUploadFile.agency_code == agency_code)
        query = query.where((WebUpload.agency_code == agency_code) | WebUpload.id.in_(mine))
    with engine.connect() as conn:
        uploads = conn.execute(query).all()
        files = select(WebUploadFile.upload_id, WebUploadFile.status, WebUploadFile.original_name).where(
            WebUploadFile.upload_id.in_([u.id for u in uploads])
        )
        if agency_code is not None:  # an agency counts only its own files of a steward's upload
            files = files.where(WebUploadFile.agency_code == agency_code)
        by_upload: dict[int, list[tuple[str, str]]] = {}
        for upload_id, status, name in conn.execute(files.order_by(WebUploadFile.id)).all():
            by_upload.setdefault(upload_id, []).append((status, name))
    return [(upload, by_upload.get(upload.id, [])) for upload in uploads]


def validation_pages(engine: Engine, sha256s: Sequence[str], since: datetime) -> dict[str, str]:
    """sha256 -> the Data Docs page (file URL) of the newest validation of that file since ``since``
    (the web application's upload result)."""
    if not sha256s:
        return {}
    query = (
        select(ValidationRun.sha256, ValidationRun.data_docs_url)
        .where(ValidationRun.sha256.in_(list(sha256s)), ValidationRun.validated_at >= since)
        .order_by(ValidationRun.validated_at, ValidationRun.id)
    )
    with engine.connect() as conn:
        return {sha: url for sha, url in conn.execute(query).all() if url}


def page_agencies(engine: Engine, page_suffix: str) -> set[str]:
    """The agencies of the validations whose Data Docs page ends with ``page_suffix``."""
    query = select(ValidationRun.opd_code).where(ValidationRun.data_docs_url.endswith(page_suffix)).distinct()
    with engine.connect() as conn:
        return {code or "" for code in conn.execute(query).scalars().all()}


def agency_names(engine: Engine) -> dict[str, str]:
    """Code -> name of every agency the warehouse knows."""
    with engine.connect() as conn:
        return {code: name or "" for code, name in conn.execute(select(Opd.code, Opd.name)).all()}


def latest_month(engine: Engine, opd_code: str | None = None) -> tuple[int, int] | None:
    """The newest (year, month) with a loaded monthly workbook (of one agency, or of any)."""
    query = select(LoadBatch.year, LoadBatch.month).where(
        LoadBatch.kind == "realization", LoadBatch.status == "loaded", LoadBatch.month.is_not(None)
    )
    if opd_code is not None:
        query = query.where(LoadBatch.opd_code == opd_code)
    query = query.order_by(LoadBatch.year.desc(), LoadBatch.month.desc()).limit(1)
    with engine.connect() as conn:
        row = conn.execute(query).first()
    return (int(row[0]), int(row[1])) if row else None


def agency_months(engine: Engine, opd_code: str) -> pd.DataFrame:
    """The months loaded for an agency, newest first: file, when, who, anggaran, realisasi, anggaran kas
    (plan to date: the month's own, else the anggaran kas workbook's), serapan."""
    amounts = (
        select(
            Period.year,
            Period.month,
            func.sum(FactRealization.anggaran_rp).label("anggaran"),
            func.sum(FactRealization.realisasi_sd_bulan_ini_rp).label("realisasi"),
            func.sum(plan_to_date()).label("anggaran_kas"),
        )
        .join(FactRealization, FactRealization.period_id == Period.id)
        .join(Opd, Opd.id == FactRealization.opd_id)
        .where(Opd.code == opd_code)
        .group_by(Period.year, Period.month)
    )
    batches = select(
        LoadBatch.year,
        LoadBatch.month,
        LoadBatch.file_name,
        LoadBatch.sha256,
        LoadBatch.loaded_at,
        LoadBatch.loaded_by,
    ).where(LoadBatch.opd_code == opd_code, LoadBatch.kind == "realization", LoadBatch.status == "loaded")
    with engine.connect() as conn:
        table = pd.read_sql(amounts, conn)
        files = pd.read_sql(batches, conn)
    table = table.merge(files, on=["year", "month"], how="left")
    table["serapan"] = (table["realisasi"] / table["anggaran"].where(table["anggaran"] != 0)) * 100
    return table.sort_values(["year", "month"], ascending=False).reset_index(drop=True)


def rejected_submissions(engine: Engine, opd_code: str, limit: int = 50) -> pd.DataFrame:
    """The agency's rejected workbooks, newest first (any way they came in: web, command line, inbox)."""
    query = (
        select(
            LoadBatch.file_name,
            LoadBatch.sha256,
            LoadBatch.kind,
            LoadBatch.year,
            LoadBatch.month,
            LoadBatch.loaded_at,
            LoadBatch.loaded_by,
            LoadBatch.message,
        )
        .where(LoadBatch.opd_code == opd_code, LoadBatch.status == "rejected")
        .order_by(LoadBatch.loaded_at.desc(), LoadBatch.id.desc())
        .limit(limit)
    )
    with engine.connect() as conn:
        return pd.read_sql(query, conn)


def known_agency_codes(engine: Engine) -> list[str]:
    """Every agency code the warehouse knows: registered OPDs, agencies that sent workbooks, and
    agencies with a web user (before their first workbook)."""

    with engine.connect() as conn:
        known = set(conn.execute(select(Opd.code)).scalars().all())
        known |= {c for c in conn.execute(select(LoadBatch.opd_code).distinct()).scalars().all() if c}
        known |= {c for c in conn.execute(select(WebUser.opd_code).distinct()).scalars().all() if c}
    return sorted(known)


def month_submissions(engine: Engine, year: int, month: int) -> tuple[list, set[str], set[str]]:
    """The month's monthly-workbook batches in load order (opd_code, status, file_name, loaded_at,
    loaded_by); the agencies with a web upload in progress holding a file of this month; and those with
    an upload waiting or in progress whose files' months are not known yet (read when it is processed).
    """

    active = WebUpload.status.in_(("queued", "processing"))
    with engine.connect() as conn:
        batches = conn.execute(
            select(
                LoadBatch.opd_code,
                LoadBatch.status,
                LoadBatch.file_name,
                LoadBatch.loaded_at,
                LoadBatch.loaded_by,
            )
            .where(LoadBatch.kind == "realization", LoadBatch.year == year, LoadBatch.month == month)
            .order_by(LoadBatch.loaded_at, LoadBatch.id)
        ).all()
        files = conn.execute(
            select(WebUploadFile.agency_code, WebUploadFile.year, WebUploadFile.month)
            .join(WebUpload, WebUpload.id == WebUploadFile.upload_id)
            .where(active, WebUploadFile.agency_code != "")
        ).all()
    pending = {code for code, y, m in files if (y, m) == (year, month)}
    waiting = {code for code, y, m in files if y is None}
    return list(batches), pending, waiting


#: The key of the PostgreSQL advisory lock that makes two workers' claims one after the other.
CLAIM_LOCK = "web_upload/claim"
#: The statuses of an upload not yet finished.
ACTIVE_STATUSES = ("queued", "processing")


def active_web_upload(engine: Engine, user_id: int) -> str | None:
    """The public id of the user's upload waiting or being processed, or None."""

    with engine.connect() as conn:
        return conn.scalar(
            select(WebUpload.public_id).where(
                WebUpload.user_id == user_id, WebUpload.status.in_(ACTIVE_STATUSES)
            )
        )


def queued_web_uploads(engine: Engine) -> int:
    """How many uploads wait for a worker."""

    with engine.connect() as conn:
        return int(conn.scalar(select(func.count()).where(WebUpload.status == "queued")) or 0)


def _claimable(agency_free: bool = True):
    """The oldest queued upload whose agency (steward uploads count as one) has none being processed."""
    busy = WebUpload.__table__.alias("busy")
    query = select(WebUpload.id).where(WebUpload.status == "queued")
    if agency_free:
        same = func.coalesce(busy.c.agency_code, "") == func.coalesce(WebUpload.agency_code, "")
        query = query.where(~select(busy.c.id).where(busy.c.status == "processing", same).exists())
    return query.order_by(WebUpload.uploaded_at, WebUpload.id).limit(1)


def claim_web_upload(engine: Engine, worker_id: str, now: datetime) -> int | None:
    """Mark the oldest claimable queued upload ``processing`` for ``worker_id``; its row id, or None.

    Never two uploads of one agency at once. PostgreSQL: the claims of all workers take one advisory
    transaction lock in turn (so the "none of its agency processing" test and the update are one step)
    and the row is read ``FOR UPDATE SKIP LOCKED``. SQLite: the database's write lock (``BEGIN
    IMMEDIATE``) and an update conditional on the row still being ``queued``, its row count checked.
    """

    with engine.connect() as plain:
        conn = plain.execution_options(write_lock=True)
        with conn.begin():
            if engine.dialect.name == "postgresql":
                lock = text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))")
                conn.execute(lock, {"key": CLAIM_LOCK})
                found = conn.scalar(_claimable().with_for_update(skip_locked=True))
            else:
                found = conn.scalar(_claimable())
            if found is None:
                return None
            claimed = conn.execute(
                update(WebUpload)
                .where(WebUpload.id == found, WebUpload.status == "queued")
                .values(status="processing", claimed_by=worker_id, started_at=now, heartbeat_at=now)
            )
            return found if claimed.rowcount == 1 else None


def beat_web_upload(engine: Engine, upload_pk: int, worker_id: str, now: datetime) -> bool:
    """Refresh the heartbeat of an upload this worker processes; False when it is no longer its own."""

    with engine.begin() as conn:
        changed = conn.execute(
            update(WebUpload)
            .where(
                WebUpload.id == upload_pk, WebUpload.claimed_by == worker_id, WebUpload.status == "processing"
            )
            .values(heartbeat_at=now)
        )
    return changed.rowcount == 1


def stale_web_uploads(engine: Engine, before: datetime) -> list[int]:
    """The row ids of the uploads ``processing`` whose last heartbeat (or start) is older than ``before``."""

    beat = func.coalesce(WebUpload.heartbeat_at, WebUpload.started_at, WebUpload.uploaded_at)
    with engine.connect() as conn:
        return list(
            conn.execute(select(WebUpload.id).where(WebUpload.status == "processing", beat < before))
            .scalars()
            .all()
        )


def web_upload_job(engine: Engine, upload_pk: int) -> tuple[object, list] | None:
    """The ``web_upload`` row with this row id and its file rows in order, or None."""

    with engine.connect() as conn:
        upload = conn.execute(select(WebUpload).where(WebUpload.id == upload_pk)).first()
        if upload is None:
            return None
        files = conn.execute(
            select(WebUploadFile).where(WebUploadFile.upload_id == upload_pk).order_by(WebUploadFile.id)
        ).all()
    return upload, list(files)


def expired_web_upload_files(engine: Engine, before: datetime) -> list:
    """(id, stored_path, annotated_path) of the kept files of uploads sent before ``before``."""

    query = (
        select(WebUploadFile.id, WebUploadFile.stored_path, WebUploadFile.annotated_path)
        .join(WebUpload, WebUpload.id == WebUploadFile.upload_id)
        .where(
            WebUpload.uploaded_at < before,
            WebUpload.status.not_in(ACTIVE_STATUSES),
            WebUploadFile.kept.is_(True),
            WebUploadFile.stored_path != "",
        )
    )
    with engine.connect() as conn:
        return list(conn.execute(query).all())
