"""Every chapter's reader notebook, run in JupyterLab from a Binder-like environment, in a real
browser: all cells run without error output; no raw MyST in the rendered text; as many figures
as the chapter page; a widget that moves and redraws; the quiz renders and answers (issue 17)."""

import livecheck
import pytest
from conftest import CHAPTERS, SITE


@pytest.fixture(params=CHAPTERS, ids=[c.split("/")[-1] for c in CHAPTERS])
def visit(request, visits):
    return request.param, visits(f"{request.param}.ipynb")


def test_there_are_chapters():
    assert CHAPTERS


def test_all_cells_run_without_error_output(visit):
    _, v = visit
    assert livecheck.check_ran(v) + livecheck.check_errors(v) == []


def test_no_raw_myst_in_the_rendered_text(visit):
    assert livecheck.check_raw_markup(visit[1]) == []


def test_as_many_figures_as_the_chapter_page(visit):
    docname, v = visit
    assert livecheck.check_figures(v, livecheck.page_figures(SITE / f"{docname}.html")) == []


def test_a_widget_moves_and_redraws(visit):
    assert livecheck.check_widget(visit[1]) == []


def test_the_quiz_renders_and_answers(visit):
    assert livecheck.check_quiz(visit[1]) == []
