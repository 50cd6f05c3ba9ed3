"""统一社会信用代码 check characters (GB 32100-2015)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kit.identifiers import ALPHABET, credit_code_problem, make_credit_code


def test_known_valid_code():
    assert credit_code_problem("91350100M000100Y43") is None


def test_lower_case_and_spaces_are_accepted():
    assert credit_code_problem(" 91350100m000100y43 ") is None


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("91350100M000100Y44", "校验码应为 3"),
        ("91350100M000100Y4", "应为 18 位"),
        ("91350100M000100Y433", "应为 18 位"),
        ("91350100I000100Y43", "不允许的字符 I"),
        ("", "应为 18 位，实为 0 位"),
    ],
)
def test_invalid_codes_say_why(code, reason):
    problem = credit_code_problem(code)
    assert problem is not None
    assert reason in problem


@given(st.text(alphabet=ALPHABET, min_size=17, max_size=17))
def test_made_codes_are_valid_and_any_single_change_is_caught(first17):
    code = make_credit_code(first17)
    assert credit_code_problem(code) is None
    wrong = ALPHABET[(ALPHABET.index(code[-1]) + 1) % 31]
    assert credit_code_problem(code[:-1] + wrong) is not None
