"""The audit trail as a hash chain, and its verification by replay.

Each entry's MAC covers the MAC of the entry before it (per inspection) and the entry itself:
the inspection's id, the time, the user, the action, the field and its new value (for a
``create``, the whole document). It is an HMAC-SHA256 under the office's key
(``KIT_SIGNING_KEY``) when one is set, else a SHA-256; its first byte says which. So a changed,
removed, inserted or reordered entry breaks the chain at that entry, and once an entry is keyed
an entry after it can only be keyed too (no downgrade to a plain digest a forger could make).

A plain SHA-256 chain shows accidental and naive changes. What makes forgery detectable is a
**checkpoint**: when an inspection moves stage, a notice is issued or the case closes, the
signing component replays the trail, and signs its head (inspection, seq and MAC of the last
entry) with the issuing authority's private key; the checkpoint is itself an entry of the
chain (action ``checkpoint``). Anyone checks it with the certificate: rewriting history before
a checkpoint needs the private key, and a checkpoint copied from elsewhere names another head.
A keyed trail of an earlier release keeps verifying with its key up to its first checkpoint
(the switch), after which plain entries are no downgrade. Removing the latest checkpoint (and
what follows it) is detectable only against a copy exported after it.

:func:`replay` reads a trail in order and returns what the current values must be and the first
broken entry if any.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from kit.config import settings
from kit.schemas import canonical_json

if TYPE_CHECKING:
    from kit.proof import Certificate, Signer

SIGNING_KEY_ENV: Final = "KIT_SIGNING_KEY"
PLAIN, KEYED = b"\x00", b"\x01"
_SEP = "\x1f"
CHECKPOINT = "checkpoint"


def checkpoint_payload(inspection_id: str, seq: int, head: bytes) -> bytes:
    """What a checkpoint signs: the inspection, and the seq and MAC of its chain's head."""
    return _SEP.join(("kit-checkpoint", inspection_id, str(seq), head.hex())).encode()


def checkpoint_value(inspection_id: str, seq: int, head: bytes, signer: Signer) -> str:
    """A checkpoint entry's value: the head it signs, the signature and the certificate."""
    signature = signer.sign(checkpoint_payload(inspection_id, seq, head))
    return canonical_json({"seq": seq, "head": head.hex(), "signer": signer.certificate.subject,
                           "signature": signature.hex(),
                           "certificate": signer.cert_pem().decode("ascii")})


def checkpoint_problem(inspection_id: str, value: str | None, prev_seq: int, prev: bytes,
                       trusted: list[Certificate] | None) -> tuple[str, str] | None:
    """Why a checkpoint entry does not hold (None when it does): not the head before it
    (moved or replayed), a signature its certificate does not verify, or an untrusted signer."""
    from kit.proof import Certificate, is_trusted  # cryptography: only where a trail has one

    try:
        data = json.loads(value or "")
        cert = Certificate(str(data["certificate"]).encode("ascii"))
        signature = bytes.fromhex(str(data["signature"]))
        seq, head = int(data["seq"]), bytes.fromhex(str(data["head"]))
    except (ValueError, KeyError, TypeError):
        return ("检查点无法读取", "the checkpoint cannot be read")
    if seq != prev_seq:
        return (f"检查点签的是第 {seq} 条，而不是其前一条（检查点被移动或从别处重放）",
                f"the checkpoint signs entry {seq}, not the entry before it (moved or replayed)")
    if head != prev:
        return ("检查点签名后，其前的记录被改写（链头与签名时不同）",
                "the entries before the checkpoint were rewritten after it was signed")
    try:
        good = cert.verify(checkpoint_payload(inspection_id, seq, head), signature)
    except Exception:  # an unreadable certificate
        good = False
    if not good:
        return ("检查点的签名不符（签名后链条被改写）",
                "the checkpoint's signature does not verify (the chain was rewritten)")
    if trusted is not None and not is_trusted(cert, trusted):
        return (f"检查点的签名者 {cert.subject}（指纹 {cert.fingerprint}）不受信任",
                f"the checkpoint's signer {cert.subject} ({cert.fingerprint}) is not trusted")
    return None


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

    def said(self, trail_zh: str = "修改记录") -> tuple[str, str]:
        """Where and why the trail breaks, in Chinese and English (``trail_zh``: what the
        trail is called)."""
        return (f"{trail_zh}第 {self.seq} 条（{self.at}，{self.user}）起链条断开：{self.why_zh}",
                f"the trail breaks at entry {self.seq} ({self.at}, {self.user}): {self.why_en}")


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
    checkpoints: list[int] = field(default_factory=list)  # the seqs of those that hold


