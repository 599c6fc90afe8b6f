"""The Great Expectations suites on staged workbooks: each rule reports the exact row and column."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tasks.core.hierarchy import leaf_accounts
from tasks.validate.batch import validate_indicator_workbooks, validate_realizations
from tasks.validate.context import Validator
from tests.fixtures.staged import NAN, indicator_workbook, realization_lines, realization_workbook


@pytest.fixture(scope="module")
def validator(tmp_path_factory) -> Validator:
    """One GX context for the module (the tests run serially)."""
    return Validator(tmp_path_factory.mktemp("gx"))


@pytest.fixture
def check_realization(validator):
    """Validate one realization workbook; its issues."""

    def check(workbook, previous=None, **options):
        result = validate_realizations(validator, [workbook], lambda *_: previous, **options)
        return result.issues[workbook.path.name]

    return check


@pytest.fixture
def check_indicators(validator):
    """Validate one indicator workbook; its issues."""

    def check(workbook, **options):
        return validate_indicator_workbooks(validator, [workbook], **options).issues[workbook.path.name]

    return check


SUBS = {
    "2.17.01.2.01.01": (1000.0, 100.0, 100.0),
    "2.17.01.2.01.02": (500.0, 0.0, 0.0),
    "2.17.02.2.01.01": (2000.0, 250.0, 250.0),
}


def rules(issues) -> list[tuple[str, str]]:
    """(rule, cell) pairs of the issues."""
    return [(issue.rule, issue.cell) for issue in issues]


def row_of(lines, code: str) -> int:
    """Worksheet row of a code."""
    return int(lines.loc[lines["kode"] == code, "row"].iloc[0])


def test_consistent_workbook_passes(check_realization):
    assert check_realization(realization_workbook(realization_lines(SUBS))) == []


def test_subtotal_that_is_not_the_sum_of_its_children(check_realization):
    lines = realization_lines(SUBS)
    lines.loc[lines["kode"] == "2.17.01.2.01", "anggaran_rp"] += 1
    issues = check_realization(realization_workbook(lines))
    # the kegiatan no longer equals its sub kegiatan, and the program no longer equals its kegiatan:
    # the kegiatan is the cell to fix (first), the program only follows it
    kegiatan = f"D{row_of(lines, '2.17.01.2.01')}"
    assert rules(issues) == [
        ("amount.subtotal_mismatch", kegiatan),
        ("amount.subtotal_mismatch", f"D{row_of(lines, '2.17.01')}"),
    ]
    assert "1.501" in issues[0].message() and "1.500" in issues[0].message()
    assert issues[0].params["expected"] == "1.500"
    assert issues[1].message().endswith(f"periksa rincian di bawahnya (sel {kegiatan})")
    assert issues[1].params["expected"] == ""
    # the steward reads the column's label (from the column spec), never its field name
    assert issues[0].message().startswith("Subtotal Anggaran = ")
    assert issues[0].message("en").startswith("Subtotal Budget = ")


def test_total_row_is_checked_against_the_urusan(check_realization):
    lines = realization_lines(SUBS)
    lines.loc[lines["level"] == "total", "anggaran_kas_sd_bulan_ini_rp"] = 1.0
    row = int(lines.loc[lines["level"] == "total", "row"].iloc[0])
    assert rules(check_realization(realization_workbook(lines))) == [("amount.subtotal_mismatch", f"E{row}")]


def test_realization_over_budget_is_named_at_its_cell(check_realization):
    subs = dict(SUBS, **{"2.17.01.2.01.02": (500.0, 600.0, 600.0)})
    lines = realization_lines(subs)
    issues = check_realization(realization_workbook(lines))
    over = [i for i in issues if i.rule == "amount.realization_over_budget"]
    assert f"G{row_of(lines, '2.17.01.2.01.02')}" in [i.cell for i in over]


def test_month_realization_above_cumulative(check_realization):
    subs = dict(SUBS, **{"2.17.01.2.01.01": (1000.0, 150.0, 100.0)})
    lines = realization_lines(subs)
    issues = [
        i for i in check_realization(realization_workbook(lines)) if i.rule == "amount.month_over_cumulative"
    ]
    assert f"F{row_of(lines, '2.17.01.2.01.01')}" in [i.cell for i in issues]


def test_negative_amount_and_fisik_out_of_range(check_realization):
    lines = realization_lines(SUBS)
    sub = lines["kode"] == "2.17.02.2.01.01"
    lines.loc[sub, "fisik_pct"] = 120.0
    lines.loc[sub, "anggaran_kas_sd_bulan_ini_rp"] = -5.0
    found = rules(check_realization(realization_workbook(lines)))
    row = row_of(lines, "2.17.02.2.01.01")
    assert ("amount.fisik_range", f"H{row}") in found
    assert ("amount.negative", f"E{row}") in found


def test_duplicate_code_and_orphan(check_realization):
    lines = realization_lines(SUBS)
    lines.loc[lines["kode"] == "2.17.01.2.01.02", ["kode", "sub_kegiatan_kode"]] = "2.17.01.2.01.01"
    lines = lines[lines["kode"] != "2.17.02.2.01"].reset_index(drop=True)
    found = rules(check_realization(realization_workbook(lines)))
    assert ("code.duplicate", f"A{row_of(lines, '2.17.01.2.01.01') + 1}") in found
    assert ("code.orphan", f"A{row_of(lines, '2.17.02.2.01.01')}") in found


def test_messages_in_indonesian_by_default_and_english_on_request(check_realization):
    lines = realization_lines(SUBS)
    lines.loc[lines["kode"] == "2.17.01.2.01", "anggaran_rp"] += 1
    issue = check_realization(realization_workbook(lines, name="realisasi_maret.xlsx"))[0]
    assert issue.describe().startswith("realisasi_maret.xlsx, sheet 'Realisasi', sel D")
    assert "jumlah rincian" in issue.describe()
    assert "sum of its children" in issue.describe("en")


def test_indicator_rules(check_indicators):
    workbook = indicator_workbook(
        [
            {"jenis": "sasaran", "no": "1", "indikator": "A", "target": 0.0, "realisasi": 1.0},
            {
                "jenis": "sasaran",
                "no": "2",
                "indikator": "B",
                "target": 5.0,
                "arah": "ke atas",
                "realisasi": 1.0,
            },
            {"jenis": "misi", "no": "3", "indikator": "C", "target": 5.0, "realisasi": 1.0},
            {"jenis": "program", "no": "4", "indikator": " ", "target": 5.0, "realisasi": 1.0},
        ]
    )
    assert rules(check_indicators(workbook)) == [
        ("indicator.target_not_positive", "G6"),
        ("indicator.direction_unknown", "F7"),
        ("indicator.jenis_unknown", "A8"),
        ("indicator.missing_value", "D9"),
    ]


def test_nested_account_rows_are_summed_once(check_realization):
    lines = realization_lines({"2.17.01.2.01.01": (1000.0, 100.0, 100.0)})
    sub = lines.index[lines["kode"] == "2.17.01.2.01.01"][0]
    accounts = pd.DataFrame(
        [
            {
                "kode": "5.1.02",
                "anggaran_rp": 1000.0,
                "realisasi_bulan_ini_rp": 100.0,
                "realisasi_sd_bulan_ini_rp": 100.0,
            },
            {
                "kode": "5.1.02.01.01.0024",
                "anggaran_rp": 600.0,
                "realisasi_bulan_ini_rp": 60.0,
                "realisasi_sd_bulan_ini_rp": 60.0,
            },
            {
                "kode": "5.1.02.01.01.0026",
                "anggaran_rp": 400.0,
                "realisasi_bulan_ini_rp": 40.0,
                "realisasi_sd_bulan_ini_rp": 40.0,
            },
        ]
    ).assign(
        level="rekening",
        uraian="Belanja",
        sub_kegiatan_kode="2.17.01.2.01.01",
        anggaran_murni_rp=NAN,
        anggaran_kas_sd_bulan_ini_rp=NAN,
        fisik_pct=NAN,
        sumber_dana="PAD",
    )
    lines.loc[sub, "anggaran_kas_sd_bulan_ini_rp"] = NAN
    for column in ("anggaran_kas_sd_bulan_ini_rp",):
        lines[column] = NAN
    merged = pd.concat([lines.loc[:sub], accounts, lines.loc[sub + 1 :]], ignore_index=True)
    merged["row"] = range(9, 9 + len(merged))
    assert check_realization(realization_workbook(merged)) == []
    assert leaf_accounts(merged).sum() == 2
    merged.loc[merged["kode"] == "5.1.02.01.01.0026", "anggaran_rp"] = 500.0
    found = rules(check_realization(realization_workbook(merged)))
    assert (
        "amount.subtotal_mismatch",
        f"D{int(merged.loc[merged['kode'] == '5.1.02', 'row'].iloc[0])}",
    ) in found


def previous_of(subs: dict[str, tuple[float, float, float]]) -> pd.DataFrame:
    """Last month's sub kegiatan rows as the warehouse gives them."""
    return pd.DataFrame(
        [
            {"kode": code, "anggaran_rp": a, "realisasi_sd_bulan_ini_rp": sd}
            for code, (a, _, sd) in subs.items()
        ]
    )


