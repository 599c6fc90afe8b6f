"""Files are known by their path: two files of one name in different folders, or one file named twice.

The workbooks are copies of the 2022 sample's January with another agency in the header block
(openpyxl), run through the plain functions of the monthly flow.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select

from tasks.extract.reading import read_workbooks
from tasks.operations.artifacts import validation_table
from tasks.operations.intake import discover_workbooks, load_workbooks, validate_batch
from tasks.settings import load_settings
from warehouse.db import open_warehouse
from warehouse.models import LoadBatch

NAME = "realisasi_2022_01.xlsx"
AGENCY_A = "2.17.0.00.0.00.01.0000"
AGENCY_B = "2.17.0.00.0.00.02.0000"


def january_of(sample, path: Path, agency: str, *, spend_more: float = 0.0) -> Path:
    """The sample's January for ``agency`` at ``path`` (``spend_more`` on the JUMLAH row breaks it)."""
    book = openpyxl.load_workbook(sample.realization[0])
    sheet = book.active
    sheet["A3"] = f"SKPD : {agency} Dinas {agency[-9:-5]}"
    if spend_more:
        total = next(c.row for (c,) in sheet.iter_rows(min_col=1, max_col=1) if c.value == "JUMLAH")
        sheet[f"F{total}"] = sheet[f"F{total}"].value + spend_more
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


@pytest.fixture
def ingest(tmp_path):
    """Read, validate and load the given paths (files or folders) like the monthly flow."""
    settings = load_settings(str(tmp_path / "work"))
    engine = open_warehouse(settings.url)

    def run(*paths: Path):
        files = discover_workbooks(list(paths))
        checked, runs = validate_batch(
            read_workbooks(files), engine, settings.workdir, **settings.validation_options()
        )
        return files, load_workbooks(engine, checked), runs, engine

    return run


def test_same_name_in_two_folders_and_one_file_named_twice(sample_2022, tmp_path, ingest):
    inbox = tmp_path / "inbox"
    first = january_of(sample_2022, inbox / "dinas_a" / NAME, AGENCY_A)
    january_of(sample_2022, inbox / "dinas_b" / NAME, AGENCY_B)
    files, outcomes, runs, engine = ingest(inbox, first, inbox / "dinas_b" / ".." / "dinas_a" / NAME)
    assert len(files) == 2  # the file named again (however spelled) is taken once
    assert [(o.name, o.status, o.opd_code) for o in outcomes] == [
        ("dinas_a/" + NAME, "loaded", AGENCY_A),
        ("dinas_b/" + NAME, "loaded", AGENCY_B),
    ]
    assert sorted(run.file for run in runs) == ["dinas_a/" + NAME, "dinas_b/" + NAME]
    assert [row["status"] for row in validation_table(runs, outcomes)] == ["loaded", "loaded"]
    with engine.connect() as conn:
        loaded = conn.execute(select(LoadBatch.opd_code, LoadBatch.status)).all()
    assert sorted(loaded) == [(AGENCY_A, "loaded"), (AGENCY_B, "loaded")]


def test_messages_name_the_clashing_files_by_their_relative_path(sample_2022, tmp_path, ingest):
    inbox = tmp_path / "inbox"
    january_of(sample_2022, inbox / "kantor" / NAME, AGENCY_A)
    january_of(sample_2022, inbox / "rumah" / NAME, AGENCY_A, spend_more=1000)
    (inbox / "lama" / NAME).parent.mkdir()
    (inbox / "lama" / NAME).write_text("bukan workbook")
    _, outcomes, _, _ = ingest(inbox)
    by_name = {o.name: o for o in outcomes}
    assert sorted(by_name) == ["kantor/" + NAME, "lama/" + NAME, "rumah/" + NAME]
    assert by_name["kantor/" + NAME].status == "loaded"
    unreadable = by_name["lama/" + NAME]
    assert unreadable.status == "rejected"
    assert [(i.rule, i.file) for i in unreadable.issues] == [("file.not_workbook", "lama/" + NAME)]
    second = by_name["rumah/" + NAME]
    assert second.status == "rejected"
    duplicate = [i for i in second.issues if i.rule == "batch.duplicate_period"]
    assert duplicate and duplicate[0].describe().startswith("rumah/" + NAME + ", sheet 'Realisasi'")
    assert "kantor/" + NAME in duplicate[0].message()
    subtotal = [i for i in second.issues if i.rule == "amount.subtotal_mismatch"]
    assert subtotal and {i.file for i in subtotal} == {"rumah/" + NAME}
