"""七、1 licence checks as plain functions (the rules run them too; see test_rules)."""

from __future__ import annotations

from datetime import date

from kit.identifiers import make_credit_code
from kit.record import Company, Licence, Partner, Product
from kit.rules._licences import credit_code_problems, licence_problems

COMPANY = Company(
    name="北京示例医疗科技有限公司",
    registered_address="北京市示例路8号",
    licences={"L": Licence("production_licence", "京械生产许1号", "北京示例医疗科技有限公司",
                           "北京市示例路8号", scope=("14-01",), expires=date(2026, 12, 31))},
    products={"P": Product("注射器", category_code="14-01", expires=date(2027, 1, 31))},
)


def test_valid_on_one_day_expired_on_a_later_one():
    assert list(licence_problems(COMPANY, date(2026, 12, 31))) == []
    later = [p.code for p in licence_problems(COMPANY, date(2027, 2, 1))]
    assert later == ["licence.expired", "product.expired"]


def test_partner_codes_are_checked_too():
    good = make_credit_code("91110115MA01KT8X5")
    company = Company(credit_code=good, partners={"C": Partner("受托方", good[:-1] + "0")})
    assert [p.field for p in credit_code_problems(company)] == ["company/partners/C/credit_code"]
