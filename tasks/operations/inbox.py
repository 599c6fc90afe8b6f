"""The inbox of scheduled runs: which month to process, which files are waiting, where done files go.

Layout: ``<inbox>/<year>/<MM>/`` holds the workbooks of a month (any OPD); workbooks placed directly
in ``<inbox>/`` are taken too, their period read from their header block. Loaded files are archived
in ``<workdir>/archive/<year>/<MM>/`` under a name carrying their sha256, listed in ``SHA256SUMS``;
rejected files go to quarantine.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from tasks.core.calendar import DISPLAY_ZONE as JAKARTA
from tasks.core.files import file_sha256, move_atomically
from tasks.operations.intake import FileOutcome, is_workbook


def previous_month(now: datetime | None = None) -> tuple[int, int]:
    """(year, month) of the month before ``now`` in Asia/Jakarta: what a run on the 5th processes."""
    moment = (now or datetime.now(JAKARTA)).astimezone(JAKARTA)
    return (moment.year - 1, 12) if moment.month == 1 else (moment.year, moment.month - 1)


def period_folder(inbox: Path, year: int, month: int) -> Path:
    """``<inbox>/<year>/<MM>``."""
    return inbox / str(year) / f"{month:02d}"


def loose_workbooks(inbox: Path) -> list[Path]:
    """Workbooks directly in the inbox (not in a period folder), sorted."""
    if not inbox.is_dir():
        return []
    return sorted(p for p in inbox.iterdir() if p.is_file() and is_workbook(p.name))


def archive_file(path: Path, archive_root: Path, year: int, month: int | None) -> Path:
    """Move a loaded file to ``<archive>/<year>/<MM>/<stem>.<sha256[:12]><suffix>``; list it in SHA256SUMS."""
    digest = file_sha256(path)
    folder = archive_root / str(year) / (f"{month:02d}" if month else "tahunan")
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{path.stem}.{digest[:12]}{path.suffix}"
    if target.exists():
        path.unlink()  # the very same bytes are archived already
    else:
        move_atomically(path, target)  # never half a file in the archive, even on a full disk
        with (folder / "SHA256SUMS").open("a", encoding="utf-8") as sums:
            sums.write(f"{digest}  {target.name}\n")
    return target


def archive_loaded(outcomes: Sequence[FileOutcome], archive: Path) -> list[Path]:
    """Move the files of a run that loaded (or were already loaded) to the archive; where each went.

    A year workbook goes under its year (``<year>/tahunan``) once, when every month of it loaded; one
    with a refused month is in quarantine already.
    """
    months: dict[Path, list[FileOutcome]] = {}
    for outcome in outcomes:
        months.setdefault(outcome.path, []).append(outcome)
    archived = []
    for path, parts in months.items():
        first = parts[0]
        if not all(o.status in ("loaded", "unchanged") for o in parts) or not path.exists() or not first.year:
            continue
        monthly = first.kind == "realization" and len(parts) == 1 and not first.part
        archived.append(archive_file(path, archive, first.year, first.month if monthly else None))
    return archived
