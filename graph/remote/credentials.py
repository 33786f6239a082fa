"""HTTP Basic credentials for remote stores: from ``--user`` plus an environment variable, or netrc.

Stores that accept writes (GraphDB, Fuseki, Stardog, Virtuoso) usually want a user and
a password. The password never goes on the command line (it would show in the process
list and the shell history): it comes from ``VEXAS_KG_PASSWORD``, or the CLI asks for it,
or the whole login comes from a netrc file (``$NETRC``, else ``~/.netrc``) entry for the
store's host, the convention curl and pip follow.
"""

from __future__ import annotations

import base64
import netrc
import os
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from vexas_kg.errors import UsageError

PASSWORD_VARIABLE = "VEXAS_KG_PASSWORD"


@dataclass(frozen=True)
class Credentials:
    """A user and password for HTTP Basic authentication (the password is never printed)."""

    user: str
    password: str = field(repr=False)

    def header(self) -> str:
        """The value of the ``Authorization`` header."""
        token = base64.b64encode(f"{self.user}:{self.password}".encode("utf-8")).decode("ascii")
        return f"Basic {token}"


def from_netrc(url: str, path: Path | None = None) -> Credentials | None:
    """The netrc login for ``url``'s host (``machine`` entry, else ``default``), if there is one."""
    if path is None:
        path = Path(os.environ["NETRC"]) if os.environ.get("NETRC") else Path.home() / ".netrc"
    if not path.is_file():
        return None
    host = urllib.parse.urlsplit(url).hostname or ""
    try:
        entry = netrc.netrc(str(path)).authenticators(host)
    except (netrc.NetrcParseError, OSError) as exc:
        raise UsageError(f"cannot read the netrc file {path}: {exc}") from None
    if entry is None:
        return None
    login, _, password = entry
    return Credentials(login or "", password or "")


def credentials_for(url: str, user: str | None, password: str | None = None) -> Credentials | None:
    """The credentials to send to ``url``: ``user`` with ``password`` (or ``$VEXAS_KG_PASSWORD``),
    else the netrc entry for its host, else none."""
    if user is not None:
        secret = password if password is not None else os.environ.get(PASSWORD_VARIABLE)
        if secret is None:
            raise UsageError(f"--user {user} needs a password: set {PASSWORD_VARIABLE} (or use a netrc file)")
        return Credentials(user, secret)
    return from_netrc(url)


def sent_in_clear(url: str) -> bool:
    """Whether Basic credentials to ``url`` would cross a network unencrypted (plain http, not loopback)."""
    split = urllib.parse.urlsplit(url)
    return split.scheme == "http" and split.hostname not in ("localhost", "127.0.0.1", "::1")
