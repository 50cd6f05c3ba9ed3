"""The inspection record: the model (frozen dataclasses), its plain-data form and its schema.

Everything the guide asks an inspector to prepare, do, find and decide, as one
:class:`Inspection`. Widgets, the store, the workbook and the rules all read this model; the
words for its codes live in :mod:`kit.labels`. Each name is loaded when first asked for.

>>> from kit.record import new_inspection
>>> ins = new_inspection(sections=("7.8",))
>>> ins.scope.sections, ins.stage
(('7.8',), 'preparation')
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kit.record._codec import to_data
    from kit.record._codes import Known, code_problems, known_in, vocabulary_of
    from kit.record._paths import SEP, flatten, split_path, unflatten
    from kit.record.document import (
        check_value,
        complete_doc,
        from_doc,
        inspection_schema,
        parse_doc,
        to_doc,
        with_change,
    )
    from kit.record.model import (
        FORMAT_VERSION,
        ID_PATTERN,
        NOTICE_KINDS,
        PRINCIPAL_PATH,
        STAGE_ORDER,
        SUMMARY_LISTS,
        SUMMARY_PATHS,
        Adjustment,
        Attachment,
        AttachmentKind,
        Background,
        CertificateKind,
        Company,
        Cooperation,
        CrossRegion,
        DeviceClass,
        Extension,
        Finding,
        FindingState,
        FollowUp,
        GateOverride,
        Inability,
        Inspection,
        InspectionType,
        ItemResult,
        Licence,
        LicenceKind,
        Member,
        MemberRole,
        Notice,
        NoticeKind,
        Notification,
        Opinion,
        Partner,
        PartnerRegion,
        PartnerRelation,
        PastFinding,
        PastFindingState,
        PastProducts,
        Plan,
        PlanState,
        Product,
        ResultCode,
        Review,
        ReviewMode,
        ReviewResult,
        Role,
        Sampling,
        Scope,
        Signatures,
        Stage,
        Step,
        Submission,
        SubmissionChannel,
        handling_counts,
        natural_key,
        new_inspection,
        next_key,
    )

__all__ = [
    "FORMAT_VERSION",
    "ID_PATTERN",
    "NOTICE_KINDS",
    "PRINCIPAL_PATH",
    "SEP",
    "STAGE_ORDER",
    "SUMMARY_LISTS",
    "SUMMARY_PATHS",
    "Adjustment",
    "Attachment",
    "AttachmentKind",
    "Background",
    "CertificateKind",
    "Company",
    "Cooperation",
    "CrossRegion",
    "DeviceClass",
    "Extension",
    "Finding",
    "FindingState",
    "FollowUp",
    "GateOverride",
    "Inability",
    "Inspection",
    "InspectionType",
    "ItemResult",
    "Known",
    "Licence",
    "LicenceKind",
    "Member",
    "MemberRole",
    "Notice",
    "NoticeKind",
    "Notification",
    "Opinion",
    "Partner",
    "PartnerRegion",
    "PartnerRelation",
    "PastFinding",
    "PastFindingState",
    "PastProducts",
    "Plan",
    "PlanState",
    "Product",
    "ResultCode",
    "Review",
    "ReviewMode",
    "ReviewResult",
    "Role",
    "Sampling",
    "Scope",
    "Signatures",
    "Stage",
    "Step",
    "Submission",
    "SubmissionChannel",
    "check_value",
    "code_problems",
    "complete_doc",
    "flatten",
    "from_doc",
    "handling_counts",
    "inspection_schema",
    "known_in",
    "natural_key",
    "new_inspection",
    "next_key",
    "parse_doc",
    "split_path",
    "to_data",
    "to_doc",
    "unflatten",
    "vocabulary_of",
    "with_change",
]

#: where each name of the package lives, loaded when first asked for
_FROM: dict[str, str] = {
    "to_data": "_codec",
    "Known": "_codes", "code_problems": "_codes", "known_in": "_codes", "vocabulary_of": "_codes",
    "SEP": "_paths", "flatten": "_paths", "split_path": "_paths", "unflatten": "_paths",
    "check_value": "document", "complete_doc": "document", "from_doc": "document", "inspection_schema": "document",
    "parse_doc": "document", "to_doc": "document", "with_change": "document",
    "FORMAT_VERSION": "model", "ID_PATTERN": "model", "NOTICE_KINDS": "model",
    "PRINCIPAL_PATH": "model", "STAGE_ORDER": "model", "SUMMARY_LISTS": "model",
    "SUMMARY_PATHS": "model", "Adjustment": "model", "Attachment": "model",
    "AttachmentKind": "model", "Background": "model", "CertificateKind": "model",
    "Company": "model", "Cooperation": "model", "CrossRegion": "model", "DeviceClass": "model",
    "Extension": "model", "Finding": "model", "FindingState": "model", "FollowUp": "model",
    "GateOverride": "model", "Inability": "model", "Inspection": "model",
    "InspectionType": "model", "ItemResult": "model", "Licence": "model", "LicenceKind": "model",
    "Member": "model", "MemberRole": "model", "Notice": "model", "NoticeKind": "model",
    "Notification": "model", "Opinion": "model", "Partner": "model", "PartnerRegion": "model",
    "PartnerRelation": "model", "PastFinding": "model", "PastFindingState": "model",
    "PastProducts": "model", "Plan": "model", "PlanState": "model", "Product": "model",
    "ResultCode": "model", "Review": "model", "ReviewMode": "model", "ReviewResult": "model",
    "Role": "model", "Sampling": "model", "Scope": "model", "Signatures": "model",
    "Stage": "model", "Step": "model", "Submission": "model", "SubmissionChannel": "model",
    "handling_counts": "model", "natural_key": "model",
    "new_inspection": "model", "next_key": "model",
}


def __getattr__(name: str) -> object:
    """A name of the package, loaded when first asked for: ``kit.record.terms`` (which the
    ``kit`` command's parser reads) needs no model."""
    where = _FROM.get(name)
    if where is None:
        raise AttributeError(f"module 'kit.record' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"kit.record.{where}"), name)
    globals()[name] = value  # asked for once
    return value
