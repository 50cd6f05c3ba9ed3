"""五 and 八: notification, remote and joint or delegated inspection, the plan's review."""

from __future__ import annotations

import warnings
from collections.abc import Iterator

from kit.errors import KitError, Problem, error, warning
from kit.record import Inspection
from kit.rules._context import DELEGATED_FEEDBACK_WORKDAYS, PAST_ON_SITE, SECTION_14, Context


def dates_in_order(ctx: Context) -> Iterator[Problem]:
    scope = ctx.inspection.scope
    if scope.start_date and scope.end_date and scope.end_date < scope.start_date:
        yield error(
            "scope.end_before_start",
            "scope/end_date",
            f"检查结束日期 {scope.end_date} 早于开始日期 {scope.start_date}",
            f"the inspection ends ({scope.end_date}) before it starts ({scope.start_date})",
        )


def notification(ctx: Context) -> Iterator[Problem]:
    ins = ctx.inspection
    note = ins.notification
    if ins.scope.unannounced and (note.planned or note.sent_on is not None):
        yield error(
            "notification.unannounced",
            "notification",
            "飞行检查不通知被检查企业（五、6 飞行检查方式不适用）",
            "an unannounced inspection is never notified (五.6)",
        )
    start = ins.scope.start_date
    if note.sent_on is not None and start is not None and note.sent_on > start:
        yield error(
            "notification.after_start",
            "notification/sent_on",
            f"检查通知日期 {note.sent_on} 晚于现场检查开始日期 {start}：通知应在检查前发出（五、6）",
            f"the notice ({note.sent_on}) was sent after the visit began ({start}); it comes "
            "before the visit (五.6)",
        )


def remote_inspection(ctx: Context) -> Iterator[Problem]:
    scope = ctx.inspection.scope
    if scope.remote and (scope.type == "for_cause" or scope.unannounced):
        yield error(
            "remote.not_allowed",
            "scope/remote",
            "远程检查不适用于有因（飞行）检查（八、4.（1））",
            "remote inspection is not for for-cause or unannounced inspections (八.4)",
        )
    if scope.remote and not scope.remote_reason.strip():
        yield error(
            "remote.no_reason",
            "scope/remote_reason",
            "远程检查须写明原因：适用于有时限要求、但因疫情防控等不可抗力等原因不宜开展线下监管的"
            "检查（八、4.（1））",
            "a remote inspection states why: a deadline that cannot wait and force majeure "
            "against an on-site visit (八.4 (1))",
        )
    if scope.remote and ctx.inspection.stage in PAST_ON_SITE and not scope.remote_confirmed:
        yield error(
            "remote.unconfirmed",
            "scope/remote_confirmed",
            "远程检查结果需经检查单位和被检查企业确认后方可出具检查文书（八、4.（2））",
            "a remote result is confirmed by both sides before the record is written (八.4)",
        )


def contract_manufacturing_scope(ctx: Context) -> Iterator[Problem]:
    ins = ctx.inspection
    company = ins.company
    entrusts = any(p.relation == "contract_manufacturer" for p in company.partners.values())
    if (company.role == "contract_manufacturer" or entrusts) and SECTION_14 not in (
        ins.scope.sections
    ):
        yield error(
            "scope.section14_missing",
            "scope/sections",
            "企业涉及委托生产，检查范围应包括七、14 委托生产情形",
            "the company is in contract manufacturing: section 七.14 must be in scope",
        )


def contract_manufacturing(ctx: Context) -> Iterator[Problem]:
    """七、14（2）and（5）on the record of a registrant or filer who has products made by a
    contract manufacturer: the certificate's address and the contract production filing."""
    company = ctx.inspection.company
    if company.role == "contract_manufacturer":
        return
    made_elsewhere = {k: p for k, p in company.products.items()
                      if p.manufacturer.strip() and p.manufacturer.strip() != company.name.strip()}
    if not made_elsewhere:
        return
    filings = [(k, lic) for k, lic in company.licences.items()
               if lic.kind == "contract_production_filing"]
    partners = {k: p for k, p in company.partners.items() if p.relation == "contract_manufacturer"}
    for key, product in made_elsewhere.items():
        where = f"company/products/{key}"
        address = product.production_address
        if address and "（委托生产）" not in address and "(委托生产)" not in address:
            yield warning(
                "contract.address_mark",
                f"{where}/production_address",
                f"{product.name} 委托生产：注册证（备案凭证）生产地址栏应登载受托生产地址并注明"
                f"“（委托生产）”，现为“{address}”（七、14.（2））",
                "a product made under contract: the certificate's production address gives the "
                "contract manufacturer's address marked （委托生产） (七.14 (2))",
            )
        maker = [p for p in partners.values() if key in p.products
                 or p.name.strip() == product.manufacturer.strip()]
        if address and maker and maker[0].address and maker[0].address not in address:
            yield warning(
                "contract.address_not_partner",
                f"{where}/production_address",
                f"{product.name} 的生产地址“{address}”不是受托生产企业 {maker[0].name} 的地址"
                f"“{maker[0].address}”（七、14.（2））",
                "the certificate's production address is not the contract manufacturer's "
                "(七.14 (2))",
            )
        if not filings:
            continue
        covered = {c for _k, lic in filings for c in lic.scope}
        if not ({product.registration_no, product.category_code} & covered):
            yield error(
                "contract.filing_scope",
                f"{where}/registration_no",
                f"{product.name}（{product.registration_no or product.category_code}）不在"
                "《医疗器械委托生产备案凭证》所列产品中：核实注册证号是否变化（七、14.（5））",
                "the product is not on the contract production filing: check whether its "
                "registration number changed (七.14 (5))",
            )
    if not filings:
        yield warning(
            "contract.filing_missing",
            "company/licences",
            "有委托生产的产品，但未录入《医疗器械委托生产备案凭证》（七、14.（5））",
            "products are made under contract but no contract production filing is entered "
            "(七.14 (5))",
        )
    for key, lic in filings:
        if lic.expires is None:
            yield warning(
                "contract.filing_term",
                f"company/licences/{key}/expires",
                "请录入委托生产备案凭证的委托期限，以核实是否在有效期内（七、14.（5））",
                "enter the contract term of the filing to check it is in force (七.14 (5))",
            )


