"""Deadlines in working days (工作日) on China's official calendar.

The guide counts several deadlines in working days: a delegated inspection's result comes back
within 10 working days (八.5), rectification deadlines, days overdue. A working day is Monday to
Friday unless the State Council makes it a holiday, plus the Saturdays and Sundays it makes
working days (调休上班). That schedule is published late each year for the next year, so:

* years the ``chinesecalendar`` library knows (2004-2026 in 1.11) come from the library;
* years it does not know come from the office's file ``templates/holidays.yaml`` (a year listed
  there replaces the library's data for that year, so an office can also correct it);
* a year neither knows is never counted silently: :func:`add_workdays` raises
  :class:`UnknownYearError` naming the year and the file to add it to, unless the caller asks
  for an estimate (``allow_estimate=True``), which counts Monday to Friday, emits a
  :class:`CalendarEstimateWarning` and marks the result ``estimated``.

>>> cal = load_calendar()
>>> str(cal.add_workdays(date(2025, 9, 30), 1))   # National Day 2025: Oct 1-8 off
'2025-10-09'
>>> cal.workdays_between(date(2025, 9, 26), date(2025, 10, 13)).days   # Sep 28, Oct 11 worked
7
"""

from __future__ import annotations

import datetime as dt
import os
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from importlib import metadata
from pathlib import Path
from types import MappingProxyType
from typing import Any

import chinese_calendar
import yaml

from kit.errors import KitError, KitWarning, NotFoundError, Problem, ValidationError
from kit.resources import DATA_DIR, templates_dir
from kit.schemas import check_file

__all__ = [
    "MAX_HOLIDAY_DAYS",
    "OFFICE_FILE_NAME",
    "SCHEMA_FILE",
    "SPILLOVER_DAYS",
    "CalendarEstimateWarning",
    "Deadline",
    "UnknownYearError",
    "WorkCalendar",
    "WorkdayCount",
    "add_workdays",
    "default_office_file",
    "is_workday",
    "known_years",
    "load_calendar",
    "validate_office_data",
    "workdays_between",
]

SCHEMA_FILE = DATA_DIR / "holidays.schema.json"
OFFICE_FILE_NAME = "holidays.yaml"
MAX_HOLIDAY_DAYS = 31  # a longer "holiday" is a typo in a date, not a schedule
SPILLOVER_DAYS = 7  # a year's notice may start New Year's holiday in the last week before it
_ONE_DAY = timedelta(days=1)


class CalendarEstimateWarning(KitWarning):
    """A count of working days used Monday-Friday for a year whose official schedule is unknown."""


class UnknownYearError(KitError):
    """The official schedule of a year is in neither the library nor the office's file."""

    def __init__(self, years: Iterable[int], calendar: WorkCalendar) -> None:
        self.years: tuple[int, ...] = tuple(sorted(set(years)))
        self.office_file = calendar.office_file
        names = "、".join(str(y) for y in self.years)
        known = calendar.known_years()
        known_text = f"{known[0]}-{known[-1]}" if known else "-"
        where = str(calendar.office_file or default_office_file())
        super().__init__(
            f"{names} 年的节假日安排未知（已知年份 {known_text}）：请按国务院办公厅"
            f"《关于{self.years[0]}年部分节假日安排的通知》在 {where} 中添加该年"
            f"（格式见文件开头的说明），或明确要求按周一至周五估算（allow_estimate=True）。"
            f" / The official holiday schedule of {names} is unknown (known: {known_text}): add it "
            f"to {where} from the State Council notice (the file's header explains the format), "
            f"or ask for an estimate that counts Monday-Friday (allow_estimate=True)."
        )


