"""Working-day deadlines on China's official calendar (kit.workdays)."""

from __future__ import annotations

import json
import textwrap
from datetime import date, timedelta
from pathlib import Path

import chinese_calendar
import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kit.errors import KitError, NotFoundError, ValidationError
from kit.resources import shipped_dir
from kit.workdays import (
    SCHEMA_FILE,
    CalendarEstimateWarning,
    UnknownYearError,
    WorkCalendar,
    add_workdays,
    default_office_file,
    is_workday,
    load_calendar,
    workdays_between,
)

# A made-up 2027 schedule, for tests only: the real one is not published yet.
FICTIONAL_2027 = """\
    format_version: 1
    years:
      2027:
        source: 测试用虚构安排 fictional test schedule
        holidays:
          - {name: 元旦, from: 2026-12-31, to: 2027-01-03}
          - {name: 测试假期, from: 2027-02-08, to: 2027-02-12}
        workdays:
          - 2027-01-09
"""


def write_office(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "holidays.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.fixture
def library_only(tmp_path: Path) -> WorkCalendar:
    """The library's calendar with an office file that adds nothing."""
    return load_calendar(write_office(tmp_path, "format_version: 1\nyears: {}\n"))


@pytest.fixture
def with_2027(tmp_path: Path) -> WorkCalendar:
    return load_calendar(write_office(tmp_path, FICTIONAL_2027))


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=k) for k in range((last - first).days + 1)]


# -- the official calendar -----------------------------------------------------------------
def test_national_day_2025_golden_week_and_make_up_saturdays(library_only: WorkCalendar) -> None:
    cal = library_only
    assert not any(cal.is_workday(d) for d in days(date(2025, 10, 1), date(2025, 10, 8)))
    assert cal.is_workday(date(2025, 9, 28))  # Sunday, 调休上班
    assert cal.is_workday(date(2025, 10, 11))  # Saturday, 调休上班
    assert not cal.is_workday(date(2025, 10, 12))  # an ordinary Sunday
    assert cal.add_workdays(date(2025, 9, 30), 1).date == date(2025, 10, 9)
    # 10 working days for a delegated result sent on Friday 26 September 2025
    deadline = cal.add_workdays(date(2025, 9, 26), 10)
    assert deadline.date == date(2025, 10, 16)
    assert not deadline.estimated
    assert str(deadline) == "2025-10-16"


def test_national_day_2026(library_only: WorkCalendar) -> None:
    cal = library_only
    assert not any(cal.is_workday(d) for d in days(date(2026, 10, 1), date(2026, 10, 7)))
    assert cal.is_workday(date(2026, 9, 20))  # Sunday
    assert cal.is_workday(date(2026, 10, 10))  # Saturday
    assert not cal.is_workday(date(2026, 9, 25))  # Friday, 中秋节
    assert cal.add_workdays(date(2026, 9, 30), 1).date == date(2026, 10, 8)


def test_spring_festival(library_only: WorkCalendar) -> None:
    cal = library_only
    assert not any(cal.is_workday(d) for d in days(date(2025, 1, 28), date(2025, 2, 4)))
    assert cal.is_workday(date(2025, 1, 26))
    assert cal.is_workday(date(2025, 2, 8))
    assert not any(cal.is_workday(d) for d in days(date(2026, 2, 15), date(2026, 2, 23)))
    assert cal.is_workday(date(2026, 2, 14))
    assert cal.is_workday(date(2026, 2, 28))
    # Friday 13 February 2026 + 3 working days: Sat 14 (worked), Tue 24, Wed 25
    assert cal.add_workdays(date(2026, 2, 13), 3).date == date(2026, 2, 25)


def test_agrees_with_the_library_on_every_day_it_knows(library_only: WorkCalendar) -> None:
    for year in (2012, 2020, 2023, 2025, 2026):
        for d in days(date(year, 1, 1), date(year, 12, 31)):
            assert library_only.is_workday(d) == chinese_calendar.is_workday(d), d


@given(
    start=st.dates(date(2024, 1, 1), date(2026, 10, 31)),
    n=st.integers(0, 30),
)
def test_counting_back_gives_the_same_number(start: date, n: int) -> None:
    cal = load_calendar()
    deadline = cal.add_workdays(start, n)
    assert cal.workdays_between(start, deadline.date).days == n
    assert cal.workdays_between(deadline.date, start).days == -n
    assert n == 0 or cal.is_workday(deadline.date)


def test_overdue_and_late_feedback(library_only: WorkCalendar) -> None:
    sent = date(2025, 9, 26)
    assert workdays_between(sent, date(2025, 10, 16), calendar=library_only).days == 10
    assert workdays_between(sent, date(2025, 10, 17), calendar=library_only).days == 11
    assert workdays_between(sent, sent, calendar=library_only).days == 0
    assert add_workdays(sent, 0, calendar=library_only).date == sent
    with pytest.raises(ValueError, match="n must be"):
        library_only.add_workdays(sent, -1)


# -- past the known years ------------------------------------------------------------------
def test_a_deadline_into_an_unknown_year_is_refused(library_only: WorkCalendar) -> None:
    with pytest.raises(UnknownYearError) as info:
        library_only.add_workdays(date(2026, 12, 20), 15)
    err = info.value
    assert isinstance(err, KitError)
    assert err.years == (2027,)
    assert "2027" in str(err)
    assert str(library_only.office_file) in str(err)
    with pytest.raises(UnknownYearError):
        is_workday(date(2027, 3, 1), calendar=library_only)
    with pytest.raises(UnknownYearError):
        workdays_between(date(2026, 12, 1), date(2027, 1, 10), calendar=library_only)


def test_an_estimate_warns_and_says_so(library_only: WorkCalendar) -> None:
    with pytest.warns(CalendarEstimateWarning, match="2027"):
        deadline = library_only.add_workdays(date(2026, 12, 30), 2, allow_estimate=True)
    assert deadline.date == date(2027, 1, 1)  # Thu 31, Fri 1: weekdays only
    assert deadline.estimated
    assert deadline.missing_years == (2027,)
    assert "估算" in str(deadline)
    assert "estimate" in str(deadline)
    with pytest.raises(KitError, match="估算"):
        deadline.official()
    with pytest.warns(CalendarEstimateWarning):
        count = library_only.workdays_between(
            date(2026, 12, 30), date(2027, 1, 8), allow_estimate=True
        )
    assert count.estimated
    assert count.days == 7
    assert "估算" in str(count)


def test_the_office_file_adds_a_year(with_2027: WorkCalendar) -> None:
    cal = with_2027
    assert 2027 in cal.known_years()
    deadline = cal.add_workdays(date(2026, 12, 29), 2)
    # Wed 30 counts; Thu 31 is the office's New Year holiday; 1-3 January off; Mon 4
    assert deadline.date == date(2027, 1, 4)
    assert not deadline.estimated
    assert deadline.official() == date(2027, 1, 4)
    assert cal.is_workday(date(2027, 1, 9))  # the made-up Saturday worked
    assert not cal.is_workday(date(2027, 2, 10))
    assert cal.workdays_between(date(2027, 2, 5), date(2027, 2, 15)).days == 1
    assert "fictional" in cal.sources[2027]


def test_an_office_year_replaces_the_library_year(tmp_path: Path) -> None:
    path = write_office(
        tmp_path,
        """\
        format_version: 1
        years:
          2026:
            source: 测试用更正 test correction
            holidays:
              - {name: 国庆节, from: 2026-10-01, to: 2026-10-04}
        """,
    )
    cal = load_calendar(path)
    assert cal.is_workday(date(2026, 10, 5))  # the library has it off
    assert not cal.is_workday(date(2026, 10, 10))  # the library's make-up Saturday is gone
    assert cal.is_workday(date(2026, 2, 16))  # Spring Festival not listed: an ordinary Monday
    assert cal.is_workday(date(2025, 9, 28))  # other years untouched


def test_the_calendar_follows_edits_to_the_office_file(tmp_path: Path) -> None:
    path = write_office(tmp_path, "format_version: 1\nyears: {}\n")
    assert 2027 not in load_calendar(path).known_years()
    path.write_text(textwrap.dedent(FICTIONAL_2027), encoding="utf-8")
    assert 2027 in load_calendar(path).known_years()


# -- the office file's checks --------------------------------------------------------------
def test_a_bad_office_file_reports_every_problem_with_where(tmp_path: Path) -> None:
    path = write_office(
        tmp_path,
        """\
        format_version: 1
        years:
          2027:
            source: 测试
            holidays:
              - {name: 春节, from: 2027-02-30}
              - {name: 国庆节, from: 2026-10-01, to: 2026-10-07}
              - {name: 反了, from: 2027-05-05, to: 2027-05-01}
              - {name: 端午, from: 2027-06-05, to: 2027-06-07}
            workdays:
              - 2027-06-06
              - 2027-06-09
        """,
    )
    with pytest.raises(ValidationError) as info:
        load_calendar(path)
    found = {(p.code, p.field) for p in info.value.problems}
    assert found == {
        ("holidays.bad_date", "years/2027/holidays/0/from"),
        ("holidays.wrong_year", "years/2027/holidays/1/from"),
        ("holidays.wrong_year", "years/2027/holidays/1/to"),
        ("holidays.bad_range", "years/2027/holidays/2"),
        ("holidays.both", "years/2027/workdays/0"),
        ("holidays.workday_not_weekend", "years/2027/workdays/1"),
    }
    assert all(p.file == str(path) for p in info.value.problems)
    assert "years/2027/holidays/0/from" in str(info.value)


def test_schema_problems_name_the_field(tmp_path: Path) -> None:
    path = write_office(
        tmp_path,
        """\
        format_version: 1
        years:
          2027:
            holidays: []
            workdays: [27-01-09]
          "20x8": {}
        """,
    )
    with pytest.raises(ValidationError) as info:
        load_calendar(path)
    fields = {p.field for p in info.value.problems}
    assert {"years/2027", "years/2027/holidays", "years/2027/workdays/0", "years/20x8"} <= fields
    assert {p.code for p in info.value.problems} == {"holidays.schema"}


def test_bad_yaml_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match=r"holidays\.yaml"):
        load_calendar(write_office(tmp_path, "years: [\n"))
    with pytest.raises(NotFoundError):
        load_calendar(tmp_path / "nowhere.yaml")


def test_the_shipped_file_and_schema_are_valid() -> None:
    jsonschema.Draft202012Validator.check_schema(json.loads(SCHEMA_FILE.read_text("utf-8")))
    shipped = shipped_dir("templates") / "holidays.yaml"
    cal = load_calendar(shipped)
    assert cal.office_file == shipped.resolve()
    library = range(min(chinese_calendar.holidays).year, max(chinese_calendar.holidays).year + 1)
    assert set(library) <= set(cal.known_years())
    assert load_calendar() == cal
    assert hash(cal) == hash(load_calendar(shipped))


def test_an_office_templates_folder_holds_the_holiday_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_office(tmp_path, FICTIONAL_2027)
    monkeypatch.setenv("KIT_TEMPLATES_DIR", str(tmp_path))
    assert default_office_file() == tmp_path / "holidays.yaml"
    assert 2027 in load_calendar().known_years()


def test_counting_up_to_the_last_known_day_needs_no_later_year():
    cal = load_calendar()
    last = date(max(cal.known_years()), 12, 31)
    count = cal.workdays_between(last - timedelta(days=10), last)
    assert not count.estimated
    assert count.days > 0
