"""The column spec (tasks.core.columns) drives every consumer of an input column: the readers, the
staging contract, the suites, the warehouse model, the revision diff, the select lists, the sample and
the bench files. A column added to the spec alone reaches all of them (the worked example of
``docs/architecture.md``, "Where a new input column goes")."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from importlib import resources
from pathlib import Path

from sqlalchemy import Float, Numeric, Text

import bench.baseline as baseline
from expectations.columns import CONTRACT_RULE
from sakip.sample import REALIZATION_LAYOUT, header_cells
from tasks.core import columns
from tasks.core.staging import (
    AMOUNT_COLUMNS,
    FACT_VALUES,
    INDICATOR_COLUMNS,
    INDICATOR_TEXTS,
    REALIZATION_COLUMNS,
    RENSTRA_COLUMNS,
)
from tasks.extract import fields
from tasks.extract.indicators import read_indicators
from tasks.extract.realization import read_realization
from tasks.load.revisions import REVISED_FIELDS
from tasks.validate.context import load_suite_definitions
from warehouse import queries
from warehouse.models import FactRealization, FactRealizationHistory, Indicator

ROOT = Path(__file__).resolve().parents[2]


def test_the_spec_is_well_formed():
    assert all(
        c.type in columns.TYPES and c.kinds and set(c.kinds) <= set(columns.KINDS) for c in columns.COLUMNS
    )
    assert all(c.required in ("yes", "no", "one_of") and c.headings and c.label for c in columns.COLUMNS)
    for kind in columns.KINDS:
        names = columns.names(kind)
        assert len(names) == len(set(names)), kind  # one name per column of a kind
        headings = [h.casefold() for c in columns.of_kind(kind) for h in c.headings]
        assert len(headings) == len(set(headings)), kind  # a heading names one column


def test_every_spec_column_is_in_the_staging_contract_and_the_readers():
    for kind, contract, aliases in (
        (columns.REALIZATION, REALIZATION_COLUMNS, fields.REALIZATION_FIELDS),
        (columns.INDICATOR, INDICATOR_COLUMNS, fields.INDICATOR_FIELDS),
        (columns.RENSTRA, RENSTRA_COLUMNS, fields.RENSTRA_FIELDS),
    ):
        for column in columns.of_kind(kind):
            assert contract[column.name] == column.dtype, (kind, column.name)
            assert aliases[column.name] == column.headings, (kind, column.name)
    assert set(fields.REALIZATION_REQUIRED) | set(fields.REALIZATION_ONE_OF) <= set(REALIZATION_COLUMNS)
    assert columns.names(columns.REALIZATION, types=("amount",)) == AMOUNT_COLUMNS
    assert fields.COLUMN_TITLES["anggaran_rp"] == columns.label("anggaran_rp") == "Anggaran"


def test_every_stored_column_is_in_the_model_and_the_reads():
    for table in (FactRealization.__table__, FactRealizationHistory.__table__):
        for column in columns.stored(columns.FACT_REALIZATION):
            generated = table.c[column.name]
            assert generated.nullable == column.stored.nullable, column.name
            expected = {"amount": Numeric, "percent": Float, "text": Text}[column.type]
            assert isinstance(generated.type, expected), column.name
    assert all(Indicator.__table__.c[name].server_default is not None for name in INDICATOR_TEXTS)
    assert queries.FACT_VALUES == FACT_VALUES == columns.stored_names(columns.FACT_REALIZATION)
    assert set(REVISED_FIELDS) == {
        c.name for c in columns.stored(columns.FACT_REALIZATION) if c.type != "text"
    }


def test_every_spec_column_is_in_the_suites():
    definitions = load_suite_definitions()
    realization = {e["meta"]["rule"]: e for e in definitions["realisasi_bulanan"]["expectations"]}
    assert realization["amount.negative"]["kwargs"]["column_list"] == list(AMOUNT_COLUMNS)
    for suite, kind in (("realisasi_bulanan", columns.REALIZATION), ("indikator_tahunan", columns.INDICATOR)):
        checked = {
            e["kwargs"]["column"]
            for e in definitions[suite]["expectations"]
            if e["meta"]["rule"] == CONTRACT_RULE
        }
        assert checked == {c.name for c in columns.of_kind(kind) if c.dtype == "float64"}


def test_the_sample_writes_and_reads_back_every_spec_column(sample_2022):
    """The sample's realization workbooks carry every column of the spec, headed as the spec heads them;
    its indicator CSV names its columns as the spec does, and the sheet is headed by the spec."""
    assert columns.names(columns.REALIZATION) == REALIZATION_LAYOUT
    march = read_realization(sample_2022.realization[2])
    assert set(march.columns) == set(columns.names(columns.REALIZATION))
    for name in ("apbd_2022_sub_kegiatan.csv", "sumber_dana_rincian_2022.csv"):
        text = resources.files("sakip").joinpath("sample_data", name).read_text(encoding="utf-8")
        header = next(csv.reader(text.splitlines()))
        assert {"anggaran_rp", "realisasi_sd_bulan_ini_rp"} <= set(header), name
    text = resources.files("sakip").joinpath("sample_data", "indikator_2022.csv").read_text(encoding="utf-8")
    header = next(csv.reader(text.splitlines()))
    assert set(header) <= set(columns.names(columns.INDICATOR))
    indicators = read_indicators(sample_2022.indicators)
    assert {name for name in indicators.columns if "." not in name} == set(header)


def test_the_bench_files_have_the_sample_layout():
    assert baseline.LAYOUT == REALIZATION_LAYOUT
    assert baseline.AMOUNTS == AMOUNT_COLUMNS
    tops = [top.lower() for first, _last, top, _bottom in header_cells(REALIZATION_LAYOUT) if top]
    assert [label for label in baseline.HEADER_ROW_7 if label] == tops


#: Run in a fresh interpreter: the spec gains a column before anything else is imported.
NEW_COLUMN = """
import json, sys
from pathlib import Path

