"""The audit trail as a hash chain, and its verification by replay.

Each entry's MAC covers the MAC of the entry before it (per inspection) and the entry itself:
the inspection's id, the time, the user, the action, the field and its new value (for a
``create``, the whole document). It is an HMAC-SHA256 under the office's key
(``KIT_SIGNING_KEY``) when one is set, else a SHA-256; its first byte says which. So a changed,
removed, inserted or reordered entry breaks the chain at that entry, and once an entry is keyed
an entry after it can only be keyed too (no downgrade to a plain digest a forger could make).

A plain SHA-256 chain shows accidental and naive changes; only a key kept off the database
server makes forgery detectable (the same as the workbook's seal).

:func:`replay` reads a trail in order and returns what the current values must be and the first
broken entry if any.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Final

from kit.config import settings
from kit.schemas import canonical_json

SIGNING_KEY_ENV: Final = "KIT_SIGNING_KEY"
PLAIN, KEYED = b"\x00", b"\x01"
_SEP = "\x1f"


def office_key() -> bytes | None:
    """The office's key from ``KIT_SIGNING_KEY``, or None."""
    return settings().signing_key


def snapshot_text(rows: dict[str, str]) -> str:
    """A new inspection's rows (path -> value JSON) as the canonical text its entry covers."""
    return canonical_json(rows)


def pack_snapshot(text: str) -> bytes:
    return zlib.compress(text.encode("utf-8"), 6)


def unpack_snapshot(blob: bytes) -> dict[str, str]:
    rows: dict[str, str] = json.loads(zlib.decompress(blob).decode("utf-8"))
    return rows


def mac(prev: bytes, inspection_id: str, at: str, user: str, action: str, path: str | None,
        value: str | None, key: bytes | None) -> bytes:
    """The MAC of one entry, chained to ``prev`` (the entry before it; b"" for the first)."""
    payload = _SEP.join((inspection_id, at, user, action, path or "", value or "")).encode()
    if key is None:
        return PLAIN + hashlib.sha256(prev + payload).digest()
    return KEYED + hmac.new(key, prev + payload, hashlib.sha256).digest()


@dataclass
class Broken:
    """The first entry where the trail stops being what it was written as, and why."""

    seq: int
    at: str
    user: str
    why_zh: str
    why_en: str


@dataclass
class Replay:
    """What a trail says: the values it leaves, their versions, and where it is broken."""

    values: dict[str, str] = field(default_factory=dict)
    versions: dict[str, int] = field(default_factory=dict)
    deleted: bool = False
    head_seq: int = 0
    head_mac: bytes = b""
    keyed: bool = False
    broken: Broken | None = None
    entries: int = 0


def replay(inspection_id: str, rows: Iterable[tuple[Any, ...]], key: bytes | None, *,
           check: bool = True) -> Replay:
    """Replay a trail: rows of (seq, at, user, action, path, value, snapshot, mac), in order.

    With ``check`` every MAC is recomputed; the first one that differs, a keyed entry that
    cannot be checked without the key, or a plain entry after a keyed one, is ``broken``.
    The loop is the cost of ``kit audit --verify``: one hash and a few dict operations per
    entry, the MAC computed inline (the same bytes as :func:`mac`).
    """
    out = Replay()
    values, versions = out.values, out.versions
    prev = b""
    lead = (inspection_id + _SEP).encode()
    sha256, compare, plain, join = hashlib.sha256, hmac.compare_digest, PLAIN[0], _SEP.join
    for out.entries, (seq, at, user, action, path, value, snapshot, stored) in enumerate(rows, 1):
        covered = value
        if snapshot is not None:
            covered = zlib.decompress(snapshot).decode("utf-8")
            for p, v in json.loads(covered).items():
                values[p] = v
                versions[p] = seq
        elif path is not None:
            if value is None:
                values.pop(path, None)
                versions.pop(path, None)
            else:
                values[path] = value
                versions[path] = seq
        elif action in ("delete", "restore"):
            out.deleted = action == "delete"
        if type(stored) is not bytes:
            stored = bytes(stored)
        if check and out.broken is None:
            payload = join((at, user, action, path or "", covered or "")).encode()
            if stored[0] != plain or out.keyed or not compare(
                    PLAIN + sha256(prev + lead + payload).digest(), stored):
                why = _check(prev, stored, inspection_id, at, user, action, path, covered, key,
                             out.keyed)
                if why is not None:
                    out.broken = Broken(seq, at, user, *why)
        if stored[0] != plain:
            out.keyed = True
        prev = stored
    if prev:
        out.head_seq, out.head_mac = seq, prev
    return out


def _check(prev: bytes, stored: bytes, inspection_id: str, at: str, user: str, action: str,
           path: str | None, value: str | None, key: bytes | None,
           keyed_before: bool) -> tuple[str, str] | None:
    kind = stored[:1]
    if kind == PLAIN and keyed_before:
        return ("此前的记录已用机构密钥签名，此条却只有普通摘要（被降级改写）",
                "a plain digest after keyed entries: the entry was rewritten without the key")
    if kind == KEYED and key is None:
        return ("此条记录用机构密钥签名，需设置 KIT_SIGNING_KEY 才能核验",
                "a keyed entry: set KIT_SIGNING_KEY to verify it")
    if kind not in (PLAIN, KEYED):
        return ("校验值格式不对", "the entry's MAC is malformed")
    expected = mac(prev, inspection_id, at, user, action, path, value,
                   key if kind == KEYED else None)
    if not hmac.compare_digest(expected, stored):
        return ("此条记录与其校验值不符（记录被改动，或其前的记录被删改、插入）",
                "the entry does not match its MAC (changed, or an entry before it was "
                "changed, removed or inserted)")
    return None


def iter_entries(rows: Iterable[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
    """Audit rows with each create's snapshot expanded to one line per field (for display)."""
    for seq, at, user, action, path, value, snapshot in rows:
        if snapshot is None:
            yield seq, at, user, action, path, value
            continue
        yield seq, at, user, action, None, None
        for p, v in unpack_snapshot(snapshot).items():
            yield seq, at, user, action, p, v
