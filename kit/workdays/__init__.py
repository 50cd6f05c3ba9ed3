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
  for an estimate (``allow_estimate=True``). An estimate skips weekends and the statutory
  holidays of 《全国年节及纪念日放假办法》 (:func:`statutory_days_off`: 元旦, 春节, 清明节,
  劳动节, 端午节, 中秋节, 国庆节, with the days in lieu of its 第六条), but cannot know the year's
  make-up working days; it emits a :class:`CalendarEstimateWarning`, marks the result
  ``estimated`` and every text form of it ends with :data:`ESTIMATE_MARK` ("（估算）/ estimate").
  The warning is said once per process and year (:func:`warn_estimate`).

:meth:`WorkCalendar.why_day_off` names the holiday (or weekend) a date falls on, known or
estimated, so a deadline typed on a day off can be flagged.

>>> from datetime import date
>>> from kit.workdays import load_calendar
>>> cal = load_calendar()
>>> str(cal.add_workdays(date(2025, 9, 30), 1))   # National Day 2025: Oct 1-8 off
'2025-10-09'
>>> cal.workdays_between(date(2025, 9, 26), date(2025, 10, 13)).days   # Sep 28, Oct 11 worked
7
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kit._lazy import lazy_names

if TYPE_CHECKING:
    from kit.workdays._calendar import (
        ESTIMATE_MARK,
        CalendarEstimateWarning,
        Deadline,
        UnknownYearError,
        WorkCalendar,
        WorkdayCount,
        add_workdays,
        estimate_note,
        is_workday,
        known_years,
        load_calendar,
        warn_estimate,
        workdays_between,
    )
    from kit.workdays._office import (
        MAX_HOLIDAY_DAYS,
        OFFICE_FILE_NAME,
        SCHEMA_FILE,
        SPILLOVER_DAYS,
        default_office_file,
        validate_office_data,
    )
    from kit.workdays._statutory import REGULATION, REGULATION_EN, statutory_days_off

__all__ = [
    "ESTIMATE_MARK",
    "MAX_HOLIDAY_DAYS",
    "OFFICE_FILE_NAME",
    "REGULATION",
    "REGULATION_EN",
    "SCHEMA_FILE",
    "SPILLOVER_DAYS",
    "CalendarEstimateWarning",
    "Deadline",
    "UnknownYearError",
    "WorkCalendar",
    "WorkdayCount",
    "add_workdays",
    "default_office_file",
    "estimate_note",
    "is_workday",
    "known_years",
    "load_calendar",
    "statutory_days_off",
    "validate_office_data",
    "warn_estimate",
    "workdays_between",
]

#: where each name of the package lives, loaded when first asked for
_FROM: dict[str, str] = {
    "ESTIMATE_MARK": "_calendar", "CalendarEstimateWarning": "_calendar", "Deadline": "_calendar",
    "UnknownYearError": "_calendar", "WorkCalendar": "_calendar", "WorkdayCount": "_calendar",
    "add_workdays": "_calendar", "estimate_note": "_calendar", "is_workday": "_calendar",
    "known_years": "_calendar", "load_calendar": "_calendar", "warn_estimate": "_calendar",
    "workdays_between": "_calendar",
    "MAX_HOLIDAY_DAYS": "_office", "OFFICE_FILE_NAME": "_office", "SCHEMA_FILE": "_office",
    "SPILLOVER_DAYS": "_office", "default_office_file": "_office",
    "validate_office_data": "_office",
    "REGULATION": "_statutory", "REGULATION_EN": "_statutory", "statutory_days_off": "_statutory",
}


# loaded when first asked for: a command that counts no workdays loads neither the calendars
# nor the office's file
__getattr__ = lazy_names(__name__, _FROM)