from tasks.core import columns

columns.COLUMNS = (
    *columns.COLUMNS,
    columns.InputColumn(
        "anggaran_kas_bulan_ini_rp", ("Anggaran Kas Bulan Ini", "RAK Bulan Ini"), "amount",
        (columns.REALIZATION,), "Anggaran Kas Bulan Ini", "Planned disbursement this month", unit="Rp",
        stored=columns.Stored(columns.FACT_REALIZATION, nullable=True),
    ),
)

import bench.baseline as baseline
from bench.generate import plan_agency, write_workbook
from sakip.sample import write_sample
from tasks.core import staging
from tasks.extract import fields
from tasks.extract.realization import read_realization
from tasks.load.revisions import REVISED_FIELDS
from tasks.validate.context import load_suite_definitions
from tests.fixtures.workbooks import REALIZATION_BODY, REALIZATION_HEADER, realization_sheet, write_xlsx
from warehouse import models, queries

out = Path(sys.argv[1])
name = "anggaran_kas_bulan_ini_rp"
body = [[*row, None if row[0] is None and row[1] is None else "1.500"] for row in REALIZATION_BODY]
sheet = realization_sheet(header=[*REALIZATION_HEADER, "RAK Bulan Ini"], body=body)
read = read_realization(write_xlsx(out / "lra.xlsx", sheet))
sample = read_realization(write_sample(out / "sample", 2022).realization[0])
write_workbook(plan_agency(1, rows_mean=20), out / "bench.xlsx", 2022, 3)
bench = read_realization(out / "bench.xlsx")
suite = {e["meta"]["rule"]: e for e in load_suite_definitions()["realisasi_bulanan"]["expectations"]}
checks = [e["kwargs"]["column"] for e in load_suite_definitions()["realisasi_bulanan"]["expectations"]
          if e["meta"]["rule"] == "staging.column_type"]
column = models.FactRealization.__table__.c[name]
print(json.dumps({
    "headings": list(fields.REALIZATION_FIELDS[name]),
    "contract": staging.REALIZATION_COLUMNS.get(name),
    "read": read.lines[name].tolist(),
    "read_column": read.columns.get(name),
    "sample_column": sample.columns.get(name),
    "bench_column": bench.columns.get(name),
    "amounts": list(staging.AMOUNT_COLUMNS),
    "fact_values": list(staging.FACT_VALUES),
    "selected": list(queries.FACT_VALUES),
    "revised": list(REVISED_FIELDS),
    "negative": suite["amount.negative"]["kwargs"]["column_list"],
    "subtotals": suite["amount.subtotal_mismatch"]["meta"]["fields"],
    "type_checks": checks,
    "model": [str(column.type), column.nullable],
    "history": name in models.FactRealizationHistory.__table__.c,
    "baseline": [list(baseline.AMOUNTS), list(baseline.HEADER_ROW_7)],
}))
"""


def test_a_column_added_to_the_spec_reaches_every_consumer(tmp_path: Path):
    """The worked example: ``anggaran_kas_bulan_ini_rp`` declared in the spec alone is read from a
    workbook under its heading, staged, checked by the amount rules and a type check, kept in the
    warehouse's facts and their history, selected, compared by revisions, written (blank) by the
    sample and the bench writers and expected by the baseline."""
    done = subprocess.run(
        [sys.executable, "-c", NEW_COLUMN, str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    got = json.loads(done.stdout.strip().splitlines()[-1])
    name = "anggaran_kas_bulan_ini_rp"
    assert got["headings"] == ["Anggaran Kas Bulan Ini", "RAK Bulan Ini"]
    assert got["contract"] == "float64"
    assert got["read"] == [1500.0] * 7  # six table rows and the total, the text amount parsed
    assert got["read_column"] == "H"
    assert got["sample_column"] == got["bench_column"] == "J"  # after Sumber Dana, blank
    for listing in ("amounts", "fact_values", "selected", "revised", "negative", "subtotals", "type_checks"):
        assert name in got[listing], listing
    assert got["model"] == ["NUMERIC(18, 2)", True] and got["history"]
    assert name in got["baseline"][0] and "anggaran kas bulan ini" in got["baseline"][1]
