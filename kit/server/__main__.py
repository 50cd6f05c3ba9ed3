"""``python -m kit.server NOTEBOOK [Voila options]``: the kit's Voila (what ``kit serve`` runs);
``python -m kit.server --hub-user``: a person's server under the office Hub (``kit hub``);
``python -m kit.server --signer``: the office's signing service (a Hub service);
``python -m kit.server --portal``: the company's portal (a Hub service)."""

import sys

if sys.argv[1:2] == ["--hub-user"]:
    from kit.server._single import main as hub_user

    del sys.argv[1]
    hub_user()
elif sys.argv[1:2] == ["--signer"]:
    from kit.server._signer import main as signer

    signer()
elif sys.argv[1:2] == ["--portal"]:
    from kit.server._portal import main as portal

    portal()
else:
    from kit.server._gate import main

    main()
