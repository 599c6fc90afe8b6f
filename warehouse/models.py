"""The warehouse schema: dimensions, facts and the load-batch record.

Dimensions: ``opd`` (agency), ``budget_item`` (the program / kegiatan / sub kegiatan hierarchy of
Permendagri 90/2019, national nomenclature keyed by code), ``period`` (year and month) and
``indicator`` (an OPD's performance indicator of one year).
Facts: monthly realization per sub kegiatan (and per expenditure account where the workbook has
them), the yearly budget (murni = original, perubahan = after the amendment), indicator targets and
realizations, the monthly plan (anggaran kas). Amounts are whole-precision rupiah
(``NUMERIC(18, 2)``); nothing is rounded here, and no text is cut: what users write is stored whole
(:func:`free_text`).

The columns holding input values (the monthly facts' amounts, fisik and funding source, the
indicator's optional texts) are generated from the column spec, :mod:`tasks.core.columns`.
Every change goes through a named Alembic migration in ``warehouse/migrations``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, MappedColumn, mapped_column
from sqlalchemy.types import TypeEngine

from tasks.core import columns
from tasks.core.columns import InputColumn

Rupiah = Numeric(18, 2, asdecimal=False)


def free_text(sqlite_length: int) -> TypeEngine:
    """Text of any length, for what users write (names, uraian, file names, codes of unbounded form).

    SQLite keeps the ``VARCHAR(n)`` its tables were created with: it never enforces a length, and
    changing a declared type there means rebuilding tables that others reference.
    """
    return Text().with_variant(String(sqlite_length), "sqlite")


def spec_column(column: InputColumn) -> MappedColumn:
    """The warehouse column of an input column the spec stores (see :class:`tasks.core.columns.Stored`)."""
    stored = column.stored
    if stored is None:
        raise ValueError(f"input column {column.name} is not stored")
    if column.type == "amount":
        return mapped_column(Rupiah, nullable=stored.nullable)
    if column.type in ("percent", "number"):
        return mapped_column(Float, nullable=stored.nullable)
    if stored.length:
        return mapped_column(free_text(stored.length), nullable=stored.nullable, default="")
    return mapped_column(Text, nullable=stored.nullable, default="", server_default="")


def spec_columns(table: str) -> dict[str, MappedColumn]:
    """The generated columns of ``table``, by name, in spec order."""
    return {column.name: spec_column(column) for column in columns.stored(table)}


#: The values of one sub kegiatan in one month (current rows and superseded ones alike), one column
#: per input column the spec keeps in ``fact_realization``: amounts, fisik, funding source.
_SubKegiatanAmounts = type(
    "_SubKegiatanAmounts",
    (),
    {"__doc__": "The values of one sub kegiatan in one month.", **spec_columns(columns.FACT_REALIZATION)},
)


#: The optional texts of an indicator ("" when its workbook has none: Tabel 2.2 and Tabel 3.3), one
#: column per input column the spec keeps in ``indicator``.
_IndicatorTexts = type(
    "_IndicatorTexts",
    (),
    {"__doc__": "The optional texts of an indicator.", **spec_columns(columns.INDICATOR_TABLE)},
)


NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base of every warehouse table."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Opd(Base):
    """A regional government agency (Perangkat Daerah)."""

    __tablename__ = "opd"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(free_text(40), unique=True)
    name: Mapped[str] = mapped_column(free_text(300), default="")
    #: the government's line its workbooks carry (``PEMERINTAH KOTA SEMARANG``); "" when none did
    government: Mapped[str] = mapped_column(Text, default="", server_default="")


class BudgetItem(Base):
    """One node of the budget hierarchy: urusan, program, kegiatan or sub kegiatan."""

    __tablename__ = "budget_item"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    level: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(free_text(500), default="")
    parent_code: Mapped[str] = mapped_column(String(40), default="")


class Period(Base):
    """A reporting month."""

    __tablename__ = "period"
    __table_args__ = (UniqueConstraint("year", "month"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    month: Mapped[int] = mapped_column(Integer)


#: The partial unique index of the current batches, and its predicate: the rows with status 'loaded'.
CURRENT_BATCH_INDEX = "uq_load_batch_current"
CURRENT_BATCH = "status = 'loaded'"


class LoadBatch(Base):
    """One input file offered to the warehouse, loaded or rejected."""

    __tablename__ = "load_batch"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    file_name: Mapped[str] = mapped_column(free_text(500))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # realization | indicator | anggaran_kas
    opd_code: Mapped[str] = mapped_column(free_text(40), default="")
    year: Mapped[int | None] = mapped_column(Integer, nullable=True)
    month: Mapped[int | None] = mapped_column(Integer, nullable=True)
    rows: Mapped[int] = mapped_column(Integer, default=0)
    loaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(20))  # loaded | rejected | replaced
    message: Mapped[str] = mapped_column(String(4000), default="")
    loaded_by: Mapped[str] = mapped_column(String(100), default="", server_default="")
    #: when a newer file replaced this one (its data then lives in the history tables)
    superseded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    __table_args__ = (
        # at most one current version of an OPD's month (or of its yearly indicator workbook); its
        # predicate on PostgreSQL: declare_postgresql_options()
        Index(
            CURRENT_BATCH_INDEX,
            "kind",
            "opd_code",
            "year",
            func.coalesce(text("month"), 0),
            unique=True,
            sqlite_where=text(CURRENT_BATCH),
        ),
    )


def declare_postgresql_options() -> None:
    """Give the partial index of the current batches its PostgreSQL predicate (``postgresql_where``).

    Not written in the index itself: any ``postgresql_*`` argument makes SQLAlchemy import its
    PostgreSQL dialect with the models (0.05 s of every listing), also on SQLite. An engine on
    PostgreSQL has that dialect loaded anyway, and ``warehouse.db.make_engine`` calls this for it.
    """
    index = next(i for i in LoadBatch.__table__.indexes if i.name == CURRENT_BATCH_INDEX)
    index.dialect_options["postgresql"]["where"] = text(CURRENT_BATCH)
    active = next(i for i in WebUpload.__table__.indexes if i.name == ACTIVE_UPLOAD_INDEX)
    active.dialect_options["postgresql"]["where"] = text(ACTIVE_UPLOAD)


class Indicator(_IndicatorTexts, Base):
    """A performance indicator of an OPD in one year (tujuan, sasaran, program or kegiatan level)."""

    __tablename__ = "indicator"
    # every loaded version is kept: the current one is that of the OPD-year's current batch
    __table_args__ = (UniqueConstraint("batch_id", "jenis", "no"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    opd_id: Mapped[int] = mapped_column(ForeignKey("opd.id"))
    year: Mapped[int] = mapped_column(Integer)
    jenis: Mapped[str] = mapped_column(String(20))
    no: Mapped[str] = mapped_column(free_text(20))
    uraian: Mapped[str] = mapped_column(free_text(1000), default="")
    indikator: Mapped[str] = mapped_column(free_text(1000))
    satuan: Mapped[str] = mapped_column(free_text(50), default="")
    arah: Mapped[str] = mapped_column(String(10), default="positif")
    rumus_capaian: Mapped[str] = mapped_column(String(10), default="standar")
    kode_program: Mapped[str] = mapped_column(free_text(500), default="")
    data_awal: Mapped[float | None] = mapped_column(Float, nullable=True)
    target_akhir_renstra: Mapped[float | None] = mapped_column(Float, nullable=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("load_batch.id"))


class FactIndicatorTarget(Base):
    """The target of an indicator for one year (the PK year, or a Renstra year)."""

    __tablename__ = "fact_indicator_target"
    __table_args__ = (UniqueConstraint("indicator_id", "tahun"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id", ondelete="CASCADE"))
    tahun: Mapped[int] = mapped_column(Integer)
    target: Mapped[float] = mapped_column(Float)


class FactIndicatorRealization(Base):
    """A realization of an indicator: the year value (triwulan 0) or a quarter (1–4)."""

    __tablename__ = "fact_indicator_realization"
    __table_args__ = (UniqueConstraint("indicator_id", "tahun", "triwulan"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id", ondelete="CASCADE"))
    tahun: Mapped[int] = mapped_column(Integer)
    triwulan: Mapped[int] = mapped_column(Integer)
    realisasi: Mapped[float] = mapped_column(Float)


class IndicatorNarrative(Base):
    """A paragraph the office wrote for its report (sheet ``Narasi`` of an indicator workbook), kept
    with the workbook's batch: a newer workbook brings its own texts, and the report of a past moment
    takes the texts of the workbook in force then.

    ``bagian`` is the part of the report the paragraph stands under (a key of
    :mod:`tasks.core.outline`: ``I.A``, ``III.D.3``, ``3.4`` …), ``position`` its place in the sheet.
    """

    __tablename__ = "indicator_narrative"
    __table_args__ = (UniqueConstraint("batch_id", "position"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("load_batch.id"))
    position: Mapped[int] = mapped_column(Integer)
    bagian: Mapped[str] = mapped_column(String(20))
    teks: Mapped[str] = mapped_column(Text)


class FactRealization(_SubKegiatanAmounts, Base):
    """Monthly budget realization of one sub kegiatan of one OPD."""

    __tablename__ = "fact_realization"
    __table_args__ = (UniqueConstraint("opd_id", "period_id", "budget_item_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    opd_id: Mapped[int] = mapped_column(ForeignKey("opd.id"))
    period_id: Mapped[int] = mapped_column(ForeignKey("period.id"))
    budget_item_id: Mapped[int] = mapped_column(ForeignKey("budget_item.id"))
    batch_id: Mapped[int] = mapped_column(ForeignKey("load_batch.id"))


class FactRealizationAccount(Base):
    """Monthly realization of one expenditure account (kode rekening) under a sub kegiatan."""

    __tablename__ = "fact_realization_account"
    __table_args__ = (UniqueConstraint("opd_id", "period_id", "budget_item_id", "kode_rekening"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    opd_id: Mapped[int] = mapped_column(ForeignKey("opd.id"))
    period_id: Mapped[int] = mapped_column(ForeignKey("period.id"))
    budget_item_id: Mapped[int] = mapped_column(ForeignKey("budget_item.id"))
    batch_id: Mapped[int] = mapped_column(ForeignKey("load_batch.id"))
    kode_rekening: Mapped[str] = mapped_column(free_text(40))
    uraian: Mapped[str] = mapped_column(free_text(500), default="")
    sumber_dana: Mapped[str] = mapped_column(free_text(200), default="")
    anggaran_rp: Mapped[float] = mapped_column(Rupiah)
    realisasi_bulan_ini_rp: Mapped[float] = mapped_column(Rupiah)
    realisasi_sd_bulan_ini_rp: Mapped[float] = mapped_column(Rupiah)


class FactRealizationSource(Base):
    """Monthly budget and realization of one sub kegiatan from one funding source (sumber dana), as a
    workbook in funding-source sections gives them; replaced with the month like the other facts."""

    __tablename__ = "fact_realization_source"
    __table_args__ = (UniqueConstraint("opd_id", "period_id", "budget_item_id", "sumber_dana"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    opd_id: Mapped[int] = mapped_column(ForeignKey("opd.id"))
    period_id: Mapped[int] = mapped_column(ForeignKey("period.id"))
    budget_item_id: Mapped[int] = mapped_column(ForeignKey("budget_item.id"))
    batch_id: Mapped[int] = mapped_column(ForeignKey("load_batch.id"))
    sumber_dana: Mapped[str] = mapped_column(free_text(200))
    anggaran_rp: Mapped[float] = mapped_column(Rupiah)
    anggaran_kas_sd_bulan_ini_rp: Mapped[float | None] = mapped_column(Rupiah, nullable=True)
    realisasi_bulan_ini_rp: Mapped[float] = mapped_column(Rupiah)
    realisasi_sd_bulan_ini_rp: Mapped[float] = mapped_column(Rupiah)


class FactBudget(Base):
    """The year's budget of a sub kegiatan: original (murni) and revised (perubahan)."""

    __tablename__ = "fact_budget"
    __table_args__ = (UniqueConstraint("opd_id", "year", "budget_item_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    opd_id: Mapped[int] = mapped_column(ForeignKey("opd.id"))
    year: Mapped[int] = mapped_column(Integer)
    budget_item_id: Mapped[int] = mapped_column(ForeignKey("budget_item.id"))
    anggaran_murni_rp: Mapped[float] = mapped_column(Rupiah)
    anggaran_perubahan_rp: Mapped[float] = mapped_column(Rupiah)
    as_of_month: Mapped[int] = mapped_column(Integer)


class FactCashPlan(Base):
    """The planned disbursement (anggaran kas / RAK) of one sub kegiatan in one month, from the
    OPD-year's current anggaran kas workbook (a new version replaces every row of the OPD-year)."""

    __tablename__ = "fact_cash_plan"
    __table_args__ = (UniqueConstraint("opd_id", "year", "budget_item_id", "month"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    opd_id: Mapped[int] = mapped_column(ForeignKey("opd.id"))
    year: Mapped[int] = mapped_column(Integer)
    budget_item_id: Mapped[int] = mapped_column(ForeignKey("budget_item.id"))
    month: Mapped[int] = mapped_column(Integer)
    rencana_rp: Mapped[float] = mapped_column(Rupiah)
    batch_id: Mapped[int] = mapped_column(ForeignKey("load_batch.id"), index=True)


class ValidationRun(Base):
    """One Great Expectations suite run on one file, with where its Data Docs page is."""

    __tablename__ = "validation_run"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[str] = mapped_column(String(40), index=True)
    file_name: Mapped[str] = mapped_column(free_text(500))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    suite: Mapped[str] = mapped_column(String(100))
    suite_version: Mapped[str] = mapped_column(String(20), default="")
    success: Mapped[bool] = mapped_column(Boolean)
    evaluated: Mapped[int] = mapped_column(Integer)
    failed: Mapped[int] = mapped_column(Integer)
    errors: Mapped[int] = mapped_column(Integer, default=0)
    warnings: Mapped[int] = mapped_column(Integer, default=0)
    data_docs_url: Mapped[str] = mapped_column(free_text(2000), default="")
    opd_code: Mapped[str] = mapped_column(free_text(40), default="")
    year: Mapped[int | None] = mapped_column(Integer, nullable=True)
    month: Mapped[int | None] = mapped_column(Integer, nullable=True)
    validated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class FactRealizationHistory(_SubKegiatanAmounts, Base):
    """A superseded monthly realization row, kept when a corrected file replaced its month."""

    __tablename__ = "fact_realization_history"
    __table_args__ = (UniqueConstraint("batch_id", "budget_item_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    opd_id: Mapped[int] = mapped_column(ForeignKey("opd.id"))
    period_id: Mapped[int] = mapped_column(ForeignKey("period.id"))
    budget_item_id: Mapped[int] = mapped_column(ForeignKey("budget_item.id"))
    batch_id: Mapped[int] = mapped_column(ForeignKey("load_batch.id"), index=True)


class Revision(Base):
    """A correction: a file that replaced an OPD's month, who sent it and when."""

    __tablename__ = "revision"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    opd_code: Mapped[str] = mapped_column(free_text(40))
    year: Mapped[int] = mapped_column(Integer)
    month: Mapped[int] = mapped_column(Integer)
    old_batch_id: Mapped[int] = mapped_column(ForeignKey("load_batch.id"))
    new_batch_id: Mapped[int] = mapped_column(ForeignKey("load_batch.id"))
    old_file: Mapped[str] = mapped_column(free_text(500))
    new_file: Mapped[str] = mapped_column(free_text(500))
    changed_by: Mapped[str] = mapped_column(String(100), default="")
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    changed_rows: Mapped[int] = mapped_column(Integer, default=0)


class RevisionLine(Base):
    """One amount that a correction changed (row-level diff)."""

    __tablename__ = "revision_line"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("revision.id", ondelete="CASCADE"), index=True)
    kode: Mapped[str] = mapped_column(String(40))
    field: Mapped[str] = mapped_column(String(40))
    old_value: Mapped[float | None] = mapped_column(Rupiah, nullable=True)
    new_value: Mapped[float | None] = mapped_column(Rupiah, nullable=True)


class WebUser(Base):
    """A person who signs in to the web application: a data steward, or an OPD's operator."""

    __tablename__ = "web_user"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))  # steward | opd
    #: the one agency an ``opd`` user sees and sends (None for a steward)
    opd_code: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class WebSession(Base):
    """A signed-in browser: the cookie carries the token, the table its sha256 (so logout ends it)."""

    __tablename__ = "web_session"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("web_user.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class WebLoginAttempt(Base):
    """One sign-in attempt, kept for a day to limit guessing per user name and per client address."""

    __tablename__ = "web_login_attempt"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(200), index=True)
    client: Mapped[str] = mapped_column(String(100), index=True)
    attempted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    success: Mapped[bool] = mapped_column(Boolean)


#: The uploads not yet finished (waiting for a worker, or being processed): at most one per user.
ACTIVE_UPLOAD = "status IN ('queued', 'processing')"
ACTIVE_UPLOAD_INDEX = "uq_web_upload_active_user"


class WebUpload(Base):
    """One upload through the web application: who sent it, when, and where its job stands.

    ``queued`` until a worker claims it (``claimed_by``, ``started_at``), ``processing`` while its flow
    runs (the worker refreshes ``heartbeat_at``), then ``done`` or ``failed``.
    """

    __tablename__ = "web_upload"
    # one upload waiting or running per user; its predicate on PostgreSQL: declare_postgresql_options()
    __table_args__ = (Index(ACTIVE_UPLOAD_INDEX, "user_id", unique=True, sqlite_where=text(ACTIVE_UPLOAD)),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("web_user.id", ondelete="SET NULL"), nullable=True, index=True
    )
    username: Mapped[str] = mapped_column(String(64))
    #: the sender's agency (an ``opd`` user's), None for a steward
    agency_code: Mapped[str | None] = mapped_column(Text, nullable=True)
    correction: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(20), index=True)  # queued | processing | done | failed
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    #: the worker processing it (host:pid:n), when it started, and its last sign of life
    claimed_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class WebUploadFile(Base):
    """One file of a web upload: its name as sent (for display only), where it is kept, and its outcome."""

    __tablename__ = "web_upload_file"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    upload_id: Mapped[int] = mapped_column(ForeignKey("web_upload.id", ondelete="CASCADE"), index=True)
    original_name: Mapped[str] = mapped_column(Text)
    stored_path: Mapped[str] = mapped_column(Text, default="")
    size_bytes: Mapped[int] = mapped_column(Integer, default=0)
    sha256: Mapped[str] = mapped_column(String(64), default="")
    status: Mapped[str] = mapped_column(String(20))  # loaded | unchanged | rejected
    kind: Mapped[str] = mapped_column(String(20), default="")
    #: the agency the workbook names, and the agency whose people may see this file
    opd_code: Mapped[str] = mapped_column(Text, default="")
    agency_code: Mapped[str] = mapped_column(Text, default="", index=True)
    year: Mapped[int | None] = mapped_column(Integer, nullable=True)
    month: Mapped[int | None] = mapped_column(Integer, nullable=True)
    rows: Mapped[int] = mapped_column(Integer, default=0)
    issues_json: Mapped[str] = mapped_column(Text, default="[]")
    annotated_path: Mapped[str] = mapped_column(Text, default="")
    data_docs_url: Mapped[str] = mapped_column(Text, default="")
    #: whether the stored file (and its annotated copy) is still on disk: false after the retention period
    kept: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