def test_cumulative_decreasing_from_last_month(check_realization):
    lines = realization_lines(SUBS)
    before = previous_of(dict(SUBS, **{"2.17.02.2.01.01": (2000.0, 0.0, 300.0)}))
    found = rules(check_realization(realization_workbook(lines, month=3), before))
    assert ("period.cumulative_decreased", f"G{row_of(lines, '2.17.02.2.01.01')}") in found


def test_decrease_allowed_in_a_correction(validator):
    lines = realization_lines(SUBS)
    workbook = realization_workbook(lines, month=3, name="realisasi_2022_03_koreksi.xlsx")
    before = previous_of(dict(SUBS, **{"2.17.02.2.01.01": (2000.0, 0.0, 300.0)}))
    result = validate_realizations(validator, [workbook], lambda *_: before, corrections=[workbook.path.name])
    assert "period.cumulative_decreased" not in [i.rule for i in result.issues[workbook.path.name]]


def test_month_realization_must_be_the_change_in_cumulative(check_realization):
    lines = realization_lines(SUBS)
    before = previous_of({code: (a, 0.0, sd - 1.0) for code, (a, _, sd) in SUBS.items()})
    found = rules(check_realization(realization_workbook(lines, month=3), before))
    assert ("period.month_inconsistent", f"F{row_of(lines, '2.17.02.2.01.01')}") in found


