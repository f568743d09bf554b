"""The regulation chapter's logic: procedure clock, counts, life spans, Kaplan–Meier, widget."""

import math

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from atmp import data, regulation

# ----------------------------------------------------------------------------- procedure clock


def test_standard_timetable_with_two_clock_stops_hand_computed():
    # 210 active days + 90 + 30 clock-stop days = opinion on day 330; + 67 = decision on day 397
    clock = regulation.procedure_clock("standard", 90, 30, 67)
    assert clock.active_days == 210
    assert clock.stops == (90, 30)
    assert clock.opinion_day == 330
    assert clock.decision_day == 397
    assert clock.clock_stop_days == 120


def test_no_clock_stop_gives_the_often_quoted_277_days():
    assert regulation.procedure_clock("standard", 0, 0, 67).decision_day == 210 + 67 == 277


def test_accelerated_timetable_has_150_active_days_and_one_stop():
    clock = regulation.procedure_clock("accelerated", 30, 999, 67)
    assert clock.active_days == 150
    assert clock.stops == (30,)  # the Day-180 stop does not exist in a 150-day timetable
    assert clock.opinion_day == 180
    assert clock.decision_day == 247


def test_segments_are_contiguous_and_active_days_add_up():
    for args in [("standard", 90, 30, 67), ("standard", 0, 0, 0), ("accelerated", 365, 0, 120)]:
        clock = regulation.procedure_clock(*args)
        ends = [s[2] for s in clock.segments]
        starts = [s[1] for s in clock.segments]
        assert starts[0] == 0 and starts[1:] == ends[:-1]
        active = sum(b - a for p, a, b in clock.segments if p == "active")
        assert active == clock.active_days
        assert ends[-1] == clock.decision_day


def test_time_to_decision_and_its_inverse():
    assert regulation.time_to_decision(210, [91, 30], 67) == 398
    assert regulation.time_to_decision(150, [], 67) == 217
    assert regulation.implied_clock_stops(405) == 405 - 277
    assert regulation.implied_clock_stops(273) == -4  # shorter than a stop-free timetable


@pytest.mark.parametrize("bad", [dict(timetable="fast"), dict(stop_1=-1), dict(decision_days=-5)])
def test_bad_parameters_are_refused(bad):
    with pytest.raises(ValueError):
        regulation.procedure_clock(**bad)
    with pytest.raises(ValueError):
        regulation.time_to_decision(210, [-1])


def test_published_table_matches_the_papers_summary_statistics():
    s = regulation.published_summary()
    assert s["n"] == 17
    assert s["median"] == 405  # Rivetti di Val Cervo et al. 2024, Table 2
    assert round(s["mean"]) == 547


def test_exercise_clock_solution():
    """The computation of exercise reg-ex-clock."""
    clock = regulation.procedure_clock("standard", 91, 30, 67)
    start = pd.Timestamp("2026-02-02")  # Day 1 of the procedure
    opinion = start + pd.Timedelta(days=clock.opinion_day - 1)
    decision = opinion + pd.Timedelta(days=67)
    assert clock.opinion_day - 1 == 330  # elapsed days from Day 1 to the opinion
    assert opinion == pd.Timestamp("2026-12-29")
    assert decision == pd.Timestamp("2027-03-06")
    fast = regulation.procedure_clock("accelerated", 30, 0, 67)
    assert start + pd.Timedelta(days=fast.opinion_day - 1) == pd.Timestamp("2026-07-31")
    implied = {p: regulation.implied_clock_stops(d)
               for p, d in regulation.PUBLISHED_EMA_ASSESSMENT_DAYS.items()}
    assert implied["Kymriah"] == -4 and implied["Spherox"] == 1656 - 277


# ----------------------------------------------------------------------------- data fixtures


def _atmps():
    rows = [
        # product, class, decision, route, status, status_date, reason, orphan, prime
        ("A", "gene therapy", "2010-01-01", "standard", "withdrawn", "2011-01-01", "commercial",
         True, False),
        ("B", "tissue engineered", "2010-06-01", "conditional", "authorised", None, "", False,
         False),
        ("C", "somatic cell therapy", "2012-01-01", "conditional", "withdrawn", "2015-01-01",
         "confirmatory trial failed", True, True),
        ("D", "gene therapy", "2012-03-01", "exceptional circumstances", "authorised", None, "",
         True, False),
        ("E", "combined", "2013-01-01", "conditional", "expired", "2018-01-01",
         "not renewed", False, False),
    ]
    df = pd.DataFrame(rows, columns=["product", "atmp_class", "ec_decision_date",
                                     "authorisation_type", "status", "status_date",
                                     "status_reason", "orphan", "prime"])
    for c in ("ec_decision_date", "status_date"):
        df[c] = pd.to_datetime(df[c])
    for c in ("orphan", "prime"):
        df[c] = df[c].astype("boolean")
    df["accelerated_assessment"] = pd.array([False] * len(df), dtype="boolean")
    df["authorisation_type"] = pd.Categorical(
        df["authorisation_type"], categories=["standard", "conditional",
                                              "exceptional circumstances"])
    return df


