"""Every stage renders a record whatever it holds: a code it does not know (written by an older
kit, an administrator's repair, a database edited by hand) is shown with a problem beside it,
never an exception in place of the stage."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kit.door import Door, Identity
from kit.interchange import demo_inspection
from kit.record import to_doc
from kit.session import Session
from kit.store import Store
from kit.widgets._fields import fields_of
from kit.widgets.app import STAGE_TABS, InspectorApp, stage_widget

#: where a record holds a code (the door refuses unknown ones; the store may hold them)
CODE_PATHS = (
    "company/role", "scope/type", "scope/cooperation", "plan/state", "stage",
    "findings/F1/handling", "findings/F1/item", "findings/F1/state", "findings/F1/review_mode",
    "follow_up/measures", "follow_up/review_mode", "past_products/measures",
    "signatures/inspector_signers", "scope/sections", "scope/bases", "team/M1/sections",
    "team/M1/qualifications", "team/M1/standards", "team/M1/role", "results/7.1.c1/means",
    "results/7.1.c1/inspector", "results/7.1.c1/result", "notices/result/witnesses",
    "company/licences/L1/kind", "company/products/P1/device_class",
    "company/partners/C1/relation", "company/partners/C1/products", "inability/noted_by",
    "findings/F1/grade", "findings/F2/corrected_by", "opinion/verdict",
    "findings/F1/reviews/R1/mode", "findings/F1/reviews/R1/result",
)
LISTS = {"follow_up/measures", "past_products/measures", "signatures/inspector_signers",
         "scope/sections", "scope/bases", "team/M1/sections", "team/M1/qualifications",
         "team/M1/standards", "results/7.1.c1/means", "notices/result/witnesses",
         "company/partners/C1/products", "inability/noted_by"}
UNKNOWN = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1,
                  max_size=12)


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    with Store(data_dir=tmp_path_factory.mktemp("odd")) as s:
        yield s


def stored_as_is(store: Store, path: str, value: object) -> str:
    """The demo with ``value`` at ``path``, written straight into the store (no door)."""
    doc = to_doc(replace(demo_inspection(), attachments={}, notices={}))
    node = doc
    *parents, last = path.split("/")
    for key in parents:
        node = node.setdefault(key, {})
    node[last] = [value] if path in LISTS else value
    return store.create(json.loads(json.dumps(doc)), user="管理员")


def build_every_stage(app: InspectorApp) -> None:
    for key, _title in STAGE_TABS:
        widget = app.stage(key)
        if key == "checklist":
            for section in widget.sections:
                widget._show(section.id)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.sampled_from(CODE_PATHS), value=UNKNOWN)
def test_every_stage_renders_a_record_holding_an_unknown_code(store, path, value) -> None:
    iid = stored_as_is(store, path, value)
    app = InspectorApp(Door(store), user="张明")
    app._guard(app.open_inspection, iid)
    message = app.message.value
    if app.session is None or app.session.id != iid:
        # a value the record model itself refuses: the page says which field, and why
        assert path.split("/")[0] in message
        assert "internal error" not in message
        return
    build_every_stage(app)
    assert "internal error" not in app.message.value
    for key, _title in STAGE_TABS:
        for bound in fields_of(app.stage(key)):
            assert "kit.error" not in bound.message.value if bound._message else True


def test_an_unknown_code_is_shown_with_a_problem_beside_it(store) -> None:
    iid = stored_as_is(store, "findings/F1/handling", "no_such_handling")
    session = Session(Door(store, Identity("张明")), iid)
    widget = stage_widget("findings")(session)
    handling = next(f for f in fields_of(widget) if f.spec.path == "findings/F1/handling")
    assert handling.control.value == "no_such_handling"
    assert "no_such_handling" in handling.message.value
    assert "不是已知" in handling.message.value
    handling.control.value = "correct_on_site"  # picking a known one mends it
    assert session.inspection.findings["F1"].handling == "correct_on_site"
