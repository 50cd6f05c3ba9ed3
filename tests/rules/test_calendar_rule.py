"""十、1; 十、3: a deadline, or an extension's new deadline, on a day off is flagged, whether the
day off is in the official schedule or estimated from the statutory holidays."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from kit.errors import Problem
from kit.reasons import Reason
from kit.record import Inspection
from kit.rules import RULE_NAMES, check, errors
from kit.workdays import WorkCalendar, load_calendar
from tests.conftest import data_file

TODAY = date(2026, 12, 1)
CODE = "finding.deadline_day_off"


@pytest.fixture
def library_only(tmp_path: Path) -> WorkCalendar:
    """The library's calendar (2004-2026) and no office year: 2027 is estimated."""
    path = tmp_path / "holidays.yaml"
    path.write_text("format_version: 1\nyears: {}\n", encoding="utf-8")
    return load_calendar(path)


def day_off_problems(ins: Inspection, calendar: WorkCalendar) -> list[Problem]:
    return [p for p in check(ins, today=TODAY, calendar=calendar) if p.code == CODE]


def with_finding(ins: Inspection, key: str, **changes: object) -> Inspection:
    return replace(ins, findings={**ins.findings, key: replace(ins.findings[key], **changes)})


def test_the_rule_is_registered_with_its_clause():
    assert "deadlines_on_days_off" in RULE_NAMES
    assert Reason(CODE).clause == "十、1；十、3"


def test_the_demo_deadlines_are_working_days(demo, library_only):
    assert day_off_problems(demo, library_only) == []


def test_a_deadline_on_a_weekend_is_flagged_as_a_warning(demo, library_only):
    ins = with_finding(demo, "F1", deadline=date(2026, 12, 12))  # a Saturday
    (p,) = day_off_problems(ins, library_only)
    assert p.severity == "warning"
    assert p not in errors(check(ins, today=TODAY, calendar=library_only))
    assert p.field == "findings/F1/deadline"
    assert "2026-12-12" in p.message
    assert "周六" in p.message
    assert "2026-12-14" in p.message  # the next working day
    assert "十、1" in p.message
    assert "估算" not in p.message  # 2026 is known


def test_a_deadline_on_a_known_holiday_names_it(demo, library_only):
    ins = with_finding(demo, "F1", deadline=date(2026, 10, 6))
    (p,) = day_off_problems(ins, library_only)
    assert "国庆节" in p.message
    assert "2026-10-08" in p.message


def test_a_deadline_on_an_estimated_holiday_says_it_is_an_estimate(demo, library_only):
    ins = with_finding(demo, "F1", deadline=date(2027, 2, 6))  # 春节 2027, 正月初一
    (p,) = day_off_problems(ins, library_only)
    assert "春节" in p.message
    assert "估算" in p.message
    assert "estimated" in p.message_en
    assert "2027-02-11 (estimate)" in p.message_en
    assert "2027-02-11（估算）" in p.message  # after 除夕-初三 and the two days in lieu (补假)


def test_an_extension_on_a_day_off_is_flagged(demo, library_only):
    f4 = demo.findings["F4"]
    moved = {"E1": replace(f4.extensions["E1"], new_deadline=date(2027, 1, 1))}  # 元旦
    (p,) = day_off_problems(with_finding(demo, "F4", extensions=moved), library_only)
    assert p.field == "findings/F4/extensions/E1/new_deadline"
    assert "元旦" in p.message
    assert "十、3" in p.message


def test_a_make_up_working_day_in_the_office_year_is_not_flagged(demo, library_only):
    ins = with_finding(demo, "F1", deadline=date(2027, 2, 20))  # a Saturday
    (p,) = day_off_problems(ins, library_only)  # estimated: an ordinary Saturday
    assert "周六" in p.message
    official = load_calendar(data_file("calendar", "holidays-2027-made-up.yaml"))
    assert day_off_problems(ins, official) == []  # the (made-up) notice makes it a working day
    on_holiday = with_finding(demo, "F1", deadline=date(2027, 2, 12))
    (p,) = day_off_problems(on_holiday, official)
    assert "春节" in p.message
    assert "估算" not in p.message
