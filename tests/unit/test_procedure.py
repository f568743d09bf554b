"""The procedure-clock model (atmp.models.procedure) against hand-computed milestones."""

import pandas as pd
import pytest

from atmp.models import procedure

# ----------------------------------------------------------------------------- procedure clock


def test_standard_timetable_with_two_clock_stops_hand_computed():
    # 210 active days + 90 + 30 clock-stop days = opinion on day 330; + 67 = decision on day 397
    clock = procedure.procedure_clock("standard", 90, 30, 67)
    assert clock.active_days == 210
    assert clock.stops == (90, 30)
    assert clock.opinion_day == 330
    assert clock.decision_day == 397
    assert clock.clock_stop_days == 120


def test_no_clock_stop_gives_the_often_quoted_277_days():
    assert procedure.procedure_clock("standard", 0, 0, 67).decision_day == 210 + 67 == 277


def test_accelerated_timetable_has_150_active_days_and_one_stop():
    clock = procedure.procedure_clock("accelerated", 30, 999, 67)
    assert clock.active_days == 150
    assert clock.stops == (30,)  # the Day-180 stop does not exist in a 150-day timetable
    assert clock.opinion_day == 180
    assert clock.decision_day == 247


def test_segments_are_contiguous_and_active_days_add_up():
    for args in [("standard", 90, 30, 67), ("standard", 0, 0, 0), ("accelerated", 365, 0, 120)]:
        clock = procedure.procedure_clock(*args)
        ends = [s[2] for s in clock.segments]
        starts = [s[1] for s in clock.segments]
        assert starts[0] == 0 and starts[1:] == ends[:-1]
        active = sum(b - a for p, a, b in clock.segments if p == "active")
        assert active == clock.active_days
        assert ends[-1] == clock.decision_day


def test_time_to_decision_and_its_inverse():
    assert procedure.time_to_decision(210, [91, 30], 67) == 398
    assert procedure.time_to_decision(150, [], 67) == 217
    assert procedure.implied_clock_stops(405) == 405 - 277
    assert procedure.implied_clock_stops(273) == -4  # shorter than a stop-free timetable


@pytest.mark.parametrize("bad", [dict(timetable="fast"), dict(stop_1=-1), dict(decision_days=-5)])
def test_bad_parameters_are_refused(bad):
    with pytest.raises(ValueError):
        procedure.procedure_clock(**bad)
    with pytest.raises(ValueError):
        procedure.time_to_decision(210, [-1])


def test_published_table_matches_the_papers_summary_statistics():
    s = procedure.published_summary()
    assert s["n"] == 17
    assert s["median"] == 405  # Rivetti di Val Cervo et al. 2024, Table 2
    assert round(s["mean"]) == 547


def test_exercise_clock_solution():
    """The computation of exercise reg-ex-clock."""
    clock = procedure.procedure_clock("standard", 91, 30, 67)
    start = pd.Timestamp("2026-02-02")  # Day 1 of the procedure
    opinion = start + pd.Timedelta(days=clock.opinion_day - 1)
    decision = opinion + pd.Timedelta(days=67)
    assert clock.opinion_day - 1 == 330  # elapsed days from Day 1 to the opinion
    assert opinion == pd.Timestamp("2026-12-29")
    assert decision == pd.Timestamp("2027-03-06")
    fast = procedure.procedure_clock("accelerated", 30, 0, 67)
    assert start + pd.Timedelta(days=fast.opinion_day - 1) == pd.Timestamp("2026-07-31")
    implied = {p: procedure.implied_clock_stops(d)
               for p, d in procedure.published_days().items()}
    assert implied["Kymriah"] == -4 and implied["Spherox"] == 1656 - 277