def replay(inspection_id: str, rows: Iterable[tuple[Any, ...]], key: bytes | None, *,
           check: bool = True, trusted: list[Certificate] | None = None) -> Replay:
    """Replay a trail: rows of (seq, at, user, action, path, value, snapshot, mac), in order.

    With ``check`` every MAC is recomputed; the first one that differs, a keyed entry that
    cannot be checked without the key, a plain entry after a keyed one with no checkpoint
    between, or a checkpoint that does not hold (signed by a certificate not among
    ``trusted``, when given), is ``broken``.
    The loop is the cost of ``kit audit --verify``: one hash and a few dict operations per
    entry, the MAC computed inline (the same bytes as :func:`mac`).
    """
    out = Replay()
    values, versions = out.values, out.versions
    prev, prev_seq = b"", 0
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
                             out.keyed and action != CHECKPOINT)
                if why is not None:
                    out.broken = Broken(seq, at, user, *why)
        if action == CHECKPOINT and check:
            if out.broken is None and (why := checkpoint_problem(
                    inspection_id, value, prev_seq, prev, trusted)) is not None:
                out.broken = Broken(seq, at, user, *why)
            elif out.broken is None:
                out.checkpoints.append(seq)
                out.keyed = False  # the switch: plain entries after it are no downgrade
        if stored[0] != plain:
            out.keyed = True
        prev, prev_seq = stored, seq
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


# -- the register's and the plan's trails: one chain per company, per plan line -------------
def row_mac(prev: bytes, chain_id: str, at: str, user: str, action: str,
            parts: Sequence[str | None], key: bytes | None) -> bytes:
    """The MAC of one entry of a row's trail (a company of the register, a line of a plan),
    chained to ``prev`` (that row's entry before it; b"" for its first): who, when, what, and
    ``parts`` (the row before and after, the inspection a line was done by), each None or a
    text, so that none can be moved into another."""
    return mac(prev, chain_id, at, user, action, None, json.dumps(list(parts)), key)


@dataclass
class RowChains:
    """What the trails of rows say: each row's last entry (seq and MAC), and the first broken
    entry of each row whose chain is broken."""

    heads: dict[str, tuple[int, bytes]] = field(default_factory=dict)
    broken: dict[str, Broken] = field(default_factory=dict)


def replay_rows(rows: Iterable[tuple[Any, ...]], key: bytes | None) -> RowChains:
    """Replay row trails: rows of (seq, chain id, at, user, action, parts, mac), in seq order.

    A row's chain breaks at its first entry whose MAC differs from the one recomputed (changed,
    inserted, removed or reordered entries), has none, cannot be checked without the key, or
    is a plain digest after a keyed one."""
    out = RowChains()
    keyed: set[str] = set()
    for seq, chain_id, at, user, action, parts, stored in rows:
        prev = out.heads.get(chain_id, (0, b""))[1]
        stored = bytes(stored) if stored is not None else b""
        if chain_id not in out.broken:
            why = (("此条记录没有校验值", "the entry has no MAC") if not stored else
                   _check(prev, stored, chain_id, at, user, action, None,
                          json.dumps(list(parts)), key, chain_id in keyed))
            if why is not None:
                out.broken[chain_id] = Broken(int(seq), str(at), str(user), *why)
        if stored[:1] == KEYED:
            keyed.add(chain_id)
        out.heads[chain_id] = (int(seq), stored)
    return out


def iter_entries(rows: Iterable[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
    """Audit rows with each create's snapshot expanded to one line per field (for display)."""
    for seq, at, user, action, path, value, snapshot in rows:
        if snapshot is None:
            yield seq, at, user, action, path, value
            continue
        yield seq, at, user, action, None, None
        for p, v in unpack_snapshot(snapshot).items():
            yield seq, at, user, action, p, v
