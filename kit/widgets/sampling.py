"""记录抽样 (九): upload the company's registers, draw the sample, see why each record was chosen.

The draw is saved into the record (seed, parameters and every chosen row with its rules,
reason and flags), so the workbook and a reload show the same selection. Uploads are checked
before anything is read: a file that is too large, of the wrong type, or with bad cells gets a
message that says which file, sheet, row and column.
"""

from __future__ import annotations

import html
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

import ipywidgets as W

from kit.dates import beijing_today, parse_date
from kit.draw import check_upload, default_seed, draw_from_files, sample_registers, save_draw
from kit.errors import KitError, Problem, ValidationError
from kit.labels import (
    REGISTER_COLUMNS,
    SAMPLING_COLUMNS,
    SAMPLING_FLAGS,
    SAMPLING_TABLE_COLUMNS,
    YES_NO,
    zh,
)
from kit.session import Session
from kit.widgets._fields import DATE_HINT

__all__ = [
    "ACCEPT",
    "KINDS",
    "SHOWN_ROWS",
    "SamplingWidget",
]

ACCEPT = ".xlsx,.csv"
KINDS = (("records", "记录登记表 Records"), ("products", "产品登记表 Products"),
         ("documents", "文件登记表 Documents（可选 optional）"))
SHOWN_ROWS = 300


def _in_words(frame: Any) -> Any:
    """The table as the workbook words it: Chinese headers, flags in words, 是/否, dates."""
    shown = frame.copy()
    for name in shown.columns:
        column = shown[name]
        if name == "flags":
            shown[name] = column.map(lambda v: "、".join(zh(SAMPLING_FLAGS, c) for c in
                                                        str(v).split(";") if c)
                                     if isinstance(v, str) else v)
        elif str(column.dtype) == "bool":
            shown[name] = column.map({True: zh(YES_NO, "yes"), False: zh(YES_NO, "no")})
        elif str(column.dtype).startswith("datetime64"):
            shown[name] = column.dt.strftime("%Y-%m-%d")
    names = {**{k: v[0] for k, v in REGISTER_COLUMNS.items()},
             **{k: v[0] for k, v in SAMPLING_COLUMNS.items()},
             **{k: v[0] for k, v in SAMPLING_TABLE_COLUMNS.items()}}
    return shown.rename(columns=lambda c: names.get(str(c), str(c)))


def _table(frame: Any, limit: int = SHOWN_ROWS) -> str:
    shown = _in_words(frame.head(limit))
    table = shown.to_html(index=False, escape=True, na_rep="", border=0,
                          classes="kit-table")
    more = (f"<div>（仅显示前 {limit} 行，共 {len(frame)} 行 / first {limit} of {len(frame)}）"
            "</div>" if len(frame) > limit else "")
    return f"<div style='max-height:30em;overflow:auto'>{table}</div>{more}"


