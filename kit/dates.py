"""One grammar for every date a person types or a file holds: fields, workbook cells, registers.

Accepted, after full-width characters are folded (NFKC) and spaces trimmed:

* ``2026-03-05``, ``2026/3/5``, ``2026.3.5`` (the same separator twice);
* ``2026年3月5日``, ``2026年3月5号``, ``2026年3月5``, with spaces between the parts;
* ``二〇二六年三月五日`` (Chinese numerals, as official documents write dates);
* ``20260305``;
* any of these followed by a time of day (``14:30``, ``14:30:05``, ``14时30分``, ``T14:30:05``,
  an offset such as ``+08:00``), which a date drops and a date-time keeps;
* date and datetime objects, and Excel serial numbers (``46086`` is 2026-03-05; a fraction of
  a day is its time), in the 1900 date system.

Refused, because they cannot be read without guessing: ``3/5/2026``, ``26-3-5``, ``2026-3/5``,
``2026年3月``, negative serials, and any date outside :data:`PLAUSIBLE_YEARS` (a serial of
1.5 is 1900-01-01 and 12 is 1900-01-11: typing errors, not dates anyone meant).

:func:`parse_date` and :func:`parse_datetime` read one value and raise :class:`DateError`
saying what is wrong; registers use the vectorised front end in :mod:`kit.sampling`, which
reads each distinct value through the same :func:`read_date`, so both accept and refuse the
same strings.

>>> parse_date("2026年3月5号"), parse_date("二〇二六年三月五日"), parse_date(46086)
(datetime.date(2026, 3, 5), datetime.date(2026, 3, 5), datetime.date(2026, 3, 5))
>>> parse_date("3/5/2026")
Traceback (most recent call last):
kit.dates.DateError: 无法识别的日期“3/5/2026”（可写作 2026-03-05、2026/3/5、2026.3.5、2026年3月5日 或 20260305）
"""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Final

from kit.errors import InputError

__all__ = [
    "BEIJING",
    "EXCEL_EPOCH",
    "HINT_EN",
    "HINT_ZH",
    "PLAUSIBLE_YEARS",
    "DateError",
    "beijing",
    "beijing_now",
    "beijing_text",
    "beijing_today",
    "in_plausible_range",
    "parse_date",
    "parse_datetime",
    "read_date",
    "read_datetime",
]

#: The time an office reads (Asia/Shanghai): UTC+8 all year, no daylight saving since 1991,
#: so a fixed offset is exact and needs no time-zone database.
BEIJING: Final = timezone(timedelta(hours=8), "北京时间")
#: the same zone by its IANA name, as pandas' aware times carry it (the analysts' tables)
ZONE: Final = "Asia/Shanghai"


def beijing(moment: datetime) -> datetime:
    """``moment`` in Beijing time (a naive time is taken as UTC, as the store keeps it).

    >>> beijing(datetime(2026, 12, 1, 17, 56)).isoformat()
    '2026-12-02T01:56:00+08:00'
    """
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(BEIJING)


def beijing_now() -> datetime:
    """Now in Beijing time, to the second and without a zone: what a record's own times
    (a step done, an override) hold, as an inspector would write them."""
    return datetime.now(BEIJING).replace(microsecond=0, tzinfo=None)


def beijing_today() -> date:
    """Today in Beijing (a server on UTC is a day behind from 00:00 to 08:00 Beijing time)."""
    return datetime.now(BEIJING).date()


def beijing_text(moment: datetime) -> str:
    """``2026-12-02 01:56:00``: a moment as the app, the trail and the workbook show it."""
    return beijing(moment).strftime("%Y-%m-%d %H:%M:%S")


#: Dates outside these years (inclusive) are refused as typing errors.
PLAUSIBLE_YEARS: Final = (1950, 2100)
EXCEL_EPOCH: Final = date(1899, 12, 30)  # serial 1 is 1900-01-01 (Excel's 1900 system)
HINT_ZH: Final = "可写作 2026-03-05、2026/3/5、2026.3.5、2026年3月5日 或 20260305"
HINT_EN: Final = "write 2026-03-05, 2026/3/5, 2026.3.5, 2026年3月5日 or 20260305"


class DateError(InputError):
    """A value that is not a date the kit can read; ``reason`` is ``bad_date`` or
    ``date_out_of_range`` (the value is a date, but not a plausible one)."""

    def __init__(self, zh: str, en: str, reason: str = "bad_date",
                 value: date | None = None) -> None:
        super().__init__(zh, en)
        self.reason = reason
        self.value = value


_TIME = (r"(?:\s*T\s*|\s+|(?<=[日号]))(?P<h>\d{1,2})\s*[:时点]\s*(?P<mi>\d{1,2})\s*分?"
         r"(?:\s*:?\s*(?P<s>\d{1,2})(?:\.(?P<f>\d{1,6}))?\s*秒?)?"
         r"\s*(?:Z|[+-]\d{2}:?\d{2})?")
_DATE = (r"(?:(?P<y1>\d{4})(?P<sep>[-/.])(?P<m1>\d{1,2})(?P=sep)(?P<d1>\d{1,2})"
         r"|(?P<y2>\d{4})\s*年\s*(?P<m2>\d{1,2})\s*月\s*(?P<d2>\d{1,2})\s*[日号]?"
         r"|(?P<y3>\d{4})(?P<m3>\d{2})(?P<d3>\d{2}))")
_FULL = re.compile(rf"^{_DATE}(?:{_TIME})?$")

