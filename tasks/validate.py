"""Business rules on staged workbooks: what must hold before a file may reach the warehouse.

Each check returns :class:`~tasks.errors.InputIssue` objects located at the offending cell; an empty
list means the file may be loaded. Checks are vectorized over the staged frame.
"""

from __future__ import annotations

import pandas as pd

from tasks.errors import InputIssue
from tasks.staging import IndicatorWorkbook, RealizationWorkbook

#: Amount columns that subtotal rows must carry as the sum of their children.
SUMMED_COLUMNS: tuple[str, ...] = (
    "anggaran_rp",
    "anggaran_murni_rp",
    "realisasi_bulan_ini_rp",
    "realisasi_sd_bulan_ini_rp",
    "anggaran_kas_sd_bulan_ini_rp",
)
AMOUNT_COLUMNS: tuple[str, ...] = SUMMED_COLUMNS
#: Tolerance of the subtotal comparison: amounts are rupiah with at most two decimals.
RUPIAH_TOLERANCE = 0.005

_PARENT_SEGMENTS = {"program": 2, "kegiatan": 3, "sub_kegiatan": 5}


def node_keys(lines: pd.DataFrame) -> pd.Series:
    """A key naming each row as a node of the tree: its code, or ``<sub kegiatan>/<account>`` for accounts."""
    accounts = lines["level"] == "rekening"
    return lines["kode"].where(~accounts, lines["sub_kegiatan_kode"] + "/" + lines["kode"])


def parent_codes(lines: pd.DataFrame) -> pd.Series:
    """The node key of each row's parent ("" for top-level rows and the total row).

    An account's parent is the nearest enclosing account row under the same sub kegiatan
    (``5.1.02`` encloses ``5.1.02.01.01.0024``), else the sub kegiatan itself.
    """
    parents = pd.Series("", index=lines.index, dtype="str")
    segments = lines["kode"].str.split(".")
    for level, keep in _PARENT_SEGMENTS.items():
        mask = lines["level"] == level
        parents[mask] = segments[mask].str[:keep].str.join(".")
    if not (lines["level"] == "urusan").any():
        parents[lines["level"] == "program"] = ""
    accounts = lines["level"] == "rekening"
    if accounts.any():
        known = set(node_keys(lines)[accounts])
        for idx in lines.index[accounts]:
            sub, parts = lines.at[idx, "sub_kegiatan_kode"], lines.at[idx, "kode"].split(".")
            parent = sub
            for keep in range(len(parts) - 1, 0, -1):
                candidate = f"{sub}/{'.'.join(parts[:keep])}"
                if candidate in known:
                    parent = candidate
                    break
            parents[idx] = parent
    return parents


def leaf_accounts(lines: pd.DataFrame) -> pd.Series:
    """True for account rows that no other account row is nested under."""
    accounts = lines["level"] == "rekening"
    if not accounts.any():
        return accounts
    return accounts & ~node_keys(lines).isin(set(parent_codes(lines)[accounts]))


def _issue(wb: RealizationWorkbook, rule: str, row: int, field: str = "", **params: object) -> InputIssue:
    """An issue at a row (and the column of ``field``) of a realization workbook."""
    return InputIssue(
        file=wb.path.name,
        sheet=wb.sheet,
        row=int(row),
        column=wb.columns.get(field, ""),
        rule=rule,
        params=params,
    )


def check_realization(wb: RealizationWorkbook) -> list[InputIssue]:
    """Every rule a monthly realization workbook must obey, as a list of issues."""
    lines = wb.lines
    issues: list[InputIssue] = []
    if not wb.opd_code:
        issues.append(
            InputIssue(
                file=wb.path.name, sheet=wb.sheet, rule="header.meta_missing", params={"what": "Kode OPD"}
            )
        )
    if lines["realisasi_bulan_ini_rp"].isna().all() and lines["realisasi_sd_bulan_ini_rp"].isna().all():
        issues.append(InputIssue(file=wb.path.name, sheet=wb.sheet, rule="amount.missing_realization"))
        return issues
    issues += _check_codes(wb)
    issues += _check_amounts(wb)
    issues += _check_subtotals(wb)
    return issues


def _check_codes(wb: RealizationWorkbook) -> list[InputIssue]:
    """No duplicate codes; every row's parent appears in the file."""
    lines = wb.lines
    issues: list[InputIssue] = []
    coded = lines[lines["level"] != "total"]
    keys = node_keys(coded)
    duplicated = keys.duplicated(keep="first")
    first_row = coded.groupby(keys)["row"].first()
    for idx in coded.index[duplicated]:
        issues.append(
            _issue(
                wb,
                "code.duplicate",
                coded.at[idx, "row"],
                "kode",
                value=coded.at[idx, "kode"],
                other_row=int(first_row[keys[idx]]),
            )
        )
    parents = parent_codes(lines)
    orphan = (parents != "") & ~parents.isin(set(node_keys(lines)))
    for idx in lines.index[orphan]:
        issues.append(_issue(wb, "code.orphan", lines.at[idx, "row"], "kode", value=lines.at[idx, "kode"]))
    return issues


