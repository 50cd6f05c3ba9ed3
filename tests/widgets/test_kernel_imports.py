"""A person's kernel holds what the checklist uses: the inspector app opened on the checklist
loads neither the workbook's writer (openpyxl, numpy, lxml), nor photos' library (Pillow), nor
the keys' (cryptography); they load when a notice is printed, a photo kept or a record
exported (issue 28: a person's pod's memory)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from kit.interchange import demo_file

HEAVY = ("openpyxl", "numpy", "lxml", "PIL", "cryptography", "pandas", "matplotlib")
OPEN = """
import json, sys
from kit.door import Door
from kit.widgets import InspectorApp
app = InspectorApp(Door.connect(), user="张明")
app.open_inspection("demo-2026-1119", stage="checklist")
assert app.session is not None and "checklist" in app._built
print(json.dumps([m for m in %r if m in sys.modules]))
"""


def test_the_checklist_open_in_the_app_loads_nothing_it_does_not_use(tmp_path: Path) -> None:
    env = {"KIT_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    subprocess.run([sys.executable, "-m", "kit", "import", str(demo_file()), "--user", "t"],
                   check=True, capture_output=True, env=env, timeout=300)
    done = subprocess.run([sys.executable, "-c", OPEN % (HEAVY,)], capture_output=True,
                          text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []
