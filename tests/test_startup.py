"""The ``kit`` command starts with what it uses, and nothing else.

Each command runs as a user runs it, in a process of its own (``python -m kit``), and says at
exit which modules it imported; a test asserts that the command did its work and that the
heavy packages it has no use for were never loaded. No time is measured here: the figures
are ``benchmarks/bench_startup.py``'s (README, "性能").
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kit.door import Door, Identity
from kit.interchange import demo_file, import_json

#: runs ``kit`` with ``sys.argv[2:]`` and writes the modules it imported to ``sys.argv[1]``
#: when the process ends (after ``sys.exit``, as the ``kit`` script ends)
RUN = """
import atexit, json, runpy, sys
out = sys.argv[1]
atexit.register(lambda: open(out, "w").write(json.dumps(sorted(sys.modules))))
sys.argv = ["kit", *sys.argv[2:]]
runpy.run_module("kit", run_name="__main__", alter_sys=True)
"""

#: what no command's ``--help`` needs: the store, the record, files, tables, widgets, keys
NOT_FOR_HELP = ("sqlalchemy", "yaml", "pandas", "numpy", "openpyxl", "matplotlib", "ipywidgets",
                "cryptography", "pyhanko", "psycopg", "alembic", "tqdm", "PIL", "jsonschema",
                "kit.guide", "kit.record.model", "kit.door", "kit.store", "kit.rules")
#: what listing a SQLite store does not need
NOT_FOR_LIST = ("psycopg", "pandas", "numpy", "openpyxl", "matplotlib", "ipywidgets",
                "cryptography", "pyhanko", "alembic", "tqdm", "PIL", "lunar_python",
                "chinese_calendar", "jinja2", "yaml", "jsonschema", "kit.analytics",
                "kit.interchange", "kit.workbook", "kit.notices", "kit.planning", "kit.rules",
                "kit.workdays._office")
#: what writing one inspection's workbook does not need: with no key pair to sign with and no
#: signed checkpoint in its trail, no cryptography either; nor the workbook's reader
NOT_FOR_EXPORT = ("psycopg", "pandas", "matplotlib", "ipywidgets", "pyhanko",
                  "alembic", "tqdm", "cryptography", "kit.analytics", "kit.planning",
                  "kit.training", "kit.sampling", "kit.interchange._demo",
                  "kit.interchange._print", "kit.interchange._json", "kit.notices",
                  "kit.workbook._notice", "kit.workbook._read", "kit.workbook._verify",
                  "kit.proof._keys")


def run_kit(tmp_path: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """``kit ARGS`` in a process of its own; what it printed, and every module it imported."""
    modules = tmp_path / "modules.json"
    env_keys = tmp_path / "no-keys"  # no key pair here: nothing to sign with
    env_keys.mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIT_")}
    env["KIT_KEYS_DIR"] = str(env_keys)
    proc = subprocess.run([sys.executable, "-c", RUN, str(modules), *args], capture_output=True,
                          text=True, encoding="utf-8", env=env, cwd=tmp_path, timeout=300)
    return proc, set(json.loads(modules.read_text("utf-8")))


def loaded(modules: set[str], names: tuple[str, ...]) -> list[str]:
    """Those of ``names`` (packages or modules) that were imported, or any module under them."""
    return [n for n in names if any(m == n or m.startswith(n + ".") for m in modules)]


@pytest.mark.parametrize("args", [("--help",), ("list", "--help"), ("export", "--help"),
                                  ("advance", "--help"), ("new", "--help")])
def test_help_loads_neither_the_store_nor_the_record(tmp_path: Path, args: tuple[str, ...]) -> None:
    proc, modules = run_kit(tmp_path, *args)
    assert proc.returncode == 0, proc.stderr
    assert "usage: kit" in proc.stdout
    assert loaded(modules, NOT_FOR_HELP) == []


def test_the_help_still_names_the_stages_and_types_it_takes(tmp_path: Path) -> None:
    """The choices come from the record's own lists (kit.record.terms), not a copy."""
    from kit.record import STAGE_ORDER, InspectionType
    from kit.record.terms import INSPECTION_TYPES

    assert set(INSPECTION_TYPES) == set(InspectionType.__args__)  # type: ignore[attr-defined]
    advance, _ = run_kit(tmp_path, "advance", "--help")
    assert ", ".join(STAGE_ORDER) in " ".join(advance.stdout.split())
    new, _ = run_kit(tmp_path, "new", "--help")
    assert "{" + ",".join(INSPECTION_TYPES) + "}" in new.stdout


