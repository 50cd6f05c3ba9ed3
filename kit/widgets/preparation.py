"""检查前准备 (五): the company, its background, the scope, the team, the plan and the notice."""

from __future__ import annotations

import html
from collections.abc import Callable

import ipywidgets as W

from kit.guide import load_guide
from kit.labels import (
    CERTIFICATES,
    COOPERATION,
    DEVICE_CLASSES,
    LICENCE_KINDS,
    MEMBER_ROLES,
    PARTNER_REGIONS,
    PARTNER_RELATIONS,
    PAST_FINDING_STATES,
    PLAN_STATES,
    zh,
)
from kit.session import Session
from kit.widgets._collection import CollectionWidget, Column
from kit.widgets._common import (
    Options,
    clause_options,
    message_html,
    section_options,
    shown_if,
    table_options,
    vocab_options,
)
from kit.widgets._cross import communication_panel
from kit.widgets._fields import BoundField, ProblemList, field

__all__ = [
    "EXTENDED_ROLES",
    "ExtensionLinks",
    "PreparationWidget",
    "background_panel",
    "company_panel",
    "plan_panel",
    "product_options",
    "role_options",
    "scope_panel",
    "team_panel",
]


def product_options(session: Session) -> Options:
    products = session.inspection.company.products
    return tuple((p.name or k, k) for k, p in products.items())


#: the parties inspected only by a 延伸检查 (六、5)
EXTENDED_ROLES = ("supplier", "service_provider")


def role_options(session: Session) -> Options:
    """The company's roles (一): a supplier or service provider only in a 延伸检查 (六、5),
    where they are all it can be. A role the record holds that does not fit the type is
    offered too, marked, so the field shows it until another is chosen."""
    ins = session.inspection
    extended = ins.scope.type == "extended"
    fits = tuple((label, code) for label, code in vocab_options("roles")
                 if (code in EXTENDED_ROLES) == extended)
    held = next(((label, code) for label, code in vocab_options("roles")
                 if code == ins.company.role and (label, code) not in fits), None)
    if held is None:
        return fits
    return (*fits, (f"{held[0]}（与检查方式不符 does not fit the type）", held[1]))


def _role_field(session: Session) -> BoundField:
    """The company's role, its choices following the inspection's type."""
    role = field(session, "company/role", "企业类型 Role（一；六、5）", "choice",
                 role_options(session))
    session.on_change(lambda path: role.set_options(role_options(session))
                      if path in ("*", "scope/type", "company/role") else None)
    return role


class ExtensionLinks(W.VBox):
    """六、5 延伸检查 linked both ways: an extension shows the principal inspection it
    extends, a principal the extensions that name it; each a button that opens the other
    (``on_open(id)``, the app's), or a link to it where no app is at hand."""

    def __init__(self, session: Session,
                 on_open: Callable[[str], None] | None = None) -> None:
        self.session, self.on_open = session, on_open
        self.principal = W.Box(layout=W.Layout(flex_flow="row wrap", align_items="center"))
        self.principal.add_class("kit-principal-link")
        self.extensions = W.Box(layout=W.Layout(flex_flow="row wrap", align_items="center"))
        self.extensions.add_class("kit-extension-links")
        self._shown: tuple[str, tuple[str, ...]] | None = None
        super().__init__([self.principal, self.extensions])
        self.add_class("kit-links")
        session.on_change(lambda path: self.refresh()
                          if path in ("*", "scope/principal", "scope/type") else None)
        self.refresh()

    def _link(self, iid: str) -> W.Widget:
        if self.on_open is None:
            href = html.escape(f"?id={iid}&stage=preparation")
            return W.HTML(f"<a class='kit-open-linked' href='{href}' style='display:inline-flex;"
                          f"align-items:center;min-height:44px;padding:0 8px'>"
                          f"{html.escape(iid)}</a>")
        button = W.Button(description=f"打开 Open {iid}", layout=W.Layout(width="auto"))
        button.add_class("kit-open-linked")
        button.on_click(lambda _b, target=iid: self.on_open(target)
                        if self.on_open is not None else None)
        return button

    def refresh(self) -> None:
        principal = self.session.inspection.scope.principal.strip()
        extensions = tuple(self.session.extensions())
        if self._shown == (principal, extensions):
            return
        self._shown = (principal, extensions)
        self.principal.children = [
            W.HTML("<b>所延伸的检查 Principal inspection：</b>"), self._link(principal),
        ] if principal else []
        self.extensions.children = [
            W.HTML("<b>本检查的延伸检查 Extended inspections（六、5）：</b>"),
            *(self._link(iid) for iid in extensions),
        ] if extensions else []
        shown_if(self, bool(principal or extensions))


