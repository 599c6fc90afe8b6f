"""Fixtures of the web tests: an application over a fresh work folder with three users."""

from __future__ import annotations

from pathlib import Path

import pytest

from sakip.web.accounts import add_user
from tasks.settings import load_settings
from tests.fixtures.web import AGENCY, OTHER_AGENCY, PASSWORDS, WebSite, make_site
from warehouse.db import open_warehouse


@pytest.fixture(scope="session")
def site_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A work folder with a migrated warehouse and the three users, made once (hashing takes time)."""
    folder = tmp_path_factory.mktemp("web") / "template"
    engine = open_warehouse(load_settings(folder).url)
    add_user(engine, "steward", PASSWORDS["steward"], "steward")
    add_user(engine, "dinas", PASSWORDS["dinas"], "opd", AGENCY)
    add_user(engine, "lain", PASSWORDS["lain"], "opd", OTHER_AGENCY)
    engine.dispose()
    return folder


@pytest.fixture
def site(site_template: Path, tmp_path: Path) -> WebSite:
    """A fresh application (its own warehouse and work folder) with a steward and two agencies' users."""
    return make_site(site_template, tmp_path / "work")
