"""Every chapter notebook follows the chapter anatomy of docs/architecture.md §5 and the house rules.

These checks read the notebooks as JSON (no execution): the set-up cell, cleared outputs, the
headings in order, learning objectives checked by exercises and quiz questions, and figures
with alt text and captions.
"""

import re
from pathlib import Path

import nbformat
import pytest
import yaml

from atmp import quiz

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
ANATOMY = ["Overview", "Learning objectives", "Prerequisites", "The products", "Exercises",
           "Self-check quiz", "Summary", "Further reading", "Facts as of"]


def colab_source():
    import sys

    sys.path.insert(0, str(ROOT / "tools"))
    import colab_cell

    return colab_cell.source()


def markdown(nb):
    return "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")


@pytest.fixture(params=NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def nb(request):
    return nbformat.read(request.param, as_version=4), request.param.stem


def test_there_are_chapters():
    assert NOTEBOOKS, "no chapter notebooks found"


def test_every_chapter_is_in_the_toc():
    toc = (ROOT / "_toc.yml").read_text()
    for p in NOTEBOOKS:
        assert f"notebooks/{p.stem}" in toc, f"{p.name} is not in _toc.yml"


def test_starts_with_the_colab_cell(nb):
    nb, _ = nb
    first = nb.cells[0]
    assert first.cell_type == "code" and first.source == colab_source()
    assert "remove-cell" in first.metadata.get("tags", [])
    url = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"]
    assert url in first.source


def test_outputs_are_cleared_and_cells_have_ids(nb):
    nb, _ = nb
    for c in nb.cells:
        assert c.get("id"), "every cell needs an id"
        if c.cell_type == "code":
            assert c.outputs == [] and c.execution_count is None, c.source[:60]


#: The full anatomy of a mechanism chapter (docs/architecture.md §5); the field chapters
#: (landscape, regulation, outlook) tell the whole record and have no safety section.
MECHANISM_ANATOMY = ["Overview", "Learning objectives", "Prerequisites", "The products", "Mechanism",
                     "Model", "Evidence", "Safety and long-term follow-up", "Regulatory story",
                     "Exercises", "Self-check quiz", "Summary", "Further reading", "Facts as of"]
FIELD_CHAPTERS = {"landscape", "regulation", "outlook"}


def _order(headings, anatomy):
    found = [h for h in headings if any(h.startswith(a) for a in anatomy)]
    return [next(a for a in anatomy if h.startswith(a)) for h in found]


def test_anatomy_headings_in_order(nb):
    nb, stem = nb
    headings = re.findall(r"^## (.+)$", markdown(nb), flags=re.M)
    assert _order(headings, ANATOMY) == ANATOMY, f"headings {headings}"
    if stem not in FIELD_CHAPTERS:
        assert _order(headings, MECHANISM_ANATOMY) == MECHANISM_ANATOMY, f"headings {headings}"


def test_objectives_are_checked_by_exercises_and_quiz(nb):
    nb, stem = nb
    md = markdown(nb)
    objectives = set(re.findall(r"\*\*(LO\d)\*\*", md))
    assert 3 <= len(objectives) <= 6
    exercises = re.findall(r"````\{exercise\}.*?````", md, flags=re.S)
    assert len(exercises) >= 4, "a chapter needs at least four exercises"
    by_exercise = {o for e in exercises for o in re.findall(r"\((LO\d)\)", e)}
    by_quiz = {q.get("objective") for q in quiz.load(stem)}
    assert objectives <= by_exercise, f"objectives without an exercise: {objectives - by_exercise}"
    assert objectives <= by_quiz, f"objectives without a quiz question: {objectives - by_quiz}"


def test_every_exercise_has_a_collapsed_solution(nb):
    nb, _ = nb
    md = markdown(nb)
    labels = re.findall(r"````\{exercise\}\n:label: (\S+)", md)
    for label in labels:
        sol = re.search(r"````\{solution\} " + re.escape(label) + r"\n:class: dropdown", md)
        assert sol, f"exercise {label} has no collapsed solution"


def test_every_glued_figure_has_alt_text_name_and_caption(nb):
    nb, _ = nb
    blocks = re.findall(r"```\{glue:figure\} (\S+)\n(.*?)```", markdown(nb), flags=re.S)
    for name, body in blocks:
        alt = re.search(r"^:alt: (.+)$", body, flags=re.M)
        assert alt and len(alt.group(1).split()) >= 6, f"{name}: alt text missing or too short"
        assert re.search(r"^:name: fig-", body, flags=re.M), f"{name}: no :name: fig-..."
        caption = re.sub(r"^:.*$", "", body, flags=re.M).strip()
        assert len(caption.split()) >= 5, f"{name}: caption missing"


def test_every_chapter_has_a_quiz_of_at_least_four_questions(nb):
    # quiz.load refuses a question whose answers lack feedback; this checks the quiz is there.
    _, stem = nb
    assert len(quiz.load(stem)) >= 4


def test_the_objectives_map_has_no_gaps():
    from atmp import objectives

    course = objectives.course_map([p.stem for p in NOTEBOOKS])
    assert course, "no learning objectives found"
    assert objectives.gaps(course) == []


def test_the_chapter_template_passes_the_anatomy_checks():
    """templates/chapter.txt, built as CONTRIBUTING.md says, is a chapter these tests accept."""
    import sys

    sys.path.insert(0, str(ROOT / "tools"))
    import build_notebook

    from atmp import prose

    nb = build_notebook.parse((ROOT / "templates" / "chapter.txt").read_text(encoding="utf-8"))
    pair = (nb, "my-chapter")   # a mechanism chapter: the full anatomy, safety section included
    test_starts_with_the_colab_cell(pair)
    test_outputs_are_cleared_and_cells_have_ids(pair)
    test_anatomy_headings_in_order(pair)
    test_every_exercise_has_a_collapsed_solution(pair)
    test_every_glued_figure_has_alt_text_name_and_caption(pair)
    assert prose.typed_counts(markdown(nb)) == []
    assert "## Safety and long-term follow-up" in markdown(nb)
