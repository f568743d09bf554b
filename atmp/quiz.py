"""Self-check quizzes: one JSON file per chapter in ``notebooks/quizzes/``, shown with jupyterquiz.

A quiz file is a list of questions in jupyterquiz's format::

    [{"question": "...", "type": "multiple_choice",
      "answers": [{"answer": "...", "correct": true, "feedback": "..."}, ...]}]

Calculations are ``"numeric"`` questions: the reader types a number, and each answer is a
``{"type": "value", "value": ...}`` or ``{"type": "range", "range": [lo, hi]}`` (lo inclusive, hi
exclusive, as jupyterquiz checks them), with a ``{"type": "default", "feedback": ...}`` last. A numeric
question names in ``"check"`` the calculation that ``tests/unit/test_quizzes.py`` redoes with
:mod:`atmp`, so a change in the models or data that moves the answer fails a test.

Every answer carries feedback (why it is right or wrong), and every question names the learning
objective it checks in an ``"objective"`` key (e.g. ``"LO2"``), which the objectives map reads.
The browser shuffles the options of each multiple-choice question; the stored order is balanced
too (tests/unit/test_quizzes.py), for readers of the JSON and of printed answer keys.
"""

from __future__ import annotations

import json
from pathlib import Path

QUIZ_DIR = Path(__file__).resolve().parent.parent / "notebooks" / "quizzes"


def load(chapter: str) -> list[dict]:
    """Load and check the quiz of a chapter (file stem of its notebook).

    Raises
    ------
    ValueError
        If a question has no correct answer, or an answer has no feedback.
    """
    questions = json.loads((QUIZ_DIR / f"{chapter}.json").read_text(encoding="utf-8"))
    for i, q in enumerate(questions, start=1):
        answers = q.get("answers", [])
        if q.get("type") in ("multiple_choice", "numeric") and not any(a.get("correct") for a in answers):
            raise ValueError(f"{chapter} quiz question {i} has no correct answer")
        if q.get("type") == "numeric" and not q.get("check"):
            raise ValueError(f"{chapter} quiz question {i}: a numeric question needs a \"check\" name")
        if any(not a.get("feedback") for a in answers):
            raise ValueError(f"{chapter} quiz question {i}: every answer needs feedback")
    return questions


def show(chapter: str) -> None:
    """Display the chapter's quiz (interactive in the notebook and in the HTML book).

    The options are shuffled in the browser (jupyterquiz does it client-side, so it works in the
    static book too), in a new order at every page load.
    """
    from IPython.display import HTML, display
    from jupyterquiz import display_quiz

    display_quiz(load(chapter), shuffle_answers=True, colors=QUIZ_COLORS)
    display(HTML(_LABEL_NUMERIC_INPUTS))


#: jupyterquiz draws the numeric answer box light grey with near-white text (contrast 1.5:1);
#: a dark grey box keeps the text readable (8.5:1) in light and dark mode.
QUIZ_COLORS = {"--jq-numeric-input-bg": "#4a4a4a"}

#: jupyterquiz's numeric answer box has a <label> that is not tied to it, so screen readers (and
#: axe-core) find an unlabelled input; this ties each label to its box once the quiz is drawn.
_LABEL_NUMERIC_INPUTS = """<script>
(function () {
  function label() {
    document.querySelectorAll("input.Input-text:not([aria-label])").forEach(function (inp) {
      var lab = inp.previousElementSibling;
      if (lab && lab.tagName === "LABEL" && inp.id) { lab.htmlFor = inp.id; }
      inp.setAttribute("aria-label", "numeric answer");
    });
  }
  label();
  new MutationObserver(label).observe(document.body, {childList: true, subtree: true});
})();
</script>"""


# ----------------------------------------------------------------------------- balance of the options

#: Agreed limits for the stored order of multiple-choice options. With 3–4 options and 4–13
#: questions a chapter, an even spread puts 25–33% of right answers in each position and makes the
#: right answer the longest (or the shortest) option in about a quarter to a third of questions; the
#: limits leave room for chance and catch a habit ("the right answer comes first", "is the longest").
MAX_POSITION_SHARE_CHAPTER = 0.5
MAX_POSITION_SHARE_COURSE = 0.35
MAX_LONGEST_SHARE = 0.4


def balance(questions: list[dict]) -> dict:
    """Where the right answers of the multiple-choice questions sit, and how often they stand out.

    Returns
    -------
    dict
        ``n`` — multiple-choice questions; ``positions`` — right answers per stored position
        (0-based); ``longest`` — questions whose right answer is strictly the longest option;
        ``shortest`` — strictly the shortest.
    """
    positions: dict[int, int] = {}
    longest = shortest = n = 0
    for q in questions:
        if q.get("type") != "multiple_choice":
            continue
        n += 1
        lengths = [len(a["answer"]) for a in q["answers"]]
        right = next(i for i, a in enumerate(q["answers"]) if a.get("correct"))
        positions[right] = positions.get(right, 0) + 1
        others = lengths[:right] + lengths[right + 1:]
        longest += lengths[right] > max(others)
        shortest += lengths[right] < min(others)
    return {"n": n, "positions": dict(sorted(positions.items())), "longest": longest,
            "shortest": shortest}


def balance_problems(questions: list[dict], name: str, max_position: float,
                     max_longest: float = MAX_LONGEST_SHARE) -> list[str]:
    """Why the right answers of ``questions`` are guessable from their place or length ([] if not)."""
    b = balance(questions)
    if not b["n"]:
        return []
    problems = []
    pos, count = max(b["positions"].items(), key=lambda kv: kv[1])
    if count / b["n"] > max_position:
        problems.append(f"{name}: the right answer is option {pos + 1} in {count} of {b['n']} "
                        f"questions (limit {max_position:.0%})")
    for extreme in ("longest", "shortest"):
        if b[extreme] / b["n"] > max_longest:
            problems.append(f"{name}: the right answer is the {extreme} option in {b[extreme]} of "
                            f"{b['n']} questions (limit {max_longest:.0%})")
    return problems
