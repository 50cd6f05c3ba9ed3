"""Key pairs, certificates and verdicts: what signs the kit's records and who can check them.

The office signs with a private key; anyone verifies with its certificate. One key pair per
issuing authority (a 分局 or the 市局): ``<keys>/<authority>/key.pem`` and ``cert.pem``, or
``key.p12`` (PKCS#12) with its passphrase in ``KIT_KEY_PASSPHRASE``. ``<keys>`` is
``KIT_KEYS_DIR``, else ``keys`` in the kit's user data folder. Everything here is the
``cryptography`` package's (ECDSA P-256 with SHA-256 for the keys the kit makes; an office's
own RSA or Ed25519 key works too): no home-made cryptography. SM2 (国密) is out of scope until
a maintained Python library does it.

A :class:`Verdict` separates *intact* (nothing changed since it was signed) from *trusted*
(the signer's certificate is one the office configured, or issued by one): a certificate in
the office's name is something anyone can make, so who signed is always said, by name and
fingerprint.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cached_property
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from kit.config import settings
from kit.errors import KitError
from kit.proof._folders import (
    CERT_FILE,
    KEY_FILE,
    P12_FILE,
    authorities,
    authority_dir,
    keys_dir,
)
from kit.resources import templates_dir

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
    "trusted_certificates",
]

@dataclass(frozen=True)
class Certificate:
    """An X.509 certificate (PEM): who it names, its SHA-256 fingerprint, and signature checks."""

    pem: bytes

    @cached_property
    def x509(self) -> x509.Certificate:
        try:
            return x509.load_pem_x509_certificate(self.pem)
        except ValueError:
            msg = "不是有效的 PEM 证书 / not a PEM certificate"
            raise KitError(msg) from None

    @classmethod
    def from_file(cls, path: Path) -> Certificate:
        """The certificate in ``path`` (PEM or DER), or a KitError naming the file."""
        try:
            data = path.read_bytes()
        except OSError as exc:
            msg = f"无法读取证书 {path}：{exc.strerror} / cannot read the certificate"
            raise KitError(msg) from None
        try:
            if b"-----BEGIN" not in data:
                data = x509.load_der_x509_certificate(data).public_bytes(
                    serialization.Encoding.PEM)
            cert = cls(data)
            _ = cert.x509
        except (ValueError, KitError):
            msg = f"{path} 不是证书（PEM 或 DER）/ not a certificate (PEM or DER)"
            raise KitError(msg) from None
        return cert

    @property
    def subject(self) -> str:
        """The name the certificate is for: its common name, else the whole subject."""
        return _name(self.x509.subject)

    @property
    def issuer(self) -> str:
        return _name(self.x509.issuer)

    @property
    def fingerprint(self) -> str:
        """SHA-256 of the certificate's DER, in hex: what to compare, never the name."""
        return self.x509.fingerprint(hashes.SHA256()).hex()

    @property
    def self_signed(self) -> bool:
        """Whether it names itself as issuer and its own key signed it (anyone can make one)."""
        return self.x509.issuer == self.x509.subject and self.issued(self)

    def issued(self, other: Certificate) -> bool:
        """Whether this certificate's key signed ``other`` (and named itself its issuer)."""
        if other.x509.issuer != self.x509.subject:
            return False
        try:
            other.x509.verify_directly_issued_by(self.x509)
        except (ValueError, TypeError, InvalidSignature):
            return False
        return True

    def verify(self, data: bytes, signature: bytes) -> bool:
        """Whether ``signature`` is this certificate's key's signature of ``data`` (SHA-256)."""
        key = self.x509.public_key()
        try:
            if isinstance(key, ec.EllipticCurvePublicKey):
                key.verify(signature, data, ec.ECDSA(hashes.SHA256()))
            elif isinstance(key, rsa.RSAPublicKey):
                key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
            elif isinstance(key, ed25519.Ed25519PublicKey):
                key.verify(signature, data)
            else:
                return False
        except (InvalidSignature, ValueError):
            return False
        return True

    def describe(self) -> str:
        """``name (SHA-256 fingerprint)`` for messages."""
        return f"{self.subject}（SHA-256 {self.fingerprint}）"


def _name(name: x509.Name) -> str:
    cn = name.get_attributes_for_oid(NameOID.COMMON_NAME)
    if cn:
        return str(cn[0].value)
    return name.rfc4514_string()