def _extended_panel(session: Session, on_open: Callable[[str], None] | None) -> W.Widget:
    """The principal's id, shown for a 延伸检查 (or while the record holds one)."""
    principal = field(session, "scope/principal", "所延伸的检查记录编号 Principal inspection id（六、5）",
                      placeholder="被延伸的检查的记录编号 / the id of the inspection extended")
    note = W.HTML(message_html("延伸检查：对为医疗器械生产活动提供产品或者服务的单位或个人进行的检查，"
                               "关联所延伸的检查 / an extended inspection of a supplier or service "
                               "provider, linked to the inspection it extends", "muted"))
    box = W.VBox([note, principal])
    box.add_class("kit-extended")

    def refresh(path: str = "*") -> None:
        if path in ("*", "scope/type", "scope/principal"):
            scope = session.inspection.scope
            shown_if(box, scope.type == "extended" or bool(scope.principal))

    session.on_change(refresh)
    refresh()
    return W.VBox([box, ExtensionLinks(session, on_open)])


def _box(title: str, children: list[W.Widget]) -> W.VBox:
    return W.VBox([W.HTML(f"<h4>{html.escape(title)}</h4>"), *children])


def company_panel(session: Session) -> W.Widget:
    p = "company"
    licences = CollectionWidget(session, f"{p}/licences", [
        Column("kind", "证照类型 Kind", "choice", table_options(LICENCE_KINDS)),
        Column("number", "编号 Number"),
        Column("holder", "名称 Holder"),
        Column("address", "住所 Address"),
        Column("production_address", "生产地址 Production address"),
        Column("scope", "生产范围（分类编码，可多选）Scope codes", "multichoice",
               options_fn=lambda s: tuple((c, c) for c in sorted(
                   {x.category_code for x in s.inspection.company.products.values()
                    if x.category_code} | {c for lic in s.inspection.company.licences.values()
                                           for c in lic.scope}))),
        Column("issued", "发证日期 Issued", "date"),
        Column("expires", "有效期至 Expires", "date"),
    ], prefix="L", title="证照 licence",
        new_entry=lambda s: {"kind": "business_licence", "holder": s.inspection.company.name},
        entry_title=lambda s, k: zh(LICENCE_KINDS, s.inspection.company.licences[k].kind)
        if k in s.inspection.company.licences else k)
    products = CollectionWidget(session, f"{p}/products", [
        Column("name", "产品名称 Product"),
        Column("certificate", "证书 Certificate", "choice", table_options(CERTIFICATES)),
        Column("registration_no", "注册证号/备案号 No."),
        Column("device_class", "管理类别 Class", "choice", table_options(DEVICE_CLASSES)),
        Column("category_code", "分类编码 Category code"),
        Column("sterile", "无菌 Sterile", "bool"),
        Column("holder", "注册人 Holder"),
        Column("production_address", "生产地址 Production address"),
        Column("manufacturer", "受托生产企业 Made by"),
        Column("expires", "有效期至 Expires", "date"),
        Column("in_scope", "纳入本次检查 In scope", "bool"),
        Column("scope_reason", "纳入或不纳入的理由 Reason（九、3）", "text"),
    ], prefix="P", title="产品 product",
        new_entry=lambda s: {"name": "", "in_scope": True, "holder": s.inspection.company.name},
        entry_title=lambda s, k: s.inspection.company.products[k].name or k
        if k in s.inspection.company.products else k)
    partners = CollectionWidget(session, f"{p}/partners", [
        Column("name", "企业名称 Name"),
        Column("credit_code", "统一社会信用代码 Credit code"),
        Column("relation", "关系 Relation", "choice", table_options(PARTNER_RELATIONS)),
        Column("address", "地址 Address"),
        Column("authority", "所在地监管部门 Authority"),
        Column("region", "所在地 Region", "choice", table_options(PARTNER_REGIONS)),
        Column("products", "委托产品 Products", "multichoice", options_fn=product_options),
    ], prefix="C", title="委托生产关系 partner",
        new_entry=lambda s: {"name": "", "relation": "contract_manufacturer"})
    return W.VBox([
        field(session, f"{p}/name", "企业名称 Name"),
        field(session, f"{p}/credit_code", "统一社会信用代码 Credit code",
              placeholder="18 位 / 18 characters"),
        _role_field(session),
        field(session, f"{p}/legal_representative", "法定代表人 Legal rep."),
        field(session, f"{p}/contact", "联系人 Contact"),
        field(session, f"{p}/email", "联系人电子邮箱 Contact's e-mail（整改期限提醒 reminders）",
              placeholder="name@example.com"),
        field(session, f"{p}/registered_address", "住所 Registered address"),
        field(session, f"{p}/production_address", "生产地址 Production address"),
        field(session, f"{p}/authority", "所属监管部门 Authority"),
        _box("证照 Licences（七、1）", [licences]),
        _box("产品 Products（九、3）", [products]),
        _box("委托生产 Contract manufacturing（七、14）", [partners]),
        ProblemList(session, ["company"]),
    ])


def background_panel(session: Session) -> W.Widget:
    guide = load_guide()
    notes = [field(session, f"background/notes/{t.code}",
                   f"{guide.item(t.source).label} {t.zh}", "textarea")
             for t in guide.terms("background_kinds")]
    past = CollectionWidget(session, "background/past_findings", [
        Column("description", "问题 Finding", "textarea"),
        Column("found_on", "发现日期 Found on", "date"),
        Column("state", "整改情况 State", "choice", table_options(PAST_FINDING_STATES)),
        Column("note", "备注 Note"),
    ], prefix="H", title="既往问题 past finding")
    return W.VBox([W.HTML(f"<p>{html.escape(guide.item('5.1').zh)}</p>"), *notes,
                   _box("既往检查发现问题 Past findings（五、1.（5））", [past])])


def scope_panel(session: Session, on_open: Callable[[str], None] | None = None) -> W.Widget:
    p = "scope"
    return W.VBox([
        field(session, f"{p}/type", "检查方式 Type（五、2）", "choice", vocab_options("inspection_types")),
        _extended_panel(session, on_open),
        field(session, f"{p}/unannounced", "飞行检查 Unannounced", "bool"),
        field(session, f"{p}/remote", "远程检查 Remote（八、4）", "bool"),
        field(session, f"{p}/remote_reason", "远程检查原因 Why remote", "textarea",
              placeholder="有时限要求，但因不可抗力等原因不宜线下检查（八、4.（1）） / a deadline "
                          "and force majeure against a visit"),
        field(session, f"{p}/remote_confirmed", "远程结果已双方确认 Remote result confirmed", "bool"),
        field(session, f"{p}/cooperation", "联合/委托检查（八、5）", "choice", table_options(COOPERATION)),
        field(session, f"{p}/partner_authority", "协作监管部门 Partner authority"),
        communication_panel(session),
        field(session, f"{p}/start_date", "检查开始 Start", "date"),
        field(session, f"{p}/end_date", "检查结束 End", "date"),
        field(session, f"{p}/delegated_result_date", "委托检查结果反馈日期 Delegated result", "date"),
        field(session, f"{p}/sections", "检查范围 Sections（七）", "multichoice", section_options()),
        field(session, f"{p}/bases", "检查依据 Bases（三）", "multichoice", clause_options("3")),
        field(session, f"{p}/purpose", "检查目的 Purpose", "textarea"),
        field(session, f"{p}/focus", "检查重点 Focus（五、3）", "textarea"),
        field(session, f"{p}/key_risks", "关键风险点 Key risks（五、3）", "textarea"),
        ProblemList(session, ["scope", "notification", "cross_region"]),
    ])


def team_panel(session: Session) -> W.Widget:
    members = CollectionWidget(session, "team", [
        Column("name", "姓名 Name"),
        Column("role", "职责 Role", "choice", table_options(MEMBER_ROLES)),
        Column("authority", "所属部门 Authority"),
        Column("certificate_no", "执法证号 Certificate"),
        Column("user", "登录名 Sign-in（办公室服务器 office server）"),
        Column("email", "电子邮箱 E-mail（整改期限提醒 reminders）"),
        Column("sections", "检查分工 Sections（五、4）", "multichoice", section_options()),
        Column("qualifications", "已确认的要求 Qualifications（四）", "multichoice",
               clause_options("4.2", "4.3")),
        Column("standards", "熟悉的专用标准 Standards（四、3.（2））", "multichoice",
               vocab_options("leader_standards")),
    ], prefix="M", title="检查人员 member",
        new_entry=lambda s: {"name": "", "role": "inspector"},
        entry_title=lambda s, k: (s.inspection.team[k].name or k) if k in s.inspection.team
        else k)
    return W.VBox([W.HTML(f"<p>{html.escape(load_guide().item('4.1').zh)}</p>"), members,
                   ProblemList(session, ["team", "scope/sections"])])


def plan_panel(session: Session) -> W.Widget:
    return W.VBox([
        field(session, "plan/review_required", "方案须经派出机构审核 Review required", "bool"),
        field(session, "plan/state", "方案状态 State", "choice", table_options(PLAN_STATES)),
        field(session, "plan/schedule", "日程安排 Schedule（五、4）", "textarea"),
        field(session, "plan/submitted_at", "提交审核时间 Submitted", "datetime"),
        field(session, "plan/approved_at", "批准时间 Approved", "datetime"),
        field(session, "plan/approved_by", "批准人 Approved by"),
        W.HTML("<h4>通知企业 Notice（五、6：飞行检查方式不适用）</h4>"),
        field(session, "notification/planned", "通知企业 Notify", "bool"),
        field(session, "notification/sent_on", "通知日期 Sent on", "date"),
        field(session, "notification/method", "通知方式 Method"),
        field(session, "notification/note", "备注 Note"),
        ProblemList(session, ["plan", "notification"]),
    ])


class PreparationWidget(W.Accordion):
    """五 检查前准备, one panel per part, each built when first opened."""

    PANELS = (
        ("企业信息与证照 Company and licences", company_panel),
        ("企业背景（五、1）Background", background_panel),
        ("检查方式与范围（五、2-3）Type and scope", scope_panel),
        ("检查组与分工（四、五、4）Team", team_panel),
        ("检查方案与通知（五、5-6）Plan and notice", plan_panel),
    )

    def __init__(self, session: Session,
                 on_open: Callable[[str], None] | None = None) -> None:
        self.session = session
        self.on_open = on_open  # opens another inspection (a 延伸检查's principal, or back)
        super().__init__(children=[W.VBox() for _ in self.PANELS])
        for i, (title, _build) in enumerate(self.PANELS):
            self.set_title(i, title)
        self.observe(self._open, names="selected_index")
        self.add_class("kit-preparation")

    def _open(self, change: dict[str, object]) -> None:
        index = change["new"]
        if isinstance(index, int):
            self.build(index)

    def show_scope(self) -> W.Widget:
        """Open the type and scope panel (where a 延伸检查 and its principal are linked)."""
        index = next(i for i, (_t, build) in enumerate(self.PANELS) if build is scope_panel)
        self.selected_index = index
        return self.build(index)

    def build(self, index: int) -> W.Widget:
        """Build panel ``index`` if it is still empty; return it."""
        box = self.children[index]
        if not box.children:
            build = self.PANELS[index][1]
            box.children = [scope_panel(self.session, self.on_open) if build is scope_panel
                            else build(self.session)]
        return box.children[0]
