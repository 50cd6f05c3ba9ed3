"""Write ``tests/data/formats/``: the demo exported by each earlier layout of the workbook.

For each layout the kit has written (:data:`VARIANTS`), the script checks a commit of that
layout out in a temporary ``git worktree`` and runs *that commit's own kit* in a subprocess
(``PYTHONPATH`` at the worktree): it imports the commit's ``sample_data/demo_inspection.json``
into a throwaway SQLite store and exports it with ``kit export ID --out F.xlsx`` and
``--out F.json``. Both files are copied here, and ``manifest.json`` says which commit made
each, the layout number and sheets its workbook holds, and the JSON's ``format_version``.

No ``KIT_SIGNING_KEY`` is set: every kit so far sealed with a plain SHA-256 without one, and
the manifest records ``signing_key: null`` so the tests verify without a key too. A commit
whose kit does not run with today's installed libraries is noted in the manifest (``tried``)
and the nearest commit of the same layout is used instead. The worktrees and the store are
removed afterwards, also when a run fails.

Run from anywhere in the repository::

    python scripts/make_format_fixtures.py            # every layout
    python scripts/make_format_fixtures.py --only layout2-no-evidence

The exports carry the time they were made, so a rerun changes the files; run it again only
when a layout is added or a fixture must be remade.

``--reference COMMIT`` writes ``layout-reference.json`` instead: the record and trail whose
rendering gives each layout's fingerprint (the demo of COMMIT, its sampled rows cut to six,
without the evidence's bytes, and a short trail). It must not change once a layout's
fingerprints are recorded from it.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "data" / "formats"
MANIFEST = "manifest.json"
REFERENCE = "layout-reference.json"
REFERENCE_AUDIT = (
    {"at": "2026-11-19 10:05:00+08:00", "user": "张明", "action": "update",
     "path": "results/7.1.c1/result", "old": "unchecked", "new": "conform"},
    {"at": "2026-11-20 16:40:00+08:00", "user": "李华", "action": "update",
     "path": "findings/F1/deadline", "old": None, "new": "2026-12-11"},
    {"at": "2026-11-24 09:00:00+08:00", "user": "张明", "action": "import",
     "path": "follow_up/measures", "old": [], "new": ["recheck", "more_testing"]},
)
SEAL_SHEET, MARKER = "_kit", "kit-inspection-workbook"
USER = "fixture"
TIMEOUT = 600  # seconds for one command of an old kit


@dataclass(frozen=True)
class Variant:
    """One layout the kit wrote: its commits ``first``..``last`` (on main), ``prefer`` the one
    to export with (the others are tried nearest first when it does not run)."""

    name: str
    first: str
    last: str
    prefer: str
    about: str


VARIANTS = (
    Variant("layout1-first", "4478097", "f26d4fd", "4478097",
            "layout 1 as first released: seven sheets (no 整改跟踪)"),
    Variant("layout1", "4478097", "f26d4fd", "f26d4fd",
            "layout 1, its last seven-sheet commit (findings tracked, the opinion)"),
    Variant("layout1-tracking", "d4cae3b", "d4cae3b", "d4cae3b",
            "layout 1 with 整改跟踪 added under the same number: eight sheets"),
    Variant("layout2-no-evidence", "bed76f4", "4b53c2b", "4b53c2b",
            "layout 2 before the evidence sheet: eight sheets"),
    Variant("layout2-evidence", "f1547e1", "702a283", "702a283",
            "layout 2 with 证据材料 added under the same number: nine sheets (layout 3 since)"),
    Variant("layout3", "89e1aef", "89e1aef", "89e1aef",
            "layout 3: nine sheets, 签字确认 without the inability to inspect (六、8)"),
    # 5d7e25b numbered layout 4 on the issue-25 branch, merged into main by 502f47b
    Variant("layout4", "502f47b", "6c09ada", "6c09ada",
            "layout 4: nine sheets, without the grades, outcomes, review rounds, extensions "
            "and verdict of layout 5"),
)


def git(*args: str, cwd: Path = ROOT) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                          text=True).stdout.strip()


def candidates(v: Variant) -> list[str]:
    """The variant's commits as full hashes, the preferred one first, then nearest first."""
    first, last, prefer = (git("rev-parse", "--verify", f"{c}^{{commit}}")
                           for c in (v.first, v.last, v.prefer))
    span = git("rev-list", "--reverse", "--first-parent", "--ancestry-path",
               f"{first}..{last}").split()
    commits = [first, *span]
    if prefer not in commits:
        msg = f"{v.name}: {v.prefer} is not between {v.first} and {v.last}"
        raise SystemExit(msg)
    at = commits.index(prefer)
    return sorted(commits, key=lambda c: (abs(commits.index(c) - at), commits.index(c)))


