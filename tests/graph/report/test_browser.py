"""The site in headless Chromium (Debian's chromium and chromium-driver, driven by Selenium).

A crawler starts at the overview and follows every link: every page loads with no
console error and no failed request, no link is broken (fragments included), every
figure on the comparative page links to a trail whose highlighted quote prints that
number, axe-core finds no serious or critical accessibility violation, and
screenshots of the overview, a drug page and a trail page are kept under out/.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import urllib.parse
from pathlib import Path

import pytest

from vexas_kg.graph.report.numbers import quote_prints

REPO = Path(__file__).resolve().parents[3]
AXE = REPO / ".venv" / "vendor" / "axe-core" / "axe.min.js"
SCREENSHOTS = REPO / "out" / "report-screenshots"
EXTERNAL = ("https://doi.org/", "https://pubmed.ncbi.nlm.nih.gov/")
pytestmark = pytest.mark.slow

if TYPE_CHECKING:
    from conftest import Crawl, Page


def test_the_crawler_reaches_every_page(crawl: Crawl, site, served) -> None:
    reached = {urllib.parse.urlsplit(url).path.lstrip("/") for url in crawl.pages}
    assert reached == {name for name in site.files if name.endswith(".html")}


def test_every_page_loads_without_console_error_or_failed_request(crawl: Crawl, served) -> None:
    noisy = {url: page.console for url, page in crawl.pages.items() if page.console}
    assert not noisy
    assert not served.failures


def test_no_link_is_broken(crawl: Crawl, served) -> None:
    broken = []
    for page in crawl.pages.values():
        for link in page.links:
            target, _, fragment = link.partition("#")
            if not target.startswith(served.url):
                continue
            if target not in crawl.pages:
                broken.append((page.url, link))
            elif fragment and urllib.parse.unquote(fragment) not in crawl.pages[target].ids:
                broken.append((page.url, link))
    assert not broken


def test_external_links_are_identifier_resolvers_only(crawl: Crawl) -> None:
    assert all(link.startswith(EXTERNAL) for link in crawl.external), sorted(crawl.external)


def test_every_comparative_figure_links_to_a_quote_that_prints_it(crawl: Crawl, served) -> None:
    comparative = crawl.pages[served.url + "comparative.html"]
    assert len(comparative.numbers) > 20
    assert not _unproven(crawl, comparative)


def test_every_linked_number_on_every_page_is_printed_in_its_trail_quote(crawl: Crawl) -> None:
    unproven = [miss for page in crawl.pages.values() for miss in _unproven(crawl, page)]
    assert sum(len(page.numbers) for page in crawl.pages.values()) > 200
    assert not unproven


def _unproven(crawl: Crawl, page: Page) -> list[tuple[str, str, str]]:
    """The page's linked numbers whose trail page highlights no quote printing them."""
    missing = []
    for value, href in page.numbers:
        trail = crawl.pages[href.split("#", 1)[0]]
        if "/trails/" not in trail.url or not any(quote_prints(mark, value) for mark in trail.marks):
            missing.append((page.url, value, trail.url))
    return missing


def test_plot_points_link_to_their_trails(browser, served) -> None:
    browser.get(served.url + "comparative.html")
    points = browser.execute_script(
        "return Array.from(document.querySelectorAll('svg.forest a')).map(a => a.getAttribute('href'));")
    assert points and all("trails/" in href for href in points)
    titles = browser.execute_script("return Array.from(document.querySelectorAll('svg.forest > title')).length;")
    assert titles == browser.execute_script("return document.querySelectorAll('svg.forest').length;")


def test_screenshots(browser, served) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for name, path in (("overview", "index.html"), ("drug-tofacitinib", "interventions/drug-tofacitinib.html"),
                       ("trail-azacitidine-overall-response-6m",
                        "trails/000-figure-azacitidine-overall-response-6m.html"),
                       ("comparative", "comparative.html")):
        browser.set_window_size(1280, 1000)
        browser.get(served.url + path)
        assert browser.execute_script("return !!document.querySelector('main h1');"), path
        height = browser.execute_script("return document.documentElement.scrollHeight;")
        browser.set_window_size(1280, min(int(height), 6000))
        target = SCREENSHOTS / f"{name}.png"
        assert browser.save_screenshot(str(target))
        assert target.stat().st_size > 10_000
    browser.set_window_size(1280, 1000)


AXE_PAGES = ("index.html", "comparative.html", "interventions.html", "interventions/drug-tofacitinib.html",
             "interventions/drug-class-jak-inhibitor.html", "studies.html",
             "studies/study-french-registry-targeted-therapies.html",
             "trails/000-figure-azacitidine-overall-response-6m.html", "items.html", "citation-audit.html",
             "contrasts.html")


@pytest.mark.parametrize("path", AXE_PAGES)
def test_no_serious_accessibility_violation(browser, served, missing, path: str) -> None:
    if not AXE.is_file():
        missing("axe-core is not vendored")
    browser.get(served.url + path)
    assert browser.execute_script("return !!document.querySelector('meta[name=generator][content=\"vexas-kg report\"]');"), path
    browser.execute_script(AXE.read_text(encoding="utf-8"))
    result = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations), e => done(String(e)));")
    assert isinstance(result, list), result
    serious = [(v["id"], v["impact"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in result
               if v["impact"] in ("serious", "critical")]
    assert not serious


def test_pages_print_without_navigation(browser, served) -> None:
    """The print stylesheet hides the navigation and keeps the content; Chromium prints the page to a PDF."""
    import base64

    browser.get(served.url + "interventions/drug-tofacitinib.html")
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        shown = browser.execute_script(
            "return [getComputedStyle(document.querySelector('header.site nav')).display,"
            " getComputedStyle(document.querySelector('main')).display];")
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    assert shown == ["none", "block"]
    pdf = base64.b64decode(browser.print_page())
    assert pdf.startswith(b"%PDF") and len(pdf) > 20_000
