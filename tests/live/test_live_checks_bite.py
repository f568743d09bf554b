"""The live checks catch what they claim to: a reader notebook with a leftover ``{glue`` role, and
one with a figure missing, each fails its check when run in JupyterLab, and only that check.

Both are made from a real chapter's reader notebook, changed in one place, and served by the
same server as the chapters.
"""

import re

import livecheck
import nbformat
import pytest
from conftest import CHAPTERS, READER, SITE

# The chapter the broken copies are made from: the last in the book (any chapter would do).
CHAPTER = CHAPTERS[-1]
IMAGE = re.compile(r"^!\[[^\]]*\]\(data:image/png;base64,[^)]*\)\s*$", re.M)


def broken_copy(lab, name, change):
    nb = nbformat.read(READER / f"{CHAPTER}.ipynb", as_version=4)
    change(nb)
    path = f"notebooks/_broken-{name}.ipynb"
    nbformat.write(nb, lab.root / path)
    return path


def leave_a_glue_role(nb):
    cell = next(c for c in nb.cells if c.cell_type == "markdown" and c.id != "reader-banner")
    cell.source += "\n\nThe EU has authorised {glue:text}`n_products` ATMPs."


def drop_a_figure(nb):
    cell = next(c for c in nb.cells if c.cell_type == "markdown" and IMAGE.search(c.source))
    cell.source = IMAGE.sub("", cell.source, count=1)


@pytest.fixture(scope="module")
def expected_figures():
    return livecheck.page_figures(SITE / f"{CHAPTER}.html")


def test_leftover_glue_role_fails_the_raw_markup_check(lab, lab_page, expected_figures):
    v = livecheck.open_and_run(lab_page, broken_copy(lab, "glue", leave_a_glue_role))
    problems = livecheck.check_raw_markup(v)
    assert len(problems) == 1 and "{glue:text}" in problems[0], problems
    assert livecheck.check_figures(v, expected_figures) == []
    assert livecheck.check_ran(v) + livecheck.check_errors(v) == []


def test_missing_figure_fails_the_figure_check(lab, lab_page, expected_figures):
    v = livecheck.open_and_run(lab_page, broken_copy(lab, "figure", drop_a_figure))
    assert livecheck.check_figures(v, expected_figures) == [
        f"{expected_figures - 1} figures shown, the chapter page has {expected_figures}"]
    assert livecheck.check_raw_markup(v) == []
    assert livecheck.check_ran(v) + livecheck.check_errors(v) == []