def products_in_scope(ctx: Context) -> Iterator[Problem]:
    """九、3: the products inspected cover every registered product; leaving one out (time
    is short: the larger volume or the higher safety demand decides) needs the reason."""
    products = ctx.inspection.company.products
    for key, product in products.items():
        if not product.in_scope and not product.scope_reason.strip():
            yield error(
                "products.excluded_without_reason",
                f"company/products/{key}/scope_reason",
                f"{product.name} 未列入检查产品范围，须说明理由：检查产品范围应覆盖所有已注册产品，"
                "时间有限时一般选取生产量较大或安全性要求较高的产品（九、3）",
                "a product left out of the inspection needs its reason: the scope covers every "
                "registered product, and when time is short the larger or riskier ones (九.3)",
            )
    if products and not any(p.in_scope for p in products.values()):
        yield error(
            "products.none_in_scope",
            "company/products",
            "检查产品范围中没有任何产品（九、3）",
            "no product is in the inspection's scope (九.3)",
        )


def _registrant_authority(ins: Inspection) -> str:
    if ins.company.role != "contract_manufacturer":
        return ins.company.authority
    clients = [p.authority for p in ins.company.partners.values() if p.relation == "client"]
    return clients[0] if clients else ""


def joint_inspection_lead(ctx: Context) -> Iterator[Problem]:
    ins = ctx.inspection
    if ins.scope.cooperation != "joint" or not ins.leaders:
        return
    expected = _registrant_authority(ins)
    leader = ins.team[ins.leaders[0]]
    if not expected or not leader.authority:
        yield warning(
            "joint.authority_unknown",
            f"team/{ins.leaders[0]}/authority",
            "联合检查：请填写组长所属部门和注册人、备案人所在地监管部门",
            "joint inspection: enter the leader's and the registrant's authority",
        )
    elif leader.authority != expected:
        yield error(
            "joint.wrong_lead",
            f"team/{ins.leaders[0]}/authority",
            f"联合检查的组长原则上由注册人、备案人所在地监管部门（{expected}）人员担任"
            f"（八、5.（3）），现为 {leader.authority}",
            "a joint inspection is led from the registrant's authority (八.5(3))",
        )


def delegated_feedback(ctx: Context) -> Iterator[Problem]:
    scope = ctx.inspection.scope
    if scope.cooperation != "delegated" or scope.end_date is None:
        return
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            due = ctx.calendar.add_workdays(
                scope.end_date, DELEGATED_FEEDBACK_WORKDAYS, allow_estimate=True
            )
    except KitError as exc:  # a calendar that cannot answer is a problem to show, not a crash
        yield warning("calendar.unknown", "scope/end_date", str(exc), str(exc))
        return
    estimate = "（估算：该年放假安排尚未公布）" if due.estimated or caught else ""
    estimate_en = " (estimate)" if due.estimated or caught else ""
    if scope.delegated_result_date is not None:
        if scope.delegated_result_date > due.date:
            yield error(
                "delegated.late",
                "scope/delegated_result_date",
                f"委托检查结果应于检查结束后10个工作日内反馈（八、5.（3）），"
                f"最迟 {due.date}{estimate}，实际 {scope.delegated_result_date}",
                f"delegated result due within 10 working days, by {due.date}{estimate_en}",
            )
    elif ctx.today > due.date:
        yield warning(
            "delegated.overdue",
            "scope/delegated_result_date",
            f"委托检查结果已超过反馈期限 {due.date}{estimate}，尚未记录反馈",
            f"delegated result overdue since {due.date}{estimate_en}",
        )


def plan_review(ctx: Context) -> Iterator[Problem]:
    ins = ctx.inspection
    if not ins.plan.review_required:
        return
    plan, start = ins.plan, ins.scope.start_date
    if ins.stage != "preparation" and plan.state != "approved":
        yield error(
            "plan.not_approved",
            "plan/state",
            "检查方案须经检查派出机构审核（五、5），现场检查前尚未批准",
            "the plan must be approved by the dispatching office before the visit",
        )
    if plan.state == "approved" and not plan.approved_by.strip():
        yield error(
            "plan.no_approver",
            "plan/approved_by",
            "检查方案已标为批准，但未记录批准人（五、5）",
            "the plan is marked approved but no approver is recorded (五.5)",
        )
    if plan.approved_at is not None and start is not None and plan.approved_at.date() > start:
        yield error(
            "plan.approved_late",
            "plan/approved_at",
            f"检查方案于 {plan.approved_at.date()} 批准，晚于现场检查开始日期 {start}：须经审核的"
            "方案应在检查前批准（五、5）",
            f"the plan was approved ({plan.approved_at.date()}) after the visit began ({start}); "
            "it is approved before the visit (五.5)",
        )
    for key, adj in ins.adjustments.items():
        if not adj.approved_by:
            yield error(
                "plan.adjustment_unapproved",
                f"adjustments/{key}/approved_by",
                "检查方案经审核的，调整须经原派出机构批准（六、4）",
                "a reviewed plan may only be adjusted with the office's approval (六.4)",
            )
