"""Charts for analysts: bars in order, Chinese labels in a CJK font, axes named with their
units and a title that says when only the top bars are shown."""

from __future__ import annotations

import os
import warnings
from datetime import date

import pandas as pd
import pytest

from kit.analytics import (
    bar_chart,
    cjk_font,
    demo_inspections,
    findings_per_company,
    quarterly_trends,
    tables_of,
    trend_chart,
)
from kit.errors import KitWarning


@pytest.fixture(scope="module")
def demo():
    """The demo's tables: 90 inspections of 30 companies, as ``kit demo`` makes them."""
    return tables_of(demo_inspections(90, 30, seed=1))


def test_bars_are_largest_first_with_their_labels(tmp_path):
    counts = pd.DataFrame({"section": ["七、1.", "七、8.", "七、9."], "n_findings": [2, 7, 4]})
    chart = bar_chart(counts, "section", "n_findings", "各节问题数 Findings per section", top=2)
    ax = chart.figure.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["七、9.", "七、8."]  # drawn bottom-up: the largest at the top
    assert [round(p.get_width()) for p in ax.patches] == [4, 7]
    assert ax.get_title() == "各节问题数 Findings per section：前 2（共 3） / top 2 of 3"
    assert chart.save(tmp_path / "chart.png").stat().st_size > 1000
    assert chart._repr_png_().startswith(b"\x89PNG")  # what Jupyter shows


def test_chinese_text_uses_an_installed_cjk_font():
    font = cjk_font()
    if font is None and not os.environ.get("CI"):
        pytest.skip("no CJK font here (bash .ci/run installs fonts-noto-cjk)")
    assert font is not None
    chart = bar_chart(pd.DataFrame({"k": ["监督检查"], "v": [1]}), "k", "v", "按检查方式")
    assert chart.figure.axes[0].get_yticklabels()[0].get_fontfamily() == [font]


def test_charts_draw_on_the_analysts_own_axes_and_compose():
    from matplotlib.figure import Figure

    from kit.analytics import trend_chart

    fig = Figure(figsize=(10, 4))
    left, right = fig.subplots(1, 2)
    counts = pd.DataFrame({"section": ["七、1.", "七、8."], "n_findings": [2, 7]})
    chart = bar_chart(counts, "section", "n_findings", "各节问题数", ax=left)
    assert chart.figure is fig
    assert [round(p.get_width()) for p in left.patches] == [2, 7]
    trends = pd.DataFrame({"quarter": pd.PeriodIndex(["2026Q2", "2026Q1", "2026Q3"], freq="Q"),
                           "findings_per_inspection": [1.5, 2.0, 0.5],
                           "overdue_rate": [0.0, 1.0, 0.5]})
    trend_chart(trends, "findings_per_inspection", "每次检查问题数", ax=right, label="问题")
    trend_chart(trends, "overdue_rate", "趋势", ax=right, label="逾期率")  # a second line
    lines = right.get_lines()
    assert len(lines) == 2
    assert list(lines[0].get_xdata()) == ["2026Q1", "2026Q2", "2026Q3"]  # in time order
    assert list(lines[0].get_ydata()) == [2.0, 1.5, 0.5]
    assert [t.get_text() for t in right.get_legend().get_texts()] == ["问题", "逾期率"]
    alone = trend_chart(trends, "overdue_rate", "逾期率")
    assert alone.figure is not fig
    assert alone._repr_png_().startswith(b"\x89PNG")


def test_the_demos_findings_per_company_says_it_shows_the_top_20_of_30(demo):
    per_company = findings_per_company(demo)
    assert len(per_company) == 30
    chart = bar_chart(per_company, "company", "n_findings", "各企业问题数 Findings per company")
    ax = chart.figure.axes[0]
    assert ax.get_title() == ("各企业问题数 Findings per company：前 20（共 30） / top 20 of 30")
    assert len(ax.patches) == 20
    assert ax.get_xlabel() == "问题数（个） / findings (count)"  # words and unit, not n_findings
    assert ax.get_ylabel() == "企业 / company"
    shown = per_company["company"].isin([t.get_text() for t in ax.get_yticklabels()])
    assert shown.sum() == 20
    # the 20 with the most findings (at a tie at the cut, either)
    assert per_company.loc[shown, "n_findings"].min() >= per_company.loc[~shown, "n_findings"].max()
    whole = bar_chart(per_company, "company", "n_findings", "各企业问题数", top=30)
    assert whole.figure.axes[0].get_title() == "各企业问题数"  # nothing cut, nothing said


def test_the_demos_overdue_rate_is_drawn_in_percent_with_its_unit(demo):
    trends = quarterly_trends(demo, date(2026, 12, 1))
    chart = trend_chart(trends, "overdue_rate", "整改逾期率 Overdue rate")
    ax = chart.figure.axes[0]
    assert ax.get_ylabel() == "逾期率（%） / overdue rate (%)"
    assert ax.get_xlabel() == "季度 / quarter"
    rates = trends.sort_values("quarter")["overdue_rate"].to_numpy(dtype=float)
    drawn = ax.get_lines()[0].get_ydata()
    assert [round(v, 6) for v in drawn if v == v] == [round(100 * r, 6) for r in rates if r == r]
    chart.figure.canvas.draw()
    ticks = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
    assert ticks
    assert all(t.endswith("%") for t in ticks)
    per = trend_chart(trends, "findings_per_inspection", "每次检查发现问题数")
    assert per.figure.axes[0].get_ylabel() == "每次检查问题数（个/次） / findings per inspection"


def test_a_bar_of_shares_is_labelled_in_percent():
    frame = pd.DataFrame({"company": ["甲", "乙"], "overdue_rate": [0.25, 0.5]})
    ax = bar_chart(frame, "company", "overdue_rate", "逾期率").figure.axes[0]
    assert [round(p.get_width()) for p in ax.patches] == [25, 50]
    assert [t.get_text() for t in ax.texts] == ["25%", "50%"]


def test_a_column_the_table_does_not_know_is_named_as_it_is():
    frame = pd.DataFrame({"节 section": ["七、1."], "n_findings": [3]})
    ax = bar_chart(frame, "节 section", "n_findings", "各节问题数").figure.axes[0]
    assert ax.get_ylabel() == "节 section"


def test_no_cjk_font_is_said_once_however_many_charts(monkeypatch):
    from kit.analytics import _charts

    monkeypatch.setattr(_charts, "cjk_font", lambda: None)
    monkeypatch.setattr(_charts, "_said", [])
    frame = pd.DataFrame({"k": ["a"], "v": [1]})
    with warnings.catch_warnings(record=True) as caught:
        warnings.resetwarnings()  # as outside a test run: no filter asks for every one
        for _ in range(3):
            bar_chart(frame, "k", "v", "t")
            trend_chart(pd.DataFrame({"quarter": ["2026Q1"], "v": [1]}), "v", "t")
    assert [str(w.message) for w in caught] == [_charts._NO_FONT]
    with pytest.warns(KitWarning, match="CJK"):  # asked for every one: every one
        bar_chart(frame, "k", "v", "t")
