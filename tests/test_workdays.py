"""Working-day deadlines on China's official calendar (kit.workdays)."""

from __future__ import annotations

import json
import textwrap
import warnings
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
    ESTIMATE_MARK,
    SCHEMA_FILE,
    CalendarEstimateWarning,
    Deadline,
    UnknownYearError,
    WorkCalendar,
    add_workdays,
    default_office_file,
    is_workday,
    load_calendar,
    statutory_days_off,
    workdays_between,
)
from tests.conftest import data_file

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
    with pytest.warns(CalendarEstimateWarning, match="2027") as caught:
        deadline = library_only.add_workdays(date(2026, 12, 30), 2, allow_estimate=True)
    # Thu 31 counts; Fri 1 January is 元旦, a statutory holiday even before the notice; Mon 4
    assert deadline.date == date(2027, 1, 4)
    assert deadline.estimated
    assert deadline.missing_years == (2027,)
    assert str(deadline) == "2027-01-04（估算）/ estimate"
    assert str(deadline).endswith(ESTIMATE_MARK)
    # the warning and the note say how, and what it cannot know
    for text in (str(caught[0].message), deadline.note):
        assert "全国年节及纪念日放假办法" in text
        assert "2024年11月10日" in text  # the revision in force
        assert "调休" in text
        assert "make-up working days" in text
    with pytest.raises(KitError, match="估算"):
        deadline.official()
    with pytest.warns(CalendarEstimateWarning):
        count = library_only.workdays_between(
            date(2026, 12, 30), date(2027, 1, 8), allow_estimate=True
        )
    assert count.estimated
    assert count.days == 6  # Dec 31, Jan 4-8
    assert str(count) == "6（估算）/ estimate"
    assert count.note


def test_an_official_date_and_count_are_printed_plain(library_only: WorkCalendar) -> None:
    deadline = library_only.add_workdays(date(2026, 11, 30), 5)
    assert str(deadline) == "2026-12-07"
    assert deadline.note == ""
    assert str(library_only.workdays_between(date(2026, 11, 30), date(2026, 12, 7))) == "5"


# -- estimates past the known years skip the statutory holidays ------------------------------
# Real dates, from the published calendars: 正月初一, 清明, 端午 (五月初五), 中秋 (八月十五).
SPRING_FESTIVAL = {2020: date(2020, 1, 25), 2021: date(2021, 2, 12), 2022: date(2022, 2, 1),
                   2023: date(2023, 1, 22), 2024: date(2024, 2, 10), 2025: date(2025, 1, 29),
                   2026: date(2026, 2, 17), 2027: date(2027, 2, 6), 2028: date(2028, 1, 26)}
QINGMING = {2020: date(2020, 4, 4), 2021: date(2021, 4, 4), 2022: date(2022, 4, 5),
            2023: date(2023, 4, 5), 2024: date(2024, 4, 4), 2025: date(2025, 4, 4),
            2026: date(2026, 4, 5)}
DRAGON_BOAT = {2020: date(2020, 6, 25), 2021: date(2021, 6, 14), 2022: date(2022, 6, 3),
               2023: date(2023, 6, 22), 2024: date(2024, 6, 10), 2025: date(2025, 5, 31),
               2026: date(2026, 6, 19)}
MID_AUTUMN = {2020: date(2020, 10, 1), 2021: date(2021, 9, 21), 2022: date(2022, 9, 10),
              2023: date(2023, 9, 29), 2024: date(2024, 9, 17), 2025: date(2025, 10, 6),
              2026: date(2026, 9, 25)}


def festival_days(year: int, name: str) -> list[date]:
    return sorted(d for d, n in statutory_days_off(year).items() if n == name)


def test_the_lunar_festivals_and_qingming_fall_on_their_known_dates() -> None:
    for year, first in SPRING_FESTIVAL.items():
        # 除夕 to 初三; 除夕 is the day before 初一 (the 29th of the twelfth month in 2024)
        assert festival_days(year, "春节") == [first + timedelta(days=k) for k in range(-1, 3)]
    for table, name in ((QINGMING, "清明节"), (DRAGON_BOAT, "端午节"), (MID_AUTUMN, "中秋节")):
        for year, day in table.items():
            assert festival_days(year, name) == [day], (name, year)
    assert festival_days(2027, "春节")[1] == date(2027, 2, 6)  # 正月初一 2027


def test_the_lunar_library_agrees_with_every_schedule_the_calendar_knows() -> None:
    """Each year 2008-2026 (清明 a holiday since 2008): 初一, 清明, 端午 and 中秋 were days off."""
    for year in range(2008, 2027):
        days = [festival_days(year, "春节")[1], *festival_days(year, "清明节"),
                *festival_days(year, "端午节"), *festival_days(year, "中秋节")]
        assert not any(chinese_calendar.is_workday(d) for d in days), year


def test_qingming_is_the_solar_term() -> None:
    """清明 from the lunar library is the day of the solar term, as chinesecalendar computes it."""
    for year in range(2004, 2051):
        terms = chinese_calendar.get_solar_terms(date(year, 4, 1), date(year, 4, 10))
        assert [d for d, name in terms if name == "清明"] == festival_days(year, "清明节"), year


