"""Charts for analysts: bars in order, Chinese labels in a CJK font."""

from __future__ import annotations

import os

import pandas as pd
import pytest

from kit.analytics import bar_chart, cjk_font


def test_bars_are_largest_first_with_their_labels(tmp_path):
    counts = pd.DataFrame({"section": ["七、1.", "七、8.", "七、9."], "n_findings": [2, 7, 4]})
    chart = bar_chart(counts, "section", "n_findings", "各节问题数 Findings per section", top=2)
    ax = chart.figure.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["七、9.", "七、8."]  # drawn bottom-up: the largest at the top
    assert [round(p.get_width()) for p in ax.patches] == [4, 7]
    assert ax.get_title() == "各节问题数 Findings per section"
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
