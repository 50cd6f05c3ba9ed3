"""``python -m kit.cli`` is the ``kit`` command too (as ``kit/cli.py`` was, run as a script)."""

import sys

from kit.cli import main

sys.exit(main())
