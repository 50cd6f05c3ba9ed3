"""Working days on the official calendar: the calendar, counts and deadlines, and loading it."""

from __future__ import annotations

import datetime as dt
import os
import warnings
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from types import MappingProxyType

from kit.errors import KitError, KitWarning, NotFoundError
from kit.workdays._statutory import REGULATION, REGULATION_EN, statutory_days_off

#: what every text form of an estimated date or count ends with
ESTIMATE_MARK = "（估算）/ estimate"
_ONE_DAY = timedelta(days=1)
_WEEKEND = ("周六", "周日")


def estimate_note(years: Iterable[int]) -> str:
    """What an estimate over ``years`` counted and what it could not know, in 中文 / English."""
    names = "、".join(str(y) for y in sorted(set(years)))
    return (
        f"{names} 年放假安排尚未公布：按{REGULATION}的法定节假日（含第六条补假）估算；"
        f"调休上班日只有当年的国务院办公厅通知才能确定，未计入 / the {names} schedule is not "
        f"published: estimated from the statutory holidays, days in lieu included, of "
        f"{REGULATION_EN}; make-up working days are known only from that year's notice and are not "
        f"counted"
    )


class CalendarEstimateWarning(KitWarning):
    """A count of working days went into a year whose official schedule is unknown: it skipped
    the statutory holidays and could not know the make-up working days."""


#: the years an estimate has been said for in this process
_SAID: set[int] = set()


def warn_estimate(years: Iterable[int], *, stacklevel: int = 2) -> None:
    """Say that a count went into ``years`` whose schedule is unknown: a
    :class:`CalendarEstimateWarning` per year, once per process and year, however many counts
    go into it (a run of the analyses counted into 2027 six times and said so six times).

    Every time when the warnings filters ask for every one of them (``always``, as
    ``pytest.warns`` does, or ``error``, as ``-W error`` does): a year said once must not
    make a later count pass where it would have been refused. (The warnings module's own
    ``once`` cannot do this: it forgets what it said whenever a filter changes, and the kit
    changes them each time it counts quietly.)
    """
    every = _filter_action() in ("always", "error")
    for year in sorted(set(years)):
        if every or year not in _SAID:
            _SAID.add(year)
            warnings.warn(estimate_note((year,)), CalendarEstimateWarning,
                          stacklevel=stacklevel + 1)


def _filter_action() -> str | None:
    """The action of the first warnings filter that takes every CalendarEstimateWarning (none
    restricted to a module or line), else None."""
    for action, message, category, module, lineno in warnings.filters:
        if (issubclass(CalendarEstimateWarning, category) and message is None
                and module is None and not lineno):
            return str(action)
    return None


class UnknownYearError(KitError):
    """The official schedule of a year is in neither the library nor the office's file."""

    def __init__(self, years: Iterable[int], calendar: WorkCalendar) -> None:
        self.years: tuple[int, ...] = tuple(sorted(set(years)))
        self.office_file = calendar.office_file
        names = "、".join(str(y) for y in self.years)
        known = calendar.known_years()
        known_text = f"{known[0]}-{known[-1]}" if known else "-"
        from kit.workdays._office import default_office_file

        where = str(calendar.office_file or default_office_file())
        super().__init__(
            f"{names} 年的节假日安排未知（已知年份 {known_text}）：请按国务院办公厅"
            f"《关于{self.years[0]}年部分节假日安排的通知》在 {where} 中添加该年"
            f"（格式见文件开头的说明），或明确要求估算（allow_estimate=True：按法定节假日估算，"
            f"调休上班日无法预知）。 / The official holiday schedule of {names} is unknown (known: "
            f"{known_text}): add it to {where} from the State Council notice (the file's header "
            f"explains the format), or ask for an estimate (allow_estimate=True: statutory "
            f"holidays skipped, make-up working days unknowable)."
        )


