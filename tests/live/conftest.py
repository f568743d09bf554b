"""Fixtures of the live test (``make live-test``, part of ``make test``; after ``make book``).

A Binder-like environment is built from ``runtime.txt`` and ``requirements.txt`` into
``_build/live-env/<hash of the Binder files>/`` (reused while those files are unchanged; set
ATMP_LIVE_FRESH=1 to rebuild it from nothing). ``postBuild`` runs in the launch branch's tree,
staged with the reader notebooks (``tools/reader_notebooks.py stage``) and re-staged from the
working tree every session. A JupyterLab server of that environment serves it on 127.0.0.1
with a random token; the test starts and stops the server. Reader notebooks are opened in
headless Chromium (Playwright) with every request leaving 127.0.0.1 blocked.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import livecheck
import pytest

sys.path.insert(0, str(livecheck.ROOT / "tests" / "site"))
import sitecheck  # noqa: E402

from atmp import book  # noqa: E402

ROOT = livecheck.ROOT
TOC = ROOT / "_toc.yml"
SITE = ROOT / "_build" / "html"
READER = ROOT / "_build" / "reader"
CHAPTERS = [d for d in book.toc_docnames(TOC) if (ROOT / f"{d}.ipynb").is_file()]
TIMES: dict[str, float] = {}


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.path).parents:
            item.add_marker(pytest.mark.live)


def pytest_terminal_summary(terminalreporter):
    if TIMES:
        terminalreporter.write_line("live test times: " + ", ".join(
            f"{k} {v:.1f} s" for k, v in TIMES.items()))


@pytest.fixture(scope="session")
def live_env() -> Path:
    """The Binder-like environment's folder: ``venv/`` and the launch branch's ``tree/``."""
    if not (READER / "notebooks").is_dir():
        pytest.fail(f"{READER} is missing: build the book first (make book)", pytrace=False)
    dest = ROOT / "_build" / "live-env" / livecheck.env_key()
    if os.environ.get("ATMP_LIVE_FRESH") == "1" or not (dest / ".complete").is_file():
        for old in dest.parent.glob("*"):  # environments of earlier Binder files (about 1 GB each)
            if old != dest:
                shutil.rmtree(old, ignore_errors=True)
        uv = ROOT / ".venv" / "bin" / "uv"
        TIMES["environment built from nothing"] = livecheck.build_env(dest, uv)
    else:
        livecheck.stage_tree(dest / "tree")  # this session's notebooks and package
    return dest


@pytest.fixture(scope="session")
def lab(live_env, tmp_path_factory):
    server = livecheck.start_lab(live_env / "venv", live_env / "tree", tmp_path_factory.mktemp("live"))
    yield server
    livecheck.stop_lab(server)


@pytest.fixture(scope="session")
def browser():
    executable = sitecheck.CHROMIUM
    if not os.access(executable, os.X_OK):
        pytest.fail(f"Chromium not found at {executable}: run `make chromium`", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=executable, headless=True, args=sitecheck.CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def context(browser):
    ctx = sitecheck.new_context(browser)
    ctx.set_default_timeout(90_000)
    yield ctx
    ctx.close()


@pytest.fixture(scope="session")
def lab_page(context, lab):
    page = livecheck.open_lab(context, lab)
    yield page
    page.close()


@pytest.fixture(scope="session")
def visits(lab_page):
    """notebook path -> NotebookVisit, each notebook opened and run once."""
    cache = {}

    def get(path: str) -> livecheck.NotebookVisit:
        if path not in cache:
            cache[path] = livecheck.open_and_run(lab_page, path)
            TIMES[Path(path).stem] = cache[path].seconds
            print(Path(path).stem, {k: round(v, 1) for k, v in cache[path].phases.items()})
        return cache[path]

    return get