def _events():
    rows = [("A", "2010-01-01", "authorised"), ("A", "2011-01-01", "withdrawn"),
            ("B", "2010-06-01", "authorised"), ("B", "2014-06-01", "converted to standard"),
            ("C", "2012-01-01", "authorised"), ("C", "2013-01-01", "conditional renewed"),
            ("C", "2015-01-01", "withdrawn"),
            ("D", "2012-03-01", "authorised"), ("D", "2013-01-01", "suspended"),
            ("D", "2013-06-01", "suspension lifted"),
            ("E", "2013-01-01", "authorised"), ("E", "2014-01-01", "suspended"),
            ("E", "2018-01-01", "expired")]
    ev = pd.DataFrame(rows, columns=["product", "date", "event"])
    ev["date"] = pd.to_datetime(ev["date"])
    ev["detail"] = ""
    return ev


AS_OF = "2020-01-01"


def test_counts_per_year_and_route_on_a_fixture():
    counts = regulation.authorisation_counts(_atmps())
    assert list(counts.index) == [2010, 2011, 2012, 2013]
    assert list(counts.columns) == ["standard", "conditional", "exceptional circumstances"]
    assert counts.loc[2010].tolist() == [1, 1, 0]
    assert counts.loc[2011].tolist() == [0, 0, 0]
    assert counts.loc[2012].tolist() == [0, 1, 1]
    assert counts.to_numpy().sum() == 5


def test_missing_route_is_counted_as_not_recorded():
    df = _atmps()
    df.loc[0, "authorisation_type"] = None
    counts = regulation.authorisation_counts(df, first_year=2009)
    assert counts.columns[-1] == "not recorded" and counts.loc[2010, "not recorded"] == 1
    assert counts.loc[2009].sum() == 0


def test_route_table_on_a_fixture():
    t = regulation.route_table(_atmps())
    assert t.loc["conditional", "products"] == 3
    assert t.loc["conditional", "authorised"] == 1
    assert t.loc["total", "products"] == 5
    assert t.loc["total", "orphan"] == 3
    assert t.loc["total", "PRIME"] == 1


def test_exit_dates_use_an_unlifted_suspension():
    ends = regulation.exit_dates(_atmps(), _events())
    assert ends[0] == pd.Timestamp("2011-01-01")
    assert pd.isna(ends[1]) and pd.isna(ends[3])  # authorised (D's suspension was lifted)
    assert ends[4] == pd.Timestamp("2014-01-01")  # E: suspended in 2014, expired in 2018


def test_time_on_market_censors_authorised_products():
    tom = regulation.time_on_market(_atmps(), _events(), AS_OF).set_index("product")
    assert tom.loc["A", "left_market"] and not tom.loc["B", "left_market"]
    assert tom.loc["B", "end"] == pd.Timestamp(AS_OF)
    assert tom.loc["A", "years"] == pytest.approx(365 / 365.25)


def test_kaplan_meier_against_a_hand_computed_example():
    # exits at 1 and 3 years, censored at 2 and 4 years:
    # S(1) = 3/4; S(2) = 3/4 (censoring does not drop the curve); S(3) = 3/4 * (1 - 1/2) = 3/8
    tom = pd.DataFrame({"years": [1.0, 2.0, 3.0, 4.0],
                        "left_market": [True, False, True, False]})
    kmf = regulation.fit_time_on_market(tom)
    s = regulation.survival_at(kmf, [0.5, 1.0, 2.5, 3.0, 4.0])
    np.testing.assert_allclose(s, [1.0, 0.75, 0.75, 0.375, 0.375])
    assert math.isinf(regulation.median_time_on_market(
        regulation.fit_time_on_market(tom.assign(left_market=[True, False, False, False]))))
    assert regulation.median_time_on_market(kmf) == 3.0


def test_kaplan_meier_three_products_all_leave():
    tom = pd.DataFrame({"years": [1.0, 2.0, 3.0], "left_market": [True, True, True]})
    s = regulation.survival_at(regulation.fit_time_on_market(tom), [1, 2, 3])
    np.testing.assert_allclose(s, [2 / 3, 1 / 3, 0.0])


