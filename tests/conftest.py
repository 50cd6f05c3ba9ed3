"""Shared fixtures: test data lives in tests/data/, found through :func:`data_file`."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kit.interchange import demo_file, demo_inspection
from kit.record import Inspection

DATA_DIR = Path(__file__).parent / "data"


def data_file(*parts: str) -> Path:
    """Path of a fixture file under tests/data/."""
    path = DATA_DIR.joinpath(*parts)
    if not path.exists():
        msg = f"missing test fixture {path}"
        raise FileNotFoundError(msg)
    return path


@pytest.fixture(scope="session")
def demo() -> Inspection:
    """The shipped demo inspection (``sample_data/demo_inspection.json``) as a model object."""
    return demo_inspection()


@pytest.fixture
def demo_doc() -> dict[str, Any]:
    """A fresh copy of the demo inspection's document, for a test to change (without the
    evidence's bytes an exported file carries beside it)."""
    doc: dict[str, Any] = json.loads(demo_file().read_text(encoding="utf-8"))
    doc.pop("evidence", None)
    return doc


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """No test ever writes to the user's real data directory."""
    monkeypatch.setenv("KIT_DATA_DIR", str(tmp_path_factory.mktemp("kit-data")))
    monkeypatch.delenv("KIT_DB_URL", raising=False)
    for name in ("JUPYTERHUB_USER", "KIT_USER", "KIT_USER_GROUPS"):  # nobody signed in
        monkeypatch.delenv(name, raising=False)


# -- real browser (Debian's Chromium driven by Playwright) ----------------------------------
@pytest.fixture(scope="module")
def browser():
    """One headless Chromium per test module; CI must have it, elsewhere the test skips.

    Per module, not per session: Playwright's event loop runs while it is open, and the
    widget tests of later modules would take it for a kernel's (and debounce their saves)."""
    from tests.browser import CHROMIUM, CHROMIUM_ARGS, require_chromium

    if os.environ.get("CI") and not Path(CHROMIUM).exists():
        pytest.fail("CI must have Debian's chromium installed")
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                      headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    """A fresh browser context (no cookies, no storage) in Chinese, allowing downloads."""
    context = browser.new_context(accept_downloads=True, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


# -- PostgreSQL (a throwaway cluster started by .ci/run; see .ci/pg-start) ---------------------
PG_ENV = "KIT_TEST_PG_URL"


@pytest.fixture(scope="session")
def pg_admin_url() -> str:
    """The admin URL of the test cluster; CI must have one, elsewhere PostgreSQL tests skip."""
    url = os.environ.get(PG_ENV, "")
    if not url:
        if os.environ.get("CI"):
            pytest.fail(f"CI must start PostgreSQL and set {PG_ENV} (bash .ci/pg-start)")
        pytest.skip(f"no PostgreSQL test cluster ({PG_ENV} is not set; bash .ci/pg-start)")
    return url


@pytest.fixture
def pg_url(pg_admin_url: str) -> Iterator[str]:
    """A fresh, empty schema of the test cluster for one test, as a store URL."""
    import uuid

    import sqlalchemy as sa

    name = f"t_{uuid.uuid4().hex[:12]}"
    engine = sa.create_engine(pg_admin_url, poolclass=sa.NullPool)
    with engine.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{name}"')
    yield f"{pg_admin_url}?options=-csearch_path%3D{name}"
    with engine.begin() as conn:
        conn.exec_driver_sql(f'DROP SCHEMA "{name}" CASCADE')
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def any_store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A new store's URL on each database the kit supports (one test runs on both)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'kit.sqlite'}"
    url: str = request.getfixturevalue("pg_url")
    return url
