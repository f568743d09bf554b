"""Every chapter page offers Binder, Colab, the repository and its issues, and the download button
offers the chapter's reader notebook (issue 17).

The launch links must open the *reader* notebook: the page's notebook path on the launch branch
(``_config.yml`` ``repository.branch``), where the workflow publishes ``_build/reader/``. These
checks read the built HTML (``make book``); they fail if Jupyter Book's generated theme options are
lost again (``sphinx.recursive_update``, jupyter-book#2076).
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urljoin

import nbformat
import pytest
import yaml
from bs4 import BeautifulSoup
from conftest import ROOT, SITE, TOC

from atmp import book

CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
REPO = CONFIG["repository"]["url"].rstrip("/")
BRANCH = CONFIG["repository"]["branch"]
OWNER_NAME = re.fullmatch(r"https://github\.com/(.+)", REPO).group(1)
CHAPTERS = [d for d in book.toc_docnames(TOC) if (ROOT / f"{d}.ipynb").is_file()]
RAW = re.compile(r"\{[A-Za-z][\w:+-]*\}`|^\s*(`{3,}|:{3,})\{", re.M)


def links(chapter: str) -> list[str]:
    page = SITE / f"{chapter}.html"
    if not page.is_file():
        pytest.fail(f"{page} is missing: build the book first (make book)", pytrace=False)
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    return [a["href"] for a in soup.select("a[href]")]


def expected_launch_links(chapter: str) -> dict[str, str]:
    path = f"{CONFIG['repository'].get('path_to_book') or ''}{chapter}.ipynb".lstrip("/")
    binder = CONFIG["launch_buttons"]["binderhub_url"].rstrip("/")
    colab = CONFIG["launch_buttons"]["colab_url"].rstrip("/")
    return {
        "Binder": f"{binder}/v2/gh/{OWNER_NAME}/{BRANCH}?urlpath=lab/tree/{path}",
        "Colab": f"{colab}/github/{OWNER_NAME}/blob/{BRANCH}/{path}",
    }


def test_there_are_chapters():
    assert CHAPTERS, "_toc.yml lists no notebooks"


def test_launch_branch_is_not_the_development_branch():
    # The launch branch holds generated reader notebooks; pointing it at main would open the
    # MyST sources, with raw roles and missing figures.
    assert BRANCH != "main"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[c.split("/")[-1] for c in CHAPTERS])
def test_chapter_links_to_binder_and_colab_at_its_reader_notebook(chapter):
    found = links(chapter)
    for service, url in expected_launch_links(chapter).items():
        assert url in found, f"{chapter}: no {service} link {url}; launch links: " + ", ".join(
            h for h in found if "binder" in h or "colab" in h)
    reader = ROOT / "_build" / "reader" / f"{chapter}.ipynb"
    assert reader.is_file(), f"{reader} (published at the launch path) was not generated"
    assert not RAW.search("\n".join(c.source for c in nbformat.read(reader, as_version=4).cells
                                    if c.cell_type == "markdown")), f"{reader} has raw MyST"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[c.split("/")[-1] for c in CHAPTERS])
def test_chapter_links_to_the_repository_and_its_issues(chapter):
    found = links(chapter)
    assert REPO in found, f"{chapter}: no repository button"
    assert any(h.startswith(f"{REPO}/issues") for h in found), f"{chapter}: no issues button"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[c.split("/")[-1] for c in CHAPTERS])
def test_download_button_offers_the_reader_notebook(chapter):
    page_url = f"http://book/{chapter}.html"
    targets = [urljoin(page_url, h) for h in links(chapter) if h.endswith(".ipynb") and "://" not in h]
    assert targets, f"{chapter}: no notebook download link"
    for t in targets:
        local = SITE / t.removeprefix("http://book/")
        reader = ROOT / "_build" / "reader" / f"{chapter}.ipynb"
        assert local.is_file(), f"{chapter}: download link {t} points to nothing"
        assert local.read_bytes() == reader.read_bytes(), (
            f"{chapter}: the download button offers {Path(t).name}, which is not the reader notebook")
