"""The ``kit`` command, run the way a user runs it: as a separate process."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import kit


def run_kit(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run ``python -m kit ARGS`` (the same entry point as the ``kit`` script)."""
    proc = subprocess.run(
        [sys.executable, "-m", "kit", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )
    if check and proc.returncode != 0:
        msg = f"kit {' '.join(args)} exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}"
        raise AssertionError(msg)
    return proc


def test_version():
    assert run_kit("--version").stdout.strip() == f"kit {kit.__version__}"


def test_no_command_prints_help_and_fails():
    proc = run_kit(check=False)
    assert proc.returncode == 2
    assert "guide" in proc.stdout


def test_guide_outline_lists_parts_and_sections():
    out = run_kit("guide").stdout
    for title in ("适用范围", "检查内容和检查方法", "记录样本的选取", "对问题的处理"):
        assert title in out
    assert "七、14. 委托生产情形" in out
    assert "[7.14, 8 条 items]" in out


def test_guide_section_prints_every_item_with_ids():
    out = run_kit("guide", "--section", "8").stdout
    assert out.splitlines()[0].startswith("七、8. 生产管理")
    for n in range(1, 8):
        assert f"[7.8.c{n}]" in out
    for n in range(1, 9):
        assert f"[7.8.m{n}]" in out
    assert "[7.9." not in out


def test_guide_item_and_part():
    assert "查看关键工序和特殊过程" in run_kit("guide", "--item", "7.8.m4").stdout
    out = run_kit("guide", "--part", "9").stdout
    assert all(f"[9.{n}]" in out for n in range(1, 7))


def test_guide_search_prints_matches_with_ids():
    out = run_kit("guide", "--search", "劳动合同").stdout
    assert "[7.2.m9]" in out
    assert "1 条匹配 / 1 match(es)" in out


def test_guide_json_is_the_whole_guide():
    data = json.loads(run_kit("guide", "--json").stdout)
    assert data["format_version"] == 1
    assert len(data["parts"]) == 10
    sections = data["parts"][6]["children"]
    assert len(sections) == 14
    assert sum(len(s["children"]) for s in sections) == len(kit.load_guide().checklist_items()) + 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("guide", "--section", "15"), "7.15"),
        (("guide", "--item", "7.8.m99"), "no clause '7.8.m99'"),
    ],
)
def test_unknown_ids_fail_with_a_clear_message(args, message):
    proc = run_kit(*args, check=False)
    assert proc.returncode == 2
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr
