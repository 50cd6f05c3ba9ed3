"""The inspection record: the model (frozen dataclasses), its plain-data form and its schema.

Everything the guide asks an inspector to prepare, do, find and decide, as one
:class:`Inspection`. Widgets, the store, the workbook and the rules all read this model; the
words for its codes live in :mod:`kit.labels`.

>>> ins = new_inspection(sections=("7.8",))
>>> ins.scope.sections, ins.stage
(('7.8',), 'preparation')
"""

from __future__ import annotations

from kit.record._codec import to_data
from kit.record.document import check_value, from_doc, inspection_schema, parse_doc, to_doc
from kit.record.model import (
    FORMAT_VERSION,
    ID_PATTERN,
    SUMMARY_LISTS,
    SUMMARY_PATHS,
    Adjustment,
    Background,
    CertificateKind,
    Company,
    Cooperation,
    DeviceClass,
    Finding,
    FollowUp,
    Inspection,
    InspectionType,
    ItemResult,
    Licence,
    LicenceKind,
    Member,
    MemberRole,
    Notification,
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
    ReviewMode,
    Role,
    Sampling,
    Scope,
    Signatures,
    Stage,
    Step,
    new_inspection,
    next_key,
)

__all__ = [
    "FORMAT_VERSION",
    "ID_PATTERN",
    "SUMMARY_LISTS",
    "SUMMARY_PATHS",
    "Adjustment",
    "Background",
    "CertificateKind",
    "Company",
    "Cooperation",
    "DeviceClass",
    "Finding",
    "FollowUp",
    "Inspection",
    "InspectionType",
    "ItemResult",
    "Licence",
    "LicenceKind",
    "Member",
    "MemberRole",
    "Notification",
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
    "ReviewMode",
    "Role",
    "Sampling",
    "Scope",
    "Signatures",
    "Stage",
    "Step",
    "check_value",
    "from_doc",
    "inspection_schema",
    "new_inspection",
    "next_key",
    "parse_doc",
    "to_data",
    "to_doc",
]
