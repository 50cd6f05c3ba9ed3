"""十、1; 十、3: a rectification deadline, or an extended one, that falls on a day off.

A deadline typed on a Saturday, a Sunday or a public holiday is usually a slip: a period whose
last day is a day off ends on the first working day after it (民法典 第二百零三条), so the company
may read it as later than the inspector meant. Past the years whose official schedule is known,
the day off is the calendar's estimate (the statutory holidays of 《全国年节及纪念日放假办法》),
and the warning says so.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from datetime import date

from kit.errors import Problem, warning
from kit.rules._context import Context
from kit.workdays import CalendarEstimateWarning


def deadlines_on_days_off(ctx: Context) -> Iterator[Problem]:
    """Each finding's deadline and each extension's new deadline that falls on a day off."""
    for key, f in ctx.inspection.findings.items():
        if f.deadline is not None:
            yield from _check(ctx, f.deadline, f"findings/{key}/deadline",
                              f"问题 {key} 的整改期限", f"finding {key}'s deadline")
        for e_key, ext in f.extensions.items():
            if ext.new_deadline is not None:
                yield from _check(ctx, ext.new_deadline,
                                  f"findings/{key}/extensions/{e_key}/new_deadline",
                                  f"问题 {key} 延期整改 {e_key} 的期限",
                                  f"finding {key}'s extension {e_key}")


def _check(ctx: Context, day: date, where: str, what_zh: str, what_en: str
           ) -> Iterator[Problem]:
    cal = ctx.calendar
    why = cal.why_day_off(day)
    if not why:
        return
    with warnings.catch_warnings():  # the message below says when it is an estimate
        warnings.simplefilter("ignore", CalendarEstimateWarning)
        after = cal.add_workdays(day, 1, allow_estimate=True)
    known = cal.knows(day)
    kind_zh = "" if known else "（按法定节假日估算，该年放假安排尚未公布）"
    kind_en = "" if known else ", estimated: that year's schedule is not published"
    next_zh = f"{after.date}{'（估算）' if after.estimated else ''}"
    next_en = f"{after.date}{' (estimate)' if after.estimated else ''}"
    yield warning(
        "finding.deadline_day_off", where,
        f"{what_zh} {day} 是非工作日（{why}）{kind_zh}：期限最后一日为休假日的，以休假日结束的次日为"
        f"最后一日（民法典第二百零三条），下一个工作日为 {next_zh}；请确认期限（十、1；十、3）",
        f"{what_en} {day} falls on a day off ({why}{kind_en}); a period ending on a day off runs "
        f"to the next working day, {next_en}: check the deadline (十.1; 十.3)",
    )
