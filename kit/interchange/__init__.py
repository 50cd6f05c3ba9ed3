"""Records in and out: JSON, the Excel workbook, the printed record and notices, the demo.

Every function reads and writes through a :class:`kit.door.Door`, so an export shows a person
only what they may read and an import writes only what is valid, checked against the versions
it read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kit._lazy import lazy_names

if TYPE_CHECKING:
    from kit.interchange._demo import DEMO_ID, demo_file, demo_inspection, load_demo, register_demo
    from kit.interchange._json import (
        EVIDENCE_KEY,
        MAX_DEPTH,
        MAX_JSON_BYTES,
        SIGNATURE_KEY,
        export_json,
        import_json,
        parse_json_bytes,
        parse_json_file,
        verify_json,
    )
    from kit.interchange._notary import SIGNER_TIMEOUT_S, HubNotary, notary_from_environment
    from kit.interchange._print import (
        EXPORT_FORMATS,
        PDF_TIMEOUT_S,
        LocalNotary,
        export_notice,
        export_pdf,
        issued_pdf,
        signed_export,
        signed_notice_pdf,
        signed_record_pdf,
        signed_service_pdf,
    )
    from kit.interchange._register import keep_latest, register_entry, register_of
    from kit.interchange._verify import verify_file
    from kit.interchange._workbook import (
        IMPORT_STEPS,
        Imported,
        export_workbook,
        import_workbook,
        pictures_of,
    )

__all__ = [
    "DEMO_ID",
    "EVIDENCE_KEY",
    "EXPORT_FORMATS",
    "IMPORT_STEPS",
    "MAX_DEPTH",
    "MAX_JSON_BYTES",
    "PDF_TIMEOUT_S",
    "SIGNATURE_KEY",
    "SIGNER_TIMEOUT_S",
    "HubNotary",
    "Imported",
    "LocalNotary",
    "demo_file",
    "demo_inspection",
    "export_json",
    "export_notice",
    "export_pdf",
    "export_workbook",
    "import_json",
    "import_workbook",
    "issued_pdf",
    "keep_latest",
    "load_demo",
    "notary_from_environment",
    "parse_json_bytes",
    "parse_json_file",
    "pictures_of",
    "register_demo",
    "register_entry",
    "register_of",
    "signed_export",
    "signed_notice_pdf",
    "signed_record_pdf",
    "signed_service_pdf",
    "verify_file",
    "verify_json",
]

#: where each name of the package lives, loaded when first asked for
_FROM: dict[str, str] = {
    "DEMO_ID": "_demo", "demo_file": "_demo", "demo_inspection": "_demo", "load_demo": "_demo",
    "register_demo": "_demo",
    "EVIDENCE_KEY": "_json", "MAX_DEPTH": "_json", "MAX_JSON_BYTES": "_json",
    "SIGNATURE_KEY": "_json", "export_json": "_json", "import_json": "_json",
    "parse_json_bytes": "_json", "parse_json_file": "_json", "verify_json": "_json",
    "SIGNER_TIMEOUT_S": "_notary", "HubNotary": "_notary", "notary_from_environment": "_notary",
    "EXPORT_FORMATS": "_print", "PDF_TIMEOUT_S": "_print", "LocalNotary": "_print",
    "export_notice": "_print", "export_pdf": "_print", "issued_pdf": "_print",
    "signed_export": "_print", "signed_notice_pdf": "_print", "signed_record_pdf": "_print",
    "signed_service_pdf": "_print",
    "keep_latest": "_register", "register_entry": "_register", "register_of": "_register",
    "verify_file": "_verify",
    "IMPORT_STEPS": "_workbook", "Imported": "_workbook", "export_workbook": "_workbook",
    "import_workbook": "_workbook", "pictures_of": "_workbook",
}


# loaded when first asked for: an export to Excel loads neither the notices nor the demo
__getattr__ = lazy_names(__name__, _FROM)
