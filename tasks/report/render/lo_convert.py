"""Print Word documents to PDF with LibreOffice, their indexes brought up to date first.

Run by a Python that has LibreOffice's UNO bridge (Debian's ``python3-uno``), not by sakip's own
interpreter: ``python3 lo_convert.py SOFFICE PROFILE_URL PIPE DOCX PDF [DOCX PDF ...]``. It starts one
headless LibreOffice with the profile given (a folder of its own per call, so that calls in parallel
never share one), opens each document hidden, updates its tables of contents, tables and figures
(twice: the first update can move the pages the second counts), stores it as PDF and ends
LibreOffice. Only the standard library and ``uno``: nothing of sakip is importable here.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
import time

import uno  # type: ignore[import-not-found]
from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]

#: How long LibreOffice may take to accept the connection (s).
_START_TIMEOUT = 60.0


def _property(name: str, value: object) -> PropertyValue:
    """A UNO property value."""
    prop = PropertyValue()
    prop.Name, prop.Value = name, value
    return prop


def _connect(pipe: str):
    """LibreOffice's component context over the named pipe, once it accepts connections."""
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    deadline = time.monotonic() + _START_TIMEOUT
    while True:
        try:
            return resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
        except Exception:  # NoConnectException until LibreOffice listens
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def convert(desktop, source: str, target: str) -> None:
    """One document: opened hidden, its indexes updated, stored as PDF, closed."""
    doc = desktop.loadComponentFromURL(
        uno.systemPathToFileUrl(source), "_blank", 0, (_property("Hidden", True),)
    )
    if doc is None:
        raise RuntimeError(f"LibreOffice cannot open {source}")
    try:
        indexes = doc.getDocumentIndexes()
        for _ in range(2):
            for i in range(indexes.getCount()):
                indexes.getByIndex(i).update()
        doc.storeToURL(uno.systemPathToFileUrl(target), (_property("FilterName", "writer_pdf_Export"),))
    finally:
        doc.close(True)


def main(argv: list[str]) -> int:
    soffice, profile, pipe, *files = argv
    process = subprocess.Popen(
        [
            soffice,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--invisible",
            "--norestore",
            "--nologo",
            "--nodefault",
            f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    desktop = None
    try:
        context = _connect(pipe)
        desktop = context.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", context)
        for source, target in zip(files[::2], files[1::2], strict=True):
            convert(desktop, source, target)
    finally:
        # LibreOffice is asked to end whether or not every document printed: killing ``soffice``
        # (a launcher) would leave its ``soffice.bin`` running. The caller ends what is left.
        if desktop is not None:
            with contextlib.suppress(Exception):  # the bridge closes as LibreOffice ends
                desktop.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=30)
        if process.poll() is None:
            process.kill()
            process.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
