"""Proof anyone can check: the office's key pairs, signatures, and verdicts on signed files.

The contract between the parts of issue 24 (keys and verdicts here, in :mod:`kit.proof._keys`;
PDF signing in :mod:`kit.proof._pdf`):

* :class:`Certificate` (PEM bytes; ``subject``, ``fingerprint`` SHA-256 of DER, ``self_signed``,
  ``x509``, ``verify(data, signature)``), :class:`Signer` (``authority``, ``certificate``,
  ``sign(data)`` ECDSA-SHA256 DER, ``key_pem()`` unencrypted PKCS#8 for pyHanko in the same
  process, ``cert_pem()``), :func:`init_keys`, :func:`load_signer` (``KIT_KEYS_DIR``,
  ``KIT_KEY_PASSPHRASE``), :func:`trusted_certificates` (``KIT_TRUST_DIR`` or
  ``templates/trust``, plus ``--trust`` files), and :class:`Verdict` (``intact``, ``trusted``,
  ``signer``, ``fingerprint``, ``reasons``, ``kind``, ``exit_code``: 0 intact and trusted,
  3 intact but not trusted, 1 changed, 2 not a kit file; ``Verdict.not_a_kit_file(reason)``,
  ``Verdict.of_signature(kind, certificate, intact, trusted, reasons)``).
* ``sign_pdf(data, signer, *, field, reason, location="", timestamp_url=None) -> bytes`` and
  ``verify_pdf(data, trusted) -> Verdict`` live in ``kit/proof/_pdf.py`` and are re-exported
  here (imported when first used: pyHanko is heavy, and most commands never sign a PDF); so
  are the keys' names (``cryptography``), while where the keys are (:func:`keys_dir`,
  :func:`authorities`, in ``kit/proof/_folders.py``) loads neither.

Layers: :mod:`kit.proof` sits low (beside :mod:`kit.evidence`), because the store checks the
trail's checkpoints and the workbook its signature with it. It imports only ``cryptography``,
``pyhanko``, :mod:`kit.config`, :mod:`kit.errors` and :mod:`kit.resources`, never the door,
the notices or the printing. So the functions that render from the store and sign,
``signed_notice_pdf(door, inspection_id, kind, signer)`` and ``signed_record_pdf(door,
inspection_id, signer)``, belong beside ``export_notice`` and ``export_pdf`` in
``kit/interchange/_print.py``; :mod:`kit.interchange` re-exports them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kit.proof._folders import authorities, authority_dir, keys_dir

if TYPE_CHECKING:
    from kit.proof._keys import (
        Certificate,
        Signer,
        Verdict,
        init_keys,
        is_trusted,
        load_signer,
        office_certificates,
        trusted_certificates,
    )

__all__ = [
    "Certificate",
    "Signer",
    "Verdict",
    "authorities",
    "authority_dir",
    "init_keys",
    "is_trusted",
    "keys_dir",
    "load_signer",
    "office_certificates",
    "sign_pdf",
    "trusted_certificates",
    "verify_pdf",
]

_PDF = frozenset({"sign_pdf", "verify_pdf"})
_KEYS = frozenset({"Certificate", "Signer", "Verdict", "init_keys", "is_trusted", "load_signer",
                   "office_certificates", "trusted_certificates"})


def __getattr__(name: str) -> Any:
    """The keys' names from :mod:`kit.proof._keys` (``cryptography``), and ``sign_pdf`` and
    ``verify_pdf`` from :mod:`kit.proof._pdf` (pyHanko), each loaded when first asked for:
    whether there is a key (:func:`authorities`) needs neither."""
    if name in _KEYS:
        from kit.proof import _keys

        return getattr(_keys, name)
    if name in _PDF:
        from kit.proof import _pdf

        return getattr(_pdf, name)
    msg = f"module 'kit.proof' has no attribute {name!r}"
    raise AttributeError(msg)
