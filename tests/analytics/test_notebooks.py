"""The analysts' notebooks are honest: they write nothing to the analyst's store unasked, take
the day of the analysis as a parameter, and keep no workbook in their saved outputs."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from kit.resources import shipped_dir
from kit.store import Store

pytestmark = pytest.mark.slow


def run(name: str, data_dir: Path, monkeypatch: pytest.MonkeyPatch,
        parameters: dict[str, str] | None = None) -> nbformat.NotebookNode:
    monkeypatch.setenv("KIT_DATA_DIR", str(data_dir))
    nb = nbformat.read(shipped_dir("notebooks") / name, as_version=4)
    if parameters:  # as papermill does: a cell after the one tagged "parameters"
        at = next(i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", []))
        nb.cells.insert(at + 1, nbformat.v4.new_code_cell(
            "\n".join(f"{k} = {v!r}" for k, v in parameters.items())))
    NotebookClient(nb, timeout=300, kernel_name="python3").execute()
    return nb


@pytest.mark.parametrize("name", ["section_in_lab.ipynb", "analytics.ipynb"])
def test_running_a_notebook_writes_nothing_to_the_analysts_store(
        name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "data"
    nb = run(name, data, monkeypatch)
    with Store(data_dir=data) as store:
        assert store.list((), include_deleted=True) == []
    outputs = json.dumps([c.get("outputs", []) for c in nb.cells], ensure_ascii=False)
    assert "spreadsheetml" not in outputs  # no workbook kept in the saved notebook


def test_the_analysis_day_is_a_parameter(tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    out.mkdir()
    nb = run("analytics.ipynb", tmp_path / "data", monkeypatch,
             {"as_of": "2027-01-31", "output_dir": str(out)})
    assert sorted(p.name for p in out.iterdir()) == ["检查分析-2027-01-31.xlsx", "监督计划-2028.xlsx"]
    printed = "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))
    assert str(out / "检查分析-2027-01-31.xlsx") in printed
