"""atmp.models.tissue: expansion arithmetic, stem-cell dilution, dose per area, widgets.

Reference numbers: Holoclar SmPC (300,000-1,200,000 cells on a 2.2 cm fibrin disc, stated as
79,000-316,000 cells/cm^2); Spherox SmPC (10-70 spheroids/cm^2, defects up to 10 cm^2); the
HLSTM01 result in the Holoclar SmPC (75 of 104 treatments successful, 72.1%); SUMMIT (Saris et al.
2014: KOOS pain 37.0 -> 82.5 with MACI vs 35.5 -> 70.9 with microfracture).
"""

import math

import numpy as np
import pytest

from atmp import data
from atmp.models import tissue


def test_population_doublings_closed_form():
    assert tissue.population_doublings(2**10, 1) == pytest.approx(10)
    assert tissue.population_doublings(1e7, 1e5) == pytest.approx(math.log2(100))
    assert tissue.population_doublings(1, 4) == pytest.approx(-2)
    with pytest.raises(ValueError):
        tissue.population_doublings(0, 1)


def test_culture_days_is_doublings_times_doubling_time_plus_lag():
    # 1e4 -> 1.024e7 cells is exactly 10 doublings; at 24 h each plus a 48 h lag: 12 days.
    assert tissue.culture_days(1e4, 1.024e7, 24, lag_h=48) == pytest.approx(12)
    assert tissue.culture_days(1e6, 1e5, 24, lag_h=12) == pytest.approx(0.5)  # no growth needed
    with pytest.raises(ValueError):
        tissue.culture_days(1, 2, 0)


def test_cells_at_inverts_culture_days():
    days = tissue.culture_days(3e3, 4.5e6, 30, lag_h=10)
    assert tissue.cells_at(days, 3e3, 30, lag_h=10) == pytest.approx(4.5e6)


def test_stem_fraction_limits():
    n = np.arange(0, 12)
    # renewal 1 (all stem divisions self-renewing): the fraction is constant
    assert np.allclose(tissue.stem_fraction(n, 0.1, 1.0), 0.1)
    # renewal 0 (stem pool constant in number): the fraction halves at every doubling
    assert np.allclose(tissue.stem_fraction(n, 0.1, 0.0), 0.1 / 2.0**n)
    # renewal -1: the stem pool is gone after one doubling
    assert tissue.stem_fraction(1, 0.1, -1.0) == 0
    with pytest.raises(ValueError):
        tissue.stem_fraction(1, 1.5, 0.5)


def test_stem_fraction_matches_a_branching_simulation():
    """Expected stem cells from a simulated division tree equal the closed form."""
    rng = np.random.default_rng(1)
    p_ss, p_dd = 0.5, 0.2  # renewal 0.3
    stem, total = 1000, 10_000
    for _ in range(6):
        u = rng.random(stem)
        stem = int(2 * (u < p_ss).sum() + ((u >= p_ss) & (u < 1 - p_dd)).sum())
        total *= 2
    expected = tissue.stem_fraction(6, 0.1, p_ss - p_dd)
    assert stem / total == pytest.approx(expected, rel=0.08)


def test_doublings_to_threshold_is_where_the_fraction_meets_it():
    n = tissue.doublings_to_threshold(0.10, 0.6, 0.03)
    assert tissue.stem_fraction(n, 0.10, 0.6) == pytest.approx(0.03)
    assert tissue.doublings_to_threshold(0.02, 0.6, 0.03) == 0
    assert tissue.doublings_to_threshold(0.10, 1.0, 0.03) == math.inf


def test_potency_threshold_is_three_percent():
    assert tissue.P63_THRESHOLD_PERCENT == 3.0
    assert tissue.passes_potency(3.0) and not tissue.passes_potency(2.99)


def test_holoclar_label_density_matches_the_disc():
    """300,000 and 1,200,000 cells on a 2.2 cm disc give the SmPC's 79,000-316,000 cells/cm^2."""
    lo, hi = (tissue.cells_per_area(c, tissue.HOLOCLAR_DISC_DIAMETER_CM)
              for c in tissue.HOLOCLAR_CELLS)
    assert lo == pytest.approx(tissue.HOLOCLAR_CELLS_PER_CM2[0], rel=0.005)
    assert hi == pytest.approx(tissue.HOLOCLAR_CELLS_PER_CM2[1], rel=0.005)
    assert tissue.disc_area(2.2) == pytest.approx(3.80, abs=0.01)  # the SmPC's 3.8 cm^2 pack


def test_spheroid_dose_arithmetic_and_label():
    assert tissue.spheroids_needed(4.0, 40) == 160
    assert tissue.spheroids_needed(2.5, 10) == 25
    assert tissue.spheroids_needed(0.3, 10) == 3
    assert tissue.within_label(10.0, 10) and tissue.within_label(1.0, 70)
    assert not tissue.within_label(10.5, 40)  # area above the label's 10 cm^2
    assert not tissue.within_label(4.0, 5)  # the phase II low-dose arm is below the label
    assert tissue.SPHEROX_PHASE2_ARMS["medium"][0] == tissue.SPHEROX_DOSE[0]
    assert tissue.SPHEROX_PHASE2_ARMS["high"][1] == tissue.SPHEROX_DOSE[1]


