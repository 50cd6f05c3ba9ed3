"""``kit policy`` (the office's grading scheme and handling rules, and their check) and ``kit
verdict`` (the verdict proposed from the grades, confirmed or given with a reason)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kit.cli import main
from kit.dates import beijing_now
from kit.door import Door, Identity
from kit.errors import ValidationError
from kit.interchange import demo_file, import_json
from kit.policy import load_policy
from kit.resources import shipped_dir
from kit.session import Session

ID = "demo-2026-1119"


def office(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, scheme: str = "none") -> Path:
    """The shipped templates copied for an office that chose ``scheme``, in force."""
    folder = tmp_path / "templates"
    shutil.copytree(shipped_dir("templates"), folder)
    grading = folder / "grading.yaml"
    grading.write_text(grading.read_text("utf-8").replace("\nscheme: none\n",
                                                          f"\nscheme: {scheme}\n"), "utf-8")
    monkeypatch.setenv("KIT_TEMPLATES_DIR", str(folder))
    return folder


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")


# -- kit policy ------------------------------------------------------------------------------
def test_kit_policy_prints_the_guides_way_and_the_resumption_rule_with_its_source(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["policy"]) == 0
    out = capsys.readouterr().out
    assert "grading scheme" in out
    assert "none 不分级" in out
    assert "问题不分级" in out
    assert "现场复查合格后方可恢复生产" in out
    assert load_policy().handling.resumption_source in out  # the office's rule, cited whole
    assert "暂停生产并发布安全警示信息" in out  # the guide's words for each kind


def test_kit_policy_prints_the_scheme_chosen_with_its_grades_verdicts_and_rules(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    office(tmp_path, monkeypatch, "nmpa2015")
    assert main(["policy"]) == 0
    out = capsys.readouterr().out
    assert "nmpa2015 现场检查指导原则（2015）关键项/一般项" in out
    assert "食药监械监〔2015〕218号" in out  # its source
    for words in ("key\t关键项（*）不符合", "general\t一般项不符合", "pass\t通过检查",
                  "recheck\t整改后复查", "fail\t未通过检查"):
        assert words in out
    rules = [line.strip() for line in out.splitlines() if "←" in line]
    assert rules[0].startswith("1. fail（未通过检查） ← 任一问题为 key")
    assert rules[-1] == "3. pass（通过检查） ← 其余情况 / otherwise"


def test_kit_policy_check_passes_the_shipped_files(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["policy", "--check"]) == 0
    assert "办公室规则无误" in capsys.readouterr().out


@pytest.mark.parametrize(("name", "old", "new", "field", "words"), [
    ("grading.yaml", "\nscheme: none\n", "\nscheme: nmpa2016\n", "scheme", "nmpa2016"),
    ("grading.yaml", "  - verdict: recheck\n", "  - verdict: rechek\n",
     "schemes/nmpa2015/propose/1/verdict", "rechek"),
    ("grading.yaml", "\nscheme: none\n", "\nscheme: [none\n", "row ", "YAML"),
    ("handling.yaml", "  kinds: [suspend_and_warn, suspend_and_rectify]\n  source",
     "  kinds: [suspend_and_warn, suspend]\n  source", "resumption/kinds/1",
     "'suspend' 不是指南十、1 的处理方式"),
    ("handling.yaml", "  required: true\n", "  required: yes please\n",
     "suspension_notice/required", "格式不符"),
])
def test_kit_policy_check_names_each_problems_file_and_field_and_exits_2(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        name: str, old: str, new: str, field: str, words: str) -> None:
    folder = office(tmp_path, monkeypatch)
    edit(folder / name, old, new)
    monkeypatch.delenv("KIT_TEMPLATES_DIR")
    assert main(["policy", "--check", str(folder)]) == 2
    said = capsys.readouterr()
    assert said.err.count("[policy.file]") == 1, said.err  # one problem, and it says where
    assert f"{(folder / name).resolve()}, {field}{'' if field == 'row ' else ': '}" in said.err
    assert words in said.err
    with pytest.raises(ValidationError):  # the kit refuses it everywhere, not only here
        load_policy(folder)


def test_every_problem_of_both_files_is_named_at_once(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    folder = office(tmp_path, monkeypatch)
    edit(folder / "grading.yaml", "\nscheme: none\n", "\nscheme: nmpa2016\n")
    edit(folder / "handling.yaml", "kinds: [suspend_and_warn, suspend_and_rectify]\n",
         "kinds: [suspend_and_warn, file]\n")
    with pytest.raises(ValidationError) as err:
        load_policy(folder)
    assert [(Path(p.file).name, p.field) for p in err.value.problems] == [
        ("grading.yaml", "scheme"), ("handling.yaml", "resumption/kinds/1")]


def test_kit_policy_check_of_a_folder_without_the_files_says_so(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["policy", "--check", str(tmp_path)]) == 2
    assert "grading.yaml" in capsys.readouterr().err


# -- kit verdict -----------------------------------------------------------------------------
@pytest.fixture
def graded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The demo in a store under NMPA 2015, each finding graded (F3 a key item): the store
    options for the command."""
    office(tmp_path, monkeypatch, "nmpa2015")
    door = Door.connect(None, data_dir=str(tmp_path), identity=Identity("张明"))
    import_json(door, demo_file())
    Session(door, ID).set_many({"findings/F1/grade": "general", "findings/F2/grade": "general",
                                "findings/F3/grade": "key", "findings/F4/grade": "general"})
    return ["--data-dir", str(tmp_path), "--user", "张明"]


