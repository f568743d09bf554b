"""Words on the built pages: no e-notation, and every listed abbreviation explained on the page.

Reads the HTML that ``make book`` wrote (no browser): the text of each page's article, with code,
headings and scripts left out and glossary links marked, so glued values and generated tables are
checked as well as the prose. The rules are those of :mod:`atmp.words` and :func:`atmp.text.sci`;
the last tests run the same reading on made-up pages to show that it catches both faults.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from atmp import words
from atmp.text import E_NOTATION

pytestmark = pytest.mark.site

SKIP = {"script", "style", "pre", "code", "nav", "h1", "h2", "h3", "h4", "h5", "h6", "svg"}
VOID = {"br", "img", "hr", "input", "meta", "link", "source", "wbr", "col", "area", "base"}


class _ArticleText(HTMLParser):
    """Text inside <article>, minus :data:`SKIP` elements; glossary links as ⟦…⟧."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.depth_article = 0
        self.out: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            return
        a = dict(attrs)
        kind = tag
        if tag == "article":
            self.depth_article += 1
        if tag == "a" and "glossary.html#term-" in (a.get("href") or ""):
            kind = "glossary-link"
            self.out.append(words.LINK_OPEN)
        self.stack.append(kind)

    def handle_endtag(self, tag):
        if tag in VOID or not self.stack:
            return
        while self.stack:
            kind = self.stack.pop()
            if kind == "glossary-link":
                self.out.append(words.LINK_CLOSE)
            if kind == "article":
                self.depth_article -= 1
            if kind == tag or (kind == "glossary-link" and tag == "a"):
                break
        if tag in {"p", "div", "li", "td", "th", "tr", "figcaption", "table"}:
            self.out.append("\n")

    def handle_data(self, data):
        if self.depth_article and not SKIP.intersection(self.stack):
            self.out.append(data)


def article_text(html: str) -> str:
    parser = _ArticleText()
    parser.feed(html)
    return re.sub(r"[ \t]+", " ", "".join(parser.out))


def _chapters(site_dir):
    return sorted((site_dir / "notebooks").glob("*.html"))


def test_chapters_were_built(site_dir):
    assert len(_chapters(site_dir)) >= 10


def test_no_e_notation_on_any_page(site_dir):
    found = []
    for page in sorted(site_dir.rglob("*.html")):
        text = article_text(page.read_text(encoding="utf-8"))
        found += [f"{page.relative_to(site_dir)}: …{text[max(0, m.start() - 40):m.end() + 10]}…"
                  for m in re.finditer(E_NOTATION, text)]
    assert found == [], "write these with atmp.text.sci:\n" + "\n".join(found)


def test_no_author_list_prints_and_others(site_dir):
    # a BibTeX list ending in "and others" is cited as "et al." (book/_ext/atmp_bibstyle.py)
    found = []
    for page in sorted(site_dir.rglob("*.html")):
        text = article_text(page.read_text(encoding="utf-8"))
        found += [f"{page.relative_to(site_dir)}: …{text[max(0, m.start() - 30):m.end() + 10]}…"
                  for m in re.finditer(r"\w and others[,.]", text)]
    assert found == [], "\n".join(found[:20])


def test_abbreviations_explained_on_every_chapter_page(site_dir):
    # first use in the prose: tests/unit/test_words.py; here the whole page, tables included
    problems = []
    for page in _chapters(site_dir):
        text = article_text(page.read_text("utf-8"))
        problems += [f"{page.stem}: {p}" for p in words.unexplained_on_page(text)]
    assert problems == [], "\n".join(problems)


BAD = """<html><body><nav>AAV in the sidebar</nav><article><h1>AAV vectors</h1>
<p>A dose of 1.1e+14 vg/kg of AAV.</p><pre>x = 2e13</pre></article></body></html>"""
GOOD = """<html><body><article><h1>AAV vectors</h1>
<p>A dose of 1.1 × 10¹⁴ vg/kg of <a href="../book/glossary.html#term-Adeno-associated-virus-AAV">AAV</a>;
later AAV.</p><table><tr><td>2e13</td></tr></table></article></body></html>"""


def test_reading_catches_both_faults_on_a_made_up_page():
    text = article_text(BAD)
    assert "sidebar" not in text and "x =" not in text and "vectors" not in text
    assert re.findall(E_NOTATION, text) == ["1.1e+14"]
    assert [p.split()[0] for p in words.unexplained_on_page(text)] == ["AAV"]
    good = article_text(GOOD)
    assert words.unexplained_on_page(good) == []
    assert re.findall(E_NOTATION, good) == ["2e13"], "tables are read too"
