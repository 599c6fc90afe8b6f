"""The read-only commands stay light: they never import Great Expectations or Prefect.

Each runs in its own Python process, as a person would type it, on a warehouse holding a validation
run and a correction (so every listing prints a table, not its "nothing yet" line); the process then
prints which of the heavy packages it imported.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from warehouse.db import open_warehouse
from warehouse.models import LoadBatch, Revision, RevisionLine, ValidationRun

#: Runs the command line in-process, then prints the heavy packages imported, one line, last.
WRAPPER = """
import sys
from sakip.cli import main
status = main(sys.argv[1:])
heavy = sorted({m.split(".")[0] for m in sys.modules} & {"great_expectations", "prefect"})
print("HEAVY=" + ",".join(heavy))
sys.exit(status)
"""

COMMANDS = [
    ["validations"],
    ["validations", "--failed"],
    ["revisions"],
    ["revisions", "--detail"],
    ["user", "list"],
    ["server", "status"],
]


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A work folder whose warehouse holds one failed validation run and one correction."""
    work = tmp_path_factory.mktemp("light")
    engine = open_warehouse(f"sqlite:///{work / 'sakip.db'}")
    now = datetime(2022, 5, 2, 3, 4, tzinfo=UTC)
    batch = {"sha256": "0" * 64, "kind": "realization", "opd_code": "1.01", "year": 2022, "month": 3}
    with Session(engine) as session, session.begin():
        old = LoadBatch(file_name="lama.xlsx", loaded_at=now, status="replaced", superseded_at=now, **batch)
        new = LoadBatch(file_name="baru.xlsx", loaded_at=now, status="loaded", **batch)
        session.add_all([old, new])
        session.flush()
        revision = Revision(
            opd_code="1.01",
            year=2022,
            month=3,
            old_batch_id=old.id,
            new_batch_id=new.id,
            old_file="lama.xlsx",
            new_file="baru.xlsx",
            changed_at=now,
            changed_rows=1,
        )
        session.add(revision)
        session.flush()
        session.add(
            RevisionLine(revision_id=revision.id, kode="1.01.01", field="realisasi", old_value=1, new_value=2)
        )
        session.add(
            ValidationRun(
                run_id="r1",
                file_name="baru.xlsx",
                sha256="0" * 64,
                suite="realisasi_bulanan",
                suite_version="1",
                success=False,
                evaluated=10,
                failed=1,
                errors=1,
                warnings=0,
                opd_code="1.01",
                year=2022,
                month=3,
                validated_at=now,
            )
        )
    engine.dispose()
    return work


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_read_only_commands_import_neither_great_expectations_nor_prefect(workdir: Path, command):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "SAKIP_"))}
    done = subprocess.run(
        [sys.executable, "-c", WRAPPER, *command, "--workdir", str(workdir)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    lines = done.stdout.strip().splitlines()
    assert lines and lines[-1].startswith("HEAVY="), done.stdout + done.stderr
    assert lines[-1] == "HEAVY=", f"sakip {' '.join(command)} imported {lines[-1][6:]}"
    if command[0] in ("validations", "revisions"):
        assert "baru.xlsx" in done.stdout  # the listing printed its table
        assert done.returncode == 0, done.stderr
