"""The learning-objectives map: which exercises and quiz questions check each objective.

Generated from the chapters themselves (never maintained by hand): objectives are the
``**LO1** — ...`` items under *Learning objectives*, exercises declare the objective they check
as ``*(LO2)*`` in their text, and quiz questions carry an ``"objective"`` key.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"


@dataclass
class Objective:
    chapter: str
    code: str
    text: str
    exercises: list[str] = field(default_factory=list)
    quiz: list[int] = field(default_factory=list)  # 1-based question numbers


def _markdown(path: Path) -> str:
    nb = json.loads(path.read_text(encoding="utf-8"))
    return "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")


def _title(md: str) -> str:
    m = re.search(r"^# (.+)$", md, flags=re.M)
    return m.group(1).strip() if m else ""


def chapter_objectives(path: Path) -> list[Objective]:
    """Objectives of one chapter notebook with the exercises and quiz items that check them."""
    md, chapter = _markdown(path), path.stem
    objectives = {}
    for code, text in re.findall(r"\*\*(LO\d)\*\*\s*[—-]?\s*(.+?)(?=\n\d+\.|\n\n|$)", md, flags=re.S):
        objectives[code] = Objective(chapter, code, " ".join(text.split()).rstrip(";."))
    for label, body in re.findall(r"````\{exercise\}\n:label: (\S+)\n(.*?)````", md, flags=re.S):
        for code in dict.fromkeys(re.findall(r"\((LO\d)\)", body)):
            if code in objectives:
                objectives[code].exercises.append(label)
    quiz_file = NOTEBOOKS / "quizzes" / f"{chapter}.json"
    if quiz_file.exists():
        for i, q in enumerate(json.loads(quiz_file.read_text(encoding="utf-8")), start=1):
            if q.get("objective") in objectives:
                objectives[q["objective"]].quiz.append(i)
    return list(objectives.values())


def course_map(chapters: list[str] | None = None) -> list[Objective]:
    """Every objective of the given chapters (default: the notebooks, in table-of-contents order)."""
    if chapters is None:
        chapters = toc_chapters()
    out = []
    for stem in chapters:
        out.extend(chapter_objectives(NOTEBOOKS / f"{stem}.ipynb"))
    return out


def toc_chapters() -> list[str]:
    """Chapter notebooks in the order of ``_toc.yml``."""
    from atmp import book

    return book.chapters()


def gaps(objectives: list[Objective]) -> list[str]:
    """Objectives with no exercise or no quiz question (each as "chapter LOn: what is missing")."""
    out = []
    for o in objectives:
        if not o.exercises:
            out.append(f"{o.chapter} {o.code}: no exercise")
        if not o.quiz:
            out.append(f"{o.chapter} {o.code}: no quiz question")
    return out


def markdown_table(objectives: list[Objective]) -> str:
    """The map as a MyST table, one section per chapter, exercises linked by their labels."""
    lines, current = [], None
    for o in objectives:
        if o.chapter != current:
            current = o.chapter
            title = _title(_markdown(NOTEBOOKS / f"{o.chapter}.ipynb"))
            lines += ["", f"**{{doc}}`{title} <../notebooks/{o.chapter}>`**", "",
                      "| objective | checked by exercises | quiz questions |", "|---|---|---|"]
        ex = ", ".join(f"{{ref}}`{label}`" for label in o.exercises) or "—"
        qz = ", ".join(f"Q{i}" for i in o.quiz) or "—"
        lines.append(f"| **{o.code}** {o.text} | {ex} | {qz} |")
    return "\n".join(lines).strip() + "\n"
