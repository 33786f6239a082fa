"""The report rendered once per session, written to a folder, served on a loopback port, and crawled
in headless Chromium (Debian's chromium and chromium-driver, driven by Selenium)."""

from __future__ import annotations

import functools
import os
import shutil
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


def _missing(reason: str) -> None:
    """On CI a missing browser is a failure (scripts/setup-browser installs it); elsewhere a skip."""
    message = f"{reason}: run `bash scripts/setup-browser`"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def missing():
    """``missing(reason)``: fail on CI, skip elsewhere (for a browser or vendored tool that is absent)."""
    return _missing


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_path = shutil.which("chromedriver")
    if not chromium or not driver_path:
        _missing("Debian's chromium and chromium-driver are not installed")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1280,1000", "--hide-scrollbars", "--force-device-scale-factor=1",
                     "--disable-background-networking", "--no-first-run"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


@dataclass
class Page:
    url: str
    console: list[str]
    links: list[str]
    ids: set[str]
    marks: list[str]
    numbers: list[tuple[str, str]] = field(default_factory=list)
    text: str = ""
    """The page's rendered text (``innerText`` of its body), as a reader sees it."""


@dataclass
class Crawl:
    pages: dict[str, Page]
    external: set[str]


_LINKS = """
return Array.from(document.querySelectorAll('a[href]')).map(a => {
  const raw = a.getAttribute('href');
  return new URL(raw, document.baseURI).href;
});"""
_NUMBERS = """
return Array.from(document.querySelectorAll('a.num[data-value]')).map(a =>
  [a.getAttribute('data-value'), new URL(a.getAttribute('href'), document.baseURI).href]);"""


@pytest.fixture(scope="session")
def crawl(browser, served) -> Crawl:
    """Every page reachable from the overview, visited in the browser."""
    start = served.url + "index.html"
    queue, pages, external = [start], {}, set()
    while queue:
        url = queue.pop(0)
        if url in pages:
            continue
        browser.get(url)
        console = [f"{e['level']}: {e['message']}" for e in browser.get_log("browser")
                   if e["level"] in ("SEVERE", "WARNING")]
        links = browser.execute_script(_LINKS)
        ids = set(browser.execute_script("return Array.from(document.querySelectorAll('[id]')).map(e => e.id);"))
        marks = browser.execute_script(
            "return Array.from(document.querySelectorAll('mark.quote')).map(m => m.textContent);")
        numbers = [tuple(pair) for pair in browser.execute_script(_NUMBERS)]
        text = browser.execute_script("return document.body.innerText;")
        pages[url] = Page(url, console, links, ids, marks, numbers, text)
        for link in links:
            target = link.split("#", 1)[0]
            if target.startswith(served.url):
                if target not in pages:
                    queue.append(target)
            else:
                external.add(link)
    return Crawl(pages, external)
