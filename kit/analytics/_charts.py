"""Charts for analysts: bars and trends with Chinese labels that render on any machine.

Charts are drawn on a plain matplotlib ``Figure`` (no pyplot, no GUI backend), or on the
analyst's own axes (``ax=``), so they compose with any matplotlib figure. Chinese needs a CJK font: the first of
:data:`CJK_FONTS` installed is used (Debian's ``fonts-noto-cjk``; SimHei or Microsoft YaHei on
Windows); with none, the chart still draws and says so in a warning.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib import font_manager
from matplotlib.figure import Figure

from kit.errors import KitWarning

CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Source Han Sans SC", "SimHei",
             "Microsoft YaHei", "PingFang SC", "WenQuanYi Zen Hei")


def cjk_font() -> str | None:
    """The name of an installed font that has Chinese glyphs, or None."""
    installed = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in installed), None)


@dataclass(frozen=True)
class Chart:
    """A drawn chart: Jupyter shows it as a PNG; ``figure`` is the matplotlib Figure."""

    figure: Any

    def _repr_png_(self) -> bytes:
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png", dpi=110)
        return buffer.getvalue()

    def save(self, path: str | Path) -> Path:
        self.figure.savefig(path, dpi=150)
        return Path(path)


def _font() -> str | None:
    font = cjk_font()
    if font is None:
        warnings.warn("没有中文字体，图中汉字可能显示为方框 / no CJK font installed",
                      KitWarning, stacklevel=3)
    return font


def _axes(ax: Any, size: tuple[float, float]) -> Any:
    """The axes to draw on: the caller's (composing with matplotlib), or a new figure's."""
    if ax is not None:
        return ax
    return Figure(figsize=size, layout="constrained").subplots()


def bar_chart(frame: pd.DataFrame, label: str, value: str, title: str, *,
              top: int = 20, ax: Any = None) -> Chart:
    """A horizontal bar chart of ``value`` per ``label`` (largest first, at most ``top`` bars).

    With ``ax`` (a matplotlib Axes) the bars are drawn there, so a chart can be one panel of
    the analyst's own figure; the returned :class:`Chart` holds that figure.
    """
    data = frame[[label, value]].sort_values(value, ascending=False).head(top).iloc[::-1]
    font = _font()
    ax = _axes(ax, (8, 0.35 * len(data) + 1.2))
    bars = ax.barh(data[label].astype(str), data[value], color="#4a7ab8")
    ax.bar_label(bars, fmt="%g", padding=3)
    ax.set_title(title, fontfamily=font)
    ax.set_xlabel(value)
    for tick in ax.get_yticklabels():
        if font is not None:
            tick.set_fontfamily(font)
    ax.spines[["top", "right"]].set_visible(False)
    return Chart(ax.figure)


def trend_chart(frame: pd.DataFrame, value: str, title: str, *, period: str = "quarter",
                ax: Any = None, label: str | None = None) -> Chart:
    """A line of ``value`` per ``period`` (``quarterly_trends``' quarters), in time order.

    With ``ax`` the line is added to those axes (two trends on one chart, or one panel of a
    grid); ``label`` names it in the legend.
    """
    data = frame[[period, value]].sort_values(period)
    font = _font()
    ax = _axes(ax, (8, 3.5))
    x = data[period].astype(str).tolist()
    ax.plot(x, data[value].to_numpy(dtype=float), marker="o", label=label or value)
    ax.set_title(title, fontfamily=font)
    ax.set_ylabel(value)
    ax.set_ylim(bottom=0)
    ax.tick_params(axis="x", labelrotation=45)
    if label is not None:
        ax.legend(prop={"family": font} if font else None)
    ax.spines[["top", "right"]].set_visible(False)
    return Chart(ax.figure)
