"""JSON interchange: export, import, round trip, and every way a file can be bad."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kit.door import Door, Identity
from kit.errors import ConflictError, NotFoundError, ValidationError
from kit.interchange import demo_file, export_json, import_json
from kit.store import Store

DEMO = demo_file()


@pytest.fixture
def store(tmp_path) -> Store:
    return Store(data_dir=tmp_path)


def test_round_trip_loses_nothing(store, tmp_path):
    iid = import_json(Door(store, Identity("张明")), DEMO)
    assert iid == "demo-2026-1119"
    out = export_json(Door(store), iid, tmp_path / "out.json")
    assert json.loads(out.read_text("utf-8")) == json.loads(DEMO.read_text("utf-8"))
    other = Store(data_dir=tmp_path / "other")
    assert import_json(Door(other, Identity("李华")), out) == iid
    assert Door(other).document(iid) == Door(store).document(iid)


def test_an_inability_to_inspect_round_trips_and_names_only_the_team(store, tmp_path):
    """六、8: the inability, its reason and the inspectors who noted it leave in the JSON
    export and come back as they were; a file naming an inspector not on the team is
    refused with its path."""
    doc = json.loads(DEMO.read_text("utf-8"))
    doc["inability"] = {"recorded": True, "reason": "企业拒绝检查人员进入洁净区",
                        "noted_by": ["M1", "M2"]}
    source = tmp_path / "unable.json"
    source.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    iid = import_json(Door(store, Identity("张明")), source)
    out = export_json(Door(store), iid, tmp_path / "out.json")
    assert json.loads(out.read_text("utf-8"))["inability"] == doc["inability"]
    other = Store(data_dir=tmp_path / "other")
    doc["inability"]["noted_by"] = ["M1", "M9"]
    source.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    with pytest.raises(ValidationError) as err:
        import_json(Door(other, Identity("李华")), source)
    assert [(p.code, p.field) for p in err.value.problems] == [
        ("record.unknown_code", "/inability/noted_by")]


def test_import_is_audited_with_who_and_what(store):
    iid = import_json(Door(store, Identity("张明")), DEMO)
    trail = store.audit(iid)
    assert {e.user for e in trail} == {"张明"}
    assert {e.action for e in trail} == {"import"}
    assert any(e.path == "company/name" and e.new == "北京示例医疗科技有限公司" for e in trail)


def test_reimporting_the_same_file_is_a_no_op_and_a_different_one_is_refused(store, tmp_path):
    iid = import_json(Door(store, Identity("a")), DEMO)
    n = len(store.audit(iid))
    assert import_json(Door(store, Identity("a")), DEMO) == iid
    assert len(store.audit(iid)) == n
    doc = json.loads(DEMO.read_text("utf-8"))
    doc["company"]["name"] = "改过的名称"
    changed = tmp_path / "changed.json"
    changed.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ConflictError, match="--as-new"):
        import_json(Door(store, Identity("a")), changed)
    assert Door(store).inspection(iid).company.name == "北京示例医疗科技有限公司"
    copy_id = import_json(Door(store, Identity("a")), changed, as_new=True)
    assert copy_id != iid
    assert Door(store).inspection(copy_id).company.name == "改过的名称"
    assert Door(store).inspection(copy_id).id == copy_id
    assert Door(store).inspection(copy_id).notices == {}  # the original served them, not the copy


def _bad(tmp_path: Path, content: bytes | str) -> Path:
    path = tmp_path / "bad.json"
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


@pytest.mark.parametrize(
    ("content", "code"),
    [
        ("", "json.empty"),
        ("   \n", "json.empty"),
        ("{\"stage\": \"closed\",\n  \"company\": {", "json.syntax"),
        (b"\xff\xfe{}", "json.encoding"),
        ('{"format_version": 1, "sampling": {"seed": NaN}}', "json.value"),
        ("[" * 100_000 + "]" * 100_000, "json.value"),
        ("[1, 2]", "json.schema"),
        ('{"stage": "closed", "stage": "preparation"}', "json.duplicate_key"),
        ('{"format_version": 9}', "json.format_version"),
    ],
)
def test_malformed_files_are_refused_and_nothing_is_written(store, tmp_path, content, code):
    with pytest.raises(ValidationError) as info:
        import_json(Door(store, Identity("a")), _bad(tmp_path, content))
    assert code in {p.code for p in info.value.problems}
    assert all(p.file.endswith("bad.json") for p in info.value.problems)
    assert store.list() == []


def test_syntax_errors_say_line_and_column(store, tmp_path):
    with pytest.raises(ValidationError) as info:
        import_json(Door(store, Identity("a")), _bad(tmp_path, '{\n  "stage": "closed",\n  oops\n}'))
    problem = info.value.problems[0]
    assert (problem.row, problem.column) == (3, "3")


def test_every_schema_problem_is_listed_with_its_path(store, tmp_path):
    doc = json.loads(DEMO.read_text("utf-8"))
    doc["scope"]["start_date"] = "2026年11月19日"
    doc["findings"]["F1"]["handling"] = 3
    doc["team"]["M1"]["role"] = "chief"
    doc["results"]["7.1.m1"]["result"] = "=cmd|' /C calc'!A0"
    with pytest.raises(ValidationError) as info:
        import_json(Door(store, Identity("a")), _bad(tmp_path, json.dumps(doc, ensure_ascii=False)))
    fields = {p.field for p in info.value.problems}
    assert {"/scope/start_date", "/findings/F1/handling", "/team/M1/role",
            "/results/7.1.m1/result"} <= fields
    assert store.list() == []


def test_hostile_text_is_kept_as_text(store, tmp_path):
    doc = json.loads(DEMO.read_text("utf-8"))
    doc["id"] = "hostile"
    doc["company"]["name"] = "<script>alert(1)</script>=1+1"
    doc["findings"]["F1"]["description"] = "@SUM(A1:A9)\t-2+3"
    iid = import_json(Door(store, Identity("a")), _bad(tmp_path, json.dumps(doc)))
    ins = Door(store).inspection(iid)
    assert ins.company.name == "<script>alert(1)</script>=1+1"
    assert ins.findings["F1"].description == "@SUM(A1:A9)\t-2+3"


def test_missing_file(store, tmp_path):
    with pytest.raises(NotFoundError):
        import_json(Door(store, Identity("a")), tmp_path / "nope.json")


def test_an_id_that_could_be_a_path_is_refused_with_its_field(store, tmp_path):
    doc = json.loads(DEMO.read_text("utf-8"))
    doc["id"] = "../../etc"
    with pytest.raises(ValidationError) as info:
        import_json(Door(store, Identity("a")), _bad(tmp_path, json.dumps(doc)))
    assert [p.field for p in info.value.problems] == ["/id"]
