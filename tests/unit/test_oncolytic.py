"""Oncolytic chapter models: Wodarz virus-tumour ODEs (threshold, equilibria), doses, widget."""

import numpy as np
import pytest

from atmp import data
from atmp.chapters import oncolytic_virus as chapter
from atmp.models import oncolytic as onc


def test_reproduction_number_and_threshold():
    assert onc.basic_reproduction_number(2.0, 0.5) == 4.0
    assert onc.equilibrium(1.0, 1.0, 0.4, 0.5) == (1.0, 0.0)  # bK < a: virus cannot spread
    assert onc.equilibrium(1.0, 1.0, 0.5, 0.5) == (1.0, 0.0)  # at the threshold


def test_hand_computed_equilibrium():
    # r=1, K=1, b=2, a=0.5: x* = a/b = 0.25; y* = (1 - 0.25)/(2 + 1) = 0.25
    assert onc.equilibrium(1.0, 1.0, 2.0, 0.5) == pytest.approx((0.25, 0.25))


@pytest.mark.parametrize("r,K,b,a", [(1.0, 1.0, 2.0, 0.5), (0.5, 2.0, 1.0, 0.7),
                                     (2.0, 1.0, 3.0, 1.0)])
def test_equilibrium_is_a_stable_rest_point(r, K, b, a):
    x, y = onc.equilibrium(r, K, b, a)
    assert onc.rhs(0, [x, y], r, K, b, a) == pytest.approx([0.0, 0.0], abs=1e-12)
    J = onc.jacobian(x, y, r, K, b, a)
    assert np.trace(J) < 0 and np.linalg.det(J) > 0
    assert np.all(np.linalg.eigvals(J).real < 0)


def test_tumour_only_state_is_unstable_exactly_above_threshold():
    for b, unstable in [(0.4, False), (0.6, True)]:
        J = onc.jacobian(1.0, 0.0, 1.0, 1.0, b, 0.5)
        assert bool(np.linalg.eigvals(J).real.max() > 0) == unstable


def test_numerical_solution_reaches_the_analytic_equilibrium():
    scan = onc.threshold_scan([0.3, 0.6, 1.0, 2.0, 4.0])
    assert scan["numeric_total"].to_numpy() == pytest.approx(scan["analytic_total"], abs=1e-3)
    assert scan["numeric_infected"].to_numpy() == pytest.approx(scan["analytic_infected"],
                                                                abs=1e-3)


def test_below_threshold_virus_vanishes_and_tumour_regrows():
    t, x, y = onc.simulate(b=0.3, a=0.5, t_end=200)
    assert y[-1] < 1e-6 and x[-1] == pytest.approx(1.0, abs=1e-3)


def test_imlygic_dose_per_visit():
    # SmPC 4.2: up to 4 mL of 1e6 PFU/mL first, then up to 4 mL of 1e8 PFU/mL
    assert onc.max_pfu_per_visit(onc.IMLYGIC_INITIAL_PFU_PER_ML) == pytest.approx(4e6)
    assert onc.max_pfu_per_visit(onc.IMLYGIC_LATER_PFU_PER_ML) == pytest.approx(4e8)
    # Adstiladrin: 75 mL at 3e11 viral particles/mL
    assert onc.max_pfu_per_visit(onc.ADSTILADRIN_VP_PER_ML, onc.ADSTILADRIN_ML) == pytest.approx(
        2.25e13)


def test_optim_rates_from_the_table():
    # OPTiM final (Andtbacka 2019): DRR 19.3% vs 1.4%; stage IIIB-IVM1a 28.8% vs 0%
    r = onc.response_rates().round(1)
    assert list(r["treated_pct"][:2]) == [19.3, 28.8]
    assert list(r["control_pct"][:2]) == [1.4, 0.0]
    assert r["treated_pct"].iloc[2] == 53.4  # Adstiladrin CIS cohort, 55/103