def opinion(store: list[str]):  # type: ignore[no-untyped-def]
    door = Door.connect(None, data_dir=store[1], identity=Identity("x"))
    return door.inspection(ID).opinion


def test_kit_verdict_shows_the_proposal_from_the_grades_and_nothing_confirmed(
        graded: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verdict", ID, *graded]) == 0
    out = capsys.readouterr().out
    assert "F3\tkey\t关键项（*）不符合" in out
    assert "建议结论 proposed: fail（未通过检查）" in out
    assert "尚未确认" in out
    assert opinion(graded).verdict == ""  # showing writes nothing


def test_kit_verdict_confirm_records_the_proposal_by_whom_and_when(
        graded: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verdict", ID, "--confirm", *graded]) == 0
    op = opinion(graded)
    assert (op.verdict, op.scheme, op.verdict_by, op.verdict_reason) == (
        "fail", "nmpa2015", "张明", "")
    assert op.verdict_at is not None
    assert abs((beijing_now().replace(tzinfo=None) - op.verdict_at.replace(tzinfo=None))
               .total_seconds()) < 60  # Beijing time, now
    assert "确认结论 confirmed: fail（未通过检查）" in capsys.readouterr().out
    door = Door.connect(None, data_dir=graded[1], identity=Identity("x"))
    assert [(e.user, e.new) for e in door.audit(ID, "opinion/verdict")
            if e.path == "opinion/verdict" and e.action == "verdict"] == [("张明", "fail")]


def test_kit_verdict_give_another_needs_a_reason_and_keeps_it(
        graded: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verdict", ID, "--give", "recheck", *graded]) == 2
    assert "--reason" in capsys.readouterr().err
    assert opinion(graded).verdict == ""  # refused: nothing written
    assert main(["verdict", ID, "--give", "passed", "--reason", "x", *graded]) == 2
    assert "pass（通过检查）" in capsys.readouterr().err  # the scheme's verdicts, to choose
    assert main(["verdict", ID, "--give", "recheck", "--reason", "关键项已当场纠正", *graded]) == 0
    op = opinion(graded)
    assert (op.verdict, op.verdict_reason, op.verdict_by) == ("recheck", "关键项已当场纠正", "张明")
    assert main(["verdict", ID, "--give", "fail", *graded]) == 0  # the proposal: no reason
    assert opinion(graded).verdict == "fail"


def test_kit_verdict_confirm_is_refused_while_a_finding_is_not_graded(
        graded: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    door = Door.connect(None, data_dir=graded[1], identity=Identity("张明"))
    Session(door, ID).set("findings/F4/grade", "")
    assert main(["verdict", ID, "--confirm", *graded]) == 2
    assert "F4" in capsys.readouterr().err
    assert opinion(graded).verdict == ""


def test_kit_verdict_under_no_scheme_has_nothing_to_confirm(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = ["--data-dir", str(tmp_path), "--user", "张明"]
    assert main(["import", str(demo_file()), *store]) == 0
    assert main(["verdict", ID, *store]) == 0
    assert "不作检查结论分级" in capsys.readouterr().out
    assert main(["verdict", ID, "--confirm", *store]) == 2
    assert "scheme" in capsys.readouterr().err
