"""The vectorised front end of the date grammar (:mod:`kit.dates`) for whole register columns.

A register column of a million cells holds a few hundred distinct dates: each distinct value is
read once by :func:`kit.dates.read_date`, the very function that reads a field or a workbook
cell, and the answers are spread back over the column. So a register accepts exactly what a
cell accepts, and pays one Python call per distinct value, never per row.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kit.dates import DateError, read_date

_NAT = np.datetime64("NaT", "ns")
_NS_YEARS = (1678, 2261)  # the years datetime64[ns] holds


def _one(value: object) -> np.datetime64:
    try:
        day = read_date(value, check_range=False)
    except DateError as exc:
        day = exc.value
    if day is None or not _NS_YEARS[0] <= day.year <= _NS_YEARS[1]:
        return _NAT  # not a date, or so far out it is no date anyone meant
    return np.datetime64(day, "ns")


def parse_dates(values: pd.Series | pd.Index | list[object]) -> pd.Series:
    """Every value read as a date (the grammar of :mod:`kit.dates`); NaT where blank or unknown.

    Dates outside the plausible years are returned as they are, for the caller to report with
    the value they stand for; a time of day is dropped.

    >>> parse_dates(["2026年3月5日", "2026.3.5", 46086, "soon"]).dt.strftime("%Y-%m-%d").tolist()
    ['2026-03-05', '2026-03-05', '2026-03-05', nan]
    """
    series = values if isinstance(values, pd.Series) else pd.Series(values, dtype=object)
    if isinstance(series.dtype, pd.DatetimeTZDtype):
        series = series.dt.tz_localize(None)
    if pd.api.types.is_datetime64_dtype(series.dtype):
        return series.dt.normalize().astype("datetime64[ns]")
    if pd.api.types.is_bool_dtype(series.dtype):
        return pd.Series(pd.NaT, index=series.index, dtype="datetime64[ns]")
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    parsed = np.array([_one(u) for u in np.asarray(uniques, dtype=object)], dtype="datetime64[ns]")
    out = np.full(len(series), _NAT, dtype="datetime64[ns]")
    hit = codes >= 0
    out[hit] = parsed[codes[hit]]
    return pd.Series(out, index=series.index)
