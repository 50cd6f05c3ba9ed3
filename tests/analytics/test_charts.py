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