def test_january_starts_from_zero(check_realization):
    subs = dict(SUBS, **{"2.17.01.2.01.01": (1000.0, 60.0, 100.0)})
    lines = realization_lines(subs)
    found = rules(check_realization(realization_workbook(lines, month=1)))
    assert found == [("period.month_inconsistent", f"F{row_of(lines, '2.17.01.2.01.01')}")]


def test_budget_change_is_a_warning_and_the_amendment_is_not(check_realization):
    lines = realization_lines(SUBS)
    before = previous_of(dict(SUBS, **{"2.17.01.2.01.01": (900.0, 0.0, 100.0)}))
    before["realisasi_sd_bulan_ini_rp"] = [0.0, 0.0, 0.0]
    issues = check_realization(realization_workbook(lines, month=5), before)
    changed = [i for i in issues if i.rule == "period.budget_changed"]
    assert [(i.cell, i.severity) for i in changed] == [(f"D{row_of(lines, '2.17.01.2.01.01')}", "warning")]
    assert "900" in changed[0].message() and "1.000" in changed[0].message()
    amended = lines.assign(anggaran_murni_rp=lines["anggaran_rp"])
    amended.loc[
        amended["kode"].str.startswith("2.17.01") | (amended["level"] != "sub_kegiatan"), "anggaran_murni_rp"
    ] = amended["anggaran_rp"]
    amended.loc[amended["kode"] == "2.17.01.2.01.01", "anggaran_murni_rp"] = 900.0
    amended.loc[amended["kode"].isin(["2.17.01.2.01", "2.17.01", "2.17"]), "anggaran_murni_rp"] -= 100.0
    amended.loc[amended["level"] == "total", "anggaran_murni_rp"] -= 100.0
    issues = check_realization(realization_workbook(amended, month=9), before)
    assert [i.rule for i in issues if i.rule != "period.month_inconsistent"] == []