class SamplingWidget(W.VBox):
    """Upload or pick registers, set the parameters, draw, and read the reasons."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.uploads = {kind: W.FileUpload(accept=ACCEPT, multiple=False,
                                           description=label.split(" ")[0])
                        for kind, label in KINDS}
        for kind, up in self.uploads.items():
            up.add_class(f"kit-upload-{kind}")
        self.use_sample = W.Checkbox(value=False, indent=False,
                                     description="使用示例企业登记表 Use the sample registers")
        self.use_sample.add_class("kit-use-sample")
        ins = session.inspection
        day = ins.sampling.inspection_date or ins.scope.start_date or beijing_today()
        self.date = W.Text(value=day.isoformat(), placeholder=DATE_HINT,
                           description="检查日期 Date")
        self.seed = W.IntText(value=ins.sampling.seed or default_seed(session.id),
                              description="随机种子 Seed")
        self.per_group = W.BoundedIntText(value=2, min=1, max=50, description="每组份数 Per group")
        self.max_products = W.BoundedIntText(value=0, min=0, max=1000,
                                             description="产品上限 Max products (0 = 全部)")
        self.discrepancy = W.BoundedFloatText(value=0.2, min=0.01, max=10, step=0.05,
                                              description="差异阈值 Discrepancy")
        for w in (self.date, self.seed, self.per_group, self.max_products, self.discrepancy):
            w.style = {"description_width": "14em"}
        self.run_button = W.Button(description="抽样 Draw the sample",
                                   button_style="primary", layout=W.Layout(width="auto"))
        self.run_button.add_class("kit-run-sampling")
        self.run_button.on_click(lambda _b: self.run())
        self.message = W.HTML()
        self.message.add_class("kit-sampling-message")
        self.output = W.HTML()
        self.output.add_class("kit-sampling-output")
        self.show_saved()
        upload_rows = [W.HBox([W.HTML(f"<b>{html.escape(label)}</b>",
                                      layout=W.Layout(width="18em")), self.uploads[kind]])
                       for kind, label in KINDS]
        super().__init__([
            W.HTML("<h3>九、记录样本的选取 Record sampling</h3><p>上传企业的记录、产品和文件登记表"
                   "（.xlsx 或 .csv，表头中文或英文均可）。Upload the registers.</p>"),
            *upload_rows, self.use_sample, self.date, self.seed, self.per_group,
            self.max_products, self.discrepancy, self.run_button, self.message, self.output,
        ])
        self.add_class("kit-sampling")

    def _uploaded(self, kind: str) -> tuple[str, bytes] | None:
        value = self.uploads[kind].value
        if not value:
            return None
        item = value[0]
        return str(item["name"]), bytes(item["content"])

    def run(self) -> None:
        """Draw from the uploaded (or sample) registers and show the result."""
        self.message.value = "正在抽样… drawing…"
        try:
            with tempfile.TemporaryDirectory() as tmp:
                paths = self._paths(Path(tmp))
                result = draw_from_files(
                    paths, inspection_date=self._day(), seed=self.seed.value,
                    per_group=self.per_group.value, max_products=self.max_products.value or None,
                    discrepancy=self.discrepancy.value)
            save_draw(self.session, result)
        except ValidationError as exc:
            items = "".join(f"<li>{html.escape(str(p))}</li>" for p in exc.problems[:50])
            more = f"<li>… {len(exc.problems) - 50} more</li>" if len(exc.problems) > 50 else ""
            self.message.value = (f"<div style='color:#b00020'><b>登记表有问题，未抽样 / "
                                  f"problems, nothing drawn:</b><ul>{items}{more}</ul></div>")
            return
        except KitError as exc:
            self.message.value = f"<div style='color:#b00020'>{html.escape(str(exc))}</div>"
            return
        notes = "".join(f"<li>{html.escape(n)}</li>" for n in result.notes)
        self.message.value = (f"<div style='color:#1b5e20'>已抽取 {len(result.selection)} 份记录并"
                              f"保存 / drawn and saved (seed {result.seed})</div><ul>{notes}</ul>")
        self.output.value = ("<h4>抽样汇总 Summary</h4>" + _table(result.summary)
                             + "<h4>各组统计 Groups（95% 上限 upper bound if none bad）</h4>"
                             + _table(result.groups)
                             + "<h4>抽取的记录 Selection</h4>" + _table(result.selection))

    def _day(self) -> date:
        day = parse_date(self.date.value)  # any form the kit reads; a bad one says why
        if day is None:
            msg = "请填写检查日期 / enter the inspection date"
            raise KitError(msg)
        return day

    def _paths(self, folder: Path) -> dict[str, Path]:
        if self.use_sample.value:
            return sample_registers()
        paths = {}
        problems: list[Problem] = []
        for kind, _label in KINDS:
            upload = self._uploaded(kind)
            if upload is None:
                continue
            name, content = upload
            found = check_upload(name, content)
            if found:
                problems += found
                continue
            path = folder / f"{kind}{Path(name).suffix.lower()}"
            path.write_bytes(content)
            paths[kind] = path
        if problems:
            raise ValidationError(problems, "上传的登记表 uploaded registers")
        return paths

    def show_saved(self) -> None:
        """Show the selection already saved in the record (after a reload)."""
        rows = self.session.inspection.sampling.rows
        if not rows:
            return
        import pandas as pd

        columns = list(self.session.inspection.sampling.columns) or None
        frame = pd.DataFrame([dict(r) for r in rows], columns=columns)
        self.output.value = ("<h4>已保存的抽样结果 Saved selection "
                             f"(seed {self.session.inspection.sampling.seed})</h4>" + _table(frame))