@dataclass(frozen=True)
class Deadline:
    """A date reached by counting working days; ``estimated`` when a year's schedule was unknown.

    An estimate is never an official date: ``str()`` says so, and :meth:`official` refuses it.
    """

    date: dt.date
    estimated: bool = False
    missing_years: tuple[int, ...] = ()

    def official(self) -> dt.date:
        """The date when every year counted is known; an estimate raises :class:`KitError`."""
        if self.estimated:
            msg = f"{self} 是估算日期，不是法定工作日日期 / is an estimate, not an official date"
            raise KitError(msg)
        return self.date

    def __str__(self) -> str:
        if not self.estimated:
            return self.date.isoformat()
        years = "、".join(str(y) for y in self.missing_years)
        return (
            f"{self.date.isoformat()}（估算：{years} 年放假安排未知，按周一至周五计 / estimate: "
            f"the {years} schedule is unknown, Monday-Friday counted）"
        )


@dataclass(frozen=True)
class WorkdayCount:
    """Working days from one date to another (the first excluded, the last included)."""

    days: int
    estimated: bool = False
    missing_years: tuple[int, ...] = ()

    def __str__(self) -> str:
        if not self.estimated:
            return str(self.days)
        years = "、".join(str(y) for y in self.missing_years)
        return f"{self.days}（估算：{years} 年放假安排未知 / estimate: {years} schedule unknown）"


@dataclass(frozen=True)
class WorkCalendar:
    """China's working days for the years known to the library and the office's file.

    ``holidays`` are the official days off (weekends inside a holiday included) and ``workdays``
    the make-up working days on weekends. ``sources`` says where each year comes from.
    """

    holidays: frozenset[date]
    workdays: frozenset[date]
    years: frozenset[int]
    sources: Mapping[int, str] = field(default_factory=dict, hash=False)
    office_file: Path | None = None

    def known_years(self) -> tuple[int, ...]:
        """The years whose official schedule is known, ascending."""
        return tuple(sorted(self.years))

    def knows(self, day: date) -> bool:
        """Whether the official schedule of ``day``'s year is known."""
        return day.year in self.years

    def is_workday(self, day: date) -> bool:
        """Whether ``day`` is an official working day; :class:`UnknownYearError` if unknown."""
        if day.year not in self.years:
            raise UnknownYearError([day.year], self)
        return self._is_workday(day)

    def _is_workday(self, day: date) -> bool:
        if day in self.workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays

    def add_workdays(self, start: date, n: int, *, allow_estimate: bool = False) -> Deadline:
        """The day ``n`` working days after ``start`` (``start`` itself is not counted).

        With ``n == 0`` this is ``start``. A year with no known schedule raises
        :class:`UnknownYearError`, or with ``allow_estimate`` counts Monday-Friday, warns with
        :class:`CalendarEstimateWarning` and returns a :class:`Deadline` marked ``estimated``.
        """
        if n < 0:
            msg = f"工作日数不能为负 / n must be >= 0, got {n}"
            raise ValueError(msg)
        day, counted, missing = start, 0, set[int]()
        if n > 0:
            for candidate, working in self._days_after(start, missing):
                counted += working
                if counted == n:
                    day = candidate
                    break
        years = self._settle(missing, allow_estimate)
        return Deadline(day, bool(years), years)

    def workdays_between(
        self, start: date, end: date, *, allow_estimate: bool = False
    ) -> WorkdayCount:
        """Working days after ``start`` up to and including ``end``, negative if ``end`` is before.

        ``workdays_between(a, add_workdays(a, n).date).days == n``. A delegated inspection's result
        is late when ``workdays_between(sent, received).days > 10``; a deadline is overdue by
        ``workdays_between(deadline, today).days`` when that is positive.
        """
        sign, low, high = (1, start, end) if start <= end else (-1, end, start)
        counted, missing = 0, set[int]()
        for _day, working in self._days_after(low, missing, high):
            counted += working
        years = self._settle(missing, allow_estimate)
        return WorkdayCount(sign * counted, bool(years), years)

    def _days_after(self, start: date, missing: set[int],
                    end: date | None = None) -> Iterator[tuple[date, bool]]:
        """Each day after ``start`` (up to ``end`` inclusive, else without end) and whether it
        is a working day.

        A day in a year with no known schedule counts Monday-Friday and adds its year to
        ``missing``, so the caller can refuse or mark the result as an estimate; a day past
        ``end`` is never looked at, so it cannot make a year missing.
        """
        day = start
        while end is None or day < end:
            day += _ONE_DAY
            if day.year in self.years:
                yield day, self._is_workday(day)
            else:
                missing.add(day.year)
                yield day, day.weekday() < 5

    def _settle(self, missing: set[int], allow_estimate: bool) -> tuple[int, ...]:
        if not missing:
            return ()
        if not allow_estimate:
            raise UnknownYearError(missing, self)
        years = tuple(sorted(missing))
        names = "、".join(str(y) for y in years)
        warnings.warn(
            f"{names} 年放假安排未知，工作日按周一至周五估算 / the {names} holiday schedule is "
            f"unknown; working days were estimated as Monday-Friday",
            CalendarEstimateWarning,
            stacklevel=3,
        )
        return years


