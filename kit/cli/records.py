"""The inspection records in the store: ``kit list``, ``check``, ``advance``, ``audit``,
``export``, ``import`` and ``verify`` (an exported workbook, without the store)."""

from __future__ import annotations

import argparse
import gc
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from kit.cli._common import EXIT_FAILED, EXIT_FINDINGS, EXIT_OK, Subparsers, _door, _out
from kit.errors import KitError
from kit.record.terms import STAGE_ORDER

if TYPE_CHECKING:
    from kit.door import Door
    from kit.proof import Signer, Verdict

log = logging.getLogger("kit.cli")

__all__ = [
    "PART_NAMES",
    "add_parsers",
    "cmd_advance",
    "cmd_audit",
    "cmd_check",
    "cmd_export",
    "cmd_import",
    "cmd_list",
    "cmd_verify",
    "describe",
]

#: the parts of a record as ``kit import`` names them
PART_NAMES = {"results": "检查项结果", "findings": "问题", "follow_up": "跟踪整改",
              "signatures": "签字", "opinion": "检查意见", "sampling": "记录抽样",
              "notices": "文书", "team": "检查组", "scope": "检查范围", "company": "企业信息",
              "steps": "检查步骤", "background": "背景资料"}


def cmd_list(args: argparse.Namespace) -> int:
    from kit.record import SUMMARY_PATHS

    n = 0
    for row in _door(args).listing(SUMMARY_PATHS):  # each as it is read
        _out("\t".join(str(row.get(k) or "") for k in ("id", *SUMMARY_PATHS, "updated_at")))
        n += 1
    log.info("listed %d inspection(s) you may read", n)
    _out(f"{n} 条检查记录 / inspection(s)")
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    from kit.rules import check, errors

    inspection = _door(args).inspection(args.id)
    log.info("checking %s (%s, stage %s)", args.id, inspection.company.name, inspection.stage)
    problems = check(inspection)
    for problem in problems:
        _out(str(problem))
    n_err = len(errors(problems))
    _out(
        f"{n_err} 个错误、{len(problems) - n_err} 个提示 / {n_err} error(s), "
        f"{len(problems) - n_err} warning(s)"
    )
    return EXIT_FINDINGS if n_err else EXIT_OK


def cmd_advance(args: argparse.Namespace) -> int:
    """Move an inspection to a stage; the guide's rules' errors block it unless the leader
    gives ``--reason`` (kept in the trail). Exit 1 when blocked, every error listed."""
    from kit.session import GateError, Session

    session = Session(_door(args), args.id)
    log.info("moving %s from %s to %s", args.id, session.inspection.stage, args.stage)
    try:
        session.advance(args.stage, override=args.reason or "")
    except GateError as exc:
        for problem in exc.problems:
            _out(str(problem))
        return EXIT_FINDINGS
    how = "（组长注明理由推进 overridden by the leader）" if args.reason and \
        args.stage in session.inspection.gate_overrides else ""
    _out(f"{args.id} 已进入 {args.stage}{how} / moved to {args.stage}")
    return EXIT_OK


def cmd_audit(args: argparse.Namespace) -> int:
    from kit.dates import beijing

    door = _door(args)
    if args.checkpoint:
        from kit.proof import load_signer

        if not args.id:
            msg = "请给出检查记录编号 / give the inspection's id"
            raise KitError(msg)
        seq = door.checkpoint(args.id, load_signer(args.authority))
        _out(f"已签检查点 checkpoint signed: {args.id} 第 {seq} 条 entry")
        return EXIT_OK
    if args.verify:
        problems = door.verify(args.id)
        for problem in problems:
            _out(str(problem))
        what = args.id or "所有检查记录 every inspection"
        if problems:
            _out(f"{what}：审计记录核验未通过，{len(problems)} 处问题 / the trail does not "
                 f"verify: {len(problems)} problem(s)")
            return EXIT_FINDINGS
        _out(f"{what}：审计记录完整，当前值与记录一致 / the trail is intact and explains every "
             "current value")
        return EXIT_OK
    if args.id is None:
        msg = "请给出检查记录编号，或使用 --verify 核验全部 / give an inspection id (or --verify)"
        raise KitError(msg)
    entries = door.audit(args.id, args.path)
    for e in entries[-args.last:] if args.last else entries:
        _out("\t".join((beijing(e.at).isoformat(timespec="seconds"), e.user, e.action,
                        e.path or "",
                        e.old_json or "", e.new_json or "")))
    _out(f"{len(entries)} 条修改记录 / audit entries")
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    """Export one inspection, Python's cycle collector paused meanwhile.

    Its passes over the objects SQLAlchemy, openpyxl and the kit load (about 75,000) were
    40 ms of an export, which leaves little for it to find: the peak memory is the same with
    10,000 sampled rows. The collector is as it was afterwards (a caller of ``kit.cli.main``
    in its own process keeps its own setting).
    """
    was = gc.isenabled()
    gc.disable()
    try:
        return _export(args)
    finally:
        if was:
            gc.enable()


