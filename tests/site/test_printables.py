"""What an instructor hands out and projects: handouts, answer keys and slides (after make book).

Solutions are read from the notebooks' source (independently of how the handouts are made), so
a student handout that leaked any solution, or a key that lost one, fails here.
"""

from __future__ import annotations

import io
import re
import unicodedata
from functools import cache
from pathlib import Path

import nbformat
import pytest
import sitecheck

from atmp import book, quiz

pytestmark = pytest.mark.site

ROOT = Path(__file__).resolve().parents[2]
CHAPTERS = book.chapters()
MIN_WORDS = 6


def squash(text: str) -> str:
    """Letters and digits only, lower case: robust to line breaks and spacing in PDF text."""
    text = unicodedata.normalize("NFKC", text).lower()
    return re.sub(r"[^0-9a-zß-ÿ]+", "", text)


@cache
def pdf_text(path: Path) -> tuple[int, str]:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(path.read_bytes()))
    return len(reader.pages), squash(" ".join(p.extract_text() or "" for p in reader.pages))


_BLOCK = re.compile(r"^(`{3,})\{solution\}[^\n]*\n(.*?)^\1\s*$", re.MULTILINE | re.DOTALL)
_ROLE = re.compile(r"\{[a-z:]+\}`([^`]*)`")
_CODE = re.compile(r"^(`{3,}).*?^\1\s*$", re.MULTILINE | re.DOTALL)


def _plain_runs(markdown: str) -> list[str]:
    """Runs of at least MIN_WORDS words of a solution's prose that print as written."""
    body = _CODE.sub("\n|\n", markdown)
    body = "\n".join(line for line in body.splitlines() if not line.startswith(":"))
    body = _ROLE.sub("|", body)  # glued numbers, citations, terms: rendered differently
    body = re.sub(r"\$[^$]*\$", "|", body)  # math
    body = re.sub(r"`[^`]*`", "|", body)  # inline code
    body = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", body)  # markdown links
    body = re.sub(r"[*_]", "", body)
    runs = []
    for piece in re.split(r"[|()\[\]:;]|\n\s*\n|(?<=[.?!])\s", body):
        words = piece.split()
        if len(words) >= MIN_WORDS:
            runs.append(" ".join(words))
    return runs


def solutions(stem: str) -> list[list[str]]:
    """For each solution in the chapter notebook, its plain prose runs that occur nowhere else in
    the chapter (a solution may quote its exercise, which the handout rightly prints)."""
    nb = nbformat.read(ROOT / "notebooks" / f"{stem}.ipynb", as_version=4)
    source = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    elsewhere = squash(_BLOCK.sub("", source))
    return [[r for r in _plain_runs(m.group(2)) if squash(r) not in elsewhere]
            for m in _BLOCK.finditer(source)]


@pytest.fixture(scope="module")
def handouts(site_dir) -> Path:
    return site_dir / "handouts"


@pytest.mark.parametrize("stem", CHAPTERS)
def test_student_handout_has_two_to_four_pages(handouts, stem):
    pdf = handouts / f"{stem}.pdf"
    assert pdf.is_file(), f"{pdf} missing: make book writes it"
    pages, _ = pdf_text(pdf)
    assert 2 <= pages <= 4, f"{stem}.pdf has {pages} pages"


@pytest.mark.parametrize("stem", CHAPTERS)
def test_student_handout_has_no_solution_and_the_key_has_every_one(handouts, stem):
    found = solutions(stem)
    assert found and any(found), f"no solution prose found in notebooks/{stem}.ipynb"
    _, student = pdf_text(handouts / f"{stem}.pdf")
    _, key = pdf_text(handouts / f"{stem}-key.pdf")
    leaked = [run for runs in found for run in runs if squash(run) in student]
    assert not leaked, f"solution text in the student handout: {leaked[:3]}"
    missing = [runs[0] for runs in found if runs and not any(squash(r) in key for r in runs)]
    assert not missing, f"solutions missing from {stem}-key.pdf: {missing}"


@pytest.mark.parametrize("stem", CHAPTERS)
def test_key_gives_every_quiz_answer_with_its_reason(handouts, stem):
    _, key = pdf_text(handouts / f"{stem}-key.pdf")
    for q in quiz.load(stem):
        for a in q["answers"]:
            if a.get("correct"):
                assert squash(a["feedback"]) in key, f"reason missing from the key: {a['feedback']}"


def _figure_count(stem: str) -> int:
    nb = nbformat.read(ROOT / "notebooks" / f"{stem}.ipynb", as_version=4)
    return sum(c.source.count("{glue:figure}") for c in nb.cells if c.cell_type == "markdown")


@pytest.fixture(scope="module")
def projector(browser):
    context = sitecheck.new_context(browser, viewport=sitecheck.web.PROJECTOR)
    yield context
    context.close()


@pytest.mark.parametrize("stem", CHAPTERS)
def test_slides_load_offline_and_show_every_figure(projector, site_url, site_dir, stem):
    deck = site_dir / "slides" / f"{stem}.html"
    assert deck.is_file(), f"{deck} missing: make book (or make slides) writes it"
    url = f"{site_url}slides/{stem}.html"
    seen = sitecheck.visit(projector, url)
    problems = (sitecheck.check_status(seen) + sitecheck.check_console(seen)
                + sitecheck.check_page_errors(seen) + sitecheck.check_requests(seen)
                + sitecheck.check_offline(seen) + sitecheck.check_alt_text(seen))
    assert not problems, "\n".join(problems)

    page = projector.new_page()
    try:
        page.goto(url, wait_until="load")
        slides = page.evaluate("""async () => {
            await Promise.all([...document.images].map(i => i.complete ? 0 :
                new Promise(r => { i.onload = i.onerror = r; })));
            return [...document.querySelectorAll('.slide')].length; }""")
        figures, overflowing = [], []
        for k in range(slides):
            state = page.evaluate("""() => {
                const s = document.querySelector('.slide.current');
                const img = s.querySelector('img');
                return {over: s.scrollHeight > s.clientHeight + 2 || s.scrollWidth > s.clientWidth + 2,
                        img: img ? img.naturalWidth : null,
                        shown: img ? img.getBoundingClientRect().width : null,
                        label: s.getAttribute('aria-label')}; }""")
            if state["img"] is not None:
                figures.append((state["img"], state["shown"]))
            if state["over"]:
                overflowing.append(f"slide {k + 1} ({state['label']})")
            page.keyboard.press("ArrowRight")
    finally:
        page.close()
    assert len(figures) == _figure_count(stem), (
        f"{len(figures)} figure slides for {_figure_count(stem)} figures in the chapter")
    for natural, shown in figures:
        # Projector resolution: never stretched beyond its pixels, and at least half the screen.
        assert natural >= shown - 1, f"a {natural} px figure is stretched to {shown:.0f} px"
    assert all(natural >= 0.6 * sitecheck.web.PROJECTOR["width"] for natural, _ in figures), (
        "a figure has fewer pixels than 60 % of a 1920 px projector")
    assert not overflowing, f"content runs off the 1920 × 1080 screen on {overflowing}"