@dataclass(frozen=True)
class Signer:
    """An issuing authority's private key and certificate. Only the signing component holds one.

    ``sign`` gives the signature of ``data`` (ECDSA-SHA256 DER for the kit's own keys) that
    :meth:`Certificate.verify` checks.
    """

    authority: str
    certificate: Certificate
    key: Any = field(repr=False)  # a cryptography private key
    chain: tuple[Certificate, ...] = ()  # the issuers above the certificate (PKCS#12)

    def sign(self, data: bytes) -> bytes:
        key = self.key
        if isinstance(key, ec.EllipticCurvePrivateKey):
            return key.sign(data, ec.ECDSA(hashes.SHA256()))
        if isinstance(key, rsa.RSAPrivateKey):
            return key.sign(data, padding.PKCS1v15(), hashes.SHA256())
        if isinstance(key, ed25519.Ed25519PrivateKey):
            return key.sign(data)
        msg = f"不支持的密钥类型 / unsupported key type: {type(key).__name__}"
        raise KitError(msg)

    def key_pem(self) -> bytes:
        """The private key as unencrypted PKCS#8 PEM, for pyHanko in the same process only."""
        return bytes(self.key.private_bytes(serialization.Encoding.PEM,
                                            serialization.PrivateFormat.PKCS8,
                                            serialization.NoEncryption()))

    def cert_pem(self) -> bytes:
        return self.certificate.pem


@dataclass(frozen=True)
class Verdict:
    """What a check of a signed file found: intact or not, trusted or not, who signed, and why.

    >>> Verdict(True, False, "某分局", "ab12", ("签名者不在信任列表 / not trusted",)).exit_code
    3
    """

    intact: bool
    trusted: bool
    signer: str
    fingerprint: str
    reasons: tuple[str, ...] = ()
    kind: str = ""

    @property
    def exit_code(self) -> int:
        """0 intact and trusted, 3 intact but not trusted, 1 changed, 2 not a kit file."""
        if self.kind == NOT_A_KIT_FILE:
            return 2
        if not self.intact:
            return 1
        return 0 if self.trusted else 3

    @classmethod
    def not_a_kit_file(cls, reason: str) -> Verdict:
        return cls(False, False, "", "", (reason,), NOT_A_KIT_FILE)

    @classmethod
    def of_signature(cls, kind: str, certificate: Certificate, intact: bool,
                     trusted: Sequence[Certificate], reasons: Sequence[str] = ()) -> Verdict:
        """The verdict on something ``certificate`` signed: trusted when it is one of
        ``trusted`` or issued by one, else the reason says who signed and that it is not."""
        ok = is_trusted(certificate, trusted)
        why = list(reasons)
        if not ok:
            why.append(untrusted_reason(certificate))
        return cls(intact, ok, certificate.subject, certificate.fingerprint, tuple(why), kind)


NOT_A_KIT_FILE = "not a kit file"


def is_trusted(certificate: Certificate, trusted: Sequence[Certificate]) -> bool:
    """Whether ``certificate`` is one of ``trusted`` (by fingerprint) or issued by one."""
    if any(t.fingerprint == certificate.fingerprint for t in trusted):
        return True
    return any(_is_ca(t) and t.issued(certificate) for t in trusted)


def _is_ca(certificate: Certificate) -> bool:
    try:
        basic = certificate.x509.extensions.get_extension_for_class(x509.BasicConstraints)
    except x509.ExtensionNotFound:
        return False
    return bool(basic.value.ca)


def untrusted_reason(certificate: Certificate) -> str:
    what = "自签名证书，任何人都能以此名称制作" if certificate.self_signed else "证书不在信任列表中"
    what_en = ("a self-signed certificate: anyone can make one in this name"
               if certificate.self_signed else "its certificate is not among the trusted ones")
    return (f"签名者 {certificate.subject}（指纹 {certificate.fingerprint}）不受信任：{what}；"
            f"可用 --trust 指定证书 / signed by {certificate.subject} (fingerprint "
            f"{certificate.fingerprint}), not trusted: {what_en}; give its certificate with --trust")


