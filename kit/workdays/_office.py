"""The office's file of official schedules, ``templates/holidays.yaml``: validated, then read.

Each State Council notice (国务院办公厅关于XXXX年部分节假日安排的通知) becomes one year of the
file: its days off by holiday, named, and its make-up working days (调休上班). A year listed here
replaces the library's data for that year. Every problem is reported with its field path.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml

from kit.errors import Problem, ValidationError
from kit.resources import DATA_DIR, templates_dir
from kit.schemas import check_file

SCHEMA_FILE = DATA_DIR / "holidays.schema.json"
OFFICE_FILE_NAME = "holidays.yaml"
MAX_HOLIDAY_DAYS = 31  # a longer "holiday" is a typo in a date, not a schedule
SPILLOVER_DAYS = 7  # a year's notice may start New Year's holiday in the last week before it


@dataclass(frozen=True)
class OfficeYear:
    """One year of the office's file: where it comes from, its named days off, its make-up
    working days."""

    source: str
    days_off: dict[date, str]
    workdays: frozenset[date]


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


def read_office_file(path: Path) -> dict[int, OfficeYear]:
    """Each year of a validated office file; a bad file raises :class:`ValidationError`."""
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
        off: dict[date, str] = {}
        for holiday in entry["holidays"]:
            first = date.fromisoformat(holiday["from"])
            last = date.fromisoformat(holiday.get("to", holiday["from"]))
            off.update((first + timedelta(days=k), holiday["name"])
                       for k in range((last - first).days + 1))
        work = frozenset(date.fromisoformat(t) for t in entry.get("workdays") or ())
        years[int(year_text)] = OfficeYear(entry["source"], off, work)
    return years