def test_km_summary_reports_numbers_at_risk():
    tom = pd.DataFrame({"years": [1.0, 2.0, 3.0, 4.0],
                        "left_market": [True, False, True, False]})
    summ = regulation.km_summary(regulation.fit_time_on_market(tom), tom, at_years=(2, 3.5))
    assert summ["at risk"].tolist() == [3, 1]
    assert summ.loc[2.0, "on market (KM)"] == 0.75


def test_conditional_outcomes_on_a_fixture():
    out = regulation.conditional_outcomes(_atmps(), _events()).set_index("product")
    assert out.loc["B", "outcome"] == "converted to standard"
    assert out.loc["C", "outcome"] == "left the market (withdrawn)"
    assert out.loc["C", "renewals"] == 1
    assert out.loc["E", "outcome"] == "left the market (expired)"


def test_exits_and_commercial_reasons():
    tom = regulation.time_on_market(_atmps(), _events(), AS_OF)
    ex = regulation.exits(tom)
    assert ex["product"].tolist() == ["A", "E", "C"]
    assert [regulation.is_commercial(r) for r in ex["status_reason"]] == [True, False, False]


def test_life_timeline_marks_exclude_the_span_ends():
    spans, marks = regulation.life_timeline(_atmps(), _events(), AS_OF)
    assert len(spans) == 5
    assert set(marks["event"]) == {"converted to standard", "conditional renewed", "suspended",
                                   "suspension lifted"}


# ----------------------------------------------------------------------------- on the real data


def test_the_chapter_computations_run_on_the_dataset():
    atmps, events, as_of = data.load_atmps(), data.load_events(), data.data_as_of()
    tom = regulation.time_on_market(atmps, events, as_of)
    assert len(tom) == atmps["ec_decision_date"].notna().sum()
    assert (tom["years"] >= 0).all()
    kmf = regulation.fit_time_on_market(tom)
    s = regulation.survival_at(kmf, [0, 5])
    assert s[0] == 1.0 and 0 <= s[1] <= 1
    # exercise reg-ex-km: the naive share still authorised vs the KM estimate at 5 years
    naive = 1 - tom["left_market"].mean()
    assert 0 < naive <= 1
    counts = regulation.authorisation_counts(atmps)
    assert counts.to_numpy().sum() == len(tom)
    # exercise reg-ex-conditional: outcomes of conditional MAs add up
    cond = regulation.conditional_outcomes(atmps, events)
    assert len(cond) == (atmps["authorisation_type"] == "conditional").sum()


# ----------------------------------------------------------------------------- figures, widget


def test_figures_draw_on_the_fixture():
    atmps, events = _atmps(), _events()
    assert isinstance(regulation.draw_authorisation_types(
        regulation.authorisation_counts(atmps)), Figure)
    spans, marks = regulation.life_timeline(atmps, events, AS_OF)
    assert isinstance(regulation.draw_life_timeline(spans, marks, AS_OF), Figure)
    tom = regulation.time_on_market(atmps, events, AS_OF)
    assert isinstance(regulation.draw_time_on_market(regulation.fit_time_on_market(tom), tom),
                      Figure)


def test_widget_draws_at_defaults_and_edges():
    w = regulation.CLOCK
    assert w.defaults == {"timetable": "standard", "stop_1": 90, "stop_2": 30,
                          "decision_days": 67}
    for params in w.edge_cases():
        assert isinstance(w.draw(**params), Figure)


def test_widget_is_registered():
    from atmp import widgets

    assert widgets.registry(load=False)["regulation-procedure-clock"] is regulation.CLOCK


def test_glue_values_for_the_prose():
    atmps, events = _atmps(), _events()
    facts = regulation.product_facts(regulation.route_table(atmps),
                                     regulation.authorisation_counts(atmps))
    assert facts["reg-n-products"] == 5 and facts["reg-share-special"] == "80%"
    clock = regulation.clock_facts()
    assert clock["reg-clock-decision"] == 397 and clock["reg-pub-median"] == 405
    assert clock["reg-pub-implied"] == 405 - 277
    tom = pd.DataFrame({"years": [1.0, 2.0, 3.0, 4.0, 11.0],
                        "left_market": [True, False, True, False, False]})
    kmf = regulation.fit_time_on_market(tom)
    km = regulation.km_facts(kmf, tom, regulation.km_summary(kmf, tom, at_years=(2, 5, 10)))
    assert km["reg-km-2"] == "80%" and km["reg-n-left"] == 2 and km["reg-km-10-risk"] == 1
    tom_f = regulation.time_on_market(atmps, events, AS_OF)
    story = regulation.story_facts(regulation.conditional_outcomes(atmps, events),
                                   regulation.exits(tom_f))
    assert story["reg-cond-converted-names"] == "B"
    assert story["reg-exits-commercial"] == 1 and story["reg-exits-other-names"] == "E and C"
