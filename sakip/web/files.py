"""Files the steward downloads (quarantine, year-end reports), each found by an id, never by a path.

An id is the first 32 hex digits of the sha256 of the file's path inside its folder; a request's id
is looked up among the files actually there, so no text from a request ever becomes a path.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath
from urllib.parse import unquote, urlparse

from sakip.web.pipeline import format_moment

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def display_name(name: str | None) -> str:
    """A file name as sent, for display only (a browser may send a path: its last part)."""
    text = (name or "").replace("\x00", "")
    return PureWindowsPath(PurePosixPath(text).name).name or text or "(tanpa nama)"


def safe_name(name: str) -> str:
    """A name safe on any file system and in a header: ``realisasi 03/2022.xlsx`` -> ``2022.xlsx``,
    ``data (1).xlsx`` -> ``data_1.xlsx``; only letters, digits, ``-``, ``_`` and ``.``."""
    base = display_name(name)
    suffix = PurePosixPath(base).suffix.lower()
    if not re.fullmatch(r"\.[a-z0-9]{1,8}", suffix):
        suffix = ""
    stem = _UNSAFE.sub("_", base[: len(base) - len(suffix)] if suffix else base).strip("._-")[:80]
    return f"{stem or 'berkas'}{suffix}"


def docs_link(url: str, root: Path) -> str:
    """A Data Docs page (its ``file://`` URL) as a path under ``/data-docs/``; "" when outside ``root``."""
    if not url:
        return ""
    parsed = urlparse(url)
    if parsed.scheme not in ("file", ""):
        return ""
    page = Path(unquote(parsed.path)).resolve()
    base = root.resolve()
    if not page.is_relative_to(base):
        return ""
    return "/data-docs/" + page.relative_to(base).as_posix()


@dataclass(frozen=True)
class ListedFile:
    """A file under a served folder."""

    file_id: str
    path: Path
    relative: str  # shown, never used to find the file
    size: int
    modified: str
    parts: tuple[str, ...]


def _file_id(relative: str) -> str:
    """The id of a file by its path inside the folder."""
    return hashlib.sha256(relative.encode("utf-8", "surrogateescape")).hexdigest()[:32]


def list_files(root: Path, suffixes: tuple[str, ...] | None = None) -> list[ListedFile]:
    """Every file under ``root`` (not following links out of it), newest first."""
    from datetime import UTC, datetime

    if not root.is_dir():
        return []
    base = root.resolve()
    found = []
    for path in base.rglob("*"):
        if path.is_symlink() or not path.is_file() or path.name.startswith("."):
            continue
        if suffixes and path.suffix.lower() not in suffixes:
            continue
        relative = path.relative_to(base).as_posix()
        stat = path.stat()
        found.append(
            ListedFile(
                _file_id(relative),
                path,
                relative,
                stat.st_size,
                format_moment(datetime.fromtimestamp(stat.st_mtime, UTC)),
                path.relative_to(base).parts,
            )
        )
    return sorted(found, key=lambda f: (f.modified, f.relative), reverse=True)


def find_file(root: Path, file_id: str) -> ListedFile | None:
    """The file under ``root`` with this id, or None."""
    return next((f for f in list_files(root) if f.file_id == file_id), None)


#: The longest path under ``/data-docs/`` looked up (GX's own are well under 300 characters)
DATA_DOCS_MAX_PATH = 1024


def public_docs_path(requested: str) -> bool:
    """Whether ``requested`` names one of GX's own assets (``static/...``), read by its text alone:
    no empty, ``.`` or ``..`` part, no backslash, NUL or other control character."""
    parts = requested.split("/")
    return (
        len(parts) >= 2
        and parts[0] == "static"
        and len(requested) <= DATA_DOCS_MAX_PATH
        and all(part not in ("", ".", "..") for part in parts)
        and not any(ord(char) < 32 or char in "\\\x7f" for char in requested)
    )


def data_docs_file(root: Path, requested: str) -> Path | None:
    """The Data Docs file at ``requested`` (a URL path inside ``root``), or None: outside it, missing,
    or a name no file system takes (too long, a NUL, characters it cannot encode)."""
    if not requested or len(requested) > DATA_DOCS_MAX_PATH or "\\" in requested or "\x00" in requested:
        return None
    try:
        base = root.resolve()
        target = (base / requested).resolve()
        if not target.is_relative_to(base) or not target.is_file():
            return None
    except (OSError, ValueError):  # ENAMETOOLONG, an unencodable name: no such page
        return None
    return target
