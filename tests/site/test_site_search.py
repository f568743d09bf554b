"""The built-in search works from the static files (served over http, as on any host)."""

import re
from html.parser import HTMLParser

import pytest
import sitecheck

pytestmark = pytest.mark.site

PRODUCT = "Kymriah"  # a product the course must cover (the CAR-T chapter)


class _ArticleText(HTMLParser):
    """Text of the article body of a Sphinx page (not the navigation, scripts or styles)."""

    def __init__(self):
        super().__init__()
        self.depth, self.skip, self.chunks = 0, 0, []

    def handle_starttag(self, tag, attrs):
        if tag == "article" or self.depth:
            self.depth += 1
        if tag in ("script", "style"):
            self.skip += 1

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1
        if tag in ("script", "style") and self.skip:
            self.skip -= 1

    def handle_data(self, data):
        if self.depth and not self.skip:
            self.chunks.append(data)


def article_text(path) -> str:
    parser = _ArticleText()
    parser.feed(path.read_text(encoding="utf-8"))
    return " ".join(parser.chunks)


def search(browser, site_url, query) -> list[str]:
    """Page URLs (without anchors) of the hits the search page lists for ``query``."""
    context = sitecheck.new_context(browser)
    try:
        page = context.new_page()
        page.goto(f"{sitecheck.page_url(site_url, 'search')}?q={query}", wait_until="load")
        # Sphinx writes the summary line ("Search finished, found N pages...") when done.
        page.wait_for_selector("#search-results .search-summary")
        hrefs = page.eval_on_selector_all("#search-results ul.search li a",
                                          "els => els.map(a => a.href)")
        return sorted({h.split("#")[0].split("?")[0] for h in hrefs})
    finally:
        context.close()


def test_search_finds_a_word_of_the_opening_page(browser, site_url, site_dir, toc_docnames):
    root = toc_docnames[0]
    words = re.findall(r"[A-Za-z]{9,}", article_text(site_dir / f"{root}.html"))
    assert words, f"no long word in {root}.html to search for"
    word = max(words, key=len)  # the longest word: rare, so the page must be among few hits
    hits = search(browser, site_url, word)
    assert sitecheck.page_url(site_url, root) in hits, f"searching {word!r} gave {hits}"


def test_search_finds_a_product(browser, site_url, site_dir, toc_docnames):
    pages = [d for d in toc_docnames if (site_dir / f"{d}.html").is_file()
             and PRODUCT in article_text(site_dir / f"{d}.html")]
    if not pages:
        pytest.skip(f"no page mentions {PRODUCT} yet")
    hits = search(browser, site_url, PRODUCT)
    expected = {sitecheck.page_url(site_url, d) for d in pages}
    assert expected & set(hits), f"searching {PRODUCT!r} gave {hits}; it is on {pages}"
