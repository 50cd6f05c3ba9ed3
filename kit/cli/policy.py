"""The office's own rules and the verdict they give: ``kit policy`` (the grading scheme in force
and the handling rules, each with its source; ``--check`` the files in ``templates/``) and
``kit verdict`` (the verdict proposed from the findings' grades, and the one the leader
confirms or gives instead, with a reason)."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from kit.cli._common import EXIT_OK, Subparsers, _door, _out
from kit.errors import KitError

if TYPE_CHECKING:
    from kit.guide import Guide
    from kit.policy import Policy, Proposal, Scheme
    from kit.record import Inspection

__all__ = ["add_parsers", "cmd_policy", "cmd_verdict", "describe_policy"]

log = logging.getLogger("kit.cli")


def cmd_policy(args: argparse.Namespace) -> int:
    """Print the office's grading scheme and handling rules; ``--check``: exit 0 when
    ``grading.yaml`` and ``handling.yaml`` load, 2 with each problem (file and field)."""
    from kit.guide import load_guide
    from kit.policy import load_policy, policy_files

    if args.check is not None:
        folder = Path(args.check) if args.check else None
        grading, handling = policy_files(folder)
        policy = load_policy(folder)  # a problem raises with each file and field: exit 2
        _out(f"{grading}、{handling}：办公室规则无误（分级办法 {policy.scheme.id}，共 "
             f"{len(policy.schemes)} 种可选） / the office's rules are fine")
        return EXIT_OK
    _out(describe_policy(load_policy(), load_guide(), policy_files()))
    return EXIT_OK


def _rule(rule: Proposal, scheme: Scheme) -> str:
    def words(codes: tuple[str, ...]) -> str:
        return "、".join(f"{c}（{t.zh}）" if (t := scheme.grade(c)) else c for c in codes)

    verdict = scheme.verdict(rule.verdict)
    head = f"{rule.verdict}（{verdict.zh if verdict else '?'}）"
    conds = []
    if rule.any:
        conds.append(f"任一问题为 {words(rule.any)} / any finding graded so")
    if rule.count:
        conds.append(f"至少 {rule.count} 个问题为 {words(rule.grades)} / at least {rule.count} "
                     "findings graded so")
    return f"{head} ← " + ("，且".join(conds) if conds else "其余情况 / otherwise")


def describe_policy(policy: Policy, guide: Guide, files: tuple[Path, Path]) -> str:
    """The scheme in force (its words, source, grades, verdicts and the rules proposing a
    verdict, first that holds) and the handling rules with their source, as text."""
    s = policy.scheme
    kinds = {t.code: t.zh for t in guide.terms("handling_kinds")}
    grading, handling = files
    lines = [f"问题分级与检查结论 grading scheme ({grading}): {s.id} {s.zh} / {s.en}",
             f"  依据 source: {s.source}"]
    if s.grades_findings:
        lines.append("  问题等级 grades:")
        lines += [f"    {g.code}\t{g.zh} / {g.en}" for g in s.grades]
    else:
        lines.append("  问题不分级 / findings are not graded")
    if s.verdicts:
        lines.append("  检查结论 verdicts:")
        lines += [f"    {v.code}\t{v.zh} / {v.en}" for v in s.verdicts]
        lines.append("  建议结论的规则（自上而下第一条成立的） propose (the first rule that holds):")
        lines += [f"    {i}. {_rule(r, s)}" for i, r in enumerate(s.propose_rules, 1)]
    else:
        lines.append("  没有检查结论分级，检查意见由检查组写明 / no verdict: the team writes its opinion")
    others = [x.id for x in policy.schemes if x.id != s.id]
    if others:
        lines.append(f"  可选的其他分级办法 other schemes shipped: {', '.join(others)}"
                     "（grading.yaml 的 scheme）")
    h = policy.handling

    def named(codes: tuple[str, ...]) -> str:
        return "、".join(f"{c}（{kinds.get(c, '?')}）" for c in codes) or "无 none"

    zh, en = (("现场复查合格", "an on-site recheck that passed") if h.recheck_on_site else
              ("复查合格（书面审查或现场复查）", "a review that passed, written or on site"))
    lines += [
        f"问题处理的结果规则 handling rules ({handling}):",
        f"  恢复生产 resumption: {named(h.resume_kinds)} 须经{zh}后方可恢复生产 / production "
        f"resumes only after {en}",
        f"  依据 source: {h.resumption_source}",
        "  暂停生产通知书 suspension notice: "
        + (f"须出具并送达 required for {named(h.notice_kinds)}" if h.notice_required
           else "不要求 not required"),
    ]
    return "\n".join(lines)


def _graded(ins: Inspection, scheme: Scheme) -> list[str]:
    from kit.record import natural_key

    out = []
    for key in sorted(ins.findings, key=natural_key):
        f = ins.findings[key]
        term = scheme.grade(f.grade) if f.grade else None
        out.append(f"  {key}\t{f.grade or '—'}\t"
                   + (term.zh if term else "尚未定级 not graded" if not f.grade
                      else "不是本办法的等级 not a grade of the scheme"))
    return out


def cmd_verdict(args: argparse.Namespace) -> int:
    """Show the verdict proposed from the grades and the one confirmed; ``--confirm`` records
    the proposed one, ``--give CODE --reason TEXT`` another (a reason when it differs)."""
    from kit.dates import beijing_now
    from kit.policy import load_policy
    from kit.record import natural_key
    from kit.session import Session

    policy = load_policy()
    scheme = policy.scheme
    session = Session(_door(args), args.id)
    ins = session.inspection
    log.info("verdict of %s under the scheme %s (%d finding(s))", args.id, scheme.id,
             len(ins.findings))
    proposed = scheme.propose(f.grade for f in ins.findings.values())
    if not scheme.verdicts:
        if args.confirm or args.give:
            msg = (f"本局不作检查结论分级（templates/grading.yaml 的 scheme 为 {scheme.id}），"
                   "没有可确认的检查结论 / the office's scheme gives no verdict")
            raise KitError(msg)
        _out(f"{args.id}：本局不作检查结论分级（{scheme.zh}） / the office's scheme gives no "
             "verdict")
        return EXIT_OK
    if args.confirm or args.give:
        code = proposed if args.confirm else args.give
        reason = (args.reason or "").strip()
        if args.confirm and not proposed:
            ungraded = [k for k in sorted(ins.findings, key=natural_key) if not ins.findings[k].grade]
            msg = (f"没有建议的检查结论：问题 {'、'.join(ungraded)} 尚未定级；请先定级，或用 "
                   "--give 给出结论 / no verdict proposed: grade every finding first, or give "
                   "one with --give")
            raise KitError(msg)
        if scheme.verdict(code) is None:
            known = "、".join(f"{v.code}（{v.zh}）" for v in scheme.verdicts)
            msg = (f"{code!r} 不是“{scheme.zh}”的检查结论（可用：{known}） / not a verdict of "
                   f"the scheme {scheme.id!r}")
            raise KitError(msg)
        if proposed and code != proposed and not reason:
            msg = (f"给出的结论 {code} 与按问题等级建议的 {proposed} 不同：请用 --reason 写明理由 "
                   f"/ {code!r} differs from the proposed {proposed!r}: give --reason")
            raise KitError(msg)
        session.set_many({"opinion/verdict": code, "opinion/scheme": scheme.id,
                          "opinion/verdict_by": session.user,
                          "opinion/verdict_at": beijing_now().isoformat(timespec="seconds"),
                          "opinion/verdict_reason": reason}, action="verdict")
        ins = session.inspection
    _out(f"{args.id} 分级办法 scheme: {scheme.id}（{scheme.zh}）")
    _out("问题等级 grades:")
    for line in _graded(ins, scheme):
        _out(line)
    term = scheme.verdict(proposed) if proposed else None
    _out(f"建议结论 proposed: {proposed}（{term.zh}）" if term else
         "建议结论 proposed: —（尚有问题未定级 a finding is not graded yet）")
    op = ins.opinion
    if op.verdict:
        given = (policy.scheme_named(op.scheme) or scheme).verdict(op.verdict)
        at = op.verdict_at.isoformat(timespec="minutes") if op.verdict_at else ""
        _out(f"确认结论 confirmed: {op.verdict}（{given.zh if given else '?'}），分级办法 "
             f"{op.scheme or '?'}，{op.verdict_by} {at}"
             + (f"；理由 reason: {op.verdict_reason}" if op.verdict_reason else ""))
    else:
        _out("确认结论 confirmed: —（尚未确认 not confirmed yet）")
    return EXIT_OK


def add_parsers(sub: Subparsers, store_opts: argparse.ArgumentParser) -> None:
    """Add ``policy`` and ``verdict``."""
    po = sub.add_parser(
        "policy",
        help="本局的问题分级办法和处理规则 / the office's grading scheme and handling rules")
    po.add_argument("--check", nargs="?", const="", default=None, metavar="DIR",
                    help="only check grading.yaml and handling.yaml of the templates folder "
                         "(or DIR); exit 2 naming each problem's file and field")
    po.set_defaults(handler=cmd_policy)
    vd = sub.add_parser(
        "verdict", parents=[store_opts],
        help="检查结论：按问题等级建议的和组长确认的 / the verdict proposed from the grades and "
             "the one confirmed")
    vd.add_argument("id", help="the inspection's id (kit list)")
    how = vd.add_mutually_exclusive_group()
    how.add_argument("--confirm", action="store_true",
                     help="record the proposed verdict (you, now, under the scheme in force)")
    how.add_argument("--give", metavar="CODE",
                     help="record another verdict of the scheme; --reason when it differs")
    vd.add_argument("--reason", help="why the verdict differs from the one proposed")
    vd.set_defaults(handler=cmd_verdict)
