"""What the ``kit`` command's families share: the exit codes, the store options and the store
and user they name, and the one way a command prints.

Nothing here imports the store: ``_door`` loads it when a command calls it. Every command
reads and writes through the door (:mod:`kit.door`) as the person running it: on one machine,
``--user`` or ``$KIT_USER`` or the login name, with the rights of whoever holds the store
(its files, or the database's credentials): an administrator.
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:
    from kit.door import Door

#: 0 done; 1 the command ran and found errors (``check``, ``verify``); 2 the command could not
#: do its work (bad input, unknown id) and changed nothing
EXIT_OK, EXIT_FINDINGS, EXIT_FAILED = 0, 1, 2

log = logging.getLogger("kit.cli")

#: a command's handler: the parsed arguments in, the exit code out
Handler = Callable[[argparse.Namespace], int]
#: what ``add_subparsers`` returns; each family adds its commands to it
Subparsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


def _out(text: str = "") -> None:
    """Print a line of the command's result on stdout (what scripts read)."""
    print(text)


def store_options(*, nested: bool = False) -> argparse.ArgumentParser:
    """The parent parser of every command that opens the store: ``--data-dir``, ``--db-url``
    and ``--user``.

    ``nested``: for the actions of a command that takes the options itself (``kit db
    --data-dir D status`` and ``kit db status --data-dir D`` alike): an action's options are
    kept only when given, so that its defaults never undo the command's (argparse copies every
    attribute of an action's namespace over the command's).
    """
    default = argparse.SUPPRESS if nested else None
    store_opts = argparse.ArgumentParser(add_help=False)
    store_opts.add_argument(
        "--data-dir", default=default,
        help="folder of the default SQLite store (else $KIT_DATA_DIR, else the user data folder)",
    )
    store_opts.add_argument("--db-url", default=default,
                            help="any SQLAlchemy URL (else $KIT_DB_URL)")
    store_opts.add_argument(
        "--user", default=default,
        help="who makes the change (else $KIT_USER, else the login name)"
    )
    return store_opts


def _door(args: argparse.Namespace) -> Door:
    """The store the options name, as the person running the command; with the office's one
    key pair here (``KIT_KEYS_DIR``), its stage changes and notices sign checkpoints."""
    from kit.door import Door, Identity, local_checkpointer
    from kit.proof import authorities, keys_dir, load_signer

    found = authorities(keys_dir())
    checkpointer = local_checkpointer(load_signer(found[0])) if len(found) == 1 else None
    door = Door.connect(args.db_url, data_dir=args.data_dir,
                        identity=Identity.of_command(args.user), checkpointer=checkpointer)
    log.info("store %s, as %s%s", door.where, door.identity.user if door.identity else "-",
             f", checkpoints signed by {found[0]}" if checkpointer else "")
    return door
