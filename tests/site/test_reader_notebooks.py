"""The reader notebooks (``tools/reader_notebooks.py``, written by ``make book``) read like the
chapter pages: checked here as files; ``tests/live`` runs them in JupyterLab.
"""

from __future__ import annotations

import re

import nbformat
import pytest
from bs4 import BeautifulSoup
from conftest import ROOT, SITE, TOC

from atmp import book

CHAPTERS = [d for d in book.toc_docnames(TOC) if (ROOT / f"{d}.ipynb").is_file()]
READER = ROOT / "_build" / "reader"
RAW_ROLE = re.compile(r"\{[A-Za-z][\w:+-]*\}`")
DIRECTIVE = re.compile(r"^\s*(`{3,}|:{3,})\{", re.M)
IMAGE = re.compile(r"!\[[^\]]+\]\(data:image/png;base64,")


def reader(chapter):
    path = READER / f"{chapter}.ipynb"
    if not path.is_file():
        pytest.fail(f"{path} is missing: build the book first (make book)", pytrace=False)
    return nbformat.read(path, as_version=4)


def page_figures(chapter):
    soup = BeautifulSoup((SITE / f"{chapter}.html").read_text(encoding="utf-8"), "html.parser")
    return len((soup.find("main") or soup).select("figure img"))


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[c.split("/")[-1] for c in CHAPTERS])
def test_no_myst_left_in_the_text(chapter):
    nb = reader(chapter)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            assert not RAW_ROLE.search(cell.source), f"{cell.id}: {RAW_ROLE.search(cell.source)[0]}"
            assert not DIRECTIVE.search(cell.source), f"{cell.id}: a MyST directive is left"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[c.split("/")[-1] for c in CHAPTERS])
def test_every_figure_of_the_page_is_embedded_with_alt_text(chapter):
    md = "\n".join(c.source for c in reader(chapter).cells if c.cell_type == "markdown")
    assert len(IMAGE.findall(md)) == page_figures(chapter) > 0


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[c.split("/")[-1] for c in CHAPTERS])
def test_code_is_the_source_code_with_outputs_cleared(chapter):
    source = nbformat.read(ROOT / f"{chapter}.ipynb", as_version=4)
    code = [c for c in reader(chapter).cells if c.cell_type == "code"]
    assert all(c.outputs == [] and c.execution_count is None for c in code)
    src = [c.source for c in source.cells if c.cell_type == "code"]
    assert [c.source for c in code if not c.id.startswith("answer-")] == src


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[c.split("/")[-1] for c in CHAPTERS])
def test_each_exercise_has_an_answer_cell_and_a_hidden_solution(chapter):
    source = "\n".join(c.source for c in nbformat.read(ROOT / f"{chapter}.ipynb", as_version=4).cells
                       if c.cell_type == "markdown")
    cells = reader(chapter).cells
    n_exercises = len(re.findall(r"^\s*(`{3,}|:{3,})\{exercise\}", source, re.M))
    assert sum(c.id.startswith("answer-") for c in cells) == n_exercises > 0
    solutions = [c.source for c in cells if c.cell_type == "markdown" and "Solution to" in c.source]
    assert len(solutions) == n_exercises
    assert all(s.startswith("<details>") and s.rstrip().endswith("</details>") for s in solutions)
