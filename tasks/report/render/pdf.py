"""The report's PDF: the Word document printed by LibreOffice, headless, its lists of contents,
tables and figures filled with their page numbers.

LibreOffice is ``soffice`` on the PATH, or the program ``SAKIP_SOFFICE`` names. The printing is done
by :mod:`tasks.report.render.lo_convert`, run by a Python that has LibreOffice's UNO bridge (Debian's
``python3-uno``; the Python LibreOffice ships with elsewhere): it opens each document, updates its
indexes (Word would on opening; a plain ``soffice --convert-to pdf`` would print the fields' stored
text) and exports it. Each call starts one LibreOffice with a profile of its own in a temporary
folder, so that reports written in parallel never share one, and converts every document it is
given in that one start.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

#: The script LibreOffice's Python runs.
_SCRIPT = Path(__file__).with_name("lo_convert.py")
#: Seconds a conversion may take: LibreOffice's start, then this much per document.
START_SECONDS = 60.0
PER_DOCUMENT_SECONDS = 120.0
#: Seconds LibreOffice's processes, once killed, may take to be gone.
GROUP_END_SECONDS = 10.0


class PdfUnavailable(RuntimeError):
    """LibreOffice, or the Python of its UNO bridge, is not on this machine (``detail`` says which)."""


@dataclass(frozen=True)
class PdfConverter:
    """The LibreOffice program and the Python that drives it."""

    soffice: str
    python: str


def _works(python: str) -> bool:
    """Whether ``python`` runs and imports LibreOffice's ``uno`` module."""
    try:
        done = subprocess.run(
            [python, "-c", "import uno"], capture_output=True, timeout=30, check=False, env=_uno_env()
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def _uno_env() -> dict[str, str]:
    """The environment of LibreOffice's Python: this one without a virtual environment's settings."""
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}


@cache
def _find(soffice_setting: str | None) -> PdfConverter:
    """:func:`find_converter` for one value of ``SAKIP_SOFFICE`` (looked up once per process)."""
    soffice = shutil.which(soffice_setting) if soffice_setting else None
    if soffice_setting and soffice is None:
        raise PdfUnavailable(f"SAKIP_SOFFICE={soffice_setting} bukan program yang dapat dijalankan")
    soffice = soffice or shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise PdfUnavailable("program soffice tidak ditemukan")
    program = Path(os.path.realpath(soffice)).parent
    candidates = [str(program / "python"), "/usr/bin/python3", shutil.which("python3") or ""]
    for python in dict.fromkeys(c for c in candidates if c):
        if Path(python).is_file() and _works(python):
            return PdfConverter(soffice, python)
    raise PdfUnavailable("modul uno LibreOffice (paket python3-uno) tidak ditemukan")


def find_converter() -> PdfConverter:
    """LibreOffice and a Python with its UNO bridge; :class:`PdfUnavailable` saying what is missing."""
    return _find(os.environ.get("SAKIP_SOFFICE") or None)


def _end_group(group: int) -> None:
    """End every process left in the conversion's process group and wait until none runs.

    LibreOffice's ``soffice.bin`` outlives its launcher when a conversion fails; left running it
    would write into the profile while the profile's folder is removed, and stay for good.
    """
    with contextlib.suppress(ProcessLookupError):
        os.killpg(group, signal.SIGKILL)
    deadline = time.monotonic() + GROUP_END_SECONDS
    while time.monotonic() < deadline:
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return
        time.sleep(0.02)


def convert_to_pdf(pairs: Sequence[tuple[Path, Path]], converter: PdfConverter | None = None) -> list[Path]:
    """Print each ``(docx, pdf)`` pair with one LibreOffice start; the PDFs written.

    A conversion that outlasts its time, or a document LibreOffice could not print, is a
    ``RuntimeError`` with what LibreOffice said; LibreOffice and its profile are gone either way.
    """
    if not pairs:
        return []
    converter = converter or find_converter()
    timeout = START_SECONDS + PER_DOCUMENT_SECONDS * len(pairs)
    with tempfile.TemporaryDirectory(prefix="sakip-lo-") as work:
        profile = Path(work) / "profile"
        pipe = f"sakip-{uuid.uuid4().hex}"
        files = [str(Path(p).resolve()) for pair in pairs for p in pair]
        command = [converter.python, str(_SCRIPT), converter.soffice, profile.as_uri(), pipe, *files]
        process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=_uno_env(),
            start_new_session=True,  # LibreOffice with it: a timeout ends both
        )
        try:
            out, err = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired as error:
            _end_group(process.pid)
            process.communicate()
            raise RuntimeError(f"LibreOffice tidak selesai mencetak PDF dalam {timeout:.0f} detik") from error
        finally:
            _end_group(process.pid)
    missing = [pdf for _, pdf in pairs if not Path(pdf).is_file()]
    if process.returncode != 0 or missing:
        said = (err or out or "").strip().splitlines()
        raise RuntimeError(
            f"LibreOffice tidak menulis PDF {', '.join(map(str, missing))}: {said[-1] if said else ''}"
        )
    return [Path(pdf) for _, pdf in pairs]
