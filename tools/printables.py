"""What a chapter's handout, answer key and slides are made of, read from the built book.

The built HTML page of a chapter (``_build/html/notebooks/<chapter>.html``) already holds every
number glued in, every citation and glossary link rendered and every figure with its caption, so
the printables take their pieces from there (sections by their ids, which every chapter shares:
``learning-objectives``, ``summary``, ``facts-as-of``; exercise and solution boxes; figures), the
product table from the data, the quiz from ``notebooks/quizzes/<chapter>.json`` and the discussion
prompts and misconceptions from the instructor guide's page.
"""

from __future__ import annotations

import html
import posixpath
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from bs4 import BeautifulSoup, Tag

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from atmp import book, data, quiz, tables  # noqa: E402

PRODUCT_COLUMNS = {"product": "product", "inn": "INN", "atmp_class": "ATMP class",
                   "ec_decision_date": "authorised", "authorisation_type": "type at authorisation",
                   "orphan": "orphan", "status": "status", "status_date": "status since"}


@dataclass
class Exercise:
    anchor: str
    title: str  # "Exercise 34"
    html: str
    solution_html: str = ""


@dataclass
class Figure:
    src: str  # relative to the site root, e.g. "_images/ab12.png"
    alt: str
    number: str  # "Fig. 28"
    caption_html: str
    caption_text: str

    @property
    def short_caption(self) -> str:
        """The caption's first sentence (the figure's title)."""
        return first_sentence(self.caption_text)


@dataclass
class Chapter:
    stem: str
    title: str
    objectives_html: str
    summary_html: str
    summary_items: list[str]
    facts_as_of: str
    figures: list[Figure]
    exercises: list[Exercise]
    products_html: str
    n_products: int
    quiz: list[dict]
    prompts: list[str] = field(default_factory=list)
    misconceptions: list[str] = field(default_factory=list)
    has_math: bool = False


_NOT_AN_END = re.compile(r"(\bal|\be\.g|\bi\.e|\bvs|\bFig|\bcf|\bapprox|\bno)\.$", re.IGNORECASE)


def first_sentence(text: str) -> str:
    """The first sentence of ``text``: up to a full stop that is not an abbreviation's and is
    outside brackets, followed by a space and a capital (or the end).

    Examples
    --------
    >>> first_sentence("Blood levels (Stein et al., 2017). Dots are patients.")
    'Blood levels (Stein et al., 2017).'
    """
    depth = 0
    for i, ch in enumerate(text):
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth = max(0, depth - 1)
        elif ch in ".!?" and depth == 0 and not _NOT_AN_END.search(text[: i + 1]):
            rest = text[i + 1:]
            if not rest.strip() or (rest[:1] == " " and rest.lstrip()[:1].isupper()):
                return text[: i + 1]
    return text


def _rebase(node: Tag, page: str, target: str) -> None:
    """Rewrite relative ``src``/``href`` in ``node`` from site page ``page`` to page ``target``."""
    for attr in ("src", "href"):
        for el in node.find_all(attrs={attr: True}):
            ref = el[attr]
            if re.match(r"^[a-z][a-z0-9+.-]*:", ref) or ref.startswith(("//", "/")):
                continue
            path, _, frag = ref.partition("#")
            if not path:  # an anchor on the chapter page itself
                path = posixpath.basename(page)
            resolved = posixpath.normpath(posixpath.join(posixpath.dirname(page), path))
            new = posixpath.relpath(resolved, posixpath.dirname(target) or ".")
            el[attr] = new + (f"#{frag}" if frag else "")


def _inner(node: Tag | None, drop_heading: bool = True) -> str:
    if node is None:
        return ""
    node = BeautifulSoup(str(node), "html.parser").find()
    for a in node.select("a.headerlink, div.cell"):  # anchors, and code cells with their output
        a.decompose()
    if drop_heading:
        h = node.find(re.compile(r"^h[1-6]$"))
        if h:
            h.decompose()
    return "".join(str(c) for c in node.children).strip()


def _text(node) -> str:
    return " ".join(node.get_text().split()) if node is not None else ""


