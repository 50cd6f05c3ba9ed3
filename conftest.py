"""Root pytest configuration: nothing a test or a notebook run does touches real user data.

The notebooks under ``notebooks/`` run as tests too (nbval); their kernels inherit this
environment, so their store lives in a temporary folder as well.
"""

from __future__ import annotations

import os
import tempfile


def pytest_configure() -> None:
    if "KIT_TEST_DATA_DIR" not in os.environ:
        os.environ["KIT_TEST_DATA_DIR"] = tempfile.mkdtemp(prefix="kit-test-data-")
    os.environ["KIT_DATA_DIR"] = os.environ["KIT_TEST_DATA_DIR"]
    os.environ.pop("KIT_DB_URL", None)

# Alembic's scripts run inside Alembic only (they read its context when imported).
collect_ignore_glob = ["kit/store/migrations/*"]