def test_wrong_year_month_and_unknown_opd_are_named_at_the_header(check_realization):
    workbook = realization_workbook(realization_lines(SUBS), month=2)
    workbook.header_cells.update({"year": "A4", "month": "A5", "opd": "A3"})
    previous = previous_of({code: (a, 0.0, sd - b) for code, (a, b, sd) in SUBS.items()})
    found = rules(
        check_realization(workbook, previous, year=2023, month=3, known_opds=["1.01.0.00.0.00.01.0000"])
    )
    assert found == [("period.opd_unknown", "A3"), ("period.wrong_year", "A4"), ("period.wrong_month", "A5")]


def test_two_files_for_one_month_in_a_batch(validator):
    first = realization_workbook(realization_lines(SUBS), month=1, name="a.xlsx")
    second = realization_workbook(realization_lines(SUBS), month=1, name="b.xlsx")
    second.header_cells["month"] = "A5"
    result = validate_realizations(validator, [first, second], lambda *_: None)
    assert result.issues["a.xlsx"] == []
    assert [(i.rule, i.cell) for i in result.issues["b.xlsx"]] == [("batch.duplicate_period", "A5")]
    assert "a.xlsx" in result.issues["b.xlsx"][0].message()


def test_indicator_quarters_duplicates_and_capaian_bound(check_indicators):
    workbook = indicator_workbook(
        [
            {
                "jenis": "sasaran",
                "no": "1",
                "indikator": "Persentase A",
                "target": 76.0,
                "realisasi": 76.64,
                "tw1": 70.0,
                "tw2": 72.0,
                "tw3": 74.0,
                "tw4": 75.0,
            },
            {
                "jenis": "program",
                "no": "1",
                "indikator": "Jumlah B",
                "satuan": "unit",
                "target": 10.0,
                "realisasi": 9.0,
                "tw1": 2.0,
                "tw2": 3.0,
                "tw3": 1.0,
                "tw4": 4.0,
            },
            {"jenis": "program", "no": "1", "indikator": "Persentase C", "target": 3.0, "realisasi": 11.48},
        ]
    )
    workbook.columns["realisasi"] = "L"
    issues = check_indicators(workbook)
    found = [(i.rule, i.cell, i.severity) for i in issues]
    assert ("indicator.quarterly_inconsistent", "L6", "error") in found  # last quarter 75 vs 76,64
    assert ("indicator.quarterly_inconsistent", "L7", "error") in found  # sum of quarters 10 vs 9
    assert ("indicator.duplicate", "B7", "error") in found and ("indicator.duplicate", "B8", "error") in found
    bound = [i for i in issues if i.rule == "indicator.capaian_beyond_bound"]
    assert [(i.cell, i.severity) for i in bound] == [("L8", "warning")]
    assert "382,67" in bound[0].message()


def test_every_suite_loads_with_all_its_expectations(validator):
    from tasks.validate.context import load_suite_definitions

    definitions = load_suite_definitions()
    assert set(definitions) == {"realisasi_bulanan", "indikator_tahunan", "anggaran_kas"}
    for name, definition in definitions.items():
        loaded = validator.context.suites.get(name)
        assert len(loaded.expectations) == len(definition["expectations"]) > 10
        assert {e.expectation_type for e in loaded.expectations} == {
            e["type"] for e in definition["expectations"]
        }
        assert all(e["meta"]["rule"] for e in definition["expectations"])


def test_a_suite_naming_an_unknown_expectation_fails_loudly(validator):
    from tasks.validate.context import SuiteLoadError, load_suite_definitions

    definition = load_suite_definitions()["realisasi_bulanan"]
    broken = {
        **definition,
        "name": "broken",
        "expectations": [
            *definition["expectations"],
            {"type": "expect_module_that_was_never_imported", "kwargs": {"column": "x"}},
        ],
    }
    with pytest.raises(SuiteLoadError, match="expect_module_that_was_never_imported"):
        validator._load_suite(broken)


