"""An office's inspections as tidy pandas tables, what an analyst reads from them, and charts.

:func:`load_tables` reads every inspection of a store into :class:`Tables` (inspections, item
results, findings, record samples, follow-ups, teams, notices, products, licences, review rounds
and extensions, joined on ``inspection_id``, each with a stable key: :data:`KEYS`);
:func:`write_tables` writes them as Parquet, CSV or Excel with the data dictionary
(:func:`data_dictionary`, :func:`describe`), :func:`duckdb_views` makes them SQL views; the analyses are
pure functions of those tables (with each finding's grade and outcome, its review rounds and
extensions, and each inspection's verdict); :func:`bar_chart` draws them; :func:`load_demo_data` fills a
store with generated inspections of fictional companies to try it all on.

>>> from kit.analytics import item_results
>>> from kit.record import new_inspection
>>> item_results(new_inspection()).shape[0]
145
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kit.analytics._charts import (
        CJK_FONTS,
        Chart,
        bar_chart,
        cjk_font,
        trend_chart,
    )
    from kit.analytics._credit import (
        CREDIT_SCHEMA,
        credit_file,
        credit_tables,
        write_credit_file,
    )
    from kit.analytics._demo import (
        DEFAULT_END,
        ID_PREFIX,
        analysis_door,
        demo_inspections,
        iter_demo_inspections,
        load_demo_data,
    )
    from kit.analytics._dictionary import (
        DESCRIBE_COLUMNS,
        LOGICAL_TYPES,
        Field,
        TableDoc,
        data_dictionary,
        describe,
        dictionary_json,
        dictionary_markdown,
    )
    from kit.analytics._files import (
        FORMATS,
        TABLE_NAMES,
        check_format,
        duckdb_views,
        read_tables,
        write_tables,
    )
    from kit.analytics._outcomes import (
        EXTENSION_COLUMNS,
        PRODUCTION_STATES,
        REVIEW_COLUMNS,
    )
    from kit.analytics._tables import (
        FINDING_COLUMNS,
        FOLLOW_UP_COLUMNS,
        INSPECTION_COLUMNS,
        KEYS,
        LICENCE_COLUMNS,
        MEASURE_LADDER,
        NOTICE_COLUMNS,
        PLAN_PATHS,
        PRODUCT_COLUMNS,
        RESULT_COLUMNS,
        SAMPLE_COLUMNS,
        SERIOUS_HANDLING,
        SHEETS,
        TEAM_COLUMNS,
        Tables,
        export_excel,
        findings_by_quarter_and_section,
        findings_frame,
        findings_per_company,
        findings_per_section,
        findings_per_type,
        follow_ups_frame,
        guide_table,
        inspections_frame,
        inspector_workload,
        item_results,
        load_plan_tables,
        load_tables,
        overdue_rectifications,
        quarterly_trends,
        read_export,
        repeat_findings,
        report_tables,
        samples_frame,
        suggest_measures,
        tables_of,
        workday_counts,
    )
    from kit.analytics._typed import ZONE
    from kit.frames import (
        read_frames,
        write_frames,
    )

__all__ = [
    "CJK_FONTS",
    "CREDIT_SCHEMA",
    "DEFAULT_END",
    "DESCRIBE_COLUMNS",
    "EXTENSION_COLUMNS",
    "FINDING_COLUMNS",
    "FOLLOW_UP_COLUMNS",
    "FORMATS",
    "ID_PREFIX",
    "INSPECTION_COLUMNS",
    "KEYS",
    "LICENCE_COLUMNS",
    "LOGICAL_TYPES",
    "MEASURE_LADDER",
    "NOTICE_COLUMNS",
    "PLAN_PATHS",
    "PRODUCTION_STATES",
    "PRODUCT_COLUMNS",
    "RESULT_COLUMNS",
    "REVIEW_COLUMNS",
    "SAMPLE_COLUMNS",
    "SERIOUS_HANDLING",
    "SHEETS",
    "TABLE_NAMES",
    "TEAM_COLUMNS",
    "ZONE",
    "Chart",
    "Field",
    "TableDoc",
    "Tables",
    "analysis_door",
    "bar_chart",
    "check_format",
    "cjk_font",
    "credit_file",
    "credit_tables",
    "data_dictionary",
    "demo_inspections",
    "describe",
    "dictionary_json",
    "dictionary_markdown",
    "duckdb_views",
    "export_excel",
    "findings_by_quarter_and_section",
    "findings_frame",
    "findings_per_company",
    "findings_per_section",
    "findings_per_type",
    "follow_ups_frame",
    "guide_table",
    "inspections_frame",
    "inspector_workload",
    "item_results",
    "iter_demo_inspections",
    "load_demo_data",
    "load_plan_tables",
    "load_tables",
    "overdue_rectifications",
    "quarterly_trends",
    "read_export",
    "read_frames",
    "read_tables",
    "repeat_findings",
    "report_tables",
    "samples_frame",
    "suggest_measures",
    "tables_of",
    "trend_chart",
    "workday_counts",
    "write_credit_file",
    "write_frames",
    "write_tables",
]

#: where each name of the package lives, loaded when first asked for: the plan and the demo
#: read tables without loading the charts (matplotlib) or the files' formats
_FROM: dict[str, str] = {
    "CJK_FONTS": "kit.analytics._charts",
    "Chart": "kit.analytics._charts",
    "bar_chart": "kit.analytics._charts",
    "cjk_font": "kit.analytics._charts",
    "trend_chart": "kit.analytics._charts",
    "CREDIT_SCHEMA": "kit.analytics._credit",
    "credit_file": "kit.analytics._credit",
    "credit_tables": "kit.analytics._credit",
    "write_credit_file": "kit.analytics._credit",
    "DEFAULT_END": "kit.analytics._demo",
    "ID_PREFIX": "kit.analytics._demo",
    "analysis_door": "kit.analytics._demo",
    "demo_inspections": "kit.analytics._demo",
    "iter_demo_inspections": "kit.analytics._demo",
    "load_demo_data": "kit.analytics._demo",
    "DESCRIBE_COLUMNS": "kit.analytics._dictionary",
    "LOGICAL_TYPES": "kit.analytics._dictionary",
    "Field": "kit.analytics._dictionary",
    "TableDoc": "kit.analytics._dictionary",
    "data_dictionary": "kit.analytics._dictionary",
    "describe": "kit.analytics._dictionary",
    "dictionary_json": "kit.analytics._dictionary",
    "dictionary_markdown": "kit.analytics._dictionary",
    "FORMATS": "kit.analytics._files",
    "TABLE_NAMES": "kit.analytics._files",
    "check_format": "kit.analytics._files",
    "duckdb_views": "kit.analytics._files",
    "read_tables": "kit.analytics._files",
    "write_tables": "kit.analytics._files",
    "EXTENSION_COLUMNS": "kit.analytics._outcomes",
    "PRODUCTION_STATES": "kit.analytics._outcomes",
    "REVIEW_COLUMNS": "kit.analytics._outcomes",
    "FINDING_COLUMNS": "kit.analytics._tables",
    "FOLLOW_UP_COLUMNS": "kit.analytics._tables",
    "INSPECTION_COLUMNS": "kit.analytics._tables",
    "KEYS": "kit.analytics._tables",
    "LICENCE_COLUMNS": "kit.analytics._tables",
    "MEASURE_LADDER": "kit.analytics._tables",
    "NOTICE_COLUMNS": "kit.analytics._tables",
    "PLAN_PATHS": "kit.analytics._tables",
    "PRODUCT_COLUMNS": "kit.analytics._tables",
    "RESULT_COLUMNS": "kit.analytics._tables",
    "SAMPLE_COLUMNS": "kit.analytics._tables",
    "SERIOUS_HANDLING": "kit.analytics._tables",
    "SHEETS": "kit.analytics._tables",
    "TEAM_COLUMNS": "kit.analytics._tables",
    "Tables": "kit.analytics._tables",
    "export_excel": "kit.analytics._tables",
    "findings_by_quarter_and_section": "kit.analytics._tables",
    "findings_frame": "kit.analytics._tables",
    "findings_per_company": "kit.analytics._tables",
    "findings_per_section": "kit.analytics._tables",
    "findings_per_type": "kit.analytics._tables",
    "follow_ups_frame": "kit.analytics._tables",
    "guide_table": "kit.analytics._tables",
    "inspections_frame": "kit.analytics._tables",
    "inspector_workload": "kit.analytics._tables",
    "item_results": "kit.analytics._tables",
    "load_plan_tables": "kit.analytics._tables",
    "load_tables": "kit.analytics._tables",
    "overdue_rectifications": "kit.analytics._tables",
    "quarterly_trends": "kit.analytics._tables",
    "read_export": "kit.analytics._tables",
    "repeat_findings": "kit.analytics._tables",
    "report_tables": "kit.analytics._tables",
    "samples_frame": "kit.analytics._tables",
    "suggest_measures": "kit.analytics._tables",
    "tables_of": "kit.analytics._tables",
    "workday_counts": "kit.analytics._tables",
    "ZONE": "kit.analytics._typed",
    "read_frames": "kit.frames",
    "write_frames": "kit.frames",
}


def __getattr__(name: str) -> object:
    """A name of the package, loaded from its module when first asked for."""
    where = _FROM.get(name)
    if where is None:
        raise AttributeError(f"module 'kit.analytics' has no attribute {name!r}")
    value = getattr(importlib.import_module(where), name)
    globals()[name] = value  # asked for once
    return value
