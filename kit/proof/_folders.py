"""Where the office's key pairs are: the folder, each authority's own, and which have a key.

Apart from the keys themselves (:mod:`kit.proof._keys`, which needs ``cryptography``), so that
a command can ask whether there is a key to sign with without loading it.
"""

from __future__ import annotations

import re
from pathlib import Path

import platformdirs

from kit.config import settings
from kit.errors import KitError

__all__ = ["APP_NAME", "CERT_FILE", "KEY_FILE", "P12_FILE", "authorities", "authority_dir",
           "keys_dir"]

APP_NAME = "bj-inspection-kit"
KEY_FILE, CERT_FILE, P12_FILE = "key.pem", "cert.pem", "key.p12"


def keys_dir() -> Path:
    """The folder of the authorities' key pairs: ``KIT_KEYS_DIR``, else the user data folder's."""
    configured = settings().keys_dir
    if configured:
        return Path(configured).expanduser()
    return Path(platformdirs.user_data_dir(APP_NAME)) / "keys"


def authority_dir(directory: Path, authority: str) -> Path:
    """The authority's own folder: its name with characters a file name cannot hold replaced."""
    slug = re.sub(r'[\\/:*?"<>|\x00-\x1f]', "_", authority.strip()).strip(". ")
    if not slug:
        msg = "发文机关名称不能为空 / the issuing authority's name is empty"
        raise KitError(msg)
    return directory / slug


def authorities(directory: Path | None = None) -> list[str]:
    """The authorities that have a key pair in ``directory`` (folder names)."""
    folder = directory or keys_dir()
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir()
                  if (p / KEY_FILE).is_file() or (p / P12_FILE).is_file())
