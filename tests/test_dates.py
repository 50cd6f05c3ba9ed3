"""kit.dates: one grammar for every date typed or read, and its register front end agreeing."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kit.dates import PLAUSIBLE_YEARS, DateError, parse_date, parse_datetime, read_date
from kit.errors import KitError
from kit.sampling import parse_dates

MARCH_5 = date(2026, 3, 5)


@pytest.mark.parametrize("raw", [
    "2026-03-05", "2026/3/5", "2026.3.5", "2026年3月5日", "2026年3月5号", "2026年3月5",
    " 2026 年 3 月 5 日 ", "20260305", "２０２６－０３－０５", "２０２６年３月５日",
    "二〇二六年三月五日", "二〇二六年三月五号", "2026-03-05 14:30", "2026-03-05T14:30:05",
    "2026年3月5日14时30分", "2026-03-05 14:30:00+08:00", datetime(2026, 3, 5, 9), MARCH_5,
    pd.Timestamp("2026-03-05"), 46086, 46086.0, "46086", 20260305,
])
def test_every_common_chinese_form_is_read(raw: Any) -> None:
    assert parse_date(raw) == MARCH_5


@pytest.mark.parametrize("text", ["二〇二六年十月一日", "二〇二六年十二月三十一日", "二〇二六年十一月二十日"])
def test_chinese_numerals_up_to_thirty_one(text: str) -> None:
    day = parse_date(text)
    assert day is not None
    assert (day.year, day.month >= 10) == (2026, True)


@pytest.mark.parametrize(("raw", "reason"), [
    ("2026-02-30", "bad_date"), ("2026-13-01", "bad_date"), ("3/5/2026", "bad_date"),
    ("26-3-5", "bad_date"), ("2026-3/5", "bad_date"), ("2026年3月", "bad_date"),
    ("明天", "bad_date"), ("二〇二六年十三月五日", "bad_date"), ("2026-03-05 25:00", "bad_date"),
    (1.5, "date_out_of_range"), (-5, "bad_date"), (3.5, "date_out_of_range"), (True, "bad_date"),
    (15, "date_out_of_range"), ("1900-01-01", "date_out_of_range"),
    ("2200-01-01", "date_out_of_range"), (9_999_999, "date_out_of_range"),
])
def test_what_cannot_be_read_without_guessing_is_refused_with_why(raw: Any, reason: str) -> None:
    with pytest.raises(DateError) as caught:
        parse_date(raw)
    assert caught.value.reason == reason
    assert isinstance(caught.value, KitError)
    assert caught.value.zh
    assert caught.value.en


@pytest.mark.parametrize("blank", [None, "", "   ", float("nan"), pd.NaT])
def test_blanks_are_no_date(blank: Any) -> None:
    assert parse_date(blank) is None
    assert parse_datetime(blank) is None


def test_date_times_keep_the_time_and_round_to_seconds() -> None:
    assert parse_datetime("2026年11月20日 16:40") == datetime(2026, 11, 20, 16, 40)
    assert parse_datetime("2026-11-20T16:40:05") == datetime(2026, 11, 20, 16, 40, 5)
    assert parse_datetime("2026/11/20") == datetime(2026, 11, 20)
    assert parse_datetime(datetime(2026, 11, 20, 16, 39, 59, 999000)) == datetime(
        2026, 11, 20, 16, 40)
    assert parse_datetime(46086.5) == datetime(2026, 3, 5, 12)  # a serial's fraction is a time
    assert parse_date(46086.5) == date(2026, 3, 5)  # ... which a date drops


def test_a_register_column_reads_like_a_cell() -> None:
    values = ["2026年3月5号", "2026-3/5", 46086, "二〇二六年三月五日", None, "1900-01-01", 12]
    parsed = parse_dates(values)
    assert parsed.iloc[0] == pd.Timestamp(MARCH_5)
    assert pd.isna(parsed.iloc[1])
    assert parsed.iloc[2] == parsed.iloc[3] == pd.Timestamp(MARCH_5)
    assert pd.isna(parsed.iloc[4])
    # implausible dates come back as what they stand for, for the register to report
    assert parsed.iloc[5] == pd.Timestamp("1900-01-01")
    assert parsed.iloc[6] == pd.Timestamp("1900-01-11")


_PIECES = st.sampled_from([
    "2026", "26", "3", "03", "5", "05", "-", "/", ".", "年", "月", "日", "号", " ", "T", ":",
    "14", "30", "二〇二六", "三", "十", "五", "０", "２", "时", "分", "+08:00", "31", "13", "1950",
    "2101",
])


@settings(max_examples=400, deadline=None)
@given(st.lists(_PIECES, min_size=1, max_size=8).map("".join))
def test_the_register_front_end_accepts_and_refuses_what_a_cell_does(text: str) -> None:
    try:
        one = read_date(text)
    except DateError:
        one = None
    many = parse_dates([text]).iloc[0]
    low, high = PLAUSIBLE_YEARS
    if one is None:
        assert pd.isna(many) or not low <= many.year <= high
    else:
        assert many == pd.Timestamp(one)


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=date(1950, 1, 1), max_value=date(2100, 12, 31)),
       st.sampled_from(["{y}-{m}-{d}", "{y}/{m}/{d}", "{y}.{m}.{d}", "{y}年{m}月{d}日",
                        "{y}{m:02d}{d:02d}", "{y}年{m}月{d}号"]))
def test_any_plausible_date_in_any_form_round_trips(day: date, form: str) -> None:
    text = form.format(y=day.year, m=day.month, d=day.day)
    assert parse_date(text) == day
    assert parse_dates([text]).iloc[0] == pd.Timestamp(day)
