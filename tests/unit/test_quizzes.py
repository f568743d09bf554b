"""The self-check quizzes test understanding, not position or length, and compute right.

- Multiple choice: the right answer does not sit in one stored position, and is not
  systematically the longest option (limits in :mod:`atmp.quiz`); a made-up bad quiz shows
  the check bites. The browser shuffles the options as well (``quiz.show``).
- Numeric: every numeric question names a ``check``; here each one is recomputed with
  :mod:`atmp` (and, where the inputs come from ``data/``, the question must quote those inputs),
  so a change in a model or the data that moves the answer fails this test.
"""

from __future__ import annotations

import json
import math

import pytest

from atmp import data, quiz
from atmp.models import aav, car_t, cell, cost, editing, hsc, oncolytic, procedure, tissue
from atmp.tables import evidence_value
from atmp.text import sci

CHAPTERS = sorted(p.stem for p in quiz.QUIZ_DIR.glob("*.json"))


def _roctavian():
    v = data.load(aav.VECTORS).set_index("product").loc["Roctavian"]
    vials = aav.vials_needed(aav.dose_volume_ml(v["dose"], v["concentration_per_ml"], 70.0), v["vial_ml"])
    return vials, [sci(v["dose"], "vg/kg"), sci(v["concentration_per_ml"], "vg/mL"),
                   f"{v['vial_ml']:g} mL vials", "70 kg"]


def _outlook_cost():
    return cost.cost_per_patient(100, 1, 0.1, 5), ["costs 100", "10% of runs", "costs 5"]


def _clock():
    return procedure.procedure_clock("standard", 90, 30).decision_day, ["90-day", "30-day", "67 days"]


def _eli_cel():
    ev = data.load("hsc-gene-therapy-evidence")
    study = "ALD-102 and ALD-104 with LTF-304 (Duncan 2024)"
    cancers = evidence_value(ev, study, "haematological cancer")
    patients = evidence_value(ev, study, "patients treated")
    person_years = patients * hsc.ASSUMED_MEAN_FOLLOW_UP_YEARS  # assumed: none published in the sources read
    assert cancers == len(data.load(hsc.ELI_CEL_CANCERS))
    return (100 * cancers / person_years,
            [f"{patients:g} patients", f"{hsc.ASSUMED_MEAN_FOLLOW_UP_YEARS:g} years",
             {7: "Seven"}.get(int(cancers), "?")])


#: check name -> () -> (the answer computed with atmp, phrases the question must contain)
CHECKS = {
    "aav-roctavian-vials": _roctavian,
    "car-t-doubling": lambda: (car_t.summarise(foldx=3900, tmax=9.3).doubling_time,
                               ["fold expansion 3,900", "Tmax 9.3 days"]),
    "hsc-untransduced": lambda: (100 * (1 - hsc.vcn_summary(1.0)["transduced"]),
                                 ["(VCN) of 1 copy", "Poisson"]),
    "hsc-elicel-rate": _eli_cel,
    "oncolytic-equilibrium": lambda: (oncolytic.equilibrium(r=1, K=1, b=2, a=0.5)[0],
                                      ["r = 1, K = 1, b = 2 and a = 0.5"]),
    "somatic-threshold": lambda: (cell.control_threshold(rho=0.05, kappa=0.2),
                                  ["ρ = 0.05 per day", "κ = 0.2 per"]),
    "tissue-doublings": lambda: (tissue.population_doublings(640_000, 5_000),
                                 ["5,000 cells", "640,000 cells"]),
    "regulation-clock": _clock,
    "editing-hbf": lambda: (editing.hbf_share(0.6, 40, 5, 120, 20),
                            ["60% of red-cell production", "40% HbF and live 120 days",
                             "5% HbF and live 20 days"]),
    "outlook-cost": _outlook_cost,
}


def _accepts(answer: dict, x: float) -> bool:
    """Whether jupyterquiz would match ``x`` to this answer (value: equal; range: lo <= x < hi)."""
    if "value" in answer:
        return math.isclose(x, answer["value"], rel_tol=1e-9, abs_tol=1e-12)
    if "range" in answer:
        lo, hi = answer["range"]
        return lo <= x < hi
    return False