def test_data_docs_are_plain_html_in_the_work_folder(validator, check_realization):
    result = validate_realizations(
        validator, [realization_workbook(realization_lines(SUBS))], lambda *_: None
    )
    url = result.runs[0].data_docs_url
    assert url.startswith("file://") and url.endswith(".html")
    page = validator.docs_dir / url.split("/data-docs/", 1)[1]
    assert page.is_file() and "<html" in page.read_text(encoding="utf-8").lower()
    assert (validator.docs_dir / "index.html").is_file()


def test_stored_results_are_pruned_to_the_retention_limit(tmp_path):
    small = Validator(tmp_path, keep_results=2)
    for _ in range(4):
        validate_realizations(small, [realization_workbook(realization_lines(SUBS))], lambda *_: None)
    stored = list((tmp_path / "gx" / "uncommitted" / "validations" / "realisasi_bulanan").rglob("*.json"))
    pages = list((tmp_path / "data-docs" / "validations" / "realisasi_bulanan").rglob("*.html"))
    assert len(stored) == 2
    assert len(pages) == 2


def test_code_check_matches_each_code_against_its_own_level():
    from expectations.custom import code_matches_level

    codes = pd.Series(["2.17", "2.17.01", "2.17.1", "2.17.01", None, "5.1.02.01", "5.x", "anything"])
    levels = pd.Series(
        ["urusan", "program", "program", "kegiatan", "program", "rekening", "rekening", "total"]
    )
    expected = [True, True, False, False, False, True, False, True]
    assert code_matches_level(codes, levels).tolist() == expected
    as_categories = code_matches_level(codes.astype("category"), levels.astype("category"))
    assert as_categories.tolist() == expected


def test_subtotals_are_summed_per_file_for_every_amount_at_once():
    from tasks.core.subtotals import subtotal_mismatches, sum_of_children

    frame = pd.DataFrame(
        {
            "file": ["a", "a", "a", "b", "b"],
            "key": ["1", "1.1", "1.2", "1", "1.1"],
            "parent": ["", "1", "1", "", "1"],
            "x": [30.0, 10.0, 20.0, 5.0, 6.0],
            "y": [1.0, None, 1.0, 0.0, None],
        }
    )
    assert sum_of_children(frame, "file", "key", "parent", "x").tolist()[:1] == [30.0]
    mismatches = subtotal_mismatches(frame, "file", "key", "parent", ["x", "y"])
    assert mismatches["x"].tolist() == [False, False, False, True, False]  # b: 5 against 6
    assert mismatches["y"].tolist() == [False] * 5  # a blank child counts as 0
    compact = frame.astype({"file": "category", "key": "category", "parent": "category"})
    assert subtotal_mismatches(compact, "file", "key", "parent", ["x", "y"]).equals(mismatches)


def test_a_month_must_agree_with_the_next_month_already_loaded(validator):
    """To date = next month's to date − next month's realization; a file giving only the month column
    is checked with its to date derived from last month, and named at its month cell."""
    lines = realization_lines(SUBS)
    code = "2.17.02.2.01.01"
    before = previous_of({c: (a, 0.0, sd - b) for c, (a, b, sd) in SUBS.items()})
    after = pd.DataFrame(
        [
            {"kode": c, "realisasi_bulan_ini_rp": 10.0, "realisasi_sd_bulan_ini_rp": sd + 10.0}
            for c, (_, _, sd) in SUBS.items()
        ]
    )
    after.loc[after["kode"] == code, "realisasi_sd_bulan_ini_rp"] = 200.0  # May's to date below April's 250

    def check(workbook):
        result = validate_realizations(validator, [workbook], lambda *_: before, following=lambda *_: after)
        return result.issues[workbook.path.name]

    found = check(realization_workbook(lines, month=4))
    assert rules(found) == [("period.next_month_inconsistent", f"G{row_of(lines, code)}")]
    assert "250" in found[0].message() and "190" in found[0].message() and "05/2022" in found[0].message()
    month_only = lines.assign(realisasi_sd_bulan_ini_rp=NAN)
    found = check(realization_workbook(month_only, month=4))
    assert rules(found) == [("period.next_month_inconsistent", f"F{row_of(lines, code)}")]
    after.loc[after["kode"] == code, "realisasi_sd_bulan_ini_rp"] = 260.0
    assert check(realization_workbook(month_only, month=4)) == []
    assert check(realization_workbook(lines, month=12)) == []  # December has no next month


