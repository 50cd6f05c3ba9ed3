"""The statutory days off of a year, to estimate a year whose official schedule is not out yet.

The State Council's 《全国年节及纪念日放假办法》 fixes the festivals every citizen has off; its
yearly notice (国务院办公厅关于XXXX年部分节假日安排的通知) then joins them with weekends into
longer holidays and moves some working days to Saturdays or Sundays (调休上班). The notice for
a year comes out late in the year before, so a count that reaches past it can only estimate:
it takes the days the 办法 itself fixes, which every later notice keeps, and nothing the notice
alone decides.

As revised for the fourth time on 10 November 2024 (国务院关于修改〈全国年节及纪念日放假办法〉
的决定, in force since 1 January 2025), 第二条 lists 13 days:

* 元旦 1 January; 劳动节 1 and 2 May; 国庆节 1 to 3 October;
* 春节 农历除夕 and 正月初一 to 初三; 端午节 农历五月初五; 中秋节 农历八月十五;
* 清明节 the day of the solar term 清明.

第六条: a festival day that falls on a Saturday or Sunday is made up on a working day (补假).
Which working day is the notice's choice; the estimate takes the first working days after the
festival, as the notices usually do. A festival day that falls on another festival's day (中秋 on
国庆, as in 2020) is made up the same way.

The lunar dates and the solar term come from ``lunar_python`` (6tail's lunar calendar, pure
Python, maintained); the kit does no calendar arithmetic of its own.

What stays unknown until the notice: the make-up working days (调休上班) and the days off they
pay for, so an estimate can be a few days early or late around 春节, 劳动节 and 国庆节.

>>> off = statutory_days_off(2027)
>>> off[date(2027, 2, 6)], off[date(2027, 1, 1)]
('春节', '元旦')
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date, timedelta
from functools import cache
from types import MappingProxyType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lunar_python import Lunar

__all__ = ["REGULATION", "REGULATION_EN", "statutory_days_off"]

REGULATION = (
    "《全国年节及纪念日放假办法》（2024年11月10日第四次修订，2025年1月1日起施行）"
)
REGULATION_EN = (
    "the State Council's Measures on National Holidays and Memorial Days (fourth revision of "
    "10 November 2024, in force since 1 January 2025)"
)
_ONE_DAY = timedelta(days=1)


def _solar(lunar: Lunar) -> date:
    day = lunar.getSolar()
    return date(day.getYear(), day.getMonth(), day.getDay())


def _festivals(year: int) -> Iterator[tuple[str, list[date]]]:
    """第二条's festivals of ``year`` with their days, in the order of the year."""
    from lunar_python import Lunar, Solar  # here: loaded when a year's festivals are worked out

    new_year = _solar(Lunar.fromYmd(year, 1, 1))  # 正月初一
    # 清明 of ``year``: the lunar year that holds 1 June ``year`` began before April and its
    # table of solar terms runs from the 冬至 before it, so its 清明 is this year's
    qingming = Solar.fromYmd(year, 6, 1).getLunar().getJieQiTable()["清明"]
    yield "元旦", [date(year, 1, 1)]
    # 除夕 is the last day of the twelfth month, the 29th in some years (2024): the day before
    yield "春节", [new_year - _ONE_DAY + timedelta(days=k) for k in range(4)]
    yield "清明节", [date(qingming.getYear(), qingming.getMonth(), qingming.getDay())]
    yield "劳动节", [date(year, 5, 1), date(year, 5, 2)]
    yield "端午节", [_solar(Lunar.fromYmd(year, 5, 5))]
    yield "中秋节", [_solar(Lunar.fromYmd(year, 8, 15))]
    yield "国庆节", [date(year, 10, d) for d in (1, 2, 3)]


@cache
def statutory_days_off(year: int) -> Mapping[date, str]:
    """Every day off the 办法 itself gives in ``year``, with its festival's name.

    The festival days of 第二条, and for each one that falls on a weekend or on another
    festival's day, a working day after the festival (``春节补假``; 第六条). Weekends are not
    listed: they are days off anyway. Make-up working days (调休上班) are never in it: only the
    year's notice can say which they are.

    >>> sorted(d.isoformat() for d, name in statutory_days_off(2027).items() if "劳动节" in name)
    ['2027-05-01', '2027-05-02', '2027-05-03', '2027-05-04']
    """
    off: dict[date, str] = {}
    for name, days in sorted(_festivals(year), key=lambda f: f[1][0]):
        owed = 0
        for day in days:
            if day.weekday() >= 5 or day in off:
                owed += 1
            off.setdefault(day, name)
        day = days[-1]
        while owed:
            day += _ONE_DAY
            if day.weekday() < 5 and day not in off:
                off[day] = f"{name}补假"
                owed -= 1
    return MappingProxyType(off)