def _export(args: argparse.Namespace) -> int:
    out = Path(args.out)
    suffix = out.suffix.lower()
    fmt = args.format or {".json": "json", ".pdf": "pdf"}.get(suffix, "xlsx")
    signer = _signer(args)
    log.info("exporting %s as %s to %s, %s", args.id, fmt, out,
             f"signed by {signer.authority}" if signer else "unsigned")
    if fmt == "pdf":
        from kit.interchange import export_pdf

        export_pdf(_door(args), args.id, out, with_audit=args.with_audit, signer=signer)
    elif fmt == "json":
        from kit.interchange import export_json

        export_json(_door(args), args.id, out, signer=signer)
    else:
        from kit.interchange import export_workbook

        export_workbook(_door(args), args.id, out, signer=signer)
    by = f"，由 {signer.authority} 签名 signed" if signer else ""
    _out(f"已导出 exported {args.id} -> {out}{by}")
    return EXIT_OK


def _signer(args: argparse.Namespace) -> Signer | None:
    """The issuing authority's signer for an export: ``--authority``'s, else the only key pair
    there is; none when there is no key pair (said on stderr) or with ``--unsigned``."""
    from kit.proof import authorities, keys_dir

    if args.unsigned:
        return None
    if args.authority is None and not authorities(keys_dir()):
        print("提示 note: 没有密钥对，导出的文件未签名（kit keys init）/ no key pair: the file is "
              "not signed, anyone could have made it", file=sys.stderr)
        return None
    from kit.proof import load_signer  # the key, and cryptography, only when there is one

    return load_signer(args.authority)


def _import_workbook(door: Door, path: Path) -> str:
    """Apply a filled-in workbook, its steps as a bar (on stderr, only in a terminal); say what
    was applied, part by part; return the inspection's id."""
    from tqdm import tqdm

    from kit.interchange import IMPORT_STEPS, import_workbook

    with tqdm(total=len(IMPORT_STEPS), unit="步", leave=False, disable=None,
              file=sys.stderr) as bar:
        started: list[str] = []

        def step(name: str) -> None:
            if started:
                bar.update(1)  # the step before is done
            started.append(name)
            bar.set_description(name)

        done = import_workbook(door, path, on_step=step)
        bar.update(bar.total - bar.n)
    applied = sum(done.parts.values())
    where = "、".join(f"{PART_NAMES.get(k, k)} {n} 处" for k, n in done.parts.items())
    _out(f"已导入 imported {path.name}：检查记录 {done.id}，应用 {applied} 处修改"
         f"{f'（{where}）' if where else ''} / applied {applied} change(s)")
    for problem in done.ignored:  # said, on stderr: the trail is the kit's to write
        print(str(problem), file=sys.stderr)
    return done.id


def _import_json(door: Door, path: Path, *, as_new: bool) -> str:
    """Import an exported JSON record; say how much evidence it kept; return its id."""
    from kit.interchange import import_json

    iid = import_json(door, path, as_new=as_new)
    kept = len(door.open(iid).doc.get("attachments") or {})
    _out(f"已导入 imported {path.name}：检查记录 {iid}，证据材料 {kept} 份 / "
         f"{kept} attachment(s)")
    return iid


def cmd_import(args: argparse.Namespace) -> int:
    """Import a JSON record or apply a workbook filled in by hand; the id is printed last."""
    path = Path(args.file)
    door = _door(args)
    log.info("importing %s as %s", path, "a workbook filled in" if path.suffix.lower() ==
             ".xlsx" else "a JSON record")
    if path.suffix.lower() == ".xlsx":
        iid = _import_workbook(door, path)
    else:
        iid = _import_json(door, path, as_new=args.as_new)
    _out(iid)
    return EXIT_OK


def cmd_verify(args: argparse.Namespace) -> int:
    """Exit 0 intact and trusted, 3 intact but not trusted, 1 changed, 2 not a kit file."""
    from kit.interchange import verify_file
    from kit.proof import trusted_certificates

    trusted = trusted_certificates([Path(t) for t in args.trust])
    log.info("verifying %s against %d trusted certificate(s)", args.file, len(trusted))
    verdict, report = verify_file(Path(args.file), trusted)
    if report:
        _out(report)
    if verdict.exit_code == EXIT_FAILED:  # not the kit's: said as an error is, on stderr
        print(describe(verdict), file=sys.stderr)
    else:
        _out(describe(verdict))
    return verdict.exit_code


