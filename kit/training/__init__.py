"""Training exercises on the guide: scenarios generated from the guide's data and the kit's code.

Trainers teach the guide part by part (一..十). Each part has kinds of exercise (:data:`KINDS`);
each exercise is a frozen :class:`Exercise`: a scenario, options, the answer and an explanation
citing the clause by label and id (``依据 八、4.（1）［8.4.1］``). Answers the kit can compute are
never typed in: a scenario is built as a small :class:`~kit.record.Inspection` and the
answer is what :func:`kit.rules.check` says about it; record-sampling answers come from
:mod:`kit.sampling`, deadlines from :mod:`kit.workdays`, options from the guide's vocabularies.
Only what the guide leaves to judgement (which situation calls for which inspection type or
handling) is teaching content, in ``kit/data/training.yaml`` (:data:`SITUATIONS`), and so is the
clause that decides each kind's answer (:func:`decided_by`), the first an exercise cites. A
question grades only what the guide says: a setting of the kit's own is stated in the question
as the kit's. The generators, one per kind, are in ``kit/training/_kinds.py``.

The same part, seed and count always give the same exercises. :func:`grade` turns an answer into
:class:`Feedback`; a trainee's :class:`Score` counts each exercise's first answer and is written
to Excel by :func:`score_to_excel` (every text as text, never a formula).

>>> ex = exercises("8", seed=1)[0]
>>> grade(ex, ex.answer).correct
True
"""

from __future__ import annotations

from kit.training._class import (
    CLASS_SHEETS,
    answer_record,
    class_frames,
    class_to_excel,
    keep_answer,
    load_score,
)
from kit.training._exercises import (
    KINDS,
    PARTS,
    SITUATIONS,
    Answer,
    Exercise,
    Feedback,
    Kind,
    Option,
    Score,
    cite,
    decided_by,
    exercises,
    grade,
    kinds_of_part,
    score_to_excel,
)
from kit.training._moodle import moodle_xml, write_moodle_xml

__all__ = [
    "CLASS_SHEETS",
    "KINDS",
    "PARTS",
    "SITUATIONS",
    "Answer",
    "Exercise",
    "Feedback",
    "Kind",
    "Option",
    "Score",
    "answer_record",
    "cite",
    "class_frames",
    "class_to_excel",
    "decided_by",
    "exercises",
    "grade",
    "keep_answer",
    "kinds_of_part",
    "load_score",
    "moodle_xml",
    "score_to_excel",
    "write_moodle_xml",
]
