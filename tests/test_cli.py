"""The ``kit`` command, run the way a user runs it: as a separate process."""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import kit
import kit.cli
from kit.door import Door, Identity
from kit.interchange import demo_file
from kit.reasons import Reason
from kit.resources import shipped_dir


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


def test_reasons_lists_every_code_with_its_clause():
    out = run_kit("reasons").stdout.splitlines()
    assert len(out) - 1 == len(Reason)
    assert "team.too_small\t四、1\t" in "\n".join(out)
    only = run_kit("reasons", "--prefix", "signatures.").stdout.splitlines()
    assert all(line.startswith("signatures.") for line in only[:-1])
    assert only[-1].startswith(f"{len(only) - 1} ")


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


# -- records: list, check, export, import ----------------------------------------------------
DEMO = demo_file()


def test_import_list_check_export_round_trip(tmp_path):
    store = ["--data-dir", str(tmp_path)]
    imported = run_kit("import", str(DEMO), *store, "--user", "张明")
    assert imported.stdout.strip().splitlines()[-1] == "demo-2026-1119"
    listing = run_kit("list", *store).stdout
    assert "demo-2026-1119\t北京示例医疗科技有限公司\tsupervisory\t2026-11-19\tclosed" in listing
    check = run_kit("check", "demo-2026-1119", *store)
    assert "0 个错误" in check.stdout
    out = tmp_path / "out.json"
    run_kit("export", "demo-2026-1119", "--out", str(out), *store)
    assert json.loads(out.read_text("utf-8")) == json.loads(DEMO.read_text("utf-8"))


def test_check_exits_non_zero_on_errors(tmp_path):
    doc = json.loads(DEMO.read_text("utf-8"))
    doc["id"] = "broken"
    doc["scope"]["unannounced"] = True  # but the company was notified (五、6)
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    store = ["--data-dir", str(tmp_path)]
    run_kit("import", str(path), *store)
    proc = run_kit("check", "broken", *store, check=False)
    assert proc.returncode == 1
    assert "notification.unannounced" in proc.stdout
    assert "1 个错误" in proc.stdout


