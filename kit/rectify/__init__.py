"""The company's rectification, as the company sees it (六、9; 十、1): its served notices, each
finding it is to rectify with its deadline in working days, the reviews' outcomes and its own
submissions (:mod:`kit.rectify._view`). The door gives a company's person this and nothing else
of a record (:mod:`kit.door._company`)."""

from kit.rectify._returned import returned_submissions
from kit.rectify._view import (
    CompanyFinding,
    CompanyInspection,
    CompanyView,
    FileSeen,
    ReviewSeen,
    ServedNotice,
    SubmissionSeen,
    company_inspection,
    served,
    submit_refusal,
    to_rectify,
)

__all__ = [
    "CompanyFinding",
    "CompanyInspection",
    "CompanyView",
    "FileSeen",
    "ReviewSeen",
    "ServedNotice",
    "SubmissionSeen",
    "company_inspection",
    "returned_submissions",
    "served",
    "submit_refusal",
    "to_rectify",
]
