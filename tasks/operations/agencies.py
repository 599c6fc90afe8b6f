"""The agency names a run's files are checked against: the OPD register's and the warehouse's."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import Engine

from warehouse.queries import agency_names


def known_agency_names(engine: Engine, register: Mapping[str, str] | None) -> dict[str, list[str]]:
    """Every known name of each agency code: the register's (``SAKIP_OPD_REGISTER``) first, then the
    name its earlier workbooks gave (the ``opd`` table)."""
    names: dict[str, list[str]] = {}
    for source in (register or {}, agency_names(engine)):
        for code, name in source.items():
            if name and name not in names.setdefault(code, []):
                names[code].append(name)
    return names