def _check_amounts(wb: RealizationWorkbook) -> list[InputIssue]:
    """Non-negative amounts, realization within budget, month within to-date, fisik in 0–100."""
    lines = wb.lines
    issues: list[InputIssue] = []
    for column in AMOUNT_COLUMNS:
        negative = lines[column] < 0
        for idx in lines.index[negative]:
            issues.append(
                _issue(wb, "amount.negative", lines.at[idx, "row"], column, value=_fmt(lines.at[idx, column]))
            )
    over = lines["realisasi_sd_bulan_ini_rp"] > lines["anggaran_rp"] + RUPIAH_TOLERANCE
    for idx in lines.index[over]:
        issues.append(
            _issue(
                wb,
                "amount.realization_over_budget",
                lines.at[idx, "row"],
                "realisasi_sd_bulan_ini_rp",
                value=_fmt(lines.at[idx, "realisasi_sd_bulan_ini_rp"]),
                expected=_fmt(lines.at[idx, "anggaran_rp"]),
            )
        )
    month_over = lines["realisasi_bulan_ini_rp"] > lines["realisasi_sd_bulan_ini_rp"] + RUPIAH_TOLERANCE
    for idx in lines.index[month_over]:
        issues.append(
            _issue(
                wb,
                "amount.month_over_cumulative",
                lines.at[idx, "row"],
                "realisasi_bulan_ini_rp",
                value=_fmt(lines.at[idx, "realisasi_bulan_ini_rp"]),
                expected=_fmt(lines.at[idx, "realisasi_sd_bulan_ini_rp"]),
            )
        )
    fisik = lines["fisik_pct"]
    for idx in lines.index[(fisik < 0) | (fisik > 100)]:
        issues.append(
            _issue(wb, "amount.fisik_range", lines.at[idx, "row"], "fisik_pct", value=_fmt(fisik[idx]))
        )
    return issues


def _check_subtotals(wb: RealizationWorkbook) -> list[InputIssue]:
    """Every program, kegiatan, sub kegiatan (with accounts), urusan and total row = sum of its children."""
    lines = wb.lines
    parents = parent_codes(lines)
    columns = [c for c in SUMMED_COLUMNS if lines[c].notna().any()]
    child_rows = lines["level"] != "total"
    sums = lines.loc[child_rows, columns].fillna(0.0).groupby(parents[child_rows]).sum()
    issues: list[InputIssue] = []
    keys = node_keys(lines).where(lines["level"] != "total", "")
    subtotal_rows = lines[keys.isin(sums.index)]
    for idx, row in subtotal_rows.iterrows():
        key = keys[idx]
        if key not in sums.index:
            continue
        for column in columns:
            value = 0.0 if pd.isna(row[column]) else float(row[column])
            expected = float(sums.at[key, column])
            if abs(value - expected) > RUPIAH_TOLERANCE:
                issues.append(
                    _issue(
                        wb,
                        "amount.subtotal_mismatch",
                        row["row"],
                        column,
                        column=column,
                        value=_fmt(value),
                        expected=_fmt(expected),
                    )
                )
    return issues


def check_indicators(wb: IndicatorWorkbook) -> list[InputIssue]:
    """Every rule an indicator workbook must obey, as a list of issues."""
    frame = wb.indicators
    issues: list[InputIssue] = []

    def issue(rule: str, idx, field: str, **params: object) -> InputIssue:
        return InputIssue(
            file=wb.path.name,
            sheet=wb.sheet,
            row=int(frame.at[idx, "row"]),
            column=wb.columns.get(field, ""),
            rule=rule,
            params=params,
        )

    if not wb.opd_code:
        issues.append(
            InputIssue(
                file=wb.path.name, sheet=wb.sheet, rule="header.meta_missing", params={"what": "Kode OPD"}
            )
        )
    for idx in frame.index[~(frame["target"] > 0)]:
        issues.append(
            issue("indicator.target_not_positive", idx, "target", value=_fmt(frame.at[idx, "target"]))
        )
    for idx in frame.index[~frame["arah"].isin(["positif", "negatif"])]:
        issues.append(issue("indicator.direction_unknown", idx, "arah", value=frame.at[idx, "arah"]))
    for idx in frame.index[~frame["jenis"].isin(["tujuan", "sasaran", "program", "kegiatan"])]:
        issues.append(issue("indicator.jenis_unknown", idx, "jenis", value=frame.at[idx, "jenis"]))
    for idx in frame.index[frame["indikator"].str.strip() == ""]:
        issues.append(issue("indicator.missing_value", idx, "indikator", column="Indikator"))
    return issues


def _fmt(value: object) -> str:
    """An amount for a message, Indonesian style (``1.234.567,5``)."""
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(value)
    text = f"{number:,.2f}".rstrip("0").rstrip(".")
    return text.replace(",", "_").replace(".", ",").replace("_", ".")
