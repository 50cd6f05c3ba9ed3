"""A class's answers kept in the store: a reload keeps a trainee's score and set, and a trainer
sees per trainee, per part and per clause who got what wrong."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from kit.door import Door, Identity
from kit.frames import read_frames
from kit.store import Store
from kit.training import (
    Score,
    class_frames,
    class_to_excel,
    exercises,
    grade,
    keep_answer,
    load_score,
)
from kit.widgets.training import TrainingApp


@pytest.fixture
def store(tmp_path):
    with Store(data_dir=tmp_path) as store:
        yield store


def answer(app: TrainingApp, k: int, right: bool) -> None:
    w = app.exercise_widgets[k]
    wrong = next(o.value for o in w.exercise.options if o.value != w.exercise.answer)
    w.choice.value = w.exercise.answer if right else wrong
    w.check_button.click()


def test_a_new_page_brings_back_the_trainees_answers_set_and_score(store, monkeypatch):
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    monkeypatch.delenv("KIT_USER", raising=False)
    app = TrainingApp(door=Door(store), seed=7, part="8")
    assert "填写学员姓名后" in app.kept.value
    answer(app, 0, right=True)  # before the name is known: kept once it is
    app.trainee.value = "王五"
    answer(app, 1, right=False)
    assert "1/2" in app.score_line.value
    assert app.guard.user == "王五"  # the browser remembers the name
    assert "作答已保存（王五）" in app.kept.value

    again = TrainingApp(door=Door(store), part="8")  # a reload: a new kernel, no ?seed
    again.guard.user = "王五"  # what the browser remembered
    assert again.seed == 7  # the set they were answering
    assert again.trainee.value == "王五"
    assert "1/2" in again.score_line.value
    first, second = again.exercise_widgets[:2]
    assert first.feedback is not None
    assert first.feedback.correct
    assert second.feedback is not None
    assert not second.feedback.correct
    assert second.choice.value == app.exercise_widgets[1].choice.value
    answer(again, 1, right=True)  # answering again does not change the first answer
    assert "1/2" in again.score_line.value
    assert len(store.answers("王五")) == 2


def test_on_the_office_server_the_sign_in_is_the_trainee(store, monkeypatch):
    monkeypatch.setenv("JUPYTERHUB_USER", "zhaolei")
    monkeypatch.setenv("KIT_USER_GROUPS", "")
    app = TrainingApp(door=Door(store), seed=3, part="9")
    answer(app, 0, right=True)
    app.trainee.value = "赵磊"  # a display name; the answers stay the sign-in's
    assert [r["user"] for r in store.answers()] == ["zhaolei"]
    assert app.class_button.layout.display == "none"  # not a trainer
    app.show_class()
    assert "只有培训人员" in app.class_area.value
    reloaded = TrainingApp(door=Door(store), part="9")
    assert reloaded.seed == 3
    assert "1/1" in reloaded.score_line.value


def test_a_trainer_sees_who_got_what_wrong_and_downloads_the_class(store, monkeypatch, tmp_path):
    monkeypatch.setenv("JUPYTERHUB_USER", "trainer")
    monkeypatch.setenv("KIT_USER_GROUPS", "trainers")
    ex = exercises("9", seed=5)
    for user, name, rights in (("a", "甲", (True, True)), ("b", "乙", (True, False)),
                               ("c", "丙", (False, False))):
        for e, right in zip(ex[:2], rights, strict=True):
            wrong = next(o.value for o in e.options if o.value != e.answer)
            score = Score(name, 5).record(e, grade(e, e.answer if right else wrong))
            keep_answer(Door(store, Identity(user)), score.answers[0], trainee=name, seed=5)
    frames = class_frames(store.answers())
    trainees = frames["trainees"].set_index("trainee")
    assert trainees.loc["甲", "rate"] == 1.0
    assert trainees.loc["丙", "correct"] == 0
    parts = frames["parts"]
    assert set(parts["part"].astype(str)) == {"9"}
    clauses = frames["clauses"].set_index("clause")
    cited = ex[1].clauses[0]
    assert "乙" in clauses.loc[cited, "wrong_by"]
    assert "丙" in clauses.loc[cited, "wrong_by"]
    assert "甲" not in clauses.loc[cited, "wrong_by"]
    # when they answered: Beijing wall time, and the frame says so (the trainer may be abroad)
    answered = frames["answers"]["at"]
    assert str(answered.dt.tz) == "Asia/Shanghai"
    assert abs(answered.max() - pd.Timestamp.now(tz="Asia/Shanghai")) < pd.Timedelta(hours=1)
    back = read_frames(class_to_excel(frames, tmp_path / "class.xlsx"))
    pd.testing.assert_frame_equal(back["trainees"], frames["trainees"])
    app = TrainingApp(door=Door(store), part="9")
    assert app.class_button.layout.display == ""
    app.show_class()
    assert "甲" in app.class_area.value
    assert "100%" in app.class_area.value
    assert "乙、丙" in app.class_area.value
    assert re.search(r'base64,([^"]+)"', app.class_area.value)


def test_the_store_keeps_the_first_answer_only(store):
    e = exercises("8", seed=1)[0]
    first = Score("x", 1).record(e, grade(e, e.answer)).answers[0]
    assert keep_answer(Door(store, Identity("u")), first)
    assert not keep_answer(Door(store, Identity("u")), first)
    assert load_score(Door(store, Identity("u"))).n_correct == 1
    assert load_score(Door(store, Identity("nobody"))).n_answered == 0


def test_kit_class_writes_the_class_summary(tmp_path):
    import subprocess
    import sys

    with Store(data_dir=tmp_path / "d") as s:
        e = exercises("8", seed=2)[0]
        keep_answer(Door(s, Identity("a")), Score("甲", 2).record(e, grade(e, e.answer)).answers[0], trainee="甲")
    run = subprocess.run([sys.executable, "-m", "kit", "class", "--out", str(tmp_path / "c.xlsx"),
                          "--data-dir", str(tmp_path / "d")], capture_output=True, text=True,
                         check=False)
    assert run.returncode == 0, run.stderr
    assert "1 名学员，1 次作答" in run.stdout
    assert read_frames(tmp_path / "c.xlsx")["trainees"]["trainee"].tolist() == ["甲"]


def test_a_new_name_on_the_same_machine_starts_that_persons_own_score(store, monkeypatch):
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    monkeypatch.delenv("KIT_USER", raising=False)
    app = TrainingApp(door=Door(store), seed=7, part="8")
    app.trainee.value = "张三"
    answer(app, 0, right=True)
    answer(app, 1, right=True)
    app.trainee.value = "李四"  # the next trainee at the same tablet
    assert store.answers("李四") == []  # 张三's answers stay 张三's
    assert len(store.answers("张三")) == 2
    assert "0/0" in app.score_line.value
    assert all(w.feedback is None for w in app.exercise_widgets)  # not 张三's answers on show


def test_one_person_is_one_row_under_the_last_name_they_gave(store):
    e1, e2 = exercises("8", seed=1)[:2]
    keep_answer(Door(store, Identity("zl")), Score("x", 1).record(e1, grade(e1, e1.answer)).answers[0], trainee="zl")
    keep_answer(Door(store, Identity("zl")), Score("x", 1).record(e2, grade(e2, e2.answer)).answers[0], trainee="赵磊")
    trainees = class_frames(store.answers())["trainees"]
    assert trainees[["trainee", "answered"]].values.tolist() == [["赵磊", 2]]
