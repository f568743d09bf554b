"""The regulation chapter (atmp.chapters.regulation) and the Kaplan–Meier helpers of
atmp.record it uses: counts, route table, spans, survival, conditional outcomes, glue facts."""

import math

import numpy as np
import pandas as pd
import pytest

from atmp import data, plots, record, text
from atmp.chapters import regulation

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
    ends = record.exit_dates(_atmps(), _events())
    assert ends[0] == pd.Timestamp("2011-01-01")
    assert pd.isna(ends[1]) and pd.isna(ends[3])  # authorised (D's suspension was lifted)
    assert ends[4] == pd.Timestamp("2014-01-01")  # E: suspended in 2014, expired in 2018


def test_spans_censor_authorised_products():
    tom = record.authorisation_spans(_atmps(), _events(), AS_OF).set_index("product")
    assert tom.loc["A", "lost"] and not tom.loc["B", "lost"]
    assert tom.loc["B", "end"] == pd.Timestamp(AS_OF)
    assert tom.loc["A", "years"] == pytest.approx(365 / 365.25)


def test_kaplan_meier_against_a_hand_computed_example():
    # exits at 1 and 3 years, censored at 2 and 4 years:
    # S(1) = 3/4; S(2) = 3/4 (censoring does not drop the curve); S(3) = 3/4 * (1 - 1/2) = 3/8
    tom = pd.DataFrame({"years": [1.0, 2.0, 3.0, 4.0],
                        "lost": [True, False, True, False]})
    kmf = record.fit_km(tom)
    s = record.survival_at(kmf, [0.5, 1.0, 2.5, 3.0, 4.0])
    np.testing.assert_allclose(s, [1.0, 0.75, 0.75, 0.375, 0.375])
    assert math.isinf(record.median_years(
        record.fit_km(tom.assign(lost=[True, False, False, False]))))
    assert record.median_years(kmf) == 3.0


def test_kaplan_meier_three_products_all_leave():
    tom = pd.DataFrame({"years": [1.0, 2.0, 3.0], "lost": [True, True, True]})
    s = record.survival_at(record.fit_km(tom), [1, 2, 3])
    np.testing.assert_allclose(s, [2 / 3, 1 / 3, 0.0])


def test_km_summary_reports_numbers_at_risk():
    tom = pd.DataFrame({"years": [1.0, 2.0, 3.0, 4.0],
                        "lost": [True, False, True, False]})
    summ = record.km_summary(record.fit_km(tom), tom, at_years=(2, 3.5))
    assert summ["at risk"].tolist() == [3, 1]
    assert summ.loc[2.0, "still authorised (KM)"] == 0.75


def test_conditional_outcomes_on_a_fixture():
    out = record.conditional_outcomes(_atmps(), _events()).set_index("product")
    assert out.loc["B", "outcome"] == "converted to standard"
    assert out.loc["C", "outcome"] == "left the market (withdrawn)"
    assert out.loc["C", "renewals"] == 1
    assert out.loc["E", "outcome"] == "left the market (expired)"


def test_exits_and_commercial_reasons():
    tom = record.authorisation_spans(_atmps(), _events(), AS_OF)
    ex = record.exits(tom)
    assert ex["product"].tolist() == ["A", "E", "C"]
    assert [regulation.is_commercial(r) for r in ex["status_reason"]] == [True, False, False]


def test_life_timeline_marks_exclude_the_span_ends():
    spans, marks = record.life_timeline(_atmps(), _events(), AS_OF)
    assert len(spans) == 5
    assert set(marks["event"]) == {"converted to standard", "conditional renewed", "suspended",
                                   "suspension lifted"}


# ----------------------------------------------------------------------------- on the real data


def test_the_chapter_computations_run_on_the_dataset():
    atmps, events, as_of = data.load_atmps(), data.load_events(), data.data_as_of()
    tom = record.authorisation_spans(atmps, events, as_of)
    assert len(tom) == atmps["ec_decision_date"].notna().sum()
    assert (tom["years"] >= 0).all()
    kmf = record.fit_km(tom)
    s = record.survival_at(kmf, [0, 5])
    assert s[0] == 1.0 and 0 <= s[1] <= 1
    # exercise reg-ex-km: the naive share still authorised vs the KM estimate at 5 years
    naive = 1 - tom["lost"].mean()
    assert 0 < naive <= 1
    counts = regulation.authorisation_counts(atmps)
    assert counts.to_numpy().sum() == len(tom)
    # exercise reg-ex-conditional: outcomes of conditional MAs add up
    cond = record.conditional_outcomes(atmps, events)
    assert len(cond) == (atmps["authorisation_type"] == "conditional").sum()


# ----------------------------------------------------------------------------- figures


def test_routes_figure_has_one_bar_per_route_and_year_and_labelled_axes():
    counts = regulation.authorisation_counts(_atmps())
    ax = regulation.draw_authorisation_types(counts).axes[0]
    assert len(ax.patches) == counts.size               # a bar (maybe of height 0) per cell
    heights = np.array([p.get_height() for p in ax.patches]).reshape(counts.shape[::-1])
    np.testing.assert_array_equal(heights.T, counts.to_numpy())
    assert "products" in ax.get_ylabel() and "year" in ax.get_xlabel()
    assert [t.get_text() for t in ax.get_legend().get_texts()] == list(counts.columns)


def test_life_timeline_has_a_bar_per_product_and_a_cross_per_lost_authorisation():
    spans, marks = record.life_timeline(_atmps(), _events(), AS_OF)
    ax = plots.draw_life_timeline(spans, marks, AS_OF, title="fixture").axes[0]
    # E was suspended in 2014 and expired in 2018: one solid bar per product, plus one hatched
    # stretch for E from the suspension (its exit) to the expiry, where its cross sits.
    solid = [p for p in ax.patches if not p.get_hatch()]
    hatched = [p for p in ax.patches if p.get_hatch()]
    assert len(solid) == len(spans) and len(hatched) == 1
    e = spans.set_index("product").loc["E"]
    assert hatched[0].get_x() == pytest.approx(plots.decimal_year(e["end"]))
    assert hatched[0].get_x() + hatched[0].get_width() == pytest.approx(
        plots.decimal_year(e["ended"]))
    crosses = [ln for ln in ax.lines if ln.get_marker() == "X"]
    assert len(crosses) == spans["lost"].sum() == 3
    assert plots.decimal_year(e["ended"]) in {float(ln.get_xdata()[0]) for ln in crosses}
    assert any("never reinstated" in t.get_text() for t in ax.get_legend().get_texts())
    assert ax.get_title() == "fixture"
    assert [t.get_text() for t in ax.get_yticklabels()] == spans["product"].tolist()


def test_survival_figure_draws_the_fitted_curve_and_warns_on_tiny_groups():
    tom = record.authorisation_spans(_atmps(), _events(), AS_OF)
    kmf = record.fit_km(tom)
    ax = plots.draw_survival({"all": (kmf, tom), "two": (record.fit_km(tom.head(2)),
                                                         tom.head(2))}).axes[0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[0] == "all: n = 5, 3 lost"
    assert labels[1] == "two: n = 2, 1 lost (too few to estimate)"
    step = ax.lines[0]
    np.testing.assert_allclose(step.get_ydata(), kmf.survival_function_.iloc[:, 0].to_numpy())
    assert ax.get_ylim() == (0, 1.05)


def test_glue_values_for_the_prose():
    atmps, events = _atmps(), _events()
    facts = regulation.product_facts(regulation.route_table(atmps),
                                     regulation.authorisation_counts(atmps))
    assert facts["regulation-n-products"] == 5 and facts["regulation-share-special"] == "80%"
    clock = regulation.clock_facts()
    assert clock["regulation-clock-decision"] == 397 and clock["regulation-pub-median"] == 405
    assert clock["regulation-pub-implied"] == 405 - 277
    tom = pd.DataFrame({"years": [1.0, 2.0, 3.0, 4.0, 11.0],
                        "lost": [True, False, True, False, False]})
    kmf = record.fit_km(tom)
    km = regulation.km_facts(kmf, tom, record.km_summary(kmf, tom, at_years=(2, 5, 10)))
    assert km["regulation-km-2"] == "80%"
    assert km["regulation-n-left"] == 2
    assert km["regulation-km-10-risk"] == 1
    tom_f = record.authorisation_spans(atmps, events, AS_OF)
    story = regulation.story_facts(record.conditional_outcomes(atmps, events),
                                   record.exits(tom_f))
    assert story["regulation-cond-converted-names"] == "B"
    assert story["regulation-exits-commercial"] == 1
    assert story["regulation-exits-other-names"] == "E and C"
    assert story["regulation-cond-unrecorded"] == 0


# ----------------------------------------------------------------- the law of 2025–26, what failed


def _write(folder, name, rows):
    """A table of ``data/`` with the real columns, holding only ``rows`` (dicts), in ``folder``."""
    import csv
    import shutil

    shutil.copy(data.DATA_DIR / "datapackage.json", folder / "datapackage.json")
    columns = [f["name"] for f in data.fields(name)]
    with open(folder / f"{name}.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=columns)
        w.writeheader()
        for r in rows:
            w.writerow({c: r.get(c, "") for c in columns})
    return folder


def _failed(tmp_path):
    base = {"under_atmp_regulation": "true", "applicant_type": "company",
            "source_url": "https://example.org", "verified_on": "2026-11-30"}
    rows = [
        {"product": "R1", "outcome": "refused", "opinion_date": "2015-06-25",
         "re_examination": "yes", "final_opinion_date": "2015-10-22",
         "ec_decision_date": "2015-12-21"},
        {"product": "W1", "outcome": "withdrawn", "withdrawal_date": "2013-01-14"},
        {"product": "W2", "outcome": "withdrawn", "re_examination": "yes",
         "withdrawal_date": "2013-03-08"},                       # after a negative opinion, no date
        {"product": "W3", "outcome": "withdrawn"},                  # end date not seen
        {"product": "A1", "outcome": "refused", "applicant_type": "academic",
         "opinion_date": "2026-06-25", "ec_decision_date": "2026-09-14"},
        {"product": "OLD", "outcome": "withdrawn", "withdrawal_date": "2007-07-13",
         "under_atmp_regulation": "false"},
    ]
    return _write(tmp_path, "failed-applications", [{**base, **r} for r in rows])


def test_a_failed_application_ends_on_its_refusal_or_withdrawal_and_undated_ones_are_kept(tmp_path):
    folder = _failed(tmp_path)
    f = regulation.failed_applications(data_dir=folder)
    assert "OLD" not in set(f["product"])                          # before the ATMP Regulation
    ended = dict(zip(f["product"], f["ended"], strict=True))
    assert ended["R1"] == pd.Timestamp("2015-12-21")               # the Commission decision
    assert ended["W1"] == pd.Timestamp("2013-01-14")               # the withdrawal
    assert pd.isna(ended["W3"]) and f["product"].iloc[-1] == "W3"  # reported, not guessed
    assert len(regulation.failed_applications(None, folder)) == 6
    table = regulation.failed_table(folder)
    assert table.loc[table["product"] == "W3", "ended"].item() == "date not seen"


def test_outcomes_per_year_counts_each_dated_outcome_once(tmp_path):
    folder = _failed(tmp_path)
    counts = regulation.outcomes_per_year(_atmps(), folder)
    assert list(counts.index) == list(range(2010, 2027))            # every year, none skipped
    assert counts["authorised"].sum() == len(_atmps())
    assert counts.loc[2013, "withdrawn"] == 2 and counts.loc[2015, "refused"] == 1
    assert counts.loc[2026, "refused"] == 1
    assert counts[["refused", "withdrawn"]].to_numpy().sum() == 4  # W3 (undated) not drawn
    ax = regulation.draw_outcomes_per_year(counts).axes[0]
    heights = np.array([p.get_height() for p in ax.patches]).reshape(3, len(counts))
    np.testing.assert_array_equal(heights[0], counts["authorised"])
    np.testing.assert_array_equal(-heights[1], counts["refused"])
    np.testing.assert_array_equal(-heights[2], counts["withdrawn"])


def test_failed_facts_name_the_withdrawals_after_a_negative_opinion_and_the_academic_applicant(
        tmp_path):
    facts = regulation.failed_facts(_atmps(), _failed(tmp_path))
    assert facts["regulation-failed-n"] == 5
    assert (facts["regulation-failed-refused"], facts["regulation-failed-withdrawn"]) == (2, 3)
    assert facts["regulation-failed-after-negative-names"] == "W2"
    assert facts["regulation-failed-academic"] == "A1"
    assert facts["regulation-failed-undated"] == "W3"
    assert facts["regulation-failed-before-regulation"] == 1
    assert facts["regulation-failed-since-2025"] == 1


def test_law_facts_separate_acts_that_apply_from_those_that_apply_later(tmp_path):
    rows = [{"topic": "EU joint clinical assessment (HTA) of ATMPs", "kind": "act in force",
             "today_applies_from": "2025-01-12"},
            {"topic": "Clinical trials: Regulation (EU) No 536/2014 the only regime",
             "kind": "act in force", "today_applies_from": "2022-01-31"},
            {"topic": "Substances of human origin used as starting materials (SoHO Regulation)",
             "kind": "act in force", "today_applies_from": "2027-08-07"},
            {"topic": "EMA fees", "kind": "act in force", "today_applies_from": "2025-01-01"},
            {"topic": "GMP for ATMPs and its revision", "kind": "guideline",
             "today_applies_from": "2018-05-22"},
            {"topic": "Guideline on investigational ATMPs", "kind": "guideline",
             "today_applies_from": "2025-07-01"},
            {"topic": "Sunset clause", "kind": "today vs reform", "reform_status":
             "provisionally agreed", "reform_article_check": "not verified"},
            {"topic": "Market protection", "kind": "today vs reform", "reform_status":
             "provisionally agreed", "reform_article_check": "secondary source"}]
    base = {"source_url": "https://example.org", "verified_on": "2026-11-30",
            "today_rule": "rule"}
    folder = _write(tmp_path, "legal-framework", [{**base, **r} for r in rows])
    facts = regulation.law_facts(on="2026-11-30", data_dir=folder)
    assert (facts["regulation-acts-applying"], facts["regulation-acts-later"]) == (3, 1)
    assert regulation.law_facts(on="2027-08-07", data_dir=folder)["regulation-acts-later"] == 0
    assert facts["regulation-soho-from"] == "7 August 2027"
    assert facts["regulation-reform-n-topics"] == 2 and facts["regulation-reform-n-unverified"] == 1
    assert facts["regulation-reform-status"] == "provisionally agreed"
    assert regulation.law_table(folder)["topic"].tolist() == ["Sunset clause", "Market protection"]
    assert regulation.acts_table(folder)["applies from"].is_monotonic_increasing


def test_the_procedure_figure_draws_only_sourced_day_counts():
    from atmp.models import procedure

    ax = procedure.draw_today_and_reform().axes[0]
    today = [procedure.STANDARD_ACTIVE_DAYS,
             procedure.STANDARD_ACTIVE_DAYS + procedure.COMMISSION_DECISION_DAYS,
             procedure.STANDARD_ACTIVE_DAYS + procedure.COMMISSION_DECISION_DAYS
             + procedure.JCA_REPORT_DAYS]
    assert [int(t) for t in ax.get_xticks()] == [0, procedure.REFORM_ACTIVE_DAYS, *today]
    texts = " ".join(t.get_text() for t in ax.texts)
    # The reform's 180 active days are drawn (EMA's description of the agreement); its
    # Commission phase has no verified count, so it is marked and no number is written for it.
    assert f"≤ {procedure.REFORM_ACTIVE_DAYS} active days" in texts
    assert "NOT VERIFIED" in texts and "46" not in texts
    reform_bars = [b for b in ax.patches if abs(b.get_y() + b.get_height() / 2) < 1e-9]
    assert [round(b.get_width()) for b in reform_bars] == [procedure.REFORM_ACTIVE_DAYS,
                                                          today[-1] - procedure.REFORM_ACTIVE_DAYS]
    assert reform_bars[1].get_hatch() == "//"


@pytest.mark.parametrize("stem", ["landscape", "regulation", "outlook"])
def test_a_field_chapter_cites_no_two_works_under_the_same_author_year_label(stem):
    """An author–year citation must name one work: two works by the same author in the same
    year cited in one chapter need distinct years (2009a, 2009b) in the bibliography."""
    import re
    from collections import defaultdict
    from pathlib import Path

    from pybtex.database import parse_file

    root = Path(__file__).resolve().parents[2]
    entries = {}
    for bib in [root / "book" / "references.bib", *sorted((root / "book" / "bib").glob("*.bib"))]:
        entries.update({k.lower(): e for k, e in parse_file(str(bib)).entries.items()})
    text = (root / "notebooks" / f"{stem}.ipynb").read_text(encoding="utf-8")
    cited = {k.strip().lower() for group in re.findall(r"\{cite(?::[a-z]+)?\}`([^`]+)`", text)
             for k in group.split(",")}
    labels = defaultdict(list)
    for key in cited:
        people = entries[key].persons.get("author", [])
        first = " ".join(people[0].last_names) if people else ""
        labels[(first, len(people) > 2, entries[key].fields.get("year"))].append(key)
    assert not {lab: keys for lab, keys in labels.items() if len(keys) > 1}


def test_the_us_table_reads_the_eu_side_from_the_eu_tables(tmp_path):
    folder = _failed(tmp_path)
    base = {"active_substance": "x", "us_indication": "y", "us_source": "https://example.org",
            "verified_on": "2026-11-30"}
    _write(folder, "regulation-us-comparison", [{**base, **r} for r in [
        {"product": "R1", "us_action": "accelerated approval", "us_date": "2014-01-02"},
        {"product": "A", "us_action": "approval", "us_date": "2012-05-01"},
        {"product": "R1", "us_action": "label expansion", "us_date": "2016-01-02"},
        {"product": "W3", "us_action": "accelerated approval", "us_date": "2020-01-01"},
        {"product": "ZZ", "us_action": "approval", "us_date": "2021-01-01"}]])
    t = regulation.us_table(_atmps(), folder)
    assert t["FDA date"].tolist() == sorted(t["FDA date"])
    eu = dict(zip(t["product"] + " " + t["FDA date"], t["EU outcome"], strict=True))
    assert eu["A 2012-05-01"] == "authorised 2010-01-01 (standard); withdrawn 2011-01-01 (commercial)"
    assert eu["R1 2014-01-02"] == ("refused 2015-12-21 after a negative CHMP opinion (2015-06-25)")
    assert eu["W3 2020-01-01"] == "application withdrawn"          # no date seen: none invented
    assert eu["ZZ 2021-01-01"] == "no EU application in the record"
    facts = regulation.us_facts(_atmps(), folder)
    assert facts["regulation-us-n"] == 4 and facts["regulation-us-accelerated"] == 2
    assert facts["regulation-us-accelerated-names"] == "R1 and W3"


def test_the_elevidys_story_dates_come_from_the_failed_applications_row():
    row = data.load("failed-applications").set_index("product").loc["Elevidys"]
    facts = regulation.facts(data.load_atmps(), data.load_events())
    assert facts["regulation-elevidys-opinion"] == text.long_date(row["opinion_date"])
    assert facts["regulation-elevidys-ended"] == text.long_date(row["ec_decision_date"])  # refused
