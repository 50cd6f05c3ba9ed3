"""The office's register of licensed and filed companies: one company, its products, and the
columns of the register's workbook (the one home of their headers)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Final, Literal

__all__ = [
    "COMPANY_COLUMNS",
    "COMPANY_SHEET",
    "PRODUCT_COLUMNS",
    "PRODUCT_SHEET",
    "Column",
    "RegisteredCompany",
    "RegisteredProduct",
]

DeviceClass = Literal["I", "II", "III"]


@dataclass(frozen=True)
class RegisteredProduct:
    """A product the company is licensed or filed for (注册证 or 备案凭证)."""

    name: str
    device_class: DeviceClass
    category_code: str = ""
    registration_no: str = ""


@dataclass(frozen=True)
class RegisteredCompany:
    """One company of the register, keyed by its unified social credit code.

    ``licence_no`` is its 医疗器械生产许可证 (class II and III), ``filing_no`` its 第一类医疗器械
    生产备案凭证 (class I), with their dates; ``contracts`` whether it makes products under a
    contract (委托生产: 七、14 applies to it).
    """

    credit_code: str
    name: str
    region: str
    contracts: bool
    licence_no: str = ""
    licence_issued: date | None = None
    licence_expires: date | None = None
    filing_no: str = ""
    filed_on: date | None = None
    products: tuple[RegisteredProduct, ...] = ()
    #: the office server's accounts (Hub users of the group ``companies``) of the company's
    #: people, who answer its rectifications online (kit companies account)
    accounts: tuple[str, ...] = ()

    def to_doc(self) -> dict[str, Any]:
        """Plain JSON values (what the store keeps, and ``kit companies list --json`` prints)."""
        return {
            "credit_code": self.credit_code, "name": self.name, "region": self.region,
            "contracts": self.contracts, "licence_no": self.licence_no,
            "licence_issued": _iso(self.licence_issued),
            "licence_expires": _iso(self.licence_expires), "filing_no": self.filing_no,
            "filed_on": _iso(self.filed_on),
            "products": [{"name": p.name, "device_class": p.device_class,
                          "category_code": p.category_code,
                          "registration_no": p.registration_no} for p in self.products],
            **({"accounts": list(self.accounts)} if self.accounts else {}),
        }

    @classmethod
    def from_doc(cls, doc: Mapping[str, Any]) -> RegisteredCompany:
        """The company :meth:`to_doc` gave."""
        return cls(
            credit_code=str(doc["credit_code"]), name=str(doc["name"]),
            region=str(doc.get("region", "")), contracts=bool(doc.get("contracts", False)),
            licence_no=str(doc.get("licence_no", "")),
            licence_issued=_day(doc.get("licence_issued")),
            licence_expires=_day(doc.get("licence_expires")),
            filing_no=str(doc.get("filing_no", "")), filed_on=_day(doc.get("filed_on")),
            products=tuple(RegisteredProduct(str(p["name"]), p["device_class"],
                                             str(p.get("category_code", "")),
                                             str(p.get("registration_no", "")))
                           for p in doc.get("products", ())),
            accounts=tuple(str(a) for a in doc.get("accounts") or ()))


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


def _day(text: Any) -> date | None:
    return date.fromisoformat(text) if text else None


@dataclass(frozen=True)
class Column:
    """A column of the register's workbook: its field, its Chinese header (what the template
    writes and a file must carry; the English key is accepted too), its kind, whether a row
    needs it, and what the template's note says of it."""

    key: str
    zh: str
    kind: Literal["text", "code", "date", "bool", "class"] = "text"
    required: bool = False
    note: str = ""


COMPANY_SHEET: Final = "企业"
PRODUCT_SHEET: Final = "产品"

#: one row per company
COMPANY_COLUMNS: Final = (
    Column("credit_code", "统一社会信用代码", "code", True, "18 位，GB 32100 校验"),
    Column("name", "企业名称", required=True),
    Column("region", "所在区", required=True, note="如 海淀区、大兴区"),
    Column("contracts", "是否委托生产", "bool", True, "是/否：是则检查七、14"),
    Column("licence_no", "生产许可证编号", note="第二类、第三类；与备案凭证至少填一项"),
    Column("licence_issued", "许可证发证日期", "date"),
    Column("licence_expires", "许可证有效期至", "date"),
    Column("filing_no", "第一类生产备案凭证编号", note="第一类；填写则须填备案日期"),
    Column("filed_on", "备案日期", "date", note="第一类：备案后三个月内首次全项目检查"),
)

#: one row per product, joined to its company by the credit code
PRODUCT_COLUMNS: Final = (
    Column("credit_code", "统一社会信用代码", "code", True, "须为“企业”表中的企业"),
    Column("name", "产品名称", required=True),
    Column("category_code", "分类编码", note="如 14-02-01"),
    Column("device_class", "管理类别", "class", True, "I、II 或 III（一类、二类、三类）"),
    Column("registration_no", "注册证或备案凭证编号"),
)