@dataclass(frozen=True)
class Deadline:
    """A date reached by counting working days; ``estimated`` when a year's schedule was unknown.

    An estimate is never an official date: ``str()`` ends with :data:`ESTIMATE_MARK`, ``note``
    says what was counted, and :meth:`official` refuses it.
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

    @property
    def note(self) -> str:
        """How an estimate was made ('' for an official date)."""
        return estimate_note(self.missing_years) if self.estimated else ""

    def __str__(self) -> str:
        return self.date.isoformat() + (ESTIMATE_MARK if self.estimated else "")


@dataclass(frozen=True)
class WorkdayCount:
    """Working days from one date to another (the first excluded, the last included)."""

    days: int
    estimated: bool = False
    missing_years: tuple[int, ...] = ()

    @property
    def note(self) -> str:
        """How an estimate was made ('' for an official count)."""
        return estimate_note(self.missing_years) if self.estimated else ""

    def __str__(self) -> str:
        return str(self.days) + (ESTIMATE_MARK if self.estimated else "")


@dataclass(frozen=True)
class WorkCalendar:
    """China's working days for the years known to the library and the office's file, and
    estimates past them.

    ``holidays`` are the official days off (weekends inside a holiday included), ``names`` their
    holidays' names, and ``workdays`` the make-up working days on weekends. ``sources`` says
    where each year comes from. A year it does not know is estimated from the statutory
    holidays (:func:`~kit.workdays.statutory_days_off`) when a caller allows it.
    """

    holidays: frozenset[date]
    workdays: frozenset[date]
    years: frozenset[int]
    sources: Mapping[int, str] = field(default_factory=dict, hash=False)
    office_file: Path | None = None
    names: Mapping[date, str] = field(default_factory=dict, hash=False, repr=False)

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

    def why_day_off(self, day: date) -> str:
        """Why ``day`` is a day off: its holiday's name (``春节``, ``国庆节补假``), ``周六`` or
        ``周日``; ``''`` for a working day.

        For a year whose schedule is unknown this is the estimate (statutory holidays and
        weekends, :func:`~kit.workdays.statutory_days_off`): check :meth:`knows` before calling
        it official. It never raises.

        >>> cal = load_calendar()
        >>> cal.why_day_off(date(2026, 10, 6)), cal.why_day_off(date(2026, 10, 10))
        ('国庆节', '')
        """
        if day in self.workdays:
            return ""
        if day in self.holidays:
            return self.names.get(day, "法定节假日")
        if day.year not in self.years:
            name = statutory_days_off(day.year).get(day)
            if name is not None:
                return name
        return _WEEKEND[day.weekday() - 5] if day.weekday() >= 5 else ""

    def is_day_off(self, day: date) -> bool:
        """Whether ``day`` is a weekend or holiday day off, known or estimated (see
        :meth:`why_day_off`); a deadline on one is worth a second look."""
        return bool(self.why_day_off(day))

    def add_workdays(self, start: date, n: int, *, allow_estimate: bool = False) -> Deadline:
        """The day ``n`` working days after ``start`` (``start`` itself is not counted).

        With ``n == 0`` this is ``start``. A year with no known schedule raises
        :class:`UnknownYearError`, or with ``allow_estimate`` counts the weekdays that are not
        statutory holidays (make-up working days cannot be known ahead), warns with
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

        A day in a year with no known schedule counts as estimated (a weekday that is not a
        statutory holiday) and adds its year to ``missing``, so the caller can refuse or mark the result as an estimate; a day past
        ``end`` is never looked at, so it cannot make a year missing.
        """
        day = start
        while end is None or day < end:
            day += _ONE_DAY
            if day.year in self.years:
                yield day, self._is_workday(day)
            else:
                missing.add(day.year)
                yield day, not self.is_day_off(day)

    def _settle(self, missing: set[int], allow_estimate: bool) -> tuple[int, ...]:
        if not missing:
            return ()
        if not allow_estimate:
            raise UnknownYearError(missing, self)
        years = tuple(sorted(missing))
        warn_estimate(years, stacklevel=3)
        return years



# -- loading -------------------------------------------------------------------------------
def _library_calendar() -> tuple[dict[date, str], set[date], dict[int, str]]:
    """The library's days off with their names in Chinese, its make-up working days, sources."""
    from importlib import metadata  # here: a command that needs no calendar loads none

    import chinese_calendar

    chinese = {h.value: h.chinese for h in chinese_calendar.Holiday}
    off = {d: chinese.get(name, name) for d, name in chinese_calendar.holidays.items()}
    work = set(chinese_calendar.workdays)
    first, last = min(off).year, max(off).year
    source = f"chinesecalendar {metadata.version('chinesecalendar')}"
    return off, work, dict.fromkeys(range(first, last + 1), source)


@cache
def _load(path: str | None, stamp: tuple[int, int]) -> WorkCalendar:
    from kit.workdays._office import read_office_file  # YAML: only with the office's file

    off, work, sources = _library_calendar()
    office = read_office_file(Path(path)) if path is not None else {}
    for year in office:
        off = {d: n for d, n in off.items() if d.year != year}
        work = {d for d in work if d.year != year}
    for year, entry in office.items():
        off = {d: n for d, n in off.items() if d not in entry.workdays} | entry.days_off
        work = (work - entry.days_off.keys()) | entry.workdays
        sources[year] = f"{path}: {entry.source}"
    return WorkCalendar(
        frozenset(off),
        frozenset(work),
        frozenset(sources),
        MappingProxyType(sources),
        Path(path) if path is not None else None,
        MappingProxyType(off),
    )


def load_calendar(path: str | os.PathLike[str] | None = None) -> WorkCalendar:
    """The library's calendar with the office's file applied.

    Without ``path`` the office's ``templates/holidays.yaml`` is used when present. The result is
    cached until the file changes. A bad file raises :class:`ValidationError` listing every
    problem with the file and field path (``years/2027/holidays/1/from``).
    """
    if path is None:
        from kit.workdays._office import default_office_file

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
