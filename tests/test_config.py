"""The one home of settings: every KIT_* variable read in kit.config, and the README's table of
settings is the same list; the house's shape holds (a bound on the package's top)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from kit.config import VARIABLES, settings

ROOT = Path(__file__).resolve().parents[1]
KIT = ROOT / "kit"


def test_every_kit_variable_is_read_in_kit_config_alone() -> None:
    """No module of the kit but kit.config reads the environment for a KIT_* setting."""
    readers = []
    for path in KIT.rglob("*.py"):
        if path == KIT / "config.py":
            continue
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"(environ|getenv)\S*\(?\s*\[?\s*[\"'](KIT_\w+)", text):
            readers.append(f"{path.relative_to(ROOT)}: {match.group(2)}")
    assert readers == []


def test_every_kit_variable_named_anywhere_in_the_kit_is_listed() -> None:
    named = set()
    for path in [*KIT.rglob("*.py"), *(ROOT / "templates").glob("*.py")]:
        named |= set(re.findall(r"\bKIT_[A-Z_]+\b", path.read_text(encoding="utf-8")))
    named -= {"KIT_FORMATS", "KIT_ERROR", "KIT_HUB_"}  # constants and a prefix, no variables
    assert named <= set(VARIABLES), named - set(VARIABLES)


def test_the_readme_lists_every_setting_once_with_what_it_does() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `(KIT_\w+)` \|", readme, flags=re.MULTILINE)
    assert sorted(rows) == sorted(VARIABLES)
    assert len(rows) == len(set(rows))


def test_settings_are_read_as_they_are_now() -> None:
    now = settings({"KIT_SIGNING_KEY": "钥匙", "JUPYTERHUB_USER": " lihua ",
                    "KIT_USER_GROUPS": "leaders,,analysts ", "KIT_HUB_PORT": "8000"})
    assert now.signing_key == "钥匙".encode()
    assert now.hub_user == "lihua"
    assert now.groups == {"leaders", "analysts"}
    assert now.hub == {"KIT_HUB_PORT": "8000"}
    assert settings({}).db_url is None
    assert settings({}).signing_key is None


def test_the_top_of_the_package_holds_at_most_sixteen_modules() -> None:
    top = sorted(p.stem for p in KIT.glob("*.py") if p.stem not in ("__init__", "__main__"))
    assert len(top) <= 16, top


def test_no_module_of_the_store_imports_another_that_imports_it_even_for_types() -> None:
    """The circle the type checker hid (_store <-> _record) stays gone."""
    graph: dict[str, set[str]] = {}
    for path in (KIT / "store").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        graph[path.stem] = {node.module.rsplit(".", 1)[-1] for node in ast.walk(tree)
                            if isinstance(node, ast.ImportFrom) and node.module
                            and node.module.startswith("kit.store.")}
    for name, imports in graph.items():
        for other in imports:
            assert name not in graph.get(other, set()), (name, other)
