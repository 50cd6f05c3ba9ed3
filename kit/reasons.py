"""Every reason code the kit gives a problem: a closed list, each with what it means and its clause.

A :class:`~kit.errors.Problem` carries one of these codes; a code not listed here is refused
when the problem is made, so a typo in a rule cannot ship, and a test checks that every code
written in the kit's source is listed. Codes are stable: a script may rely on
``team.too_small`` meaning the same thing next year. ``kit reasons`` prints the list.

>>> Reason("team.too_small").clause
'四、1'
>>> Reason.TEAM_TOO_SMALL == "team.too_small"
True
"""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "CODES",
    "Reason",
]


class Reason(StrEnum):
    """A reason code with its explanation in Chinese and English and the clause it rests on."""

    zh: str
    en: str
    clause: str

    def __new__(cls, code: str, zh: str = "", en: str = "", clause: str = "") -> Reason:
        member = str.__new__(cls, code)
        member._value_ = code
        member.zh, member.en, member.clause = zh, en, clause
        return member

    def __str__(self) -> str:
        return str(self.value)

    def __repr__(self) -> str:  # shown as the plain code it equals
        return repr(self.value)

    __hash__ = str.__hash__  # equal to its code, so it hashes as its code

    # -- 四 the team ---------------------------------------------------------------------------
    TEAM_TOO_SMALL = ("team.too_small", "检查组不足2名检查人员", "fewer than two inspectors",
                      "四、1")
    TEAM_NO_LEADER = ("team.no_leader", "检查组未指定组长", "no team leader", "四、1")
    TEAM_MANY_LEADERS = ("team.many_leaders", "检查组有不止一名组长", "more than one leader",
                         "四、1")
    TEAM_QUALIFICATION = ("team.qualification", "检查人员尚未确认符合人员要求",
                          "an inspector is not yet confirmed against the requirements",
                          "四、2；四、3")
    DIVISION_UNOWNED = ("division.unowned", "检查范围内的节没有分配检查员",
                        "a section in scope has no inspector", "五、4")
    DIVISION_SHARED = ("division.shared", "一节分配给了多名检查员",
                       "a section is assigned to several inspectors", "五、4")
    DIVISION_OUT_OF_SCOPE = ("division.out_of_scope", "分工中的节不在检查范围内",
                             "an assigned section is not in scope", "五、4")

    DIVISION_ITEM_INSPECTOR = ("division.item_inspector", "检查项的检查员不是该节的分工检查员",
                               "an item was checked by someone other than its section's owner",
                               "四、1；五、4")
    # -- 五 preparation, 八 means ---------------------------------------------------------------
    NOTIFICATION_UNANNOUNCED = ("notification.unannounced", "飞行检查不应通知企业",
                                "an unannounced inspection is not notified", "五、6")
    NOTIFICATION_AFTER_START = ("notification.after_start", "检查通知晚于现场检查开始",
                                "the notice was sent after the visit began", "五、6")
    SCOPE_END_BEFORE_START = ("scope.end_before_start", "检查结束日期早于开始日期",
                              "the inspection ends before it starts", "五、5")
    REMOTE_NOT_ALLOWED = ("remote.not_allowed", "有因（飞行）检查不能远程开展",
                          "no remote inspection for a for-cause or unannounced inspection",
                          "八、4.（1）")
    REMOTE_UNCONFIRMED = ("remote.unconfirmed", "远程检查结果尚未经双方确认",
                          "the remote result is not confirmed by both sides", "八、4.（2）")
    SCOPE_SECTION14_MISSING = ("scope.section14_missing", "涉及委托生产但未检查七、14",
                               "contract manufacturing without section 七、14", "七、14")
    JOINT_AUTHORITY_UNKNOWN = ("joint.authority_unknown", "联合检查未填写组长或注册人所在地部门",
                               "joint inspection: an authority is missing", "八、5.（3）")
    JOINT_WRONG_LEAD = ("joint.wrong_lead", "联合检查组长不是注册人所在地部门人员",
                        "the joint inspection is not led from the registrant's authority",
                        "八、5.（3）")
    DELEGATED_LATE = ("delegated.late", "委托检查结果超过10个工作日才反馈",
                      "the delegated result came back after 10 working days", "八、5.（3）")
    DELEGATED_OVERDUE = ("delegated.overdue", "委托检查结果已逾期未反馈",
                         "the delegated result is overdue", "八、5.（3）")
    CALENDAR_UNKNOWN = ("calendar.unknown", "该年度的法定节假日安排未知，无法按工作日计算",
                        "the year's official holidays are unknown; working days cannot be "
                        "counted", "十、1；八、5.（3）")
    PLAN_NOT_APPROVED = ("plan.not_approved", "须经审核的检查方案尚未批准",
                         "the plan that needs review is not approved", "五、5")
    PLAN_NO_APPROVER = ("plan.no_approver", "检查方案标为已批准但没有批准人",
                        "the plan is approved with no approver", "五、5")
    PLAN_APPROVED_LATE = ("plan.approved_late", "检查方案在现场检查开始后才批准",
                          "the plan was approved after the visit began", "五、5")
    PLAN_ADJUSTMENT_UNAPPROVED = ("plan.adjustment_unapproved", "经审核的方案调整未经原派出机构批准",
                                  "an adjustment of a reviewed plan is not approved", "六、4")

    # -- 七、1 the company's licences ---------------------------------------------------------
    COMPANY_CREDIT_CODE_MISSING = ("company.credit_code_missing", "尚未填写统一社会信用代码",
                                   "no unified social credit code yet", "五、1.（1）")
    COMPANY_CREDIT_CODE = ("company.credit_code", "统一社会信用代码无效（GB 32100）",
                           "invalid unified social credit code (GB 32100)", "五、1.（1）")
    LICENCE_EXPIRED = ("licence.expired", "证照已过期", "a licence has expired",
                       "七、1.检查方法（1）")
    LICENCE_NAME_MISMATCH = ("licence.name_mismatch", "证照上的名称与企业名称不一致",
                             "the licence holder differs from the company name",
                             "七、1.检查方法（2）")
    LICENCE_ADDRESS_MISMATCH = ("licence.address_mismatch", "证照上的地址与企业地址不一致",
                                "a licence address differs", "七、1.检查方法（2）")
    LICENCE_MISSING_PRODUCTION = ("licence.missing_production", "尚未录入生产许可证或生产备案凭证",
                                  "no production licence or filing entered",
                                  "七、1.检查内容（2）")
    PRODUCT_EXPIRED = ("product.expired", "注册证或备案凭证已过期",
                       "a registration certificate has expired", "七、1.检查方法（1）")
    PRODUCT_HOLDER_MISMATCH = ("product.holder_mismatch", "注册人与企业名称不一致",
                               "the product's holder differs from the company name",
                               "七、1.检查方法（2）")
    PRODUCT_OUTSIDE_SCOPE = ("product.outside_scope", "产品超出生产许可证或备案凭证的生产范围",
                             "a product is outside the production licence's scope",
                             "七、1.检查方法（3）")

    # -- 六 and 十: results, findings, signatures, follow-up -----------------------------------
    RESULT_UNKNOWN_ITEM = ("result.unknown_item", "结果对应的检查项不在本次检查表中",
                           "a result for an item not on this checklist", "五、5；七")
    RESULT_NO_FINDING = ("result.no_finding", "判定为不符合的检查项尚未记录问题",
                         "a nonconforming item has no finding", "六、7")
    FINDING_UNKNOWN_ITEM = ("finding.unknown_item", "问题对应的检查项不在检查表中",
                            "a finding's item is not on the checklist", "六、7")
    FINDING_NO_DESCRIPTION = ("finding.no_description", "问题描述为空",
                              "a finding has no description", "六、7")
    FINDING_UNKNOWN_HANDLING = ("finding.unknown_handling", "未知的问题处理方式",
                                "unknown handling kind", "十、1")
    FINDING_DEADLINE_MISSING = ("finding.deadline_missing", "须明确整改时限的问题没有期限",
                                "a finding that needs a deadline has none", "六、7；十、1")
    FINDING_REQUIREMENT_MISSING = ("finding.requirement_missing", "须书面明确的整改要求为空",
                                   "the rectification requirement is missing", "十、1")
    FINDING_DEADLINE_PAST = ("finding.deadline_past", "整改期限早于检查日期",
                             "the deadline is before the inspection", "六、7")
    SIGNATURES_NOT_DRAWN = ("signatures.not_drawn", "未签名而被记为已签字",
                            "recorded as signed without a signature", "六、7")
    SIGNATURES_REFUSAL_NEEDS_TWO = ("signatures.refusal_needs_two", "企业拒绝签字时不足2名检查人员签字",
                                    "fewer than two inspectors signed a refusal", "六、8")
    SIGNATURES_REFUSAL_NOTE = ("signatures.refusal_note", "企业拒绝签字但未注明情况",
                               "the refusal is not described", "六、8")
    SIGNATURES_UNKNOWN_SIGNER = ("signatures.unknown_signer", "签字人不是检查组成员",
                                 "a signer is not on the team", "六、8")
    SIGNATURES_WITNESS = ("signatures.witness", "现场见证人未签字", "the witness did not sign",
                          "六、8")
    SIGNATURES_WITNESS_ABSENT = ("signatures.witness_absent", "未记录见证人在场却记录了见证人或其签字",
                                 "a witness is named or signed but not present", "六、8")
    SIGNATURES_REFUSED_BUT_SIGNED = ("signatures.refused_but_signed", "记录了拒绝签字又记录了企业签字人",
                                     "a refusal together with a company signer", "六、7；六、8")
    INABILITY_NEEDS_TWO = ("inability.needs_two", "无法实施检查时不足2名检查人员注明情况",
                           "fewer than two inspectors noted the inability to inspect", "六、8")
    INABILITY_NO_REASON = ("inability.no_reason", "记录了无法实施检查但未注明原因",
                           "the inability to inspect is recorded with no reason", "六、8")
    INABILITY_WITNESS = ("inability.witness", "无法实施检查、现场有见证人但见证人未签字",
                         "a witness was present when the inspection could not be carried out "
                         "but did not sign", "六、8")
    SIGNATURES_MISSING = ("signatures.missing", "检查记录没有企业签字或拒签记录",
                          "no company signature or recorded refusal", "六、7")
    REMOTE_NO_REASON = ("remote.no_reason", "远程检查未写明原因",
                        "a remote inspection with no reason", "八、4")
    CONTRACT_ADDRESS_MARK = ("contract.address_mark", "委托生产产品的生产地址未注明“（委托生产）”",
                             "the contract product's address lacks （委托生产）", "七、14")
    CONTRACT_ADDRESS_NOT_PARTNER = ("contract.address_not_partner", "委托生产产品的生产地址不是受托方地址",
                                    "the contract product's address is not the maker's", "七、14")
    CONTRACT_FILING_SCOPE = ("contract.filing_scope", "委托生产产品不在委托生产备案凭证所列产品中",
                             "the contract product is not on the filing", "七、14")
    CONTRACT_FILING_MISSING = ("contract.filing_missing", "有委托生产产品但未录入委托生产备案凭证",
                               "no contract production filing entered", "七、14")
    CONTRACT_FILING_TERM = ("contract.filing_term", "委托生产备案凭证未录入委托期限",
                            "the filing's term is not entered", "七、14")
    PRODUCTS_EXCLUDED_WITHOUT_REASON = ("products.excluded_without_reason",
                                        "产品未列入检查范围且未说明理由",
                                        "a product left out with no reason", "九、3")
    PRODUCTS_NONE_IN_SCOPE = ("products.none_in_scope", "检查产品范围中没有产品",
                              "no product in scope", "九、3")
    NOTICES_UNKNOWN_KIND = ("notices.unknown_kind", "没有这种书面告知文书",
                            "no such notice", "六、7")
    NOTICES_TOO_EARLY = ("notices.too_early", "现场检查结束前出具文书",
                         "a notice issued before the visit is over", "六、7")
    NOTICES_NO_OPINION = ("notices.no_opinion", "检查结果告知书没有检查意见",
                          "a result notice with no opinion", "六、7")
    NOTICES_NOTHING_TO_RECTIFY = ("notices.nothing_to_rectify", "没有需限期整改的问题却出具整改通知书",
                                  "a rectification notice with nothing to rectify", "十、1")
    NOTICES_FINDING_INCOMPLETE = ("notices.finding_incomplete", "整改通知书所列问题缺少整改要求或期限",
                                  "a listed finding lacks its requirement or deadline", "十、1")
    NOTICES_RESULT_MISSING = ("notices.result_missing", "未出具检查结果告知书",
                              "the result notice was not issued", "六、7")
    NOTICES_RECTIFICATION_MISSING = ("notices.rectification_missing", "有限期整改的问题但未出具整改通知书",
                                     "findings to rectify but no rectification notice", "十、1")
    NOTICES_NOT_SERVED = ("notices.not_served", "文书已出具但未记录送达",
                          "a notice issued but not served", "六、7")
    NOTICES_NO_NUMBER = ("notices.no_number", "文书未出具（无文号）却记录了送达或签收",
                         "service recorded for a notice with no number", "六、7")
    NOTICES_ISSUED_BEFORE_VISIT = ("notices.issued_before_visit", "文书出具日期早于检查开始日期",
                                   "a notice dated before the visit", "六、7")
    NOTICES_SERVED_BEFORE_ISSUED = ("notices.served_before_issued", "文书送达日期早于出具日期",
                                    "served before it was issued", "六、7")
    NOTICES_NO_RECEIPT = ("notices.no_receipt", "文书已送达但无签收人或拒收记录",
                          "served with no receipt or refusal", "六、7")
    NOTICES_REFUSED_BUT_RECEIVED = ("notices.refused_but_received", "记录了拒收又记录了签收人",
                                    "a refusal together with a receiver", "六、8")
    NOTICES_UNKNOWN_WITNESS = ("notices.unknown_witness", "注明拒收情况的人员不是检查组成员",
                               "a refusal's witness is not on the team", "六、8")
    NOTICES_REFUSAL_NEEDS_TWO = ("notices.refusal_needs_two", "企业拒收文书时不足2名检查人员注明",
                                 "fewer than two inspectors noted a refusal", "六、8")
    NOTICES_ISSUED_FROZEN = ("notices.issued_frozen", "文书已出具并存证，不能再修改",
                             "an issued notice is frozen: it cannot be changed")
    NOTICES_TEMPLATE = ("notices.template", "文书模板文件有误", "the notice templates file is wrong")
    SUPERVISION_FILE = ("supervision.file", "分类分级监督文件有误",
                        "the supervision levels file is wrong", "五、1")
    FOLLOW_UP_NOT_CLOSED = ("follow_up.not_closed", "限期整改的问题结案前未完成跟踪检查",
                            "closed before the rectification was reviewed", "六、9")
    FOLLOW_UP_NO_CLOSING_DATE = ("follow_up.no_closing_date", "已结案但没有结案日期",
                                 "closed with no closing date", "六、9")
    FOLLOW_UP_CLOSED_BEFORE_REVIEW = ("follow_up.closed_before_review", "结案日期早于跟踪审查日期",
                                      "closed before the review", "六、9")
    FINDING_NO_SUBMISSION = ("finding.no_submission", "已提交或已复查但未记录提交日期",
                             "submitted or reviewed with no submission date", "六、9")
    FINDING_REVIEW_INCOMPLETE = ("finding.review_incomplete", "复查结论缺少复查方式、日期或复查人",
                                 "a review result without its mode, date or reviewer", "六、9")
    FINDING_RECHECK_ON_SITE = ("finding.recheck_on_site", "暂停生产的问题未经现场复查即判为合格",
                               "a suspension passed without an on-site recheck", "十、1")
    FINDING_REVIEWED_BEFORE_SUBMISSION = ("finding.reviewed_before_submission",
                                          "复查日期早于企业提交整改资料的日期",
                                          "reviewed before the submission", "六、9")
    FINDING_OVERDUE = ("finding.overdue", "问题已超过整改期限仍未整改合格",
                       "a finding is past its deadline and not passed", "十、3")
    FINDING_NOT_PASSED = ("finding.not_passed", "问题尚未复查合格而记录已结案",
                          "closed with a finding not passed", "六、9；十、3")
    OPINION_MISSING = ("opinion.missing", "出具检查文书时还没有检查意见", "no opinion when the record is written",
                       "六、5；六、6")
    STAGE_BLOCKED = ("stage.blocked", "按指南规则仍有错误，记录不能推进到下一阶段",
                     "errors by the guide's rules block the move to the next stage", "六、7；六、9；六、10")
    STEPS_UNDONE = ("steps.undone", "已结案但六的检查步骤尚未完成",
                    "closed with a step of 六 not done", "六")
    RESULT_UNCHECKED = ("result.unchecked", "现场检查结束后仍有检查项未检查",
                        "an item in scope has no result after the visit", "七；六、7")
    RESULT_NOT_APPLICABLE_REASON = ("result.not_applicable_reason", "判为不适用但未注明理由",
                                    "not applicable with no reason", "六、7")
    PAST_PRODUCTS_NO_MEASURE = ("past_products.no_measure", "问题可能影响已生产产品但未选择处理措施",
                                "findings affect products already made but no measure is chosen",
                                "十、2")
    FOLLOW_UP_NO_SUBMISSION = ("follow_up.no_submission", "书面审查前未记录企业提交整改资料",
                               "no submission recorded before a written review", "六、9")

    # -- each handling of 十、1 to its outcome; review rounds, extensions; grading; 延伸检查 ----
    FINDING_CORRECTION_UNCONFIRMED = ("finding.correction_unconfirmed",
                                      "现场立即纠正的问题未记录由谁、何时确认纠正",
                                      "a correction on site not confirmed by whom and when", "十、1")
    FINDING_WARNING_MISSING = ("finding.warning_missing", "暂停生产并发布安全警示信息的问题未记录警示信息",
                               "a suspension with a safety warning has no warning recorded", "十、1")
    FINDING_CASE_UNRECORDED = ("finding.case_unrecorded",
                               "立案调查或移交的问题既无案件编号，也无移交部门、日期和移交内容",
                               "a case opened or transferred has no case number nor transfer",
                               "十、1")
    FINDING_NOT_RESUMED = ("finding.not_resumed", "暂停生产的问题尚未复查合格（未恢复生产）而记录已结案",
                           "closed while production is suspended and no recheck passed", "十、1")
    FINDING_NO_GRADE = ("finding.no_grade", "本局分级办法要求给问题定级，此问题未定级",
                        "the office's grading scheme grades findings: this one has none", "十、3")
    FINDING_UNKNOWN_GRADE = ("finding.unknown_grade", "问题等级不是本局分级办法的等级",
                             "the grade is not one of the office's scheme", "十、3")
    REVIEW_ROUND_INCOMPLETE = ("review.round_incomplete", "复查记录缺少方式、日期、复查人或结论",
                               "a review round lacks its mode, date, reviewer or result", "六、9")
    EXTENSION_INCOMPLETE = ("extension.incomplete", "延期整改缺少新期限、理由、批准人或批准日期",
                            "an extension lacks its deadline, reason, approver or date", "十、3")
    EXTENSION_NOT_LATER = ("extension.not_later", "延期后的期限不晚于原期限",
                           "an extension's deadline is not later than the one before", "十、3")
    FINDING_DEADLINE_DAY_OFF = ("finding.deadline_day_off",
                                "整改期限或延期后的期限落在周末或法定节假日（含按法定节假日估算的）",
                                "a deadline or extended deadline falls on a weekend or public "
                                "holiday (known or estimated)", "十、1；十、3")
    PAST_PRODUCTS_NOTIFICATION = ("past_products.notification", "通报审查单位未写明单位、通报人或日期",
                                  "the review unit's notification lacks the unit, who or when",
                                  "十、2")
    VERDICT_MISSING = ("verdict.missing", "本局分级办法要求检查结论，尚未确认", "no verdict confirmed",
                       "六、5；六、6")
    VERDICT_UNKNOWN = ("verdict.unknown", "检查结论不是本局分级办法的结论",
                       "the verdict is not one of the office's scheme", "六、5；六、6")
    VERDICT_NO_REASON = ("verdict.no_reason", "检查结论与按问题等级建议的结论不同，未写明理由",
                         "the verdict differs from the one proposed and says not why", "六、5；六、6")
    VERDICT_STALE = ("verdict.stale", "确认检查结论后问题等级有变，建议结论已不同",
                     "the grades changed since the verdict was confirmed", "六、5；六、6")
    VERDICT_SCHEME_CHANGED = ("verdict.scheme_changed", "检查结论按另一分级办法确认",
                              "the verdict was given under another scheme", "六、5；六、6")
    EXTENDED_NO_PRINCIPAL = ("extended.no_principal", "延伸检查未关联所延伸的检查",
                             "an extended inspection names no principal inspection", "六、5")
    EXTENDED_ROLE = ("extended.role", "延伸检查的对象应为提供产品或服务的单位，且其身份只用于延伸检查",
                     "an extended inspection's party is a supplier or service provider, and "
                     "only it", "六、5")
    EXTENDED_SELF = ("extended.self", "延伸检查关联了自身", "an extended inspection names itself",
                     "六、5")
    CROSS_REGION_NO_COMMUNICATION = ("cross_region.no_communication",
                                     "涉及委托生产的联合或委托检查未记录事先沟通（与谁、何时）",
                                     "no prior communication with the other authority recorded",
                                     "五、8")
    CROSS_REGION_LATE_COMMUNICATION = ("cross_region.late_communication", "事先沟通晚于检查开始",
                                       "the prior communication is after the visit began", "五、8")
    CROSS_REGION_REPORT_BOTH = ("cross_region.report_both",
                                "联合检查的检查报告未记录同时报送两地监管部门",
                                "the joint inspection's report is not recorded as sent to both "
                                "authorities", "八、5.（3）")
    CROSS_REGION_ADVANCE_REPORT = ("cross_region.advance_report",
                                   "通报外埠监管部门前未提前报告市药监局",
                                   "no advance report to the 市药监局 before notifying an outside "
                                   "authority", "八、5.（4）")
    NOTICES_SUSPENSION_MISSING = ("notices.suspension_missing", "暂停生产但未出具暂停生产通知书",
                                  "production suspended but no suspension notice issued", "十、1")
    NOTICES_NOTHING_TO_SUSPEND = ("notices.nothing_to_suspend", "没有暂停生产的问题，无需暂停生产通知书",
                                  "no finding suspends production: no suspension notice", "十、1")
    REVIEW_ROUND_FROZEN = ("review.round_frozen", "已记录的复查轮次不能修改或删除",
                           "a kept review round cannot be changed or removed", "六、9")
    REVIEW_OVERWRITTEN = ("review.overwritten", "已作出的复查结论未存为复查记录即被覆盖",
                          "a concluded review would be overwritten without being kept", "六、9")
    RECTIFICATION_NOT_OPEN = ("rectification.not_open", "该问题现在不能提交整改资料（已提交待复查、已合格或已结案）",
                              "no submission now: one waits for its review, or it passed, or "
                              "the case is closed", "六、9")
    RECTIFICATION_SUBMISSION_FROZEN = ("rectification.submission_frozen",
                                       "企业已提交的整改资料不能修改或删除（再次提交为新的一轮）",
                                       "a submission made cannot be changed or removed", "六、9")
    RECTIFICATION_EMPTY = ("rectification.empty", "整改资料既无整改报告也无附件",
                           "a submission with neither report nor files", "六、9")
    RECTIFICATION_TOO_LONG = ("rectification.too_long", "整改报告过长", "the report is too long",
                              "六、9")
    RECTIFICATION_TOO_MANY_FILES = ("rectification.too_many_files", "一次提交的文件过多",
                                    "too many files at once", "六、9")
    COMPANY_ACCOUNT = ("company.account", "企业账号名无效", "an invalid account name", "六、9")
    COMPANY_ACCOUNT_BOUND = ("company.account_bound", "企业账号已绑定另一家企业",
                             "the account is bound to another company", "六、9")
    EXTENDED_UNKNOWN_PRINCIPAL = ("extended.unknown_principal", "延伸检查关联的检查记录不存在",
                                  "the principal inspection does not exist", "六、5")
    POLICY_FILE = ("policy.file", "办公室规则文件（分级办法或处理规则）有误",
                   "the office's grading or handling rules file is wrong", "")

    # -- records read from JSON, and the store ------------------------------------------------
    JSON_EMPTY = ("json.empty", "文件为空", "the file is empty")
    JSON_TOO_LARGE = ("json.too_large", "文件过大", "the file is too large")
    JSON_ENCODING = ("json.encoding", "文件不是 UTF-8 编码", "the file is not UTF-8")
    JSON_SYNTAX = ("json.syntax", "JSON 格式错误", "not valid JSON")
    JSON_VALUE = ("json.value", "JSON 中有不允许的值（如 NaN）", "a value JSON does not allow")
    JSON_DEPTH = ("json.depth", "嵌套层数过多", "nested too deeply")
    JSON_DUPLICATE_KEY = ("json.duplicate_key", "同一对象中键重复", "a key is repeated")
    JSON_FORMAT_VERSION = ("json.format_version", "不支持的格式版本", "unsupported format version")
    JSON_SCHEMA = ("json.schema", "不符合检查记录格式", "does not fit the record's schema")
    JSON_UNKNOWN_FIELD = ("json.unknown_field", "未知字段", "unknown field")
    RECORD_UNKNOWN_CODE = ("record.unknown_code", "所指的代码、检查项、成员或节不存在",
                           "a code, item, member or section that names nothing known")
    RECORD_NOT_A_NUMBER = ("record.not_a_number", "此处应为整数", "a whole number is wanted here")
    JSON_TYPE = ("json.type", "值的类型不对", "a value of the wrong type")
    JSON_NULL = ("json.null", "此处不能为空值", "null is not allowed here")
    JSON_CHOICE = ("json.choice", "取值不在可选范围内", "not one of the allowed values")
    JSON_DATE = ("json.date", "日期格式不对", "not a date in the expected form")
    JSON_TEXT = ("json.text", "文本中含有不可用的字符", "the text holds an unusable character")
    JSON_KEY = ("json.key", "编号为空或含有 /", "an id is empty or holds '/'")
    JSON_NOT_A_GROUP = ("json.not_a_group", "此字段是值，其下不能再有字段",
                        "this field holds a value, not fields")
    STORE_BAD_KEY = ("store.bad_key", "键无效", "a bad key")
    STORE_BAD_PATH = ("store.bad_path", "字段路径无效", "a bad field path")
    STORE_BAD_VALUE = ("store.bad_value", "值不能保存", "a value that cannot be stored")
    STORE_NOT_A_GROUP = ("store.not_a_group", "字段是一个值，不能在其下写入",
                         "a field holds a value, nothing can be written below it")
    STORE_CONFLICT = ("store.conflict", "他人已修改同一字段，未保存",
                      "someone else changed the same field; not saved")
    STORE_PROTECTION_MISSING = ("store.protection_missing", "数据库缺少保护规则（可能被绕过工具包修改）",
                                "the database lacks a protection (possibly tampered with)")
    STORE_CHAIN_BROKEN = ("store.chain_broken", "审计记录链条断开", "the audit chain is broken")
    STORE_CHECKPOINT = ("store.checkpoint", "审计记录检查点的签名不符、被移动或签名者不受信任",
                        "a checkpoint of the trail does not verify, was moved, or its signer is "
                        "not trusted")
    STORE_VALUE_MISMATCH = ("store.value_mismatch", "当前值与审计记录推演的值不符",
                            "a current value that its trail does not explain")
    STORE_HEAD_MISMATCH = ("store.head_mismatch", "链头或删除标记与审计记录不符",
                           "the chain head or deleted mark does not follow the trail")
    STORE_SUMMARY_MISMATCH = ("store.summary_mismatch", "列表摘要与记录不符",
                              "the listing summary does not match the record")
    KIT_ERROR = ("kit.error", "内部错误，未保存", "internal error; not saved")
    ACCESS_REFUSED = ("access.refused", "无权修改，未保存", "not this person's to change; not saved")

    # -- the kit's own data files -------------------------------------------------------------
    GUIDE_DUPLICATE_ID = ("guide.duplicate_id", "指南条款编号重复", "a clause id is repeated")
    GUIDE_NOT_MAPPING = ("guide.not_mapping", "不是指南数据", "not guide data")
    GUIDE_SCHEMA = ("guide.schema", "不符合指南数据格式", "does not fit the guide's schema")
    PROFILE_YAML = ("profile.yaml", "检查表配置不是有效的 YAML", "the profile is not valid YAML")
    PROFILE_SCHEMA = ("profile.schema", "不符合检查表配置格式", "does not fit the profile schema")
    PROFILE_SECTION = ("profile.section", "不是七中的检查节", "not a section of part 七")
    PROFILE_EXCLUDE = ("profile.exclude", "排除的不是指南中的检查项",
                       "an excluded id is not a checklist item")
    PROFILE_EXTRA_ID = ("profile.extra_id", "补充检查项编号重复", "an office item id is repeated")
    PROFILE_EXTRA_SECTION = ("profile.extra_section", "补充检查项所属的节不在配置范围内",
                             "an office item's section is not in the profile")
    HOLIDAYS_YAML = ("holidays.yaml", "节假日文件不是有效的 YAML", "the holiday file is not YAML")
    HOLIDAYS_SCHEMA = ("holidays.schema", "不符合节假日文件格式", "does not fit the holiday schema")
    HOLIDAYS_BAD_DATE = ("holidays.bad_date", "节假日文件中的日期不存在", "no such date")
    HOLIDAYS_WRONG_YEAR = ("holidays.wrong_year", "日期不属于该年度的安排",
                           "a date outside the year's schedule")
    HOLIDAYS_BAD_RANGE = ("holidays.bad_range", "假期起止日期不合理", "an implausible holiday")
    HOLIDAYS_BOTH = ("holidays.both", "同一天既是放假日又是调休上班日",
                     "a day both off and a make-up working day")
    HOLIDAYS_WORKDAY_NOT_WEEKEND = ("holidays.workday_not_weekend", "调休上班日不是周末",
                                    "a make-up working day that is not a weekend")
    TRAINING_SCHEMA = ("training.schema", "不符合培训内容格式", "does not fit the training schema")
    TRAINING_CLAUSE = ("training.clause", "培训内容引用的条款不存在", "a cited clause does not exist")
    TRAINING_WORDS = ("training.words", "培训内容引用的原文不在该条款中",
                      "quoted words are not the clause's text")
    TRAINING_CODE = ("training.code", "培训内容中的代码不在词表中", "a code not in its vocabulary")
    TRAINING_LIMITS = ("training.limits", "培训记录的上下限不合理", "implausible limits")
    TRAINING_MEMBER_ID = ("training.member_id", "培训检查组成员编号重复", "a member id is repeated")
    TRAINING_SIGNER = ("training.signer", "签字人不是该检查组成员", "a signer is not on the team")
    TRAINING_TEAM_SIZE = ("training.team_size", "培训检查组人数不合理", "an implausible team")
    TRAINING_TEAM_TEXT = ("training.team_text", "检查组描述与成员不符",
                          "the team's description does not match its members")
    TEMPLATE_SHEET_MISSING = ("template.sheet_missing", "工作簿模板缺少工作表",
                              "the workbook template lacks a sheet")

    # -- the workbook -------------------------------------------------------------------------
    WORKBOOK_ACTIVE_CONTENT = ("workbook.active_content", "工作簿含有宏、嵌入对象或控件",
                               "the workbook holds macros, embedded objects or controls")
    WORKBOOK_EXTERNAL_LINK = ("workbook.external_link", "工作簿链接了其他文件",
                              "the workbook links to other files")
    WORKBOOK_SEAL_DOWNGRADED = ("workbook.seal_downgraded", "机构签名的封签被改为普通摘要",
                                "a keyed seal was replaced by a plain digest")
    WORKBOOK_SHEET_ADDED = ("workbook.sheet_added", "导出后增加了工作表", "a sheet was added")
    WORKBOOK_SHEET_HIDDEN = ("workbook.sheet_hidden", "工作表被隐藏", "a sheet was hidden")
    WORKBOOK_HIDDEN_ROW = ("workbook.hidden_row", "有行被隐藏或高度为零",
                           "a row was hidden or made zero-height")
    WORKBOOK_HIDDEN_COLUMN = ("workbook.hidden_column", "有列被隐藏或宽度为零",
                              "a column was hidden or made zero-width")
    WORKBOOK_NUMBER_FORMAT = ("workbook.number_format", "单元格的数字格式会改变所显示的内容",
                              "a number format changes what the cell shows")
    WORKBOOK_INVISIBLE_TEXT = ("workbook.invisible_text", "单元格文字颜色或字号使其看不见",
                               "a font colour or size makes the text unreadable")
    WORKBOOK_COMMENT = ("workbook.comment", "导出后增加了批注", "a comment was added")
    WORKBOOK_DEFINED_NAME = ("workbook.defined_name", "导出后增加了名称定义", "a defined name was added")
    WORKBOOK_CONDITIONAL_FORMAT = ("workbook.conditional_format", "导出后增加了条件格式",
                                   "conditional formatting was added")
    WORKBOOK_HYPERLINK = ("workbook.hyperlink", "导出后增加了超链接", "a hyperlink was added")
    WORKBOOK_DRAWING = ("workbook.drawing", "导出后增加了图片或图形", "a picture or shape was added")
    WORKBOOK_OLDER_LAYOUT = ("workbook.older_layout", "工作簿由较早版本导出，版式不同",
                             "a workbook of an earlier layout")
    STORE_EVIDENCE_MISSING = ("store.evidence_missing", "记录所指的证据材料不在库中",
                              "an attachment's bytes are missing")
    STORE_EVIDENCE_CHANGED = ("store.evidence_changed", "证据材料与其哈希不符",
                              "an attachment's bytes do not match their hash")
    EVIDENCE_EMPTY = ("evidence.empty", "上传的文件为空", "an empty file")
    EVIDENCE_TOO_BIG = ("evidence.too_big", "上传的文件过大", "a file too big")
    EVIDENCE_KIND = ("evidence.kind", "上传的文件类型不被接受", "a file of a kind not accepted")
    EVIDENCE_DAMAGED = ("evidence.damaged", "图片无法读取", "a picture that cannot be read")
    EVIDENCE_TARGET = ("evidence.target", "证据材料所属的项目不存在", "evidence attached to nothing")
    WORKBOOK_PICTURE_CHANGED = ("workbook.picture_changed", "证据材料的图片被替换或增加",
                                "a picture that is not the evidence exported")
    JSON_EVIDENCE = ("json.evidence", "文件所附的证据材料有误", "the file's evidence is wrong")
    WORKBOOK_NOT_KIT = ("workbook.not_kit", "不是本工具导出的工作簿", "not a workbook of the kit")
    WORKBOOK_OTHER_INSPECTION = ("workbook.other_inspection", "工作簿属于另一个检查",
                                 "the workbook belongs to another inspection")
    WORKBOOK_MANIFEST = ("workbook.manifest", "校验信息已损坏", "the verification data is damaged")
    WORKBOOK_RECORD_DIGEST = ("workbook.record_digest", "嵌入的记录与摘要不符",
                              "the embedded record does not match its digest")
    WORKBOOK_AUDIT_DIGEST = ("workbook.audit_digest", "嵌入的审计记录与摘要不符",
                             "the embedded audit trail does not match its digest")
    WORKBOOK_SEAL_FIELD = ("workbook.seal_field", "校验信息被修改", "the stored seal data changed")
    WORKBOOK_SEAL = ("workbook.seal", "校验封签不符", "the seal does not match")
    WORKBOOK_SIGNATURE = ("workbook.signature", "签名与工作簿的校验信息不符",
                          "the signature does not match the workbook's verification data")
    WORKBOOK_CERTIFICATE = ("workbook.certificate", "签名证书被替换或无法读取",
                            "the signer's certificate was swapped or cannot be read")
    WORKBOOK_UNSIGNED = ("workbook.unsigned", "工作簿未经签名，任何人都能重算其摘要",
                         "the workbook is not signed; anyone can recompute its digest")
    JSON_SIGNATURE = ("json.signature", "JSON 文件的签名不符或无法读取",
                      "the JSON file's signature does not match or cannot be read")
    WORKBOOK_KEY_NEEDED = ("workbook.key_needed", "带机构签名的工作簿需要签名密钥才能校验",
                           "a signed workbook needs the key to verify")
    WORKBOOK_RECORD_INVALID = ("workbook.record_invalid", "嵌入的检查记录无法读取",
                               "the embedded record cannot be read")
    WORKBOOK_SHEET_MISSING = ("workbook.sheet_missing", "缺少工作表", "a sheet is missing")
    WORKBOOK_CELL_CHANGED = ("workbook.cell_changed", "单元格与导出时不同",
                             "a cell differs from the export")
    WORKBOOK_CELL_ADDED = ("workbook.cell_added", "单元格在导出后被填写",
                           "a cell was filled in after export")
    WORKBOOK_MORE_CHANGES = ("workbook.more_changes", "另有更多不同未列出",
                             "more differences not listed")
    WORKBOOK_HEADER = ("workbook.header", "表头被修改", "the header row was changed")
    WORKBOOK_OUTSIDE = ("workbook.outside", "表格范围外有内容", "content outside the table")
    WORKBOOK_DUPLICATE_ROW = ("workbook.duplicate_row", "行重复", "a row is repeated")
    WORKBOOK_UNKNOWN_ROW = ("workbook.unknown_row", "无法识别的行",
                            "a row that does not belong to the record")
    WORKBOOK_ROW_DELETED = ("workbook.row_deleted", "问题的行被删除", "a finding's row was deleted")
    WORKBOOK_TRAIL_EDITED = ("workbook.trail_edited", "审计记录工作表被修改（修改未导入）",
                             "the audit trail's sheet was edited (not imported)")
    WORKBOOK_READ_ONLY = ("workbook.read_only", "由记录生成的单元格被修改",
                          "a generated cell was edited")
    WORKBOOK_FORMULA = ("workbook.formula", "不接受公式", "formulas are not accepted")
    WORKBOOK_ERROR_VALUE = ("workbook.error_value", "单元格为错误值", "the cell holds an error")
    WORKBOOK_BAD_VALUE = ("workbook.bad_value", "单元格内容无法识别", "the cell cannot be read")
    WORKBOOK_REQUIRED = ("workbook.required", "必填单元格为空", "a required cell is empty")
    WORKBOOK_CONFLICT = ("workbook.conflict", "导出后此项已在系统中修改，与工作簿冲突",
                         "changed in the record after export")

    # -- registers and uploaded files (九) -----------------------------------------------------
    FILE_NOT_FOUND = ("file_not_found", "找不到文件", "file not found")
    UNSUPPORTED_FORMAT = ("unsupported_format", "不支持的文件类型", "unsupported file type")
    EMPTY_FILE = ("empty_file", "文件为空", "the file is empty")
    FILE_TOO_LARGE = ("file_too_large", "文件过大", "the file is too large")
    FILE_BOMB = ("file_bomb", "工作簿解压后过大（疑似压缩炸弹）", "the workbook inflates too far (a bomb)")
    TOO_MANY_COLUMNS = ("too_many_columns", "列数超过上限", "more columns than allowed")
    UNREADABLE_FILE = ("unreadable_file", "无法读取该文件", "the file cannot be read")
    UNREADABLE_ENCODING = ("unreadable_encoding", "无法识别文件编码", "unknown text encoding")
    UNKNOWN_SHEET = ("unknown_sheet", "没有该工作表", "no such sheet")
    TOO_MANY_ROWS = ("too_many_rows", "数据行超过上限", "more data rows than allowed")
    NO_DATA_ROWS = ("no_data_rows", "只有表头，没有数据行", "a header but no data rows")
    MISSING_COLUMN = ("missing_column", "缺少必需列", "a required column is missing")
    DUPLICATE_COLUMN = ("duplicate_column", "两个表头对应同一列", "two headers give one column")
    BAD_COLUMN_MAP = ("bad_column_map", "列名对照无效", "a bad column map entry")
    MISSING_VALUE = ("missing_value", "必填项为空", "a required value is empty")
    BAD_DATE = ("bad_date", "无法识别的日期", "not a date")
    DATE_OUT_OF_RANGE = ("date_out_of_range", "日期不在合理范围内", "an implausible date")
    BAD_NUMBER = ("bad_number", "不是数字", "not a number")
    BAD_BOOL = ("bad_bool", "应填 是/否", "must be yes or no")
    BAD_CLASS = ("bad_class", "管理类别无法识别", "not a device class")
    BAD_CONCLUSION = ("bad_conclusion", "结论应为 合格/不合格", "must be pass or fail")
    BAD_RANGE = ("bad_range", "上下限或起止日期颠倒", "limits or dates in the wrong order")
    DUPLICATE_ID = ("duplicate_id", "编号重复", "an id is repeated")
    OVERLAPPING_VERSIONS = ("overlapping_versions", "文件版本的有效期重叠",
                            "two versions in force at once")
    # -- the register of companies (kit companies import) ------------------------------------
    REGISTER_UNKNOWN_COLUMN = ("register.unknown_column", "企业名录中有无法识别的列",
                               "a column the register does not define")
    REGISTER_UNKNOWN_COMPANY = ("register.unknown_company", "产品所属企业不在“企业”表中",
                                "a product of a company the 企业 sheet does not list")
    REGISTER_NO_LICENCE = ("register.no_licence", "企业既无生产许可证也无第一类生产备案凭证",
                           "a company with neither a licence nor a class I filing")
    REGISTER_DUPLICATE_PRODUCT = ("register.duplicate_product", "同一企业的产品重复",
                                  "a company's product is listed twice")
    BAD_PARAMETER = ("bad_parameter", "抽样参数无效", "a bad sampling parameter")
    NO_OUTPUT = ("no_output", "没有指定输出", "no output given")
    # -- the year's plan as saved (kit plan --save) -------------------------------------------
    PLAN_LINE_WRONG_MONTH = ("plan_line.wrong_month", "计划行的月份不在计划年度内",
                             "a line's month is not in the plan's year", "五、1")
    PLAN_LINE_SAME_COMPANY = ("plan_line.same_company", "同一企业在年度计划中有两行",
                              "one company has two lines in the year's plan", "五、1")
    # -- reminders of rectification deadlines (kit remind) ------------------------------------
    REMIND_FILE = ("remind.file", "提醒邮件设置文件（templates/mail.yaml）有误",
                   "the reminder mails' file (templates/mail.yaml) is wrong", "六、9")
    REMIND_SETTING = ("remind.setting", "发送提醒的邮件服务器设置有误",
                      "a setting of the mail server reminders go through is wrong", "六、9")


#: every code, for a quick membership test
CODES = frozenset(r.value for r in Reason)
