"""Files on disk: written whole or not at all (a temporary name beside the target, then renamed), and hashed.

A rename within one folder is atomic, so a reader (or a person) never sees half a file, and a failure
half-way (a full disk) leaves the target as it was and no temporary file behind.
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def partial_name(target: Path) -> Path:
    """A hidden temporary name beside ``target`` that keeps its suffix (``.<random>.part-<name>``)."""
    return target.with_name(f".{uuid.uuid4().hex[:12]}.part-{target.name}")


def is_partial(path: Path) -> bool:
    """Whether ``path`` is a temporary name of :func:`placed_atomically`."""
    return path.name.startswith(".") and ".part-" in path.name


@contextmanager
def placed_atomically(target: Path) -> Iterator[Path]:
    """A temporary name beside ``target`` to write to: renamed to it on success, removed on failure."""
    target = Path(target)
    partial = partial_name(target)
    try:
        yield partial
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


def copy_atomically(source: Path, target: Path) -> Path:
    """Copy ``source``'s bytes to ``target``, whole or not at all."""
    with placed_atomically(target) as partial:
        shutil.copyfile(source, partial)
    return Path(target)


def move_atomically(source: Path, target: Path) -> Path:
    """Move ``source`` to ``target``: a rename on one file system, else a whole copy, then the unlink."""
    try:
        os.replace(source, target)
    except OSError as error:
        if error.errno != errno.EXDEV:
            raise
        copy_atomically(source, target)
        Path(source).unlink()
    return Path(target)


def sha256_of(data: bytes) -> str:
    """The hex SHA-256 of bytes already read (a workbook read whole)."""
    return hashlib.sha256(data).hexdigest()


def file_sha256(path: Path) -> str:
    """The hex SHA-256 of a file's bytes, read in blocks (an unreadable file raises OSError)."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