def test_the_2024_measures_thirteen_days_and_days_in_lieu() -> None:
    off = statutory_days_off(2027)
    festival = {d: n for d, n in off.items() if not n.endswith("补假")}
    assert len(festival) == 13
    assert festival_days(2027, "元旦") == [date(2027, 1, 1)]
    assert festival_days(2027, "劳动节") == [date(2027, 5, 1), date(2027, 5, 2)]
    assert festival_days(2027, "国庆节") == [date(2027, 10, d) for d in (1, 2, 3)]
    # 第六条: festival days on a weekend are made up on the working days after
    assert festival_days(2027, "劳动节补假") == [date(2027, 5, 3), date(2027, 5, 4)]  # Sat, Sun
    assert festival_days(2027, "春节补假") == [date(2027, 2, 9), date(2027, 2, 10)]
    assert festival_days(2027, "国庆节补假") == [date(2027, 10, 4), date(2027, 10, 5)]
    # 2028: 中秋 on 3 October, a 国庆 day: made up too
    assert statutory_days_off(2028)[date(2028, 10, 3)] == "国庆节"
    assert festival_days(2028, "中秋节补假") == [date(2028, 10, 5)]
    # the first years under the 2024 revision: every day it gives was off in the real schedule
    for year in (2025, 2026):
        assert not any(chinese_calendar.is_workday(d) for d in statutory_days_off(year)), year


def test_twenty_working_days_after_8_december_2026_skip_new_year(
        library_only: WorkCalendar) -> None:
    with pytest.warns(CalendarEstimateWarning):
        deadline = library_only.add_workdays(date(2026, 12, 8), 20, allow_estimate=True)
    assert deadline.date == date(2027, 1, 6)  # was 2027-01-05, counting 1 January
    assert deadline.estimated
    assert str(deadline) == "2027-01-06（估算）/ estimate"


def test_an_estimate_skips_spring_festival_2027(library_only: WorkCalendar) -> None:
    cal = library_only
    with pytest.warns(CalendarEstimateWarning):
        assert cal.add_workdays(date(2027, 2, 4), 1, allow_estimate=True).date == date(2027, 2, 11)
    with pytest.warns(CalendarEstimateWarning):
        february = cal.workdays_between(date(2027, 1, 31), date(2027, 2, 28), allow_estimate=True)
    assert february.days == 20 - 4  # Fri 5 (除夕), Mon 8 (初三), Tue 9, Wed 10 (补假)
    assert february.estimated


def test_why_a_day_is_off_known_or_estimated(library_only: WorkCalendar) -> None:
    cal = library_only
    assert cal.why_day_off(date(2026, 2, 17)) == "春节"
    assert cal.why_day_off(date(2026, 2, 21)) == "春节"  # a Saturday inside the holiday
    assert cal.why_day_off(date(2026, 2, 14)) == ""  # a make-up Saturday is worked
    assert cal.why_day_off(date(2026, 3, 7)) == "周六"
    assert cal.why_day_off(date(2026, 3, 8)) == "周日"
    assert cal.why_day_off(date(2026, 3, 9)) == ""
    assert cal.why_day_off(date(2027, 2, 6)) == "春节"  # estimated
    assert cal.why_day_off(date(2027, 2, 9)) == "春节补假"
    assert cal.why_day_off(date(2027, 1, 2)) == "周六"
    assert cal.why_day_off(date(2027, 1, 4)) == ""
    assert cal.is_day_off(date(2027, 10, 1))
    assert not cal.is_day_off(date(2027, 10, 8))
    assert not cal.knows(date(2027, 10, 1))  # the caller can tell an estimate


@given(st.dates(date(2026, 10, 1), date(2030, 12, 31)), st.integers(0, 60))
def test_an_estimated_count_undoes_an_estimated_deadline(start: date, n: int) -> None:
    cal = load_calendar()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CalendarEstimateWarning)
        deadline = cal.add_workdays(start, n, allow_estimate=True)
        count = cal.workdays_between(start, deadline.date, allow_estimate=True)
    assert count.days == n
    assert not cal.is_day_off(deadline.date) or n == 0
    assert deadline.estimated == count.estimated


# -- the office's official schedule makes a year exact -------------------------------------
def test_a_year_added_by_the_office_is_exact_and_counts_make_up_days() -> None:
    fixture = data_file("calendar", "holidays-2027-made-up.yaml")
    assert "MADE-UP" in fixture.read_text("utf-8")
    cal = load_calendar(fixture)
    assert 2027 in cal.known_years()
    assert "MADE-UP" in cal.sources[2027]
    deadline = cal.add_workdays(date(2026, 12, 8), 20)  # no estimate asked, none needed
    assert deadline == Deadline(date(2027, 1, 6))
    assert str(deadline) == "2027-01-06"
    # the office's 春节 runs to Saturday 13 February: the estimate would say Thursday 11
    assert cal.add_workdays(date(2027, 2, 4), 1).date == date(2027, 2, 15)
    assert cal.why_day_off(date(2027, 2, 12)) == "春节"
    # the make-up Sunday 25 April counts: the estimate would say Monday 26
    assert cal.add_workdays(date(2027, 4, 23), 1) == Deadline(date(2027, 4, 25))
    assert cal.is_workday(date(2027, 2, 20))
    assert not cal.is_day_off(date(2027, 2, 20))
    # Sun 25 and Mon 26-Fri 30 April, Thu 6, Fri 7 and the make-up Saturday 8 May, Mon 10 May
    assert cal.workdays_between(date(2027, 4, 23), date(2027, 5, 10)).days == 10


def test_the_made_up_year_is_never_shipped() -> None:
    shipped = (shipped_dir("templates") / "holidays.yaml").read_text("utf-8")
    assert "MADE-UP" not in shipped
    assert "虚构" not in shipped


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
