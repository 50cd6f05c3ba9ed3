"""The ``kit`` command's conventions: help for every option, the store options wherever the
store is read (and only there), exit codes documented per command and kept, ``-v`` saying what
a command does."""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

import kit
from kit.cli import COMMANDS, EXIT_CODES, build_parser
from kit.interchange import demo_file
from tests.test_cli import run_kit

README = (Path(kit.__file__).parent.parent / "README.md").read_text("utf-8")


def _leaves(parser: argparse.ArgumentParser,
            path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    """Every command as typed (``("db", "status")``) with its parser: the parsers that run."""
    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if path and not any(a.required for a in subs):
        yield path, parser  # runs without an action too (`kit companies` says what to give)
    for action in subs:
        for name, child in action.choices.items():
            yield from _leaves(child, (*path, name))


def _all_parsers(parser: argparse.ArgumentParser,
                 path: tuple[str, ...] = ("kit",)) -> Iterator[tuple[str, argparse.Action]]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                yield from _all_parsers(child, (*path, name))
        else:
            yield " ".join(path), action


def test_every_option_and_argument_of_every_command_has_help():
    missing = [f"{where} {'/'.join(action.option_strings) or action.dest}"
               for where, action in _all_parsers(build_parser())
               if not action.help or action.help == argparse.SUPPRESS]
    assert not missing, f"without help: {missing}"


def _store_commands_in_readme() -> set[tuple[str, ...]]:
    """The commands the README says take the store options, ``notice issue|serve|print``
    spelt out."""
    text = README[README.index("Store options on every command that reads the store:"):]
    text = text[:text.index("(the others")]
    found = set()
    for spelt in re.findall(r"`([a-z| -]+)`", text):
        head, _, actions = spelt.partition(" ")
        found |= {(head, a) for a in actions.split("|")} if actions else {(head,)}
    return found


def test_the_store_options_are_on_every_command_that_reads_the_store_and_only_there():
    parser = build_parser()
    taking = {path for path, leaf in _leaves(parser)
              if "--data-dir" in leaf._option_string_actions}
    # `kit companies` alone only says which action to give; its actions are listed
    taking.discard(("companies",))
    assert taking == _store_commands_in_readme()
    for path in sorted(taking):
        ns = parser.parse_args([*path, *_minimal(path), "--data-dir", "D", "--db-url",
                                "sqlite://", "--user", "u"])
        assert (ns.data_dir, ns.db_url, ns.user) == ("D", "sqlite://", "u"), path
        if len(path) > 1 and path[0] in ("db", "notice"):  # given before the action too
            ns = parser.parse_args([path[0], "--data-dir", "D", path[1], *_minimal(path)])
            assert ns.data_dir == "D", path


def _minimal(path: tuple[str, ...]) -> list[str]:
    """Arguments a command needs to parse at all."""
    return {("check",): ["X"], ("advance",): ["X", "closed"], ("export",): ["X", "--out", "o"],
            ("import",): ["f.json"], ("notice", "issue"): ["X", "result"],
            ("notice", "serve"): ["X", "result"], ("notice", "print"): ["X", "--out", "o"],
            ("verdict",): ["X"], ("db", "grant"): ["role"], ("credit-file",): ["--out", "o"],
            ("companies", "import"): ["f.xlsx"], ("class",): ["--out", "o.xlsx"],
            ("companies", "account"): ["list"], ("rectification", "submit"): ["X", "F1"],
            ("sample",): ["--records", "r", "--products", "p", "--inspection-date", "2026-11-20"],
            }.get(path, [])


def test_a_store_option_given_to_a_command_with_actions_is_used(tmp_path):
    """``kit db --data-dir D status`` reads D (it once read the default store, silently)."""
    store = tmp_path / "store"
    run_kit("import", str(demo_file()), "--data-dir", str(store), "--user", "t")
    assert run_kit("db", "--data-dir", str(store), "status").returncode == 0
    out = tmp_path / "notices.xlsx"
    run_kit("notice", "--data-dir", str(store), "print", "demo-2026-1119", "--out", str(out))
    assert out.stat().st_size > 0
    empty = run_kit("db", "--data-dir", str(tmp_path / "empty"), "status", check=False)
    assert empty.returncode == 1  # an empty store is not at the kit's schema


def test_a_command_that_never_opens_the_store_refuses_its_options(tmp_path):
    proc = run_kit("quiz", "--part", "5", "--out", str(tmp_path / "q.xml"), "--data-dir",
                   str(tmp_path), check=False)
    assert proc.returncode == 2
    assert "--data-dir" in proc.stderr
    assert not (tmp_path / "q.xml").exists()


def _readme_exit_codes() -> dict[str, set[int]]:
    """The exit codes of each command in the README's table (its last column)."""
    codes: dict[str, set[int]] = {}
    for line in README.splitlines():
        if m := re.match(r"\| `kit ([a-z-]+)", line):
            last = line.rstrip(" |").rsplit("|", 1)[1]
            codes.setdefault(m.group(1), set()).update(int(c) for c in re.findall(r"\b\d\b", last))
    return codes


def test_each_commands_exit_codes_are_documented_in_the_readme_and_its_help():
    documented = _readme_exit_codes()
    assert set(documented) == set(COMMANDS)
    for name in COMMANDS:
        assert documented[name] == set(EXIT_CODES[name]), name
    assert documented["verify"] == {0, 1, 2, 3}
    assert documented["check"] == {0, 1, 2}
    assert documented["list"] == {0, 2}
    helped = run_kit("verify", "--help").stdout
    said = helped[helped.index("exit codes"):]
    for code, meaning in EXIT_CODES["verify"].items():
        assert f"{code} {meaning.split()[0]}" in said


@pytest.mark.parametrize(("args", "code"), [
    (("reasons", "--prefix", "signatures."), 0),
    (("quiz", "--part", "99", "--out", "{tmp}/q.xml"), 2),
    (("reasons", "--no-such-option"), 2),
    (("check", "no-such-id", "--data-dir", "{tmp}"), 2),
    (("policy", "--check", "{tmp}/no-such-folder"), 2),
])
def test_commands_exit_with_their_documented_codes(tmp_path, args, code):
    proc = run_kit(*(a.format(tmp=tmp_path) for a in args), check=False)
    assert proc.returncode == code, proc.stderr
    assert code in EXIT_CODES[args[0]]
    if code == 2:
        assert proc.stderr.strip()  # said, on stderr
        assert "Traceback" not in proc.stderr


@pytest.mark.parametrize(("name", "content", "said"), [
    ("notes.txt", "not a record\n", "not a workbook, JSON record or PDF of the kit"),
    ("other.json", json.dumps({"name": "something else"}), "not a record of the kit"),
    ("broken.xlsx", "PK\x03\x04 not a zip", "not a workbook, JSON record or PDF of the kit"),
])
def test_verify_of_a_file_that_is_not_the_kits_says_what_it_is_not(tmp_path, name, content,
                                                                   said):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    proc = run_kit("verify", str(path), check=False)
    assert proc.returncode == 2 == min(c for c in EXIT_CODES["verify"] if c > 1)
    assert "不是本工具包的文件 / not a file of the kit" in proc.stderr
    assert said in proc.stderr
    assert name in proc.stderr  # which file
    assert proc.stdout == ""  # nothing a script would take for a verdict
    assert "applied" not in proc.stderr


def test_verbose_list_says_which_store_and_what_it_read(tmp_path):
    run_kit("import", str(demo_file()), "--data-dir", str(tmp_path), "--user", "t")
    quiet = run_kit("list", "--data-dir", str(tmp_path))
    assert quiet.stderr == ""
    loud = run_kit("-v", "list", "--data-dir", str(tmp_path))
    assert loud.stdout == quiet.stdout
    assert "kit list" in loud.stderr
    assert str(tmp_path / "kit.sqlite") in loud.stderr  # which store
    assert "listed 1 inspection(s)" in loud.stderr
    assert "exit 0" in loud.stderr


def test_verbose_check_names_the_inspection(tmp_path):
    run_kit("import", str(demo_file()), "--data-dir", str(tmp_path), "--user", "t")
    loud = run_kit("-v", "check", "demo-2026-1119", "--data-dir", str(tmp_path), check=False)
    assert "checking demo-2026-1119" in loud.stderr


def test_verbose_hides_a_database_password():
    loud = run_kit("-v", "list", "--db-url", "postgresql+psycopg://kit:s3cret@127.0.0.1:1/kit",
                   check=False)
    assert "s3cret" not in loud.stderr
    assert "kit list" in loud.stderr


def test_plan_shows_its_steps_with_verbose_never_in_json(tmp_path):
    store = str(tmp_path / "store")
    run_kit("demo", "--inspections", "6", "--companies", "3", "--data-dir", store)
    out = tmp_path / "plan.xlsx"
    args = ("plan", "--year", "2027", "--as-of", "2026-12-01", "--out", str(out), "--save",
            "--data-dir", store)
    loud = run_kit("-v", *args)
    for step in ("读取检查记录 reading", "排定计划 planning", "写出 writing", "保存 saving"):
        assert step in loud.stderr
    assert "步" in loud.stderr  # the bar itself, not only the log
    quiet = run_kit(*args)
    assert quiet.stderr == ""  # no terminal, no -v: no bar
    shown = run_kit("-v", "plan", "--year", "2027", "--show", "--json", "--data-dir", store)
    assert "步" not in shown.stderr
    assert json.loads(shown.stdout)  # the JSON alone on stdout


def test_a_calendar_estimate_is_said_once_per_run_and_year():
    """Counting into a year again and again (as a run of the analyses does, quietly counting in
    between) says its estimate once, and the next year's once, on stderr."""
    import subprocess
    import sys

    code = """if True:
        import warnings
        from datetime import date
        from kit.workdays import load_calendar
        cal = load_calendar()
        for n in range(6):
            cal.add_workdays(date(2040, 3, 2), 20 + n, allow_estimate=True)
            with warnings.catch_warnings():  # what the kit does to count quietly
                warnings.simplefilter("ignore", UserWarning)
        cal.workdays_between(date(2040, 12, 1), date(2041, 2, 1), allow_estimate=True)
    """
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          encoding="utf-8", timeout=60, check=True)
    said = [line for line in proc.stderr.splitlines() if "CalendarEstimateWarning" in line]
    assert len(said) == 2
    assert "2040 年放假安排尚未公布" in said[0]
    assert "2041 年放假安排尚未公布" in said[1]