def test_a_new_context_on_the_same_folder_reuses_what_the_first_stored(validator, monkeypatch):
    from tasks.validate.context import CONTEXT_MARKER

    builds: list[Path] = []
    build = Validator._build
    monkeypatch.setattr(Validator, "_build", lambda self, definitions: builds.append(self.workdir))
    again = Validator(validator.workdir)  # as the next command's process makes it
    assert builds == []
    lines = realization_lines(SUBS)
    lines.loc[lines["kode"] == "2.17.01.2.01", "anggaran_rp"] += 1
    result = validate_realizations(again, [realization_workbook(lines)], lambda *_: None)
    assert [issue.rule for issue in next(iter(result.issues.values()))] == ["amount.subtotal_mismatch"] * 2

    marker = validator.workdir / "gx" / CONTEXT_MARKER
    marker.write_text("suites of another version", encoding="utf-8")
    monkeypatch.setattr(Validator, "_build", build)
    rebuilt = Validator(validator.workdir)
    assert set(rebuilt.checkpoints) == set(validator.checkpoints)
    assert marker.read_text(encoding="utf-8") != "suites of another version"


def test_data_docs_of_each_context_on_a_work_folder_are_gx_own_pages(tmp_path):
    """As the next command's process does: a new context on the folder adds its page to the same
    site, drawn by GX's own views (no view class of ours in the site's configuration)."""
    first = Validator(tmp_path)
    earlier = validate_realizations(first, [realization_workbook(realization_lines(SUBS))], lambda *_: None)
    again = Validator(tmp_path)
    later = validate_realizations(again, [realization_workbook(realization_lines(SUBS))], lambda *_: None)

    pages = [again.docs_dir / r.runs[0].data_docs_url.split("/data-docs/", 1)[1] for r in (earlier, later)]
    assert pages[0] != pages[1]
    for page in pages:
        assert page.is_file() and "realisasi_bulanan" in page.read_text(encoding="utf-8")
    index = (again.docs_dir / "index.html").read_text(encoding="utf-8")
    assert all(page.relative_to(again.docs_dir).as_posix() in index for page in pages)
    assert "module_name" not in str(again.context.variables.data_docs_sites)


def test_the_suites_follow_the_column_spec(tmp_path):
    """The amount rules read every amount column of the spec, and every number column of a kind gets a
    type check, in the suites as GX loaded them (a context of its own: reading them back marks the
    suites changed for the module's context)."""
    from expectations.columns import CONTRACT_RULE
    from tasks.core import columns

    validator = Validator(tmp_path)

    for suite, kind in (("realisasi_bulanan", columns.REALIZATION), ("indikator_tahunan", columns.INDICATOR)):
        loaded = validator.context.suites.get(suite)
        checked = {
            e.configuration.kwargs["column"]: e.configuration.kwargs["type_"]
            for e in loaded.expectations
            if e.meta["rule"] == CONTRACT_RULE
        }
        numbers = {
            c.name: "float64" for c in columns.of_kind(kind) if c.type in ("amount", "percent", "number")
        }
        assert checked == numbers
    amounts = list(columns.names(columns.REALIZATION, types=("amount",)))
    loaded = validator.context.suites.get("realisasi_bulanan")
    by_rule = {e.meta["rule"]: e for e in loaded.expectations}
    assert by_rule["amount.negative"].configuration.kwargs["column_list"] == amounts
    assert by_rule["amount.subtotal_mismatch"].configuration.kwargs["column_list"] == [
        "file",
        "node_key",
        "parent_key",
        *amounts,
    ]
    assert by_rule["amount.subtotal_mismatch"].meta["fields"] == amounts


def test_a_staged_frame_breaking_the_contract_stops_validation(tmp_path):
    """A number column of the wrong type is the reader's fault: an error, never a steward's issue.

    A context of its own: an earlier test rebuilds the module's context folder under it.
    """
    lines = realization_lines(SUBS)
    lines["anggaran_murni_rp"] = 0  # whole numbers where the contract says float64
    with pytest.raises(RuntimeError, match=r"staging contract .* anggaran_murni_rp"):
        validate_realizations(Validator(tmp_path), [realization_workbook(lines)], lambda *_: None)
