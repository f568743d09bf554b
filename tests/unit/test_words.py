"""Words a reader meets: abbreviations explained at first use, numbers without e-notation.

- Every abbreviation in :data:`atmp.words.ABBREVIATIONS` that a chapter's prose uses is, at its first use in
  that chapter, either written out as "full name (ABBR)" / "ABBR (full name)" or a ``{term}``
  link to the glossary. Code, citations, glue keys, labels and figure options are not prose.
- No Python e-notation (``1.1e+14``, ``2e13``) in the quizzes or the chapters' prose; numbers go
  through :func:`atmp.text.sci` ("1.1 × 10¹⁴"). The built pages are checked in
  ``tests/site/test_site_words.py``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from atmp import quiz, words
from atmp.text import E_NOTATION
from atmp.words import ABBREVIATIONS, first_use_problem

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))

_STRIP = [
    (r"^:[a-z-]+:[^\n]*$", " "),                              # directive options (:alt:, :name:, ...)
    (r"^#+ [^\n]*$", " "),                                    # headings name a topic; prose explains it
    (r"\{(?:cite|glue|doc|numref|ref|eq|download)[^}]*\}`[^`]*`", " "),
    (r"`[^`]*`", " "),                                    # inline code
    (r"\$\$.*?\$\$|\$[^$\n]*\$", " "),                    # maths
    (r"\]\([^)]*\)", "]"),                                # link targets
]


def _without_code(markdown: str) -> str:
    """``markdown`` with code blocks blanked; directive fences (```{figure} ...) keep their body."""
    out, stack = [], []                                    # stack of (ticks, is_code)
    for line in markdown.split("\n"):
        fence = re.match(r"^\s*(`{3,}|~{3,})\s*(\S*)", line)
        if fence and stack and fence.group(1) == stack[-1][0] and not fence.group(2):
            stack.pop()
            out.append("")
        elif fence:
            info = fence.group(2)
            stack.append((fence.group(1), not info.startswith("{") or info.startswith("{code")))
            out.append("")
        else:
            out.append("" if any(code for _, code in stack) else line)
    return "\n".join(out)


def prose(markdown: str) -> str:
    """The reader-visible prose of a chapter's markdown, with ``{term}`` links kept as ⟦...⟧."""
    # a {term} link shows its text, not its target: {term}`vector copy number <Vector copy number
    # (VCN)>` does not tell the reader what VCN stands for
    text = re.sub(r"\{term\}`([^`<]*?)\s*(?:<[^`]*>)?`",
                  lambda m: f"{words.LINK_OPEN}{m.group(1)}{words.LINK_CLOSE}", _without_code(markdown))
    for pattern, repl in _STRIP:
        text = re.sub(pattern, repl, text, flags=re.S | re.M)
    return text


def _markdown(path: Path) -> str:
    nb = json.loads(path.read_text(encoding="utf-8"))
    return "\n\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_abbreviations_are_explained_at_first_use(path):
    problems = words.problems(prose(_markdown(path)))
    assert problems == [], "\n".join(problems)


def test_prose_drops_code_but_keeps_directive_text():
    md = "A\n````{solution} x\nkept\n```python\nAAV = 1\n```\nalso kept\n````\n```\ncode\n```\nB"
    assert prose(md).split() == ["A", "kept", "also", "kept", "B"]


def test_first_use_check_bites():
    names = ABBREVIATIONS["GM-CSF"]
    assert first_use_problem("inserted GM-CSF, granulocyte-macrophage ...", "GM-CSF", names)
    assert first_use_problem("a (GM-CSF) gene; granulocyte-macrophage colony-stimulating factor "
                             "(GM-CSF)", "GM-CSF", names)
    assert not first_use_problem("granulocyte-macrophage colony-stimulating factor (GM-CSF) and "
                                 "GM-CSF", "GM-CSF", names)
    assert not first_use_problem("GM-CSF (granulocyte–macrophage colony-stimulating factor)",
                                 "GM-CSF", names)
    assert not first_use_problem(prose("the {term}`CRS <Cytokine release syndrome (CRS)>` rate"),
                                 "CRS", ABBREVIATIONS["CRS"])
    assert first_use_problem(prose("a {term}`vector copy number <Vector copy number (VCN)>`; the VCN"),
                             "VCN", ABBREVIATIONS["VCN"]), "a link's target is not on the page"
    assert not first_use_problem("CAR-T cells", "CAR", ABBREVIATIONS["CAR"]), "CAR-T is not CAR"
    assert not first_use_problem("long terminal repeats (LTRs)", "LTR", ABBREVIATIONS["LTR"])
    assert first_use_problem("the CAR gene", "CAR", ABBREVIATIONS["CAR"])


def test_every_listed_abbreviation_is_in_the_glossary_or_expanded_somewhere():
    glossary = (ROOT / "book" / "glossary.md").read_text(encoding="utf-8")
    for abbr in ABBREVIATIONS:
        assert re.search(rf"(?<![\w-]){re.escape(abbr)}(?![\w])", glossary), f"{abbr} not in glossary"


def _strings(obj):
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, dict):
        for v in obj.values():
            yield from _strings(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from _strings(v)


@pytest.mark.parametrize("chapter", sorted(p.stem for p in quiz.QUIZ_DIR.glob("*.json")))
def test_no_e_notation_in_quizzes(chapter):
    found = [m.group(0) for s in _strings(quiz.load(chapter)) for m in re.finditer(E_NOTATION, s)]
    assert found == [], f"{chapter}: write {found} with atmp.text.sci (× 10ⁿ)"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_e_notation_in_prose(path):
    found = re.findall(E_NOTATION, prose(_markdown(path)))
    assert found == [], f"{path.stem}: e-notation in the prose: {found}"


def test_e_notation_pattern_bites():
    for leak in ("1.1e+14", "2e13", "4e-12", "6.0E-05", "dose 1e7 cells"):
        assert re.search(E_NOTATION, leak), leak
    for fine in ("1.1 × 10¹⁴", "e^-1", "ICP34.5", "FL3B", "AUC0–28d", "Rh74var", "2e"):
        assert not re.search(E_NOTATION, fine), fine


def test_no_e_notation_in_any_widget_figure():
    """Titles, labels, tick labels and notes of every widget's figure, at its defaults and at
    every edge case (the static twins in the book are these figures)."""
    import matplotlib.pyplot as plt
    from matplotlib.text import Text

    from atmp import widgets

    found = []
    for name, widget in widgets.registry().items():
        for params in widget.edge_cases():
            fig = widget.draw(**params)
            fig.canvas.draw()
            found += [f"{name} {params}: {t.get_text()!r}" for t in fig.findobj(Text)
                      if t.get_visible() and re.search(E_NOTATION, t.get_text())]
            plt.close(fig)
    assert found == [], "write these with atmp.text.sci:\n" + "\n".join(found)
