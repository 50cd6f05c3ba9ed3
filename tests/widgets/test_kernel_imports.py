"""A person's kernel holds what the checklist uses: the inspector app opened on the checklist
loads neither the workbook's writer (openpyxl, numpy, lxml), nor photos' library (Pillow), nor
the keys' (cryptography); they load when a notice is printed, a photo kept or a record
exported (issue 28: a person's pod's memory). Nor does it load Voila's server (jupyter_server,
nbconvert, and lxml through them: ~45 MiB) to read the page's address: a kernel that Voila
starts for a page has it in its environment."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from kit.interchange import demo_file
from kit.resources import shipped_dir

HEAVY = ("openpyxl", "numpy", "lxml", "PIL", "cryptography", "pandas", "matplotlib")
#: Voila's server and what it brings (a kernel never serves pages)
SERVER = ("voila", "jupyter_server", "nbconvert", "jupyterlab_server", "bs4", "jsonschema",
          "requests")
OPEN = """
import json, sys
from kit.door import Door
from kit.widgets import InspectorApp
app = InspectorApp(Door.connect(), user="张明")
app.open_inspection("demo-2026-1119", stage="checklist")
assert app.session is not None and "checklist" in app._built
print(json.dumps([m for m in %r if m in sys.modules]))
"""
#: the app notebook's own cells, then what they opened and loaded
AFTER_CELLS = """
assert app.session is not None and app.session.inspection.id == "demo-2026-1119"
assert "checklist" in app._built
import json, sys
print(json.dumps([m for m in %r if m in sys.modules]))
"""


def _store(tmp_path: Path) -> dict[str, str]:
    env = {"KIT_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    subprocess.run([sys.executable, "-m", "kit", "import", str(demo_file()), "--user", "t"],
                   check=True, capture_output=True, env=env, timeout=300)
    return env


def test_the_checklist_open_in_the_app_loads_nothing_it_does_not_use(tmp_path: Path) -> None:
    env = _store(tmp_path)
    done = subprocess.run([sys.executable, "-c", OPEN % (HEAVY,)], capture_output=True,
                          text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []


def test_the_app_notebook_in_a_voila_kernel_reads_its_address_without_voilas_server(
        tmp_path: Path) -> None:
    # the environment Voila gives the kernel of a page (no preheated kernel, as in a pod),
    # and the line it runs in it first
    env = _store(tmp_path) | {"VOILA_PREHEAT": "False", "KIT_USER": "张明",
                              "QUERY_STRING": "id=demo-2026-1119&stage=checklist"}
    notebook = json.loads((shipped_dir("notebooks") / "app.ipynb").read_text("utf-8"))
    cells = ['import os\nos.environ["VOILA_KERNEL_ID"] = "k1"'] + [
        "".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "code"]
    code = "\n".join(cells) + AFTER_CELLS % (HEAVY + SERVER,)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []
