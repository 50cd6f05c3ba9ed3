"""A record's company as an entry of the office's register (企业名录): for a store that has
inspections but no register yet (the demo, an office starting out), so that the register's
picker and the plan's lines know the companies already inspected."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

from kit.record import Company, Inspection
from kit.register import RegisteredCompany, RegisteredProduct

_DISTRICT = re.compile(r"北京市?([^市]{1,12}?(区|县|开发区))")


def register_entry(company: Company) -> RegisteredCompany:
    """``company`` as the register would list it: its production licence or class I filing,
    its products, whether it contracts manufacturing (partners, or a contract filing), and its
    district as its production address names it."""
    licences = list(company.licences.values())
    licence = next((lic for lic in licences if lic.kind == "production_licence"), None)
    filing = next((lic for lic in licences if lic.kind == "class1_production_filing"), None)
    address = company.production_address or company.registered_address
    district = _DISTRICT.search(address)
    return RegisteredCompany(
        credit_code=company.credit_code, name=company.name,
        region=district.group(1) if district else "",
        contracts=bool(company.partners) or company.role == "contract_manufacturer" or any(
            lic.kind == "contract_production_filing" for lic in licences),
        licence_no=licence.number if licence else "",
        licence_issued=licence.issued if licence else None,
        licence_expires=licence.expires if licence else None,
        filing_no=filing.number if filing else "",
        filed_on=filing.issued if filing else None,
        products=tuple(RegisteredProduct(p.name, p.device_class, p.category_code,
                                         p.registration_no)
                       for p in company.products.values() if p.name),
    )


def register_of(inspections: Iterable[Inspection]) -> list[RegisteredCompany]:
    """The register of the companies ``inspections`` inspected, each as its latest inspection
    records it (by start date), those without a credit code left out; by credit code."""
    latest: dict[str, Inspection] = {}
    for ins in inspections:
        keep_latest(latest, ins)
    return [register_entry(latest[code].company) for code in sorted(latest)]


def keep_latest(latest: dict[str, Inspection], ins: Inspection) -> None:
    """Keep ``ins`` in ``latest`` (by credit code) when it is its company's latest so far (by
    start date; a later one of the same day wins); one without a credit code, or of a supplier
    or service provider (延伸检查), is no company of the register."""
    code = ins.company.credit_code
    if not code or ins.company.role in ("supplier", "service_provider"):
        return
    seen = latest.get(code)
    if seen is None or (ins.scope.start_date or date.min) >= (seen.scope.start_date or date.min):
        latest[code] = ins
