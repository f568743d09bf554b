"""Self-check quizzes: one JSON file per chapter in ``notebooks/quizzes/``, shown with jupyterquiz.

A quiz file is a list of questions in jupyterquiz's format::

    [{"question": "...", "type": "multiple_choice",
      "answers": [{"answer": "...", "correct": true, "feedback": "..."}, ...]}]

Every answer carries feedback (why it is right or wrong), and every question names the learning
objective it checks in an ``"objective"`` key (e.g. ``"LO2"``), which the objectives map reads.
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
        if q.get("type") == "multiple_choice" and not any(a.get("correct") for a in answers):
            raise ValueError(f"{chapter} quiz question {i} has no correct answer")
        if any(not a.get("feedback") for a in answers):
            raise ValueError(f"{chapter} quiz question {i}: every answer needs feedback")
    return questions


def show(chapter: str) -> None:
    """Display the chapter's quiz (interactive in the notebook and in the HTML book)."""
    from jupyterquiz import display_quiz

    display_quiz(load(chapter), shuffle_answers=False)
