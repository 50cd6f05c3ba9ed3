"""Every script in ``benchmarks/`` runs at a tiny size, so that none rots.

Each runs as a process with ``--tiny`` (seconds), its files in the test's temporary folder,
never in the repository. Only that it ends well and prints its table is asserted: a tiny run's
figures mean nothing, and no timing is ever asserted in a test (README, "性能").
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"

#: each script, with a line of the table it prints last, and whether it takes ``--out``
TABLES: dict[str, tuple[str, bool]] = {
    "bench_app.py": ("kernel memory: app kernel median", True),
    "bench_audit.py": ("kit audit --verify (every inspection)", True),
    "bench_door.py": ("figures: ", True),
    "bench_hostile.py": ("targets: each refusal within", False),
    "bench_memory.py": ("a person's pod (", True),
    "bench_office.py": ("peak conn", True),
    "bench_proof.py": ("checkpoint (", True),
    "bench_register.py": ("kit companies import of", True),
    "bench_remind.py": ("kit remind over", True),
    "bench_plan_lines.py": ("kit new --plan-line on a store of", True),
    "bench_portal.py": ("portal memory: RSS", False),
    "bench_sample_cli.py": ("pandas MiB", True),
    "bench_sampling.py": ("read_register() vs pd.read_excel", True),
    "bench_scale.py": ("median ms", True),
    "bench_search.py": ("median ms of", True),
    "bench_startup.py": ("targets: each command within", True),
    "bench_storage.py": ("kit demo per inspection and bytes per inspection", True),
    "bench_store.py": ("summary: autosave FULL", False),
    "bench_tables.py": ("median ms", True),
    "bench_trust.py": ("kit audit --verify of", False),
    "bench_workbook.py": ("write_workbook       median", False),
}


def run_tiny(name: str, tmp_path: Path) -> str:
    """``python benchmarks/NAME --tiny`` in ``tmp_path``; its output, once it ended well."""
    marker, takes_out = TABLES[name]
    out = ["--out", str(tmp_path / "out")] if takes_out else []
    proc = subprocess.run([sys.executable, str(BENCHMARKS / name), "--tiny", *out],
                          cwd=tmp_path, capture_output=True, text=True, encoding="utf-8",
                          timeout=900)  # a wait for the end, not a budget: no figure is checked
    assert proc.returncode == 0, proc.stderr[-4000:]
    assert marker in proc.stdout, proc.stdout[-4000:]
    return proc.stdout


def test_every_benchmark_has_its_tiny_run_here() -> None:
    assert {p.name for p in BENCHMARKS.glob("bench_*.py")} == set(TABLES)


@pytest.mark.parametrize("name", [n for n in TABLES if n not in ("bench_app.py",
                                                                "bench_office.py",
                                                                "bench_portal.py")])
def test_a_benchmark_runs_tiny(name: str, tmp_path: Path) -> None:
    run_tiny(name, tmp_path)


def test_the_office_benchmark_runs_tiny_in_the_test_cluster(pg_admin_url: str,
                                                            tmp_path: Path) -> None:
    assert os.environ.get("KIT_TEST_PG_URL") == pg_admin_url  # the cluster it runs in
    out = run_tiny("bench_office.py", tmp_path)
    if shutil.which("pgbouncer") or Path("/usr/sbin/pgbouncer").exists():
        assert "\npgbouncer " in out  # its saves went through PgBouncer too


@pytest.mark.slow  # three Voila servers and a dozen kernels: about a minute
@pytest.mark.browser
def test_the_app_benchmark_runs_tiny_in_chromium(tmp_path: Path) -> None:
    from tests.browser import CHROMIUM

    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("CI must have Debian's chromium installed")
        pytest.skip(f"Debian's chromium is not installed ({CHROMIUM}; bash .ci/run installs it)")
    run_tiny("bench_app.py", tmp_path)


@pytest.mark.slow  # the office Hub on PostgreSQL, a person's server and Chromium
@pytest.mark.browser
def test_the_portal_benchmark_runs_tiny_through_the_hub(pg_admin_url: str,
                                                        tmp_path: Path) -> None:
    import shutil

    from tests.browser import CHROMIUM

    if not Path(CHROMIUM).exists() or shutil.which("configurable-http-proxy") is None:
        if os.environ.get("CI"):
            pytest.fail("CI must have Debian's chromium and configurable-http-proxy")
        pytest.skip("needs Debian's chromium and configurable-http-proxy")
    assert os.environ.get("KIT_TEST_PG_URL") == pg_admin_url  # the cluster it runs in
    run_tiny("bench_portal.py", tmp_path)