def init_keys(directory: Path, *, authority: str, office: str | None = None,
              days: int = 3650) -> Signer:
    """A new trial key pair (ECDSA P-256) and a self-signed certificate for ``authority``.

    For trials: a self-signed certificate is trusted only where it is configured (the
    office's ``templates/trust``, or ``--trust``). Refuses to overwrite an existing key.
    """
    folder = authority_dir(directory, authority)
    if (folder / KEY_FILE).exists() or (folder / P12_FILE).exists():
        msg = (f"{folder} 已有密钥，不会覆盖 / a key already exists there; it is not "
               "overwritten")
        raise KitError(msg)
    key = ec.generate_private_key(ec.SECP256R1())
    parts = [x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
             x509.NameAttribute(NameOID.COMMON_NAME, authority)]
    if office and office != authority:
        parts.insert(1, x509.NameAttribute(NameOID.ORGANIZATION_NAME, office))
    name = x509.Name(parts)
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5)).not_valid_after(now + timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(
                digital_signature=True, content_commitment=True, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=False,
                crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CODE_SIGNING]),
                           critical=False)
            .sign(key, hashes.SHA256()))
    folder.mkdir(parents=True, exist_ok=True)
    signer = Signer(authority, Certificate(cert.public_bytes(serialization.Encoding.PEM)), key)
    key_path = folder / KEY_FILE
    fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(signer.key_pem())
    (folder / CERT_FILE).write_bytes(signer.cert_pem())
    return signer


def load_signer(authority: str | None = None, directory: Path | None = None) -> Signer:
    """The authority's signer from ``directory`` (default :func:`keys_dir`): ``key.pem`` and
    ``cert.pem``, or ``key.p12``; a key file encrypted with ``KIT_KEY_PASSPHRASE``.

    Without ``authority``, the only one there is. A missing or unreadable key is a KitError
    that says where it was looked for.
    """
    folder = directory or keys_dir()
    if authority is None:
        found = authorities(folder)
        if len(found) != 1:
            which = "、".join(found) or "无 none"
            msg = (f"{folder} 中有 {len(found)} 个发文机关的密钥（{which}），请指明用哪一个；"
                   "或先运行 kit keys init / name the authority whose key signs (or run kit "
                   "keys init)")
            raise KitError(msg)
        authority = found[0]
    home = authority_dir(folder, authority)
    secret = settings().key_passphrase
    password = secret.encode("utf-8") if secret else None
    try:
        if (home / P12_FILE).is_file():
            key, cert, extra = pkcs12.load_key_and_certificates(
                (home / P12_FILE).read_bytes(), password)
            if key is None or cert is None:
                msg = f"{home / P12_FILE} 中没有私钥和证书 / holds no key and certificate"
                raise KitError(msg)
            pem = cert.public_bytes(serialization.Encoding.PEM)
            chain = tuple(Certificate(c.public_bytes(serialization.Encoding.PEM))
                          for c in extra or ())
            return Signer(authority, Certificate(pem), key, chain)
        key = serialization.load_pem_private_key((home / KEY_FILE).read_bytes(), password)
        certificate = Certificate.from_file(home / CERT_FILE)
    except FileNotFoundError as exc:
        msg = (f"找不到发文机关“{authority}”的密钥：{exc.filename}（运行 kit keys init，或放入"
               f"机构自己的 key.pem 与 cert.pem / key.p12）/ no key pair for {authority!r}")
        raise KitError(msg) from None
    except (ValueError, TypeError) as exc:
        msg = (f"无法读取“{authority}”的密钥（口令由 KIT_KEY_PASSPHRASE 给出）：{exc} / "
               "cannot read the key (its passphrase is KIT_KEY_PASSPHRASE)")
        raise KitError(msg) from None
    public = certificate.x509.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    if key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo) != public:
        msg = f"{home}：私钥与证书不配对 / the key does not match the certificate"
        raise KitError(msg)
    return Signer(authority, certificate, key)


def trusted_certificates(extra: Sequence[Path] = ()) -> list[Certificate]:
    """The certificates the office trusts: ``*.pem``/``*.crt`` in ``KIT_TRUST_DIR`` (else the
    templates' ``trust`` folder), then each of ``extra`` (``--trust`` files)."""
    configured = settings().trust_dir
    folder = Path(configured).expanduser() if configured else templates_dir() / "trust"
    paths = sorted(folder.glob("*.pem")) + sorted(folder.glob("*.crt")) if folder.is_dir() else []
    out: list[Certificate] = []
    for path in [*paths, *extra]:
        data = path.read_bytes() if path.is_file() else b""
        if data.count(b"-----BEGIN CERTIFICATE-----") > 1:  # a bundle
            out += [Certificate(c.public_bytes(serialization.Encoding.PEM))
                    for c in x509.load_pem_x509_certificates(data)]
        else:
            out.append(Certificate.from_file(path))
    return out


def office_certificates() -> list[Certificate]:
    """What the office's own checks trust (the trail's checkpoints): the configured
    certificates, and those beside the office's own private keys (``KIT_KEYS_DIR``)."""
    out = trusted_certificates()
    folder = keys_dir()
    for name in authorities(folder):
        cert = authority_dir(folder, name) / CERT_FILE
        if cert.is_file():
            out.append(Certificate.from_file(cert))
    return out