def test_import_of_a_bad_file_lists_every_problem_and_writes_nothing(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{"stage": "done", "scope": {"start_date": "2026/11/19"}}', encoding="utf-8")
    store = ["--data-dir", str(tmp_path)]
    proc = run_kit("import", str(path), *store, check=False)
    assert proc.returncode == 2
    assert "/stage" in proc.stderr
    assert "/scope/start_date" in proc.stderr
    assert "nothing was applied" in proc.stderr
    assert "0 条检查记录" in run_kit("list", *store).stdout


def test_unknown_inspection(tmp_path):
    proc = run_kit("check", "nope", "--data-dir", str(tmp_path), check=False)
    assert proc.returncode == 2
    assert "nope" in proc.stderr


def test_audit_trail_says_who_changed_what(tmp_path):
    store = ["--data-dir", str(tmp_path)]
    run_kit("import", str(DEMO), *store, "--user", "张明")
    out = run_kit("audit", "demo-2026-1119", "--path", "company/name", *store).stdout
    line = out.splitlines()[0].split("\t")
    assert line[1:4] == ["张明", "import", "company/name"]
    assert line[5] == '"北京示例医疗科技有限公司"'


def test_workbook_export_edit_import_verify(tmp_path):
    import openpyxl

    store = ["--data-dir", str(tmp_path)]
    run_kit("import", str(DEMO), *store)
    book = tmp_path / "record.xlsx"
    run_kit("export", "demo-2026-1119", "--out", str(book), "--unsigned", *store)
    proc = run_kit("verify", str(book), check=False)
    assert proc.returncode == 3  # intact, not signed
    assert proc.stdout.startswith("完好")

    wb = openpyxl.load_workbook(book)
    ws = wb["现场检查记录"]
    cell = next(c for row in ws.iter_rows() for c in row if c.value == "七、1.检查方法（1）")
    header = next(r for r in ws.iter_rows(values_only=True) if "检查结果" in r)
    ws.cell(cell.row, header.index("检查情况记录") + 1).value = "现场核对营业执照原件"
    wb.save(book)

    proc = run_kit("verify", str(book), check=False)
    assert proc.returncode == 1
    assert "现场检查记录" in proc.stdout
    run = run_kit("-v", "import", str(book), *store, "--user", "李华")
    assert run.stdout.splitlines() == [
        "已导入 imported record.xlsx：检查记录 demo-2026-1119，应用 1 处修改（检查项结果 1 处） / "
        "applied 1 change(s)", "demo-2026-1119"]
    assert "imported record.xlsx into demo-2026-1119: 1 change(s) {'results': 1}" in run.stderr
    audit = run_kit("audit", "demo-2026-1119", "--path", "results/7.1.m1/notes", *store).stdout
    assert "李华\timport" in audit


def test_sample_into_an_inspection_record(tmp_path):
    registers = shipped_dir("sample_data") / "registers"
    store = ["--data-dir", str(tmp_path)]
    run_kit("import", str(DEMO), *store)
    out = run_kit("sample", "--records", str(registers / "records.xlsx"),
                  "--products", str(registers / "products.csv"),
                  "--documents", str(registers / "documents.csv"),
                  "--inspection-date", "2026-11-19", "--seed", "7",
                  "--inspection", "demo-2026-1119", *store).stdout
    assert "saved into inspection demo-2026-1119" in out
    exported = tmp_path / "after.json"
    run_kit("export", "demo-2026-1119", "--out", str(exported), *store)
    sampling = json.loads(exported.read_text("utf-8"))["sampling"]
    assert sampling["seed"] == 7
    assert sampling["columns"][:3] == ["record_id", "rules", "reason"]
    assert {"9.5"} <= {rule for row in sampling["rows"] for rule in row["rules"].split(";")}


def test_sample_needs_somewhere_to_put_the_draw(tmp_path):
    proc = run_kit("sample", "--records", "r.csv", "--products", "p.csv",
                   "--inspection-date", "2026-11-19", check=False)
    assert proc.returncode == 2
    assert "--out" in proc.stderr


def test_kit_advance_is_blocked_by_errors_and_takes_the_leaders_reason(tmp_path):
    from kit.interchange import demo_file, import_json
    from kit.session import Session
    from kit.store import Store

    with Store(data_dir=tmp_path) as store:
        iid = import_json(Door(store, Identity("张明")), demo_file())
        session = Session(Door(store, Identity("张明")), iid)
        first = sorted(session.inspection.results)[0]
        session.set_many({"stage": "on_site", f"results/{first}/result": "unchecked"})
    where = ("--data-dir", str(tmp_path), "--user", "张明")
    blocked = run_kit("advance", iid, "reporting", *where, check=False)
    assert blocked.returncode == 1
    assert "stage.blocked" in blocked.stdout
    assert f"results/{first}/result" in blocked.stdout
    moved = run_kit("advance", iid, "reporting", *where, "--reason", "专家意见另附")
    assert "组长注明理由推进" in moved.stdout
    trail = run_kit("audit", iid, "--path", "gate_overrides", *where)
    assert "专家意见另附" in trail.stdout


def test_kit_advance_on_site_waits_for_the_plans_approval_whatever_the_reason(tmp_path):
    """五、5 and 六、4: a plan whose review is required goes on site only once approved."""
    from kit.interchange import demo_file, import_json
    from kit.session import Session
    from kit.store import Store

    with Store(data_dir=tmp_path) as store:
        iid = import_json(Door(store, Identity("张明")), demo_file())
        Session(Door(store, Identity("张明")), iid).set_many(
            {"stage": "preparation", "plan/state": "submitted", "plan/approved_by": "",
             "plan/approved_at": None})
    where = ("--data-dir", str(tmp_path), "--user", "张明")
    blocked = run_kit("advance", iid, "on_site", *where, "--reason", "企业已在等候", check=False)
    assert blocked.returncode == 1
    assert "plan.not_approved" in blocked.stdout
    assert "五、5" in blocked.stdout
    with Store(data_dir=tmp_path) as store:
        Session(Door(store, Identity("王处长")), iid).set_many(
            {"plan/state": "approved", "plan/approved_by": "王处长",
             "plan/approved_at": "2026-11-13T15:30:00"})
    moved = run_kit("advance", iid, "on_site", *where)
    assert "已进入 on_site" in moved.stdout


def test_kit_notice_issues_serves_and_refuses_what_breaks_the_rules(tmp_path):
    from dataclasses import replace

    from kit.interchange import demo_inspection
    from kit.store import Store

    with Store(data_dir=tmp_path) as store:
        iid = Door(store, Identity("张明")).create(replace(demo_inspection(), id="n1", stage="reporting",
                                      notices={}))
    where = ("--data-dir", str(tmp_path), "--user", "张明")
    issued = run_kit("notice", "issue", iid, "rectification", "--on", "2026年11月20日", *where)
    assert "京药监械整改〔2026〕001号" in issued.stdout
    again = run_kit("notice", "issue", iid, "rectification", *where)  # kept, not renumbered
    assert "京药监械整改〔2026〕001号" in again.stdout
    one = run_kit("notice", "serve", iid, "rectification", "--on", "2026-11-20", "--refused",
                  "--witness", "M1", *where, check=False)
    assert one.returncode == 2
    assert "notices.refusal_needs_two" in one.stdout + one.stderr
    both = run_kit("notice", "serve", iid, "rectification", "--on", "2026-11-20", "--refused",
                   "--witness", "M1", "--witness", "M2", *where)
    assert "served 2026-11-20" in both.stdout
    bad_day = run_kit("notice", "serve", iid, "result", "--on", "2026-02-30",
                      "--received-by", "陈示例", *where, check=False)
    assert bad_day.returncode == 2
    assert "--on" in bad_day.stderr
    assert "Traceback" not in bad_day.stderr
    trail = run_kit("audit", iid, "--path", "notices", *where).stdout
    assert "\tissue\tnotices/rectification/number" in trail
    assert "\tserve\tnotices/rectification/served_on" in trail
    unknown = run_kit("notice", "print", iid, "warning", "--out", str(tmp_path / "w.xlsx"),
                      *where, check=False)
    assert unknown.returncode == 2
    assert "no such notice" in unknown.stderr
    book = tmp_path / "n.xlsx"
    run_kit("notice", "print", iid, "--out", str(book), *where)
    from openpyxl import load_workbook

    assert load_workbook(book).sheetnames == ["检查结果告知书", "整改通知书"]


def test_kit_notice_issues_signed_notices_and_prints_each_to_its_own_file(tmp_path, monkeypatch):
    """With a key pair here, issuing signs the notice; printing both gives two files, each
    the issued PDF byte for byte, which kit verify checks with the certificate alone."""
    from dataclasses import replace

    from kit.interchange import demo_inspection
    from kit.store import Store

    keys = tmp_path / "keys"
    monkeypatch.setenv("KIT_KEYS_DIR", str(keys))
    run_kit("keys", "init", "--authority", "北京市药品监督管理局", "--dir", str(keys))
    with Store(data_dir=tmp_path) as store:
        iid = Door(store, Identity("张明")).create(replace(demo_inspection(), id="s1",
                                                          stage="reporting", notices={}))
    where = ("--data-dir", str(tmp_path), "--user", "张明")
    for kind in ("result", "rectification"):
        run_kit("notice", "issue", iid, kind, "--on", "2026-11-20", *where)
    out = tmp_path / "n.pdf"
    printed = run_kit("notice", "print", iid, "--out", str(out), *where)
    assert not out.exists()
    cert = next(keys.glob("*/cert.pem"))
    for kind in ("result", "rectification"):
        each = tmp_path / f"n-{kind}.pdf"
        assert str(each) in printed.stdout
        assert run_kit("verify", str(each), "--trust", str(cert)).returncode == 0
        again = tmp_path / f"again-{kind}.pdf"
        run_kit("notice", "print", iid, kind, "--out", str(again), *where)
        assert again.read_bytes() == each.read_bytes()  # the issued bytes, every time


@pytest.mark.skipif(shutil.which("libreoffice") is None and shutil.which("soffice") is None,
                    reason="LibreOffice renders the printed record")
def test_kit_export_signs_the_printed_record_with_the_key_pair_here(tmp_path, monkeypatch):
    keys = tmp_path / "keys"
    monkeypatch.setenv("KIT_KEYS_DIR", str(keys))
    run_kit("keys", "init", "--authority", "北京市药品监督管理局", "--dir", str(keys))
    store = ("--data-dir", str(tmp_path), "--user", "张明")
    run_kit("import", str(demo_file()), *store)
    out = tmp_path / "record.pdf"
    said = run_kit("export", "demo-2026-1119", "--out", str(out), *store)
    assert "signed" in said.stdout
    cert = next(keys.glob("*/cert.pem"))
    assert run_kit("verify", str(out), "--trust", str(cert)).returncode == 0
    assert run_kit("verify", str(out), check=False).returncode == 3  # who signed, not trusted


def test_kit_notice_check_template_names_the_file_and_field(tmp_path):
    good = run_kit("notice", "check-template")
    assert "notices.yaml" in good.stdout
    bad = tmp_path / "notices.yaml"
    bad.write_text((shipped_dir("templates") / "notices.yaml").read_text("utf-8").replace(
        "我局检查组于{检查日期}对你单位（", "我局检查组于{检查时间}对你单位（"), encoding="utf-8")
    proc = run_kit("notice", "check-template", str(bad), check=False)
    assert proc.returncode == 2
    assert "{检查时间}" in proc.stdout + proc.stderr
    assert "notices/result/paragraphs/0" in proc.stdout + proc.stderr


def test_verbose_says_what_is_done_and_the_plain_run_stays_quiet(tmp_path):
    from kit.draw import sample_registers

    registers = sample_registers()
    args = ("sample", "--records", str(registers["records"]), "--products",
            str(registers["products"]), "--inspection-date", "2026-11-20", "--seed", "5",
            "--out", str(tmp_path / "s.xlsx"))
    quiet = run_kit(*args)
    assert quiet.stderr == ""  # no bar when stderr is not a terminal, no log
    loud = run_kit("-v", *args)
    assert "registers read:" in loud.stderr
    assert "drawn:" in loud.stderr
    assert loud.stdout == quiet.stdout  # what it says it did is the same


def test_import_says_what_it_imported(tmp_path):
    out = run_kit("import", str(demo_file()), "--data-dir", str(tmp_path), "--user", "t")
    assert "证据材料 4 份" in out.stdout
    assert out.stdout.strip().splitlines()[-1] == "demo-2026-1119"  # the id, last, for scripts


def test_building_the_parser_loads_no_database_driver_and_no_tables():
    """``kit guide`` starts without SQLAlchemy, pandas or openpyxl: each command imports what
    it needs inside its handler."""
    code = ("import sys, kit.cli; kit.cli.build_parser(); "
            "print(sorted({m.split('.')[0] for m in sys.modules} & "
            "{'sqlalchemy', 'pandas', 'openpyxl'}))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, check=True)
    assert proc.stdout.strip() == "[]"


def test_help_lists_every_command_in_the_listed_order():
    """Each family adds its own commands; ``kit --help`` still lists them in one known order."""
    lines = run_kit("--help").stdout.splitlines()
    listed = [line.split()[0] for line in lines
              if line.startswith("    ") and not line.startswith("     ")]
    assert listed == list(kit.cli.COMMANDS)


def test_no_function_of_the_command_is_longer_than_80_lines():
    """The command stays a set of short handlers: a longer one is split into named steps."""
    too_long = []
    for path in sorted(Path(kit.cli.__file__).parent.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                assert node.end_lineno is not None
                length = node.end_lineno - node.lineno + 1
                if length > 80:
                    too_long.append(f"{path.name}:{node.lineno} {node.name} ({length} lines)")
    assert not too_long, f"functions over 80 lines: {too_long}"