_CN_DIGITS = {c: str(i) for i, c in enumerate("〇一二三四五六七八九")}
_CN_DIGITS.update({"零": "0", "○": "0", "О": "0", "O": "0", "o": "0"})
_CN_NUMBER = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_DATE = re.compile(r"^(?P<y>[〇零○一二三四五六七八九]{4})\s*年\s*(?P<m>[一二三四五六七八九十]{1,3})"
                      r"\s*月\s*(?P<d>[一二三四五六七八九十]{1,3})\s*[日号]?$")


def _cn_small(text: str) -> int | None:
    """一..三十一 as a number (十 = 10, 十二 = 12, 二十 = 20, 二十五 = 25), else None."""
    if text == "十":
        return 10
    if "十" in text:
        tens, _, units = text.partition("十")
        if len(tens) > 1 or (tens and tens not in _CN_NUMBER) or (units and units not in
                                                                   _CN_NUMBER):
            return None
        return (_CN_NUMBER[tens] if tens else 1) * 10 + (_CN_NUMBER[units] if units else 0)
    return _CN_NUMBER.get(text) if len(text) == 1 else None


def _normal(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def _problem(text: str) -> DateError:
    shown = text if len(text) <= 40 else text[:37] + "…"
    return DateError(f"无法识别的日期“{shown}”（{HINT_ZH}）", f"not a date: {shown!r} ({HINT_EN})")


def _plausible(day: date, shown: str) -> date:
    low, high = PLAUSIBLE_YEARS
    if not low <= day.year <= high:
        raise DateError(f"日期“{shown}”（即 {day.isoformat()}）不在 {low}–{high} 年之间，请核对",
                        f"{shown!r} is {day.isoformat()}, outside {low}-{high}; please check",
                        "date_out_of_range", day)
    return day


def _serial(number: float, shown: str, *, whole: bool) -> datetime:
    """An Excel serial: whole days since 1899-12-30, a fraction the time of day (dropped when
    ``whole``, as a date drops the time typed after it)."""
    if not math.isfinite(number):
        raise _problem(shown)
    if not 1 <= number < 2958466:  # Excel's serials run from 1 (1900-01-01) to 9999-12-31
        raise DateError(f"“{shown}”不是有效的 Excel 日期序号", f"{shown!r} is not an Excel date",
                        "date_out_of_range" if number > 0 else "bad_date")
    days = math.floor(number)
    seconds = 0 if whole else round((number - days) * 86400)
    return datetime.combine(EXCEL_EPOCH, time()) + timedelta(days=days, seconds=seconds)


def read_datetime(value: object, *, whole_days: bool = False, check_range: bool = True
                  ) -> datetime | None:
    """The moment ``value`` names (seconds precision), None for a blank, or :class:`DateError`.

    The one reader behind every front end; ``whole_days`` drops a serial's time of day.
    """
    if value is None or value != value:  # None, NaN and NaT
        return None
    if isinstance(value, bool):
        raise _problem(str(value))
    if isinstance(value, datetime):
        moment = value.replace(tzinfo=None)
        if moment.microsecond:
            rounded = moment.replace(microsecond=0)
            moment = rounded + timedelta(seconds=1) if moment.microsecond >= 500000 else rounded
    elif isinstance(value, date):
        moment = datetime.combine(value, time())
    elif isinstance(value, int | float):
        if 1e7 <= value < 1e8 and value == int(value):  # 20260305 typed into a number cell
            moment = _from_text(str(int(value)), whole_days)
        else:
            moment = _serial(float(value), str(value), whole=whole_days)
    else:
        text = _normal(str(value))
        if not text:
            return None
        moment = _from_text(text, whole_days)
    if check_range:
        _plausible(moment.date(), str(value).strip())
    return moment


def _from_text(text: str, whole_days: bool) -> datetime:
    m = _FULL.match(text)
    if m is None:
        cn = _CN_DATE.match(text)
        if cn is None:
            if re.fullmatch(r"\d+(?:\.\d+)?", text) and len(text) != 8:
                return _serial(float(text), text, whole=whole_days)
            raise _problem(text)
        year = int("".join(_CN_DIGITS[c] for c in cn["y"]))
        month, day = _cn_small(cn["m"]), _cn_small(cn["d"])
        if month is None or day is None:
            raise _problem(text)
        return _make(year, month, day, text)
    y, mo, d = (next(g for g in (m[f"{k}1"], m[f"{k}2"], m[f"{k}3"]) if g) for k in "ymd")
    moment = _make(int(y), int(mo), int(d), text)
    if m["h"] is not None:
        hour, minute = int(m["h"]), int(m["mi"])
        second = int(m["s"] or 0)
        if hour > 23 or minute > 59 or second > 59:
            raise DateError(f"时间“{text}”不存在", f"no such time: {text!r}")
        moment = moment.replace(hour=hour, minute=minute, second=second)
    return moment


def _make(year: int, month: int, day: int, text: str) -> datetime:
    try:
        return datetime(year, month, day)
    except ValueError:
        raise DateError(f"日期“{text}”不存在", f"no such date: {text!r}") from None


def read_date(value: object, *, check_range: bool = True) -> date | None:
    """The day ``value`` names (a time of day is dropped), None for a blank, or DateError."""
    moment = read_datetime(value, whole_days=True, check_range=check_range)
    return None if moment is None else moment.date()


def parse_date(value: object) -> date | None:
    """A date typed in a field or a cell, in any accepted form; None for a blank."""
    return read_date(value)


def parse_datetime(value: object) -> datetime | None:
    """A date and time typed in a field or a cell; a bare date means midnight."""
    return read_datetime(value)


def in_plausible_range(day: date) -> bool:
    """Whether ``day`` lies in :data:`PLAUSIBLE_YEARS`."""
    return PLAUSIBLE_YEARS[0] <= day.year <= PLAUSIBLE_YEARS[1]
