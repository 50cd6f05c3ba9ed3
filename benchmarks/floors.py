"""What several benchmarks share: the bare floor of a save, and another kit in a worktree."""

from __future__ import annotations

import sqlite3
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def bare_insert(n: int) -> float:
    """Median seconds of one bare INSERT of a row and its COMMIT, with the store's setting
    (WAL, synchronous=FULL): the floor under every save."""
    folder = Path(tempfile.mkdtemp(prefix="kit-bare-"))
    db = sqlite3.connect(folder / "bare.sqlite", isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT)")
    times = []
    for k in range(n):
        start = time.perf_counter()
        db.execute("BEGIN")
        db.execute("INSERT INTO t (v) VALUES (?)", (f"第 {k} 次修改的检查情况记录",))
        db.execute("COMMIT")
        times.append(time.perf_counter() - start)
    db.close()
    return statistics.median(times)


def worktree(rev: str) -> Path | None:
    """The kit at ``rev`` checked out into a temporary git worktree (None: no ``rev``, or git
    could not); :func:`remove_worktree` takes it away again."""
    if not rev:
        return None
    target = Path(tempfile.mkdtemp(prefix="kit-baseline-"))
    proc = subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(target),
                           rev], capture_output=True, text=True)
    return target if proc.returncode == 0 else None


def remove_worktree(path: Path | None) -> None:
    if path is not None:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(path)],
                       capture_output=True)
