"""The kit's one exception root and the problem records that validation collects.

Validation never stops at the first problem: it gathers every :class:`Problem`, each saying
what is wrong (a reason code and a message in Chinese and English) and where it is (file,
sheet, row, column or field), and raises them together in one :class:`ValidationError`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from kit.reasons import Reason

__all__ = [
    "ConflictError",
    "InputError",
    "KitError",
    "KitWarning",
    "NotFoundError",
    "Problem",
    "Severity",
    "ValidationError",
    "error",
    "warning",
]

Severity = Literal["error", "warning"]


class KitError(Exception):
    """Root of every error the kit raises on purpose."""


class KitWarning(UserWarning):
    """Root of the kit's warnings (for example a deadline past the known calendar years)."""


class NotFoundError(KitError):
    """A guide item, inspection or file that was asked for does not exist."""


class ConflictError(KitError):
    """Someone else changed the same field since it was read; nothing was written."""


class InputError(KitError, ValueError):
    """One value someone typed or a file holds cannot be read (a date, a cell); says why.

    ``zh`` and ``en`` are the message in each language, for a :class:`Problem` to carry.
    """

    def __init__(self, zh: str, en: str = "") -> None:
        super().__init__(zh)
        self.zh, self.en = zh, en or zh


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input or a record, and where it is.

    ``where`` is a human-readable location built from the parts that apply, for example
    ``records.xlsx, sheet 记录, row 12, column 记录日期`` or ``team.members[2].name``.
    """

    code: str
    message: str
    message_en: str = ""
    field: str = ""
    file: str = ""
    sheet: str = ""
    row: int | None = None
    column: str = ""
    severity: Severity = "error"

    def __post_init__(self) -> None:
        # The registry is closed: a code not in kit.reasons is a bug, found where it is made.
        from kit.reasons import Reason  # here: the kit command's --help needs no codes

        if not isinstance(self.code, Reason):
            try:
                object.__setattr__(self, "code", Reason(self.code))
            except ValueError:
                msg = f"unknown reason code {self.code!r}: add it to kit.reasons.Reason"
                raise KitError(msg) from None

    @property
    def reason(self) -> Reason:
        """The code with its explanation and clause (:class:`kit.reasons.Reason`)."""
        from kit.reasons import Reason

        return Reason(self.code)

    @property
    def where(self) -> str:
        parts = []
        if self.file:
            parts.append(self.file)
        if self.sheet:
            parts.append(f"sheet {self.sheet}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column}")
        if self.field:
            parts.append(self.field)
        return ", ".join(parts)

    def __str__(self) -> str:
        text = self.message if not self.message_en else f"{self.message} ({self.message_en})"
        where = self.where
        level = "错误 error" if self.severity == "error" else "提示 warning"
        return f"[{level}] {where + ': ' if where else ''}{text} [{self.code}]"


def error(code: str, field: str, zh: str, en: str) -> Problem:
    """An error about a field of a record (for rules: what is wrong, in Chinese and English)."""
    return Problem(code, zh, en, field=field)


def warning(code: str, field: str, zh: str, en: str) -> Problem:
    """A warning about a field of a record: worth a look, does not block anything."""
    return Problem(code, zh, en, field=field, severity="warning")


class ValidationError(KitError):
    """Every problem found in one input, raised together; nothing was applied."""

    def __init__(self, problems: Iterable[Problem], what: str = "input") -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        self.what = what
        lines = [f"{what}: {len(self.problems)} problem(s), nothing was applied"]
        lines += [f"  {p}" for p in self.problems]
        super().__init__("\n".join(lines))

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "error")
