"""七、1 有效证照: licences and certificates checked against each other and the calendar.

七、1.检查方法（1）-（3）: a licence or certificate past its expiry date, names and addresses that
disagree between licences, and registered products outside the production licence's scope;
with them, the 统一社会信用代码 of the company and its partners. Plain functions over the
company record; :mod:`kit.rules` runs them with the inspection's date.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from kit.errors import Problem, error, warning
from kit.identifiers import credit_code_problem
from kit.record import Company


def credit_code_problems(company: Company) -> Iterator[Problem]:
    """The company's and its partners' 统一社会信用代码 against GB 32100."""
    if not company.credit_code.strip():
        yield warning(
            "company.credit_code_missing",
            "company/credit_code",
            "尚未填写统一社会信用代码",
            "no unified social credit code yet",
        )
    elif (why := credit_code_problem(company.credit_code)) is not None:
        yield error(
            "company.credit_code",
            "company/credit_code",
            f"统一社会信用代码无效：{why}",
            f"invalid credit code: {why}",
        )
    for key, partner in company.partners.items():
        if partner.credit_code and (why := credit_code_problem(partner.credit_code)):
            yield error(
                "company.credit_code",
                f"company/partners/{key}/credit_code",
                f"{partner.name} 的统一社会信用代码无效：{why}",
                f"invalid credit code of {partner.name}: {why}",
            )


def licence_problems(company: Company, on: date) -> Iterator[Problem]:
    """七、1.检查方法（1）-（3）: expired, inconsistent, or products beyond the licence scope."""
    for key, lic in company.licences.items():
        if lic.expires is not None and lic.expires < on:
            yield error(
                "licence.expired",
                f"company/licences/{key}/expires",
                f"证照已过期：{lic.number or key}，有效期至 {lic.expires}（七、1.检查方法（1））",
                f"licence {lic.number or key} expired on {lic.expires}",
            )
        if lic.holder and company.name and lic.holder != company.name:
            yield error(
                "licence.name_mismatch",
                f"company/licences/{key}/holder",
                f"证照上的名称“{lic.holder}”与企业名称“{company.name}”不一致"
                "（七、1.检查方法（2））",
                "licence holder differs from the company name",
            )
        if (
            lic.address
            and company.registered_address
            and lic.address != (company.registered_address)
        ):
            yield error(
                "licence.address_mismatch",
                f"company/licences/{key}/address",
                f"证照上的住所“{lic.address}”与企业住所“{company.registered_address}”"
                "不一致（七、1.检查方法（2））",
                "licence address differs",
            )
        if (
            lic.production_address
            and company.production_address
            and (lic.production_address != company.production_address)
        ):
            yield error(
                "licence.address_mismatch",
                f"company/licences/{key}/production_address",
                f"证照上的生产地址“{lic.production_address}”与企业生产地址不一致"
                "（七、1.检查方法（2））",
                "licence production address differs",
            )
    for key, product in company.products.items():
        if product.expires is not None and product.expires < on:
            yield error(
                "product.expired",
                f"company/products/{key}/expires",
                f"{product.name} 的注册证/备案凭证 {product.registration_no} 已于 "
                f"{product.expires} 过期（七、1.检查方法（1））",
                f"the certificate of {product.name} expired on {product.expires}",
            )
        if (
            product.holder
            # a contract manufacturer, or a supplier or service provider inspected in a 延伸检查
            # (六、5), makes or serves products registered to someone else
            and company.role not in ("contract_manufacturer", "supplier", "service_provider")
            and company.name
            and (product.holder != company.name)
        ):
            yield error(
                "product.holder_mismatch",
                f"company/products/{key}/holder",
                f"{product.name} 的注册人“{product.holder}”与企业名称不一致（七、1.检查方法（2））",
                "product holder differs from the company name",
            )
    yield from _products_within_licence_scope(company)


def _products_within_licence_scope(company: Company) -> Iterator[Problem]:
    scope_kinds = ("production_licence", "class1_production_filing")
    licences = [lic for lic in company.licences.values() if lic.kind in scope_kinds]
    scope = {code for lic in licences for code in lic.scope}
    own = [
        (key, p)
        for key, p in company.products.items()
        if not p.manufacturer or p.manufacturer == company.name
    ]
    if own and not licences:
        yield warning(
            "licence.missing_production",
            "company/licences",
            "尚未录入生产许可证或第一类医疗器械生产备案凭证（七、1.检查内容（2））",
            "no production licence or class I production filing entered",
        )
        return
    for key, product in own:
        if product.category_code and product.category_code not in scope:
            yield error(
                "product.outside_scope",
                f"company/products/{key}/category_code",
                f"{product.name}（分类编码 {product.category_code}）超出生产许可证或"
                "生产备案凭证的生产范围（七、1.检查方法（3））",
                f"{product.name} is outside the production licence scope",
            )


# -- 六 and 十: results, findings, signatures, follow-up -------------------------------------