def describe(verdict: Verdict) -> str:
    """A verdict as ``kit verify`` prints it: the outcome, who signed, then every reason."""
    head = {0: "完好，签名者受信任 / intact, signed by a trusted signer",
            3: "完好，但签名者不受信任或未签名 / intact, but the signer is not trusted",
            1: "已被修改 / changed since it was signed",
            2: "不是本工具包的文件 / not a file of the kit"}[verdict.exit_code]
    lines = [f"{head}（{verdict.kind}）" if verdict.kind and verdict.exit_code != 2 else head]
    if verdict.signer:
        lines.append(f"签名者 signer: {verdict.signer}"
                     + (f"（SHA-256 指纹 fingerprint {verdict.fingerprint}）"
                        if verdict.fingerprint else ""))
    lines += [f"  {r}" for r in verdict.reasons]
    return "\n".join(lines)


def _add_record_parsers(sub: Subparsers, store_opts: argparse.ArgumentParser) -> None:
    """``list``, ``check``, ``advance`` and ``audit``: the records as they are in the store."""
    ls = sub.add_parser("list", parents=[store_opts], help="列出检查记录 / list inspections")
    ls.set_defaults(handler=cmd_list)
    ck = sub.add_parser(
        "check",
        parents=[store_opts],
        help="按指南规则检查记录 / check an inspection against the guide's rules",
    )
    ck.add_argument("id", help="the inspection's id (kit list)")
    ck.set_defaults(handler=cmd_check)
    adv = sub.add_parser(
        "advance", parents=[store_opts],
        help="推进检查阶段（按指南规则把关） / move an inspection to a stage, the rules deciding")
    adv.add_argument("id", help="the inspection's id (kit list)")
    adv.add_argument("stage", choices=STAGE_ORDER, help="the stage to move to: "
                     + ", ".join(STAGE_ORDER))
    adv.add_argument("--reason", help="the leader's reason to move on despite the rules' errors")
    adv.set_defaults(handler=cmd_advance)
    au = sub.add_parser(
        "audit", parents=[store_opts],
        help="修改记录：谁、何时、改了什么 / the audit trail of an inspection",
    )
    au.add_argument("id", nargs="?", help="the inspection's id (with --verify: optional, else "
                                          "every inspection)")
    au.add_argument("--verify", action="store_true",
                    help="replay the trail, check its chain and the current values (every "
                         "inspection without an id); exit 1 on any problem")
    au.add_argument("--checkpoint", action="store_true",
                    help="sign the trail's head now with the authority's key (the switch from "
                         "an earlier release's KIT_SIGNING_KEY; stage changes and notices do "
                         "it by themselves)")
    au.add_argument("--authority", help="--checkpoint: whose key signs (else the only one)")
    au.add_argument("--path", help="only this field or subtree, e.g. results/7.8.m4")
    au.add_argument("--last", type=int, default=0, help="only the last N entries")
    au.set_defaults(handler=cmd_audit)


def _add_file_parsers(sub: Subparsers, store_opts: argparse.ArgumentParser) -> None:
    """``export``, ``import`` and ``verify``: the records as files."""
    ex = sub.add_parser(
        "export",
        parents=[store_opts],
        help="导出检查记录 / export an inspection (JSON or Excel workbook)",
    )
    ex.add_argument("id", help="the inspection's id (kit list)")
    ex.add_argument("--out", required=True, help="OUT.json, OUT.xlsx or OUT.pdf (LibreOffice)")
    ex.add_argument("--format", choices=("json", "xlsx", "pdf"), help="default: from --out's suffix")
    ex.add_argument("--with-audit", action="store_true",
                    help="PDF: print the audit trail too, as an appendix")
    ex.add_argument("--authority", help="the issuing authority whose key signs (else the only "
                                        "key pair in $KIT_KEYS_DIR)")
    ex.add_argument("--unsigned", action="store_true",
                    help="do not sign (anyone could have made the file)")
    ex.set_defaults(handler=cmd_export)
    im = sub.add_parser(
        "import",
        parents=[store_opts],
        help="导入检查记录（JSON）或手工填写的工作簿 / import JSON or a filled workbook",
    )
    im.add_argument("file", help="F.json (an exported record) or F.xlsx (a workbook filled in)")
    im.add_argument(
        "--as-new",
        action="store_true",
        help="import a JSON record under a new id even if its id exists",
    )
    im.set_defaults(handler=cmd_import)
    vf = sub.add_parser(
        "verify", help="核验导出的工作簿、JSON 或 PDF 是否被改动、由谁签名 / check an exported "
        "file with no secret: exit 0 intact and trusted, 3 intact but not trusted, 1 changed, "
        "2 not a kit file")
    vf.add_argument("file", help="F.xlsx, F.json or F.pdf")
    vf.add_argument("--trust", action="append", default=[], metavar="CERT",
                    help="a certificate to trust (PEM or DER), besides the office's "
                         "(templates/trust or $KIT_TRUST_DIR); repeatable")
    vf.set_defaults(handler=cmd_verify)


def add_parsers(sub: Subparsers, store_opts: argparse.ArgumentParser) -> None:
    """Add ``list``, ``check``, ``advance``, ``audit``, ``export``, ``import`` and ``verify``."""
    _add_record_parsers(sub, store_opts)
    _add_file_parsers(sub, store_opts)