def product_table(stem: str) -> tuple[str, int]:
    """The complete product table of a chapter as HTML (every product of the chapter, or every
    product for a chapter that teaches none in particular), and its number of rows."""
    atmps = data.load_atmps()
    rows = atmps[atmps["chapter"] == stem]
    if rows.empty:
        rows = atmps
    rows = rows.sort_values("ec_decision_date")[list(PRODUCT_COLUMNS)]
    return tables.static(rows.rename(columns=PRODUCT_COLUMNS)).to_html(), len(rows)


def guide_section(site: Path, stem: str) -> tuple[list[str], list[str]]:
    """Discussion prompts and misconceptions (HTML of each item) of a chapter, from the guide."""
    page = site / "book" / "instructor-guide.html"
    if not page.is_file():
        return [], []
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    for sec in soup.select("section section"):
        if not sec.find("a", href=re.compile(rf"notebooks/{re.escape(stem)}\.html$")):
            continue
        _rebase(sec, "book/instructor-guide.html", "slides/x.html")
        prompts, misconceptions = [], []
        for p in sec.find_all("p"):
            label = _text(p)
            lst = p.find_next_sibling(["ol", "ul"])
            if lst is None:
                continue
            items = [_inner(li, drop_heading=False) for li in lst.find_all("li", recursive=False)]
            if label.startswith("Discussion prompts"):
                prompts = items
            elif label.startswith("Common misconceptions"):
                misconceptions = items
        return prompts, misconceptions
    return [], []


def read_chapter(site: Path, stem: str, target: str = "handouts/x.html") -> Chapter:
    """Everything the printables need from the built page of chapter ``stem``.

    ``target`` is the site path of the page the pieces go into: links and images are rewritten
    to work from there.
    """
    page = f"notebooks/{stem}.html"
    path = site / page
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: build the book first (make book)")
    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    article = soup.select_one("article") or soup
    _rebase(article, page, target)
    title = _text(article.find("h1")).rstrip("#").strip()

    figures = []
    for fig in article.select("figure"):
        img = fig.find("img")
        cap = fig.find("figcaption")
        if img is None:
            continue
        number = _text(cap.select_one(".caption-number")) if cap else ""
        text_node = cap.select_one(".caption-text") if cap else None
        figures.append(Figure(src=img["src"], alt=img.get("alt", ""), number=number,
                              caption_html=_inner(text_node, drop_heading=False),
                              caption_text=_text(text_node)))

    solutions = {}
    for sol in article.select("div.solution"):
        ref = sol.select_one("p.admonition-title a[href]")
        anchor = ref["href"].rpartition("#")[2] if ref else ""
        solutions[anchor] = _inner(sol.select_one("section") or sol, drop_heading=False)
    exercises = []
    for ex in article.select("div.exercise"):
        title_text = _text(ex.select_one("p.admonition-title"))
        exercises.append(Exercise(anchor=ex.get("id", ""), title=title_text,
                                  html=_inner(ex.select_one("section") or ex, drop_heading=False),
                                  solution_html=solutions.get(ex.get("id", ""), "")))

    summary = article.select_one("section#summary")
    items = [_inner(li, drop_heading=False) for li in summary.select("li")] if summary else []
    products, n = product_table(stem)
    prompts, misconceptions = guide_section(site, stem)
    return Chapter(
        stem=stem, title=title,
        objectives_html=_inner(article.select_one("section#learning-objectives")),
        summary_html=_inner(summary), summary_items=items,
        facts_as_of=_text(BeautifulSoup(_inner(article.select_one("section#facts-as-of")),
                                        "html.parser")),
        figures=figures, exercises=exercises, products_html=products, n_products=n,
        quiz=quiz.load(stem), prompts=prompts, misconceptions=misconceptions,
        has_math=bool(article.select(".math")))


def chapters() -> list[str]:
    """The chapter stems, in reading order."""
    return book.chapters()


def correct_answers(question: dict) -> list[str]:
    """The right answer(s) of a quiz question, as text (multiple choice or numeric)."""
    out = []
    for a in question.get("answers", []):
        if not a.get("correct"):
            continue
        if "answer" in a:
            out.append(str(a["answer"]))
        elif a.get("type") == "range" and "range" in a:
            lo, hi = a["range"]
            out.append(f"between {lo} and {hi}")
        elif "value" in a:
            out.append(str(a["value"]))
    return out


def esc(text: str) -> str:
    return html.escape(str(text))