def _numeric():
    for chapter in CHAPTERS:
        for i, q in enumerate(quiz.load(chapter), start=1):
            if q["type"] == "numeric":
                yield pytest.param(chapter, q, id=f"{chapter}-Q{i}")


@pytest.mark.parametrize("chapter, q", list(_numeric()))
def test_numeric_answer_is_what_atmp_computes(chapter, q):
    assert q["check"] in CHECKS, f"{chapter}: no computation registered for {q['check']!r}"
    value, phrases = CHECKS[q["check"]]()
    for phrase in phrases:
        assert phrase in q["question"], f"{q['check']}: the question does not quote {phrase!r}"
    answers = [a for a in q["answers"] if a.get("type") != "default"]
    assert q["answers"][-1].get("type") == "default", "a numeric question ends with default feedback"
    first = next(a for a in answers if _accepts(a, value))  # jupyterquiz stops at the first match
    assert first.get("correct"), f"{q['check']}: {value:.4g} is matched first by a wrong answer"
    if "range" in first:
        lo, hi = first["range"]
        assert hi - lo <= 0.1 * abs(value), f"{q['check']}: range {first['range']} is too loose"


def test_every_check_is_used():
    used = {q.get("check") for c in CHAPTERS for q in quiz.load(c) if q["type"] == "numeric"}
    assert used == set(CHECKS), f"unused checks {set(CHECKS) - used}, unchecked {used - set(CHECKS)}"


def test_every_chapter_with_a_calculation_has_a_numeric_question():
    # landscape teaches reading the record, not a formula; every other chapter has a model
    numeric = {c for c in CHAPTERS if any(q["type"] == "numeric" for q in quiz.load(c))}
    assert set(CHAPTERS) - numeric <= {"landscape"}


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_right_answers_are_not_guessable_by_place_or_length(chapter):
    problems = quiz.balance_problems(quiz.load(chapter), chapter, quiz.MAX_POSITION_SHARE_CHAPTER)
    assert problems == []


def test_right_answers_are_spread_over_the_course():
    everything = [q for c in CHAPTERS for q in quiz.load(c)]
    assert quiz.balance_problems(everything, "course", quiz.MAX_POSITION_SHARE_COURSE) == []


def test_balance_check_bites_on_a_bad_quiz():
    """A quiz in the old style: the right answer first and the longest, every time."""
    bad = [{"type": "multiple_choice", "question": f"Q{i}",
            "answers": [{"answer": "the right answer, spelt out at length", "correct": True},
                        {"answer": "short", "correct": False},
                        {"answer": "shorter", "correct": False}]} for i in range(6)]
    problems = quiz.balance_problems(bad, "bad", quiz.MAX_POSITION_SHARE_CHAPTER)
    assert len(problems) == 2 and "option 1 in 6 of 6" in problems[0] and "longest" in problems[1]
    # moving the right answer around fixes the position but not the length
    for i, q in enumerate(bad):
        q["answers"] = q["answers"][1:][: i % 3] + q["answers"][:1] + q["answers"][1:][i % 3:]
    problems = quiz.balance_problems(bad, "bad", quiz.MAX_POSITION_SHARE_CHAPTER)
    assert len(problems) == 1 and "longest option in 6 of 6" in problems[0]
    # and a right answer that is always the shortest is a cue as well
    for q in bad:
        for a in q["answers"]:
            a["answer"] = "ok" if a["correct"] else a["answer"] + " and some more words"
    problems = quiz.balance_problems(bad, "bad", quiz.MAX_POSITION_SHARE_CHAPTER)
    assert len(problems) == 1 and "shortest option in 6 of 6" in problems[0]


def test_quizzes_are_shuffled_in_the_browser(monkeypatch):
    calls = {}
    import jupyterquiz

    monkeypatch.setattr(jupyterquiz, "display_quiz", lambda qs, **kw: calls.update(kw, n=len(qs)))
    quiz.show(CHAPTERS[0])
    assert calls["shuffle_answers"] is True and calls["n"] >= 4
    assert calls["colors"] == quiz.QUIZ_COLORS


def test_quiz_files_are_valid_json_with_known_types():
    for chapter in CHAPTERS:
        for q in json.loads((quiz.QUIZ_DIR / f"{chapter}.json").read_text(encoding="utf-8")):
            assert q["type"] in {"multiple_choice", "numeric"}, chapter
