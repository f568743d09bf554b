"""Fixtures for the browser tests of the built book (``make site-test``, after ``make book``).

The built site is served over http on 127.0.0.1 (search needs http, not file://) and visited
with the system Chromium through Playwright's sync API. Pages come from ``_toc.yml``, so new
chapters are tested as soon as they are in the table of contents. Every page is visited once in
light mode (with axe-core), once in dark mode and once on a phone-sized screen, and the visits
are shared by the tests. With ATMP_SCREENSHOTS=1 (``make screenshots``) each visit also saves a
full-page screenshot.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import sitecheck

# ATMP_BOOK_ROOT points the tests at another checkout (e.g. a scratch copy being tried out).
ROOT = Path(os.environ.get("ATMP_BOOK_ROOT") or Path(__file__).resolve().parents[2]).resolve()
SITE = ROOT / "_build" / "html"
SCREENSHOTS = ROOT / "_build" / "screenshots"
TOC = ROOT / "_toc.yml"


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.path).parents:
            item.add_marker(pytest.mark.site)


def pytest_generate_tests(metafunc):
    if "docname" in metafunc.fixturenames:
        # One xdist group per page, so that under `-n N --dist loadgroup` a page is visited
        # by one worker only (its visits are cached per worker).
        names = sitecheck.toc_docnames(TOC)
        metafunc.parametrize("docname", [pytest.param(n, marks=pytest.mark.xdist_group(n))
                                         for n in names], ids=names)


def chromium_or_skip() -> str:
    """Path of Chromium; without it fail, unless ATMP_ALLOW_NO_BROWSER=1 allows a skip."""
    path = sitecheck.CHROMIUM
    if os.path.isfile(path) and os.access(path, os.X_OK):
        return path
    message = (f"Chromium not found at {path}: run `make chromium` (Debian's chromium), "
               "or set CHROMIUM to its path")
    if os.environ.get("ATMP_ALLOW_NO_BROWSER") == "1":
        pytest.skip(message + " (skipped because ATMP_ALLOW_NO_BROWSER=1)")
    pytest.fail(message, pytrace=False)


@pytest.fixture(scope="session")
def browser():
    executable = chromium_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=executable, headless=True,
                               args=sitecheck.CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def site_dir() -> Path:
    if not (SITE / "index.html").is_file():
        pytest.fail(f"{SITE / 'index.html'} is missing: build the book first (`make book`; "
                    "`make site-test` does it for you)", pytrace=False)
    return SITE


@pytest.fixture(scope="session")
def toc_docnames() -> list[str]:
    return sitecheck.toc_docnames(TOC)


@pytest.fixture(scope="session")
def site_url(site_dir):
    server, url = sitecheck.serve(site_dir)
    yield url
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


@pytest.fixture(scope="session")
def screenshots_dir() -> Path | None:
    """Where screenshots go, when ATMP_SCREENSHOTS=1 (``make screenshots``); None otherwise.

    Off by default to keep ``make site-test`` short: a full-page screenshot of a long chapter
    costs seconds.
    """
    if os.environ.get("ATMP_SCREENSHOTS") != "1":
        return None
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


def _shot(directory: Path | None, docname: str, mode: str) -> Path | None:
    return directory / f"{docname.replace('/', '__')}-{mode}.jpg" if directory else None


@pytest.fixture(scope="session")
def light_visits(browser, site_url, axe, screenshots_dir):
    """docname → PageVisit in light mode (axe-core run), computed on demand."""
    context = sitecheck.new_context(browser)
    cache: dict[str, sitecheck.PageVisit] = {}

    def get(docname: str) -> sitecheck.PageVisit:
        if docname not in cache:
            cache[docname] = sitecheck.visit(
                context, sitecheck.page_url(site_url, docname), axe=axe,
                screenshot=_shot(screenshots_dir, docname, "light"))
        return cache[docname]

    yield get
    context.close()


@pytest.fixture(scope="session")
def dark_visits(browser, site_url, screenshots_dir):
    """docname → PageVisit in dark mode, computed on demand."""
    context = sitecheck.new_context(browser, dark=True)
    cache: dict[str, sitecheck.PageVisit] = {}

    def get(docname: str) -> sitecheck.PageVisit:
        if docname not in cache:
            cache[docname] = sitecheck.visit(
                context, sitecheck.page_url(site_url, docname),
                screenshot=_shot(screenshots_dir, docname, "dark"))
        return cache[docname]

    yield get
    context.close()


@pytest.fixture(scope="session")
def phone_visits(browser, site_url, screenshots_dir):
    """docname → PageVisit on a 390 × 844 phone screen (light mode), computed on demand."""
    context = sitecheck.new_context(browser, viewport=sitecheck.web.PHONE)
    cache: dict[str, sitecheck.PageVisit] = {}

    def get(docname: str) -> sitecheck.PageVisit:
        if docname not in cache:
            cache[docname] = sitecheck.visit(
                context, sitecheck.page_url(site_url, docname),
                screenshot=_shot(screenshots_dir, docname, "phone"))
        return cache[docname]

    yield get
    context.close()


@pytest.fixture
def phone(phone_visits, site_dir, docname):
    if not (site_dir / f"{docname}.html").is_file():
        pytest.fail(f"{docname} is in _toc.yml but {docname}.html was not built", pytrace=False)
    return phone_visits(docname)


@pytest.fixture
def light(light_visits, site_dir, docname):
    if not (site_dir / f"{docname}.html").is_file():
        pytest.fail(f"{docname} is in _toc.yml but {docname}.html was not built", pytrace=False)
    return light_visits(docname)


@pytest.fixture
def dark(dark_visits, site_dir, docname):
    if not (site_dir / f"{docname}.html").is_file():
        pytest.fail(f"{docname} is in _toc.yml but {docname}.html was not built", pytrace=False)
    return dark_visits(docname)
