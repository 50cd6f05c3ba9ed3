"""The analysts' notebooks are honest: they write nothing to the analyst's store unasked, take
the day of the analysis and the plan's year as parameters, and keep no workbook in their saved
outputs."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from nbclient import NotebookClient

from kit.frames import read_frames
from kit.resources import shipped_dir
from kit.store import Store

pytestmark = pytest.mark.slow


def run(name: str, data_dir: Path, monkeypatch: pytest.MonkeyPatch,
        parameters: dict[str, object] | None = None) -> nbformat.NotebookNode:
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


@pytest.mark.parametrize(("as_of", "plan_year", "planned"), [
    ("2027-01-31", None, 2027),  # January: the year the office is in
    ("2027-10-15", None, 2028),  # the last quarter: the next year
    ("2027-01-31", 2028, 2028),  # the year asked for
])
def test_the_analysis_day_and_the_plans_year_are_parameters(
        as_of: str, plan_year: int | None, planned: int, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    out.mkdir()
    parameters: dict[str, object] = {"as_of": as_of, "output_dir": str(out)}
    if plan_year is not None:
        parameters["plan_year"] = plan_year
    nb = run("analytics.ipynb", tmp_path / "data", monkeypatch, parameters)
    assert sorted(p.name for p in out.iterdir()) == [f"检查分析-{as_of}.xlsx",
                                                     f"监督计划-{planned}.xlsx"]
    printed = "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))
    assert str(out / f"检查分析-{as_of}.xlsx") in printed
    assert f"{planned} 年：" in printed
    plan = read_frames(out / f"监督计划-{planned}.xlsx")["plan"]
    assert (plan["month"].dt.year == planned).all()
    start = pd.Timestamp(planned, 1, 1)
    due_in_year = plan["next_due"].between(max(start, pd.Timestamp(as_of)),
                                           pd.Timestamp(planned, 12, 31))
    assert due_in_year.any()  # companies due later in the year planned…
    assert not plan.loc[due_in_year, "overdue"].any()  # …are not overdue
    assert (plan["overdue"] == plan["next_due"].lt(start)).all()  # only those due before it