def test_product_table_holds_the_chapter_rows():
    atmps = data.load_atmps()
    t = chapter.product_table(atmps, data.load_events())
    assert set(t["product"]) == set(atmps.loc[atmps["chapter"] == "oncolytic-virus", "product"])


def test_trial_figure_keeps_randomised_and_single_arm_trials_in_separate_panels():
    # review finding O4: no single-arm bladder bar on the axis of OPTiM's randomised bars
    trials = data.load(onc.TRIALS)
    fig = onc.draw_trials()
    ax, ax2 = fig.axes
    single = int(trials["control_n"].isna().sum())
    assert len(ax.patches) == 2 * (len(trials) - single) and len(ax2.patches) == single
    assert [t.get_text() for t in ax2.texts].count("single arm") == single
    assert "single arm" not in [t.get_text() for t in ax.texts]
    texts = [t.get_text() for t in ax.texts]
    assert "57/295" in texts  # OPTiM all stages, counts as integers
    assert "(%)" in ax.get_ylabel()
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["vector", "control (GM-CSF)"]


def test_threshold_figure_marks_the_threshold_and_the_numerical_check():
    ax = onc.draw_threshold(a=0.5).axes[0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["total (analytic)", "infected (analytic)", "total (numerical, solve_ivp)"]
    assert ax.lines[-1].get_xdata()[0] == 0.5  # the vertical line at b = a/K
    assert "(fraction of K)" in ax.get_ylabel()


def test_construct_schematic_names_both_deletions_and_the_insert():
    texts = " ".join(t.get_text() for t in onc.draw_construct().axes[0].texts)
    assert "ICP34.5" in texts and "ICP47" in texts and "GM-CSF" in texts


def test_chapter_facts_glue_the_published_rates_and_a_small_numerical_error():
    f = {**chapter.trial_facts(), **chapter.model_facts()}
    assert (f["oncolytic-virus-drr-t"], f["oncolytic-virus-drr-c"]) == (19.3, 1.4)
    mantissa, exponent = f["oncolytic-virus-max-err"].replace("\xa0", " ").split(" × 10")
    exponent = int(exponent.translate(str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789")))
    assert float(mantissa) * 10.0 ** exponent < 1e-3


def test_exercise_threshold_solution():
    assert onc.equilibrium(1.0, 1.0, 1.0, 0.5) == pytest.approx((0.5, 0.25))
    t, x, y = onc.simulate(b=1.0, a=0.5, t_end=400)
    assert (x[-1], y[-1]) == pytest.approx((0.5, 0.25), abs=1e-3)


def test_gm_csf_cassette_sits_at_both_icp34_5_loci_not_in_the_long_unique_region():
    # referee finding O2: the cassette replaces ICP34.5 (two copies, in TRL and IRL)
    from matplotlib.colors import to_hex
    from matplotlib.patches import Rectangle

    from atmp import plots

    ax = onc.draw_construct().axes[0]
    green = to_hex(plots.OKABE_ITO["bluish green"])
    boxes = [p for p in ax.patches if isinstance(p, Rectangle) and to_hex(p.get_facecolor()) == green]
    centres = sorted(p.get_x() + p.get_width() / 2 for p in boxes)
    assert len(centres) == 2
    trl, irl = (0.0, 0.6), (6.6, 7.2)
    assert trl[0] <= centres[0] <= trl[1] and irl[0] <= centres[1] <= irl[1]


def test_masterkey_and_safety_facts_come_from_the_gene_therapy_tables():
    f = {**chapter.newest_facts(), **chapter.safety_facts()}
    # MASTERKEY-265 missed both endpoints: hazard ratios below 1 but CIs cross 1 (P = 0.13, 0.74)
    assert (f["oncolytic-virus-mk-hr-pfs"], f["oncolytic-virus-mk-hr-os"]) == ("0.86", "0.96")
    assert f["oncolytic-virus-ad-hgrf36-pct"] == "25.5"          # 14 of 55 (referee O4)
    assert set(chapter.safety_rows()["family"]) == {"oncolytic"}
    assert f["oncolytic-virus-rp1-crl1"] == "21 July 2025"
