"""kit.labels: every code of the record and of the sampling engine has its words, in one place."""

from __future__ import annotations

import typing

import pytest

from kit import labels
from kit.guide import load_guide
from kit.record import model
from kit.sampling import FLAGS, SPECS

#: each coded field type of the record -> the table that words it
CODED = {
    model.ResultCode: labels.RESULTS,
    model.Stage: labels.STAGES,
    model.LicenceKind: labels.LICENCE_KINDS,
    model.CertificateKind: labels.CERTIFICATES,
    model.DeviceClass: labels.DEVICE_CLASSES,
    model.PartnerRelation: labels.PARTNER_RELATIONS,
    model.PartnerRegion: labels.PARTNER_REGIONS,
    model.PastFindingState: labels.PAST_FINDING_STATES,
    model.MemberRole: labels.MEMBER_ROLES,
    model.PlanState: labels.PLAN_STATES,
    model.Cooperation: labels.COOPERATION,
    model.ReviewMode: labels.REVIEW_MODES,
    model.FindingState: labels.FINDING_STATES,
    model.NoticeKind: labels.NOTICE_KINDS,
    model.AttachmentKind: labels.ATTACHMENT_KINDS,
}


@pytest.mark.parametrize("literal", list(CODED), ids=lambda lit: str(typing.get_args(lit)[:1]))
def test_every_code_the_record_can_hold_has_its_words(literal: object) -> None:
    assert set(typing.get_args(literal)) == set(CODED[literal])


def test_the_record_types_borrowed_from_the_guide_match_its_vocabularies() -> None:
    assert set(typing.get_args(model.Role)) == set(labels.vocab("roles"))
    assert set(typing.get_args(model.InspectionType)) == set(labels.vocab("inspection_types"))


def test_every_flag_and_column_of_the_sampling_engine_has_its_words() -> None:
    assert tuple(labels.SAMPLING_FLAGS) == FLAGS
    register = {c.name for spec in SPECS.values() for c in spec.columns}
    assert register == set(labels.REGISTER_COLUMNS)
    for spec in SPECS.values():
        for column in spec.columns:
            assert column.label == labels.zh(labels.REGISTER_COLUMNS, column.name)


def test_every_entry_has_chinese_and_english() -> None:
    for name, table in labels.TABLES.items():
        for code, (zh, en) in table.items():
            assert zh.strip(), (name, code)
            assert en.strip(), (name, code)


def test_vocabularies_are_read_from_the_guide() -> None:
    means = labels.vocab("means")
    assert list(means) == [t.code for t in load_guide().terms("means")]
    assert labels.options(means)[0] == (means["interview"][0], "interview")


def test_helpers_fall_back_to_the_code_for_an_unknown_one() -> None:
    assert labels.zh(labels.RESULTS, "conform") == "符合"
    assert labels.en(labels.RESULTS, "conform") == "conforms"
    assert labels.zh(labels.RESULTS, "made-up") == "made-up"
    assert labels.flag_words("expanded;trace_gap") == "补充抽取、追溯缺环节"
    assert labels.options(labels.RESULTS, exclude=("unchecked",))[0] == ("符合", "conform")
