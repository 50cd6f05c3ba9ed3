"""The office's register of licensed and filed companies (企业名录): who the office supervises,
with their licences or filings, products, region and whether they contract manufacturing.

The register is a workbook of two sheets, ``企业`` (one row per company) and ``产品`` (one row
per product, joined by the credit code); :func:`read_register` reads one with every problem
named by sheet, row and column, :func:`write_template` writes the template. The store keeps
it, with a trail of every change, through :class:`kit.door.Door` (``kit companies import``).

>>> import tempfile, pathlib
>>> path = write_template(pathlib.Path(tempfile.mkdtemp()) / "register.xlsx")
>>> [(c.credit_code, c.products[0].device_class) for c in read_register(path)]
[('91350100M000100Y43', 'III')]
"""

from __future__ import annotations

from kit.register._model import (
    COMPANY_COLUMNS,
    COMPANY_SHEET,
    PRODUCT_COLUMNS,
    PRODUCT_SHEET,
    Column,
    RegisteredCompany,
    RegisteredProduct,
)
from kit.register._read import FORMULA_START, MAX_REGISTER_ROWS, read_register
from kit.register._template import EXAMPLE, write_register, write_template

__all__ = [
    "COMPANY_COLUMNS",
    "COMPANY_SHEET",
    "EXAMPLE",
    "FORMULA_START",
    "MAX_REGISTER_ROWS",
    "PRODUCT_COLUMNS",
    "PRODUCT_SHEET",
    "Column",
    "RegisteredCompany",
    "RegisteredProduct",
    "read_register",
    "write_register",
    "write_template",
]