# -- the office's file -------------------------------------------------------------------------
class _Loader(yaml.SafeLoader):
    """Safe YAML that keeps dates as text, so a bad date is reported with where it is."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def default_office_file() -> Path:
    """``holidays.yaml`` in the office's templates folder (``KIT_TEMPLATES_DIR``, else shipped)."""
    return templates_dir() / OFFICE_FILE_NAME


_MakeProblem = Callable[[str, str, str, str], Problem]


def validate_office_data(data: Any, file: str = "") -> list[Problem]:
    """Every problem in an office holiday file's data, each with its field path."""
    def problem(code: str, zh: str, en: str, where: str) -> Problem:
        return Problem(code, zh, en, where, file)

    if isinstance(data, dict) and isinstance(data.get("years"), dict):
        data = {**data, "years": {str(k): v for k, v in data["years"].items()}}
    problems = [problem("holidays.schema", f"不符合节假日文件格式：{zh}", en, where)
                for where, zh, en in check_file(data, SCHEMA_FILE)]
    if problems:
        return problems
    for year_text, entry in (data.get("years") or {}).items():
        year, base = int(year_text), f"years/{year_text}"
        off: dict[date, str] = {}
        for i, holiday in enumerate(entry["holidays"]):
            first = _date(holiday["from"], year, f"{base}/holidays/{i}/from", problem, problems)
            last = first
            if "to" in holiday:
                last = _date(holiday["to"], year, f"{base}/holidays/{i}/to", problem, problems)
            if first is None or last is None:
                continue
            length = (last - first).days + 1
            if not 1 <= length <= MAX_HOLIDAY_DAYS:
                problems.append(
                    problem(
                        "holidays.bad_range",
                        f"假期 {first}–{last} 不合理（{length} 天）",
                        f"holiday {first}..{last} spans {length} days",
                        f"{base}/holidays/{i}",
                    )
                )
                continue
            for k in range(length):
                off[first + timedelta(days=k)] = f"{base}/holidays/{i}"
        for i, text in enumerate(entry.get("workdays") or ()):
            where = f"{base}/workdays/{i}"
            day = _date(text, year, where, problem, problems)
            if day is None:
                continue
            if day in off:
                problems.append(
                    problem(
                        "holidays.both",
                        f"{day} 既是放假日（{off[day]}）又是调休上班日",
                        f"{day} is both a holiday ({off[day]}) and a make-up working day",
                        where,
                    )
                )
            if day.weekday() < 5:
                problems.append(
                    problem(
                        "holidays.workday_not_weekend",
                        f"调休上班日 {day} 不是周六或周日",
                        f"make-up working day {day} is not a Saturday or Sunday",
                        where,
                    )
                )
    return problems


def _date(
    text: str, year: int, where: str, problem: _MakeProblem, problems: list[Problem]
) -> date | None:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        problems.append(problem("holidays.bad_date", f"日期 {text!r} 不存在", f"no date {text!r}", where))
        return None
    if day.year != year and not (
        day.year == year - 1 and day >= date(year, 1, 1) - timedelta(days=SPILLOVER_DAYS)
    ):
        problems.append(
            problem(
                "holidays.wrong_year",
                f"日期 {day} 不属于 {year} 年的安排",
                f"{day} does not belong to the {year} schedule",
                where,
            )
        )
    return day


