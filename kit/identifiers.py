"""统一社会信用代码 (GB 32100-2015): the check character of a unified social credit code.

Eighteen characters from ``0123456789ABCDEFGHJKLMNPQRTUWXY`` (no I, O, S, V, Z); the last is a
check character over the first seventeen, weighted by 3^(i-1) mod 31.

>>> credit_code_problem("91350100M000100Y43") is None
True
"""

from __future__ import annotations

__all__ = [
    "ALPHABET",
    "WEIGHTS",
    "credit_code_check_char",
    "credit_code_problem",
    "make_credit_code",
]

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}


def credit_code_check_char(first17: str) -> str:
    """The check character for the first seventeen characters of a credit code."""
    total = sum(_VALUE[ch] * w for ch, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def credit_code_problem(code: str) -> str | None:
    """None when ``code`` is a valid credit code, else what is wrong, in Chinese and English."""
    text = code.strip().upper()
    if len(text) != 18:
        return f"应为 18 位，实为 {len(text)} 位 / must be 18 characters, has {len(text)}"
    bad = sorted({ch for ch in text if ch not in _VALUE})
    if bad:
        return (
            f"含有不允许的字符 {''.join(bad)}（不使用 I、O、S、V、Z）"
            f" / contains characters not allowed: {''.join(bad)}"
        )
    expected = credit_code_check_char(text[:17])
    if text[17] != expected:
        return f"校验码应为 {expected}，实为 {text[17]} / check character should be {expected}"
    return None


def make_credit_code(first17: str) -> str:
    """Complete seventeen characters with their check character (for fictional sample data)."""
    return first17 + credit_code_check_char(first17)