def test_a_bad_option_is_refused_without_loading_the_store(tmp_path: Path) -> None:
    proc, modules = run_kit(tmp_path, "advance", "some-id", "nowhere")
    assert proc.returncode == 2
    assert "invalid choice" in proc.stderr
    assert loaded(modules, ("sqlalchemy", "kit.store", "kit.record.model")) == []


def test_listing_an_empty_sqlite_store_loads_no_postgresql_and_no_tables(tmp_path: Path) -> None:
    proc, modules = run_kit(tmp_path, "list", "--data-dir", str(tmp_path / "store"))
    assert proc.returncode == 0, proc.stderr
    assert "0 条检查记录" in proc.stdout
    assert "sqlalchemy" in modules  # it did open the store
    assert loaded(modules, NOT_FOR_LIST) == []
    # whether there is a key pair to sign with is a look at a folder: no key, no cryptography
    assert "kit.proof._folders" in modules
    assert "kit.proof._keys" not in modules


def test_exporting_a_workbook_loads_no_tables_notices_printing_or_demo(tmp_path: Path) -> None:
    store = tmp_path / "store"
    door = Door.connect(None, data_dir=str(store), identity=Identity("t"))
    iid = import_json(door, demo_file())
    out = tmp_path / "record.xlsx"
    proc, modules = run_kit(tmp_path, "export", iid, "--data-dir", str(store), "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    from openpyxl import load_workbook

    assert load_workbook(out).sheetnames  # a workbook Excel opens
    assert "openpyxl" in modules
    assert loaded(modules, NOT_FOR_EXPORT) == []


#: what the year's plan and the demo generator do not need: charts and the analysts' file formats
NOT_FOR_PLAN = ("matplotlib", "ipywidgets", "pyhanko", "kit.analytics._charts",
                "kit.analytics._files", "kit.training")


def test_the_plan_and_the_demo_load_no_charts(tmp_path: Path) -> None:
    store = str(tmp_path / "store")
    demo, modules = run_kit(tmp_path, "demo", "--inspections", "5", "--data-dir", store)
    assert demo.returncode == 0, demo.stderr
    assert "5 条示例检查记录" in demo.stdout
    assert loaded(modules, NOT_FOR_PLAN) == []
    out = tmp_path / "plan.xlsx"
    plan, modules = run_kit(tmp_path, "plan", "--year", "2027", "--data-dir", store,
                            "--out", str(out))
    assert plan.returncode == 0, plan.stderr
    assert out.stat().st_size > 0
    assert "kit.analytics._tables" in modules  # it did read the tables
    assert loaded(modules, NOT_FOR_PLAN) == []


LAZY_PACKAGES = ("kit", "kit.record", "kit.interchange", "kit.proof", "kit.workdays",
                 "kit.workbook", "kit.analytics", "kit.server")


@pytest.mark.parametrize("name", LAZY_PACKAGES)
def test_every_name_a_lazy_package_exports_is_there(name: str) -> None:
    """``from kit.x import Name`` works for every name the package exports, loaded or not."""
    code = (f"import importlib, {name} as p; missing = [n for n in p.__all__ "
            f"if getattr(p, n, None) is None and n != '__version__']; print(missing); "
            "print(sorted(set(getattr(p, '_FROM', {})) - set(p.__all__)))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, check=True)
    assert proc.stdout.split("\n")[:2] == ["[]", "[]"]


def test_an_unknown_name_is_still_an_attribute_error() -> None:
    import kit.interchange
    import kit.record
    import kit.workbook
    import kit.workdays

    for package in (kit, kit.record, kit.interchange, kit.workdays, kit.workbook):
        with pytest.raises(AttributeError):
            package.no_such_name  # noqa: B018
