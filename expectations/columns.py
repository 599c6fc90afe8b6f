"""The parts of the suites that follow the column spec (:mod:`tasks.core.columns`), filled in when a
suite is loaded: the column lists of the rules over every amount, and a type check of every number
column of the staged frame. Imports no Great Expectations.

In the suite JSON, a rule over every column of a type names the type in ``meta.spec_columns``
(``"amount"``); its ``kwargs.column_list`` holds only the columns before them (the file and tree
keys), and ``meta.fields`` is filled with the columns too.
"""

from __future__ import annotations

import copy

from tasks.core import columns

#: Which kind of workbook each suite validates.
SUITE_KINDS: dict[str, str] = {
    "realisasi_bulanan": columns.REALIZATION,
    "indikator_tahunan": columns.INDICATOR,
    "anggaran_kas": columns.CASH_PLAN,
}

#: The rule of the generated type checks: a staged frame that breaks the staging contract is a
#: fault of the reader, never of the steward's file (the validation stops with an error).
CONTRACT_RULE = "staging.column_type"


def with_spec_columns(definition: dict) -> dict:
    """The suite ``definition`` with its spec-derived parts: the amount lists and the type checks."""
    kind = SUITE_KINDS.get(definition["name"])
    if kind is None:
        return definition
    filled = copy.deepcopy(definition)
    for expectation in filled["expectations"]:
        meta = expectation.get("meta", {})
        if "spec_columns" not in meta:
            continue
        spec_names = list(columns.names(kind, types=(meta["spec_columns"],)))
        kwargs = expectation["kwargs"]
        kwargs["column_list"] = [*kwargs.get("column_list", []), *spec_names]
        meta["fields"] = spec_names
        meta.setdefault("field", spec_names[0])
    filled["expectations"].extend(type_checks(kind))
    return filled


def type_checks(kind: str) -> list[dict]:
    """One ``expect_column_values_to_be_of_type`` per number column of the kind (it must exist too)."""
    return [
        {
            "type": "expect_column_values_to_be_of_type",
            "kwargs": {"column": column.name, "type_": column.dtype},
            "meta": {
                "rule": CONTRACT_RULE,
                "field": column.name,
                "contract": True,
                "description": f"the staged column {column.name} is there, of type {column.dtype}",
            },
            "severity": "critical",
        }
        for column in columns.of_kind(kind)
        if column.dtype == "float64"
    ]
