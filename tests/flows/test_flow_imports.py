"""The flows' modules import only what every run uses: writers and GX come with the step needing them."""

from __future__ import annotations

import subprocess
import sys

import pytest

#: Imported when a step needs them, never with a flow's module.
LATER = ("great_expectations", "matplotlib", "docx", "xlsxwriter", "openpyxl", "tasks.report.render")


@pytest.mark.parametrize("module", ["flows.ingest", "flows.inbox"])
def test_a_flow_module_imports_no_writer_nor_great_expectations(module: str):
    code = f"import sys, {module}\nprint(sorted(m for m in sys.modules if m.startswith({LATER!r})))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
