"""``python -m kit.server NOTEBOOK [Voila options]``: the kit's Voila (what ``kit serve`` runs)."""

from kit.server._gate import main

main()
