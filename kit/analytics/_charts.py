"""Charts for analysts: bars and trends that say what they show, in Chinese that renders on
any machine.

Charts are drawn on a plain matplotlib ``Figure`` (no pyplot, no GUI backend), or on the
analyst's own axes (``ax=``), so they compose with any matplotlib figure. The axes are named
from :data:`kit.labels.ANALYSIS_COLUMNS` (``n_findings`` reads 问题数（个） / findings (count)),
with their units; a share (``overdue_rate``, kept as 0-1) is shown in %. A bar chart that
keeps the ``top`` bars of more says so in its title: 前 20（共 60）. Chinese needs a CJK font:
the first of :data:`CJK_FONTS` installed is used (Debian's ``fonts-noto-cjk``; SimHei or
Microsoft YaHei on Windows); with none, the chart still draws and says so in a warning, once.
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
from matplotlib.ticker import PercentFormatter

from kit.errors import KitWarning
from kit.labels import ANALYSIS_COLUMNS

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


_NO_FONT = "没有中文字体，图中汉字可能显示为方框 / no CJK font installed"
#: whether the missing font has been said in this process
_said: list[bool] = []


def _font() -> str | None:
    """The CJK font; without one a warning, once a run however many charts are drawn (every
    time when the warnings filters ask for every KitWarning: ``always``, ``error``)."""
    font = cjk_font()
    if font is None and (not _said or _every_time()):
        _said.append(True)
        warnings.warn(_NO_FONT, KitWarning, stacklevel=3)
    return font


def _every_time() -> bool:
    for action, message, category, module, lineno in warnings.filters:
        if issubclass(KitWarning, category) and message is None and module is None \
                and not lineno:
            return action in ("always", "error")
    return False


def words(column: str) -> str:
    """A column's words for an axis, Chinese first, with its unit (``n_findings``: 问题数（个）
    / findings (count)); a column the label table does not know is shown as it is named."""
    zh, en = ANALYSIS_COLUMNS.get(column, (column, ""))
    return f"{zh} / {en}" if en else zh


def _is_share(column: str) -> bool:
    """A share kept as 0-1 (``overdue_rate``), shown in %."""
    return ANALYSIS_COLUMNS.get(column, ("", ""))[0].endswith("（%）")


def _axes(ax: Any, size: tuple[float, float]) -> Any:
    """The axes to draw on: the caller's (composing with matplotlib), or a new figure's."""
    if ax is not None:
        return ax
    return Figure(figsize=size, layout="constrained").subplots()


def bar_chart(frame: pd.DataFrame, label: str, value: str, title: str, *,
              top: int = 20, ax: Any = None) -> Chart:
    """A horizontal bar chart of ``value`` per ``label`` (largest first, at most ``top`` bars).

    The axes are named from the label table with their units; when ``frame`` has more rows
    than ``top``, the title says how many of how many are shown (前 20（共 60） / top 20 of
    60). With ``ax`` (a matplotlib Axes) the bars are drawn there, so a chart can be one panel
    of the analyst's own figure; the returned :class:`Chart` holds that figure.
    """
    data = frame[[label, value]].sort_values(value, ascending=False).head(top).iloc[::-1]
    font = _font()
    ax = _axes(ax, (8, 0.35 * len(data) + 1.2))
    share = _is_share(value)
    bars = ax.barh(data[label].astype(str), data[value] * (100 if share else 1),
                   color="#4a7ab8")
    ax.bar_label(bars, fmt="%.0f%%" if share else "%g", padding=3)
    if len(frame) > top:
        title = f"{title}：前 {top}（共 {len(frame)}） / top {top} of {len(frame)}"
    ax.set_title(title, fontfamily=font)
    ax.set_xlabel(words(value), fontfamily=font)
    ax.set_ylabel(words(label), fontfamily=font)
    if share:
        ax.xaxis.set_major_formatter(PercentFormatter(100))
    for tick in ax.get_yticklabels():
        if font is not None:
            tick.set_fontfamily(font)
    ax.spines[["top", "right"]].set_visible(False)
    return Chart(ax.figure)


def trend_chart(frame: pd.DataFrame, value: str, title: str, *, period: str = "quarter",
                ax: Any = None, label: str | None = None) -> Chart:
    """A line of ``value`` per ``period`` (``quarterly_trends``' quarters), in time order.

    The axes are named from the label table with their units (a share in %). With ``ax`` the
    line is added to those axes (two trends on one chart, or one panel of a grid); ``label``
    names it in the legend.
    """
    data = frame[[period, value]].sort_values(period)
    font = _font()
    ax = _axes(ax, (8, 3.5))
    x = data[period].astype(str).tolist()
    share = _is_share(value)
    ax.plot(x, data[value].to_numpy(dtype=float) * (100 if share else 1), marker="o",
            label=label or words(value))
    ax.set_title(title, fontfamily=font)
    ax.set_xlabel(words(period), fontfamily=font)
    ax.set_ylabel(words(value), fontfamily=font)
    if share:
        ax.yaxis.set_major_formatter(PercentFormatter(100))
    ax.set_ylim(bottom=0)
    ax.tick_params(axis="x", labelrotation=45)
    if label is not None:
        ax.legend(prop={"family": font} if font else None)
    ax.spines[["top", "right"]].set_visible(False)
    return Chart(ax.figure)
