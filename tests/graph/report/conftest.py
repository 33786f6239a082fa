"""The report rendered once per session, written to a folder, and served on a loopback port."""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator

import pytest

from vexas_kg.graph.report.report import Site, local_site, write_report


@pytest.fixture(scope="session")
def site() -> Site:
    return local_site()


@pytest.fixture(scope="session")
def site_dir(site: Site, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report") / "site"
    write_report(site, out)
    return out


@dataclass
class Served:
    """The site's URL and every request the server answered with an error."""

    url: str
    failures: list[tuple[str, int]] = field(default_factory=list)


@pytest.fixture(scope="session")
def served(site_dir: Path) -> Iterator[Served]:
    """The written site served read-only by a real HTTP server on a free 127.0.0.1 port."""
    failures: list[tuple[str, int]] = []

    class Recording(SimpleHTTPRequestHandler):
        def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
            status = str(getattr(code, "value", code))  # an HTTPStatus, an int, or "-"
            if status.isdigit() and int(status) >= 400:
                failures.append((self.path, int(status)))

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Recording, directory=str(site_dir)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Served(f"http://127.0.0.1:{server.server_address[1]}/", failures)
    finally:
        server.shutdown()
        server.server_close()
