"""The page pieces' modules load: a syntax error in one (static/common.js is prepended to each)
leaves every widget box that holds one of its pieces empty, with no message on the page."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from kit.widgets._static import STATIC, esm

PIECES = sorted(p.name for p in STATIC.glob("*.js") if p.name != "common.js")


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js (installed by .ci/install)")
@pytest.mark.parametrize("name", PIECES)
def test_each_piece_is_a_module_that_parses(name: str, tmp_path: Path) -> None:
    module = tmp_path / f"{name}.mjs"
    module.write_text(esm(name), encoding="utf-8")
    done = subprocess.run(["node", "--check", str(module)], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stderr


def test_every_piece_is_tested() -> None:
    assert {"chips.js", "evidence.js", "guard.js", "rows.js", "signature.js"} <= set(PIECES)
