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
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
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


def show_progress(args: argparse.Namespace) -> bool:
    """Whether a command draws its progress: on stderr, when it is a terminal or with ``-v``;
    never with ``--json`` (a script reads that output)."""
    if getattr(args, "json", False):
        return False
    return bool(getattr(args, "verbose", 0)) or sys.stderr.isatty()


@contextmanager
def steps(names: Sequence[str], *, show: bool) -> Iterator[Callable[[], None]]:
    """A command's steps as a bar on stderr (only with ``show``), each logged at INFO as it
    starts; yield the function that starts the next one (the first is started already)."""
    from tqdm import tqdm  # here, not at the top: only a few commands draw a bar
    from tqdm.contrib.logging import logging_redirect_tqdm

    # the log's lines (-v) printed above the bar, not through it
    with logging_redirect_tqdm(), tqdm(total=len(names), unit="步", leave=False,
                                       disable=not show, file=sys.stderr,
                                       desc=names[0] if names else "") as bar:
        log.info("step 1/%d: %s", len(names), names[0] if names else "")

        def next_step() -> None:
            bar.update(1)
            if bar.n < len(names):
                bar.set_description(names[bar.n])
                log.info("step %d/%d: %s", bar.n + 1, len(names), names[bar.n])

        yield next_step
        bar.update(len(names) - bar.n)


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
    from kit.proof import authorities, keys_dir

    found = authorities(keys_dir())
    checkpointer = None
    if len(found) == 1:  # the key is loaded (and cryptography) only when there is one
        from kit.proof import load_signer

        checkpointer = local_checkpointer(load_signer(found[0]))
    door = Door.connect(args.db_url, data_dir=args.data_dir,
                        identity=Identity.of_command(args.user), checkpointer=checkpointer)
    log.info("store %s, as %s%s", door.where, door.identity.user if door.identity else "-",
             f", checkpoints signed by {found[0]}" if checkpointer else "")
    return door
