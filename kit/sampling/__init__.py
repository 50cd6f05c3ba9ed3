"""Record sampling for 九 记录样本的选取: the company's registers in, the records to inspect out.

Reading the registers (records, products, documents) from .xlsx or .csv into typed frames,
with every bad cell named by file, sheet, row and column; the six rules of 九 as pure
vectorised functions; :func:`sample` composing them into an explained, reproducible draw.

>>> zero_defect_sample_size(0.05)
59
"""

from __future__ import annotations

from kit.sampling._engine import (
    SampleResult,
    data_conclusion_mismatch,
    draw_groups,
    draw_keys,
    expand_discrepant,
    find_discrepancies,
    follow_batches,
    in_window,
    rank_products,
    record_windows,
    sample,
    versions_in_force,
    window_bounds,
)
from kit.sampling._params import SampleParameters
from kit.sampling._registers import (
    DOCUMENTS,
    FAIL,
    MAX_ROWS,
    PASS,
    PRODUCTS,
    RECORDS,
    SPECS,
    Column,
    Register,
    RegisterKind,
    RegisterSpec,
    load_registers,
    normalize_register,
    parse_dates,
    read_register,
    write_tables,
)
from kit.sampling._rules import data_columns, group_labels
from kit.sampling._tables import FLAGS, RULES, zero_defect_sample_size, zero_defect_upper_bound

__all__ = [
    "DOCUMENTS",
    "FAIL",
    "FLAGS",
    "MAX_ROWS",
    "PASS",
    "PRODUCTS",
    "RECORDS",
    "RULES",
    "SPECS",
    "Column",
    "Register",
    "RegisterKind",
    "RegisterSpec",
    "SampleParameters",
    "SampleResult",
    "data_columns",
    "data_conclusion_mismatch",
    "draw_groups",
    "draw_keys",
    "expand_discrepant",
    "find_discrepancies",
    "follow_batches",
    "group_labels",
    "in_window",
    "load_registers",
    "normalize_register",
    "parse_dates",
    "rank_products",
    "read_register",
    "record_windows",
    "sample",
    "versions_in_force",
    "window_bounds",
    "write_tables",
    "zero_defect_sample_size",
    "zero_defect_upper_bound",
]