def kit_env(worktree: Path, data: Path) -> dict[str, str]:
    """The environment of the old kit: its own code first, a throwaway store, no key, no
    office folders and nobody signed in."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("KIT_") and k not in ("JUPYTERHUB_USER", "PYTHONPATH")}
    env.update(PYTHONPATH=str(worktree), KIT_DATA_DIR=str(data), PYTHONDONTWRITEBYTECODE="1")
    return env


def run_kit(args: list[str], env: dict[str, str], cwd: Path) -> str:
    done = subprocess.run([sys.executable, "-m", "kit", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=TIMEOUT, check=False)
    if done.returncode != 0:
        msg = (f"kit {' '.join(args[:2])} exited {done.returncode}: "
               f"{(done.stderr or done.stdout).strip()[-400:]}")
        raise RuntimeError(msg)
    return done.stdout


def export_at(commit: str, work: Path) -> tuple[Path, Path, str]:
    """The demo exported by ``commit``'s kit: (workbook, JSON file, inspection id)."""
    worktree = work / "wt"
    git("worktree", "add", "--detach", str(worktree), commit)
    try:
        env = kit_env(worktree, work / "data")
        check = subprocess.run([sys.executable, "-c", "import kit; print(kit.__file__)"],
                               cwd=work, env=env, capture_output=True, text=True, check=True)
        if not check.stdout.strip().startswith(str(worktree)):
            msg = f"the kit imported is {check.stdout.strip()}, not the worktree's"
            raise RuntimeError(msg)
        demo = worktree / "sample_data" / "demo_inspection.json"
        lines = run_kit(["import", str(demo), "--user", USER], env, work).split()
        ident = lines[-1]
        xlsx, js = work / "export.xlsx", work / "export.json"
        run_kit(["export", ident, "--out", str(xlsx), "--user", USER], env, work)
        run_kit(["export", ident, "--out", str(js), "--user", USER], env, work)
        return xlsx, js, ident
    finally:  # also when the old kit failed; never a worktree this script did not make
        subprocess.run(["git", "worktree", "remove", "--force", str(worktree)], cwd=ROOT,
                       capture_output=True, check=False)


def workbook_facts(path: Path) -> dict[str, Any]:
    """The layout number and sheets a workbook holds, as its hidden sheet and tabs say."""
    wb = load_workbook(path, read_only=True)
    try:
        values = {row[0]: row[1] for row in wb[SEAL_SHEET].iter_rows(values_only=True)
                  if row and isinstance(row[0], str) and len(row) > 1}
        manifest = json.loads("".join(
            str(v) for row in wb[SEAL_SHEET].iter_rows(values_only=True)
            if row and row[0] == "manifest" for v in row[1:] if v is not None))
        return {"layout": manifest.get("format", int(str(values[MARKER]))),
                "sheets": [n for n in wb.sheetnames if n != SEAL_SHEET],
                "sealed_sheets": list(manifest.get("sheets") or {}),
                "seal_kind": manifest.get("seal_kind"),
                "exported_at": manifest.get("exported_at")}
    finally:
        wb.close()


def make(v: Variant) -> dict[str, Any]:
    tried = []
    for commit in candidates(v):
        short = commit[:7]
        with tempfile.TemporaryDirectory(prefix="kit-formats-") as tmp:
            try:
                xlsx, js, ident = export_at(commit, Path(tmp))
            except (RuntimeError, subprocess.SubprocessError, OSError) as exc:
                tried.append({"commit": commit, "error": str(exc)})
                print(f"{v.name}: {short} does not run: {exc}", file=sys.stderr)
                continue
            stem = f"{v.name}-{short}"
            shutil.copyfile(xlsx, OUT / f"{stem}.xlsx")
            shutil.copyfile(js, OUT / f"{stem}.json")
        doc = json.loads((OUT / f"{stem}.json").read_text(encoding="utf-8"))
        print(f"{v.name}: {stem}.xlsx, {stem}.json", file=sys.stderr)
        return {
            "name": v.name,
            "about": v.about,
            "workbook": f"{stem}.xlsx",
            "json": f"{stem}.json",
            "commit": commit,
            "commit_date": git("show", "-s", "--format=%cI", commit),
            "commit_subject": git("show", "-s", "--format=%s", commit)[:120],
            "inspection_id": ident,
            **workbook_facts(OUT / f"{stem}.xlsx"),
            "json_format_version": doc.get("format_version"),
            "signing_key": None,
            "tried": tried,
        }
    msg = f"{v.name}: no commit of {v.first}..{v.last} runs: {tried}"
    raise SystemExit(msg)


def write_reference(commit: str) -> None:
    full = git("rev-parse", "--verify", f"{commit}^{{commit}}")
    doc = json.loads(git("show", f"{full}:sample_data/demo_inspection.json"))
    doc.pop("evidence", None)
    doc["sampling"]["rows"] = doc["sampling"]["rows"][:6]
    reference = {
        "format_version": 1,
        "about": "the record and trail each layout's fingerprint renders "
                 "(kit.workbook.sheet_fingerprints); never change it",
        "made_by": f"scripts/make_format_fixtures.py --reference {full[:7]}",
        "commit": full,
        "record": doc,
        "audit": list(REFERENCE_AUDIT),
    }
    (OUT / REFERENCE).write_text(json.dumps(reference, ensure_ascii=False, indent=1) + "\n",
                                 encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", action="append", choices=[v.name for v in VARIANTS],
                        help="remake only this fixture (repeatable); the others stay")
    parser.add_argument("--reference", metavar="COMMIT",
                        help="write layout-reference.json from COMMIT's demo instead")
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    if args.reference:
        write_reference(args.reference)
        return 0
    path = OUT / MANIFEST
    old = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    kept = {f["name"]: f for f in old.get("fixtures", ())}
    for v in VARIANTS:
        if args.only and v.name not in args.only:
            continue
        made = make(v)
        for key in ("workbook", "json"):  # a fixture remade from another commit
            if v.name in kept and kept[v.name][key] != made[key]:
                (OUT / kept[v.name][key]).unlink(missing_ok=True)
        kept[v.name] = made
    manifest = {
        "format_version": 1,
        "made_by": "scripts/make_format_fixtures.py",
        "made_with": {"python": platform.python_version(), "openpyxl": version("openpyxl"),
                      "sqlalchemy": version("sqlalchemy")},
        "fixtures": [kept[v.name] for v in VARIANTS if v.name in kept],
    }
    path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
