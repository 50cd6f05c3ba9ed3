"""A signed-in person's own server under the office Hub: the kit's Voila, and nothing else.

JupyterHub starts one per person (``python -m kit.server --hub-user``) with what it needs in
the environment (``JUPYTERHUB_SERVICE_URL``, ``JUPYTERHUB_SERVICE_PREFIX``, the OAuth client).
It is :class:`~kit.server._gate.KitVoila` serving the apps' notebooks folder, with JupyterHub's
own identity provider and authorizer: a page is served only to the person whose server it is,
after the Hub's sign-in. There is no JupyterLab, no terminal, no contents API and no way to
run code from the page (Voila's kernels take only widget messages), so a person can do only
what the apps do. The Host check of ``kit serve`` on loopback is off here: requests come
through the Hub's proxy, under the office server's own name.
"""

from __future__ import annotations

from typing import Any

from jupyter_server.utils import url_path_join

from kit.server._gate import KitVoila, quiet_notices
from kit.server._voila import hub_user_argv

__all__ = ["HubUserVoila", "main"]


class HubUserVoila(KitVoila):
    """The kit's Voila as a Hub user's server: the Hub signs people in and checks access."""

    def init_settings(self) -> dict[str, Any]:
        settings: dict[str, Any] = super().init_settings()
        settings["allow_remote_access"] = True  # the proxy forwards the office server's name
        settings.pop("local_hostnames", None)
        return settings

    def init_handlers(self) -> list[Any]:
        # Voila adds the identity provider's handlers (the Hub's /oauth_callback, /logout)
        # without the server's prefix, where the Hub never sends anyone: put them under it.
        own = {h[0] for h in self.identity_provider.get_handlers()}
        return [(url_path_join(self.base_url, h[0]) if h[0] in own else h[0], *h[1:])
                for h in super().init_handlers()]


def main() -> None:
    """Run a Hub user's server (``python -m kit.server --hub-user``)."""
    quiet_notices()
    HubUserVoila.launch_instance(hub_user_argv()[3:])  # after python -m kit.server

