"""记录抽样 (九): upload the company's registers, draw the sample, see why each record was chosen.

The draw is saved into the record (seed, parameters and every chosen row with its rules,
reason and flags), so the workbook and a reload show the same selection. Uploads are checked
before anything is read: a file that is too large, of the wrong type, or with bad cells gets a
message that says which file, sheet, row and column.
"""

from __future__ import annotations

import html
import tempfile
import zlib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import ipywidgets as W

from kit._resources import shipped_dir
from kit.errors import KitError, Problem, ValidationError
from kit.session import Session

MAX_UPLOAD_BYTES = 50 * 1024 * 1024
ACCEPT = ".xlsx,.csv"
KINDS = (("records", "记录登记表 Records"), ("products", "产品登记表 Products"),
         ("documents", "文件登记表 Documents（可选 optional）"))
SHOWN_ROWS = 300


@dataclass(frozen=True)
class Upload:
    """One uploaded file: its name and bytes."""

    name: str
    content: bytes


def sample_registers() -> dict[str, Path]:
    """The demo company's registers shipped in ``sample_data/registers``."""
    folder = shipped_dir("sample_data") / "registers"
    found = {}
    for kind in ("records", "products", "documents"):
        for suffix in (".xlsx", ".csv"):
            path = folder / f"{kind}{suffix}"
            if path.is_file():
                found[kind] = path
                break
    return found


def check_upload(upload: Upload) -> str | None:
    """What is wrong with an uploaded file before reading it, or None."""
    suffix = Path(upload.name).suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        return f"{upload.name}：只接受 .xlsx 或 .csv 文件 / only .xlsx or .csv files"
    if len(upload.content) > MAX_UPLOAD_BYTES:
        size = len(upload.content) / 2**20
        return (f"{upload.name}：文件 {size:.1f} MiB，超过上限 {MAX_UPLOAD_BYTES // 2**20} MiB"
                f" / file too large")
    if not upload.content:
        return f"{upload.name}：文件为空 / the file is empty"
    return None


def default_seed(inspection_id: str) -> int:
    """A seed that is the same for the same inspection (and written into the record)."""
    return zlib.crc32(inspection_id.encode("utf-8")) % 1_000_000


def run_sampling(session: Session, paths: dict[str, Path], *, inspection_date: date, seed: int,
                 per_group: int = 2, max_products: int | None = None,
                 discrepancy: float = 0.2) -> Any:
    """Read the registers, draw the sample and save it into the record; return the result."""
    from kit.registers import read_register
    from kit.sampling import sample

    problems: list[Problem] = []
    frames: dict[str, Any] = {}
    for kind, path in paths.items():
        try:
            frames[kind] = read_register(path, kind).frame  # type: ignore[arg-type]
        except ValidationError as exc:
            problems += exc.problems
    if problems:
        raise ValidationError(problems, "登记表 registers")
    if "records" not in frames or "products" not in frames:
        msg = "需要记录登记表和产品登记表 / the records and products registers are needed"
        raise KitError(msg)
    result = sample(frames["records"], frames["products"], frames.get("documents"),
                    inspection_date, seed=seed, per_group=per_group, max_products=max_products,
                    discrepancy=discrepancy)
    rows = selection_rows(result.selection)
    params = {k: "" if v is None else str(v) for k, v in result.parameters.as_dict().items()}
    session.set_many({
        "sampling/seed": seed,
        "sampling/inspection_date": inspection_date,
        "sampling/parameters": params,
        "sampling/columns": [str(c) for c in result.selection.columns],
        "sampling/rows": rows,
        "sampling/notes": list(result.notes),
    }, action="sampling")
    return result


def _cell_text(value: Any) -> str:
    import pandas as pd

    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat() if value == value.normalize() else value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def selection_rows(frame: Any) -> list[dict[str, str]]:
    """The chosen records as text rows, the form the record keeps them in."""
    columns = [str(c) for c in frame.columns]
    return [dict(zip(columns, map(_cell_text, row), strict=True))
            for row in frame.itertuples(index=False, name=None)]


def _table(frame: Any, limit: int = SHOWN_ROWS) -> str:
    shown = frame.head(limit)
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
        self.date = W.DatePicker(value=ins.sampling.inspection_date or ins.scope.start_date
                                 or date.today(), description="检查日期 Date")
        self.seed = W.IntText(value=ins.sampling.seed or default_seed(session.id),
                              description="随机种子 Seed")
        self.per_group = W.BoundedIntText(value=2, min=1, max=50, description="每组份数 Per group")
        self.max_products = W.BoundedIntText(value=0, min=0, max=1000,
                                             description="产品上限 Max products (0 = 全部)")
        self.discrepancy = W.BoundedFloatText(value=0.2, min=0.01, max=10, step=0.05,
                                              description="差异阈值 Discrepancy")
        for w in (self.date, self.seed, self.per_group, self.max_products, self.discrepancy):
            w.style = {"description_width": "14em"}
        self.run_button = W.Button(description="抽样 Draw the sample", icon="random",
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

    def _uploaded(self, kind: str) -> Upload | None:
        value = self.uploads[kind].value
        if not value:
            return None
        item = value[0]
        return Upload(str(item["name"]), bytes(item["content"]))

    def run(self) -> None:
        """Draw from the uploaded (or sample) registers and show the result."""
        self.message.value = "正在抽样… drawing…"
        try:
            with tempfile.TemporaryDirectory() as tmp:
                paths = self._paths(Path(tmp))
                result = run_sampling(
                    self.session, paths, inspection_date=self.date.value, seed=self.seed.value,
                    per_group=self.per_group.value, max_products=self.max_products.value or None,
                    discrepancy=self.discrepancy.value)
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

    def _paths(self, folder: Path) -> dict[str, Path]:
        if self.use_sample.value:
            return sample_registers()
        paths = {}
        problems = []
        for kind, _label in KINDS:
            upload = self._uploaded(kind)
            if upload is None:
                continue
            why = check_upload(upload)
            if why:
                problems.append(why)
                continue
            path = folder / f"{kind}{Path(upload.name).suffix.lower()}"
            path.write_bytes(upload.content)
            paths[kind] = path
        if problems:
            raise KitError("；".join(problems))
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