def test_evidence_table_holds_the_published_numbers():
    ev = data.load("tissue-engineering-trials")
    atmps = data.load_atmps()
    assert set(ev["product"]) <= set(atmps["product"])
    assert ev["source"].str.match(r"https?://").all()
    holo = ev[ev["study"] == "HLSTM01"].set_index("outcome")["value"]
    assert round(100 * holo["successes"] / holo["treated"], 1) == 72.1
    s = ev[(ev["study"] == "SUMMIT") & (ev["outcome"] == "KOOS pain")]
    change = s.pivot(index="arm", columns="timepoint", values="value")
    diff = change["2 years"] - change["baseline"]
    assert diff["MACI"] == pytest.approx(45.5) and diff["microfracture"] == pytest.approx(35.4)


def test_products_schematic_colours_the_last_box_by_class():
    ax = tissue.draw_products({"MACI": "combined", "Holoclar": "tissue engineered"}).axes[0]
    assert len(ax.patches) == 3 * len(tissue.PRODUCT_STEPS) + 2 * len(tissue.PRODUCT_STEPS)
    names = [t.get_text() for t in ax.texts if t.get_fontweight() == "bold"]
    assert names == list(tissue.PRODUCT_STEPS)


def test_hierarchy_names_the_three_clone_types_with_p63():
    texts = [t.get_text() for t in tissue.draw_hierarchy().axes[0].texts]
    assert [t for t in texts if t.startswith("p63")] == ["p63 bright", "p63 reduced",
                                                          "p63 undetectable"]


def test_evidence_figure_plots_both_arms_and_the_published_success_rate():
    ev = data.load("tissue-engineering-trials")
    summit, spherox, holo = tissue.draw_evidence(ev).axes
    assert len(summit.get_lines()) == ev[ev["study"] == "SUMMIT"].groupby(
        ["arm", "outcome"]).ngroups
    assert {t.get_text().split(",")[0] for t in summit.get_legend().get_texts()} == {
        "MACI", "microfracture"}
    (bar,) = holo.patches
    assert bar.get_height() == pytest.approx(100 * 75 / 104)
    assert "%" in holo.get_ylabel() and "0-100" in summit.get_ylabel()
    p3 = ev[ev["study"] == "phase III vs microfracture"]
    n = p3[p3["outcome"] == "randomised"].set_index("arm")["value"]
    redo = p3[p3["outcome"] == "reoperation (treatment failure)"].set_index("arm")["value"]
    assert [b.get_height() for b in spherox.patches] == pytest.approx(
        [100 * redo["Spherox"] / n["Spherox"], 100 * redo["microfracture"] / n["microfracture"]])


def test_slower_stem_cycling_dilutes_the_stem_cells_faster():
    n = tissue.population_doublings(1.2e6, 1e4)
    same = tissue.stem_fraction(n, 0.10, 0.7)
    assert tissue.stem_fraction(n, 0.10, 0.7, stem_cycle=1.0) == same
    assert tissue.stem_fraction(n, 0.10, 0.7, stem_cycle=0.5) < same
    # with no self-renewal the stem pool cannot grow, whatever its cycling speed
    assert tissue.stem_fraction(n, 0.10, 0.0, stem_cycle=0.5) == pytest.approx(0.10 / 2 ** n)
    with pytest.raises(ValueError):
        tissue.stem_fraction(n, 0.10, 0.7, stem_cycle=0.0)


def test_expansion_widget_reports_doublings_and_days_in_its_title():
    left, right = tissue.draw_expansion().axes
    n = tissue.population_doublings(1.2e6, 1e4)
    assert left.get_title() == f"{n:.1f} doublings, {tissue.culture_days(1e4, 1.2e6, 30):.1f} days"
    assert all(t.get_text().startswith(("10", "1")) for t in left.get_yticklabels()
               if t.get_text())
    assert right.get_title().endswith("(above 3%)")
    labels = [t.get_text() for t in right.texts]
    assert any("Rama 2010" in t for t in labels)  # a literature association, not a release limit
    assert any("0.4-16%" in t for t in labels)  # the SmPC's batch range beside it


def test_exercise_solutions():
    """The numbers the chapter's exercise solutions state (computed, not copied)."""
    n = tissue.population_doublings(1.2e6, 1e4)
    assert round(n, 2) == 6.91
    assert round(tissue.culture_days(1e4, 1.2e6, 30), 1) == 8.6
    assert round(tissue.culture_days(1e4, 3e5, 30), 1) == 6.1
    assert tissue.culture_days(1e4, 1.2e6, 30) - tissue.culture_days(1e4, 3e5, 30) == (
        pytest.approx(2.5))  # two doublings at 30 h
    share = 100 * tissue.stem_fraction(n, 0.10, 0.6)
    assert round(share, 1) == 2.1 and not tissue.passes_potency(share)
    r_min = 2 * (0.03 / 0.10) ** (1 / n) - 1
    assert round(r_min, 2) == 0.68
    assert tissue.stem_fraction(n, 0.10, r_min) == pytest.approx(0.03)
    assert tissue.passes_potency(100 * tissue.stem_fraction(n, 0.10, 0.7))  # the default passes
    assert tissue.spheroids_needed(6.0, 10) == 60 and tissue.spheroids_needed(6.0, 70) == 420
    assert not tissue.within_label(12, 40)