def _read_office_file(path: Path) -> dict[int, tuple[str, set[date], set[date]]]:
    """Year -> (source, days off, make-up working days) from a validated office file."""
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    except yaml.YAMLError as err:
        msg = f"节假日文件不是有效的 YAML：{err}"
        problem = Problem("holidays.yaml", msg, str(err), file=str(path))
        raise ValidationError([problem], str(path)) from None
    problems = validate_office_data(data, str(path))
    if problems:
        raise ValidationError(problems, str(path))
    years = {}
    for year_text, entry in (data.get("years") or {}).items():
        off: set[date] = set()
        for holiday in entry["holidays"]:
            first = date.fromisoformat(holiday["from"])
            last = date.fromisoformat(holiday.get("to", holiday["from"]))
            off.update(first + timedelta(days=k) for k in range((last - first).days + 1))
        work = {date.fromisoformat(t) for t in entry.get("workdays") or ()}
        years[int(year_text)] = (entry["source"], off, work)
    return years


def _library_calendar() -> tuple[set[date], set[date], dict[int, str]]:
    off, work = set(chinese_calendar.holidays), set(chinese_calendar.workdays)
    first, last = min(off).year, max(off).year
    source = f"chinesecalendar {metadata.version('chinesecalendar')}"
    return off, work, dict.fromkeys(range(first, last + 1), source)


@cache
def _load(path: str | None, stamp: tuple[int, int]) -> WorkCalendar:
    off, work, sources = _library_calendar()
    office = _read_office_file(Path(path)) if path is not None else {}
    for year in office:
        off = {d for d in off if d.year != year}
        work = {d for d in work if d.year != year}
    for year, (source, year_off, year_work) in office.items():
        off = (off - year_work) | year_off
        work = (work - year_off) | year_work
        sources[year] = f"{path}: {source}"
    return WorkCalendar(
        frozenset(off),
        frozenset(work),
        frozenset(sources),
        MappingProxyType(sources),
        Path(path) if path is not None else None,
    )


def load_calendar(path: str | os.PathLike[str] | None = None) -> WorkCalendar:
    """The library's calendar with the office's file applied.

    Without ``path`` the office's ``templates/holidays.yaml`` is used when present. The result is
    cached until the file changes. A bad file raises :class:`ValidationError` listing every
    problem with the file and field path (``years/2027/holidays/1/from``).
    """
    if path is None:
        default = default_office_file()
        if not default.is_file():
            return _load(None, (0, 0))
        path = default
    file = Path(path)
    try:
        stat = file.stat()
    except FileNotFoundError:
        msg = f"找不到节假日文件 {file} / holiday file {file} not found"
        raise NotFoundError(msg) from None
    return _load(str(file.resolve()), (stat.st_mtime_ns, stat.st_size))


def _calendar(calendar: WorkCalendar | None) -> WorkCalendar:
    return calendar if calendar is not None else load_calendar()


def is_workday(day: date, *, calendar: WorkCalendar | None = None) -> bool:
    """Whether ``day`` is an official working day (see :meth:`WorkCalendar.is_workday`)."""
    return _calendar(calendar).is_workday(day)


def add_workdays(
    start: date, n: int, *, calendar: WorkCalendar | None = None, allow_estimate: bool = False
) -> Deadline:
    """``n`` working days after ``start`` (see :meth:`WorkCalendar.add_workdays`)."""
    return _calendar(calendar).add_workdays(start, n, allow_estimate=allow_estimate)


def workdays_between(
    start: date, end: date, *, calendar: WorkCalendar | None = None, allow_estimate: bool = False
) -> WorkdayCount:
    """Working days after ``start`` up to ``end`` (see :meth:`WorkCalendar.workdays_between`)."""
    return _calendar(calendar).workdays_between(start, end, allow_estimate=allow_estimate)


def known_years(*, calendar: WorkCalendar | None = None) -> tuple[int, ...]:
    """The years whose official schedule is known to the default (or given) calendar."""
    return _calendar(calendar).known_years()
