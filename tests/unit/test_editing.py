"""atmp.models.editing against exact maths and published numbers (cited in each test)."""

import numpy as np
import pytest

from atmp import data
from atmp.chapters import genome_editing as chapter
from atmp.models import editing
from atmp.tables import evidence_value


def test_allele_genotypes_are_binomial():
    for p in [0.0, 0.3, 0.8, 1.0]:
        g = editing.allele_genotypes(p)
        assert sum(g.values()) == pytest.approx(1.0)
        assert g["biallelic"] == pytest.approx(p * p)
        assert g["monoallelic"] == pytest.approx(2 * p * (1 - p))
    with pytest.raises(ValueError):
        editing.allele_genotypes(1.2)


def test_hbf_share_limits_and_equal_lifespans():
    assert editing.hbf_share(0.0, 40, 2, 120, 20) == pytest.approx(2.0)
    assert editing.hbf_share(1.0, 40, 2, 120, 20) == pytest.approx(40.0)
    f = np.linspace(0, 1, 11)
    # equal lifespans: the blood share is the production-weighted average (linear in f)
    assert np.allclose(editing.hbf_share(f, 40, 2, 50, 50), 2 + f * 38)


def test_longer_lived_hbf_cells_lift_the_blood_share_by_the_closed_form():
    # f = 0.5, edited cells live 6x longer: weight of edited cells = 6/7
    got = editing.hbf_share(0.5, 40, 0, 120, 20)
    assert got == pytest.approx(40 * 6 / 7)
    assert got > editing.hbf_share(0.5, 40, 0, 20, 20)


def test_hbf_share_refuses_nonpositive_lifespans():
    with pytest.raises(ValueError):
        editing.hbf_share(0.5, 40, 2, 0, 20)


def test_per_fcell_law_conserves_total_hbf():
    for hbf, fc, cv, mch in [(20, 0.95, 0.3, 30), (20, 0.4, 0.6, 30), (35, 0.9, 0.2, 28)]:
        law = editing.per_fcell_law(hbf, fc, cv, mch)
        assert fc * law.mean() == pytest.approx(hbf / 100 * mch)  # pg HbF per average red cell
        assert law.std() / law.mean() == pytest.approx(cv)


def test_exponential_case_has_a_closed_form():
    # cv = 1 is an exponential: P(X >= 10) = exp(-10 / mean)
    hbf, fc, mch = 30, 0.5, 30
    mean = hbf / 100 * mch / fc
    assert editing.protected_fraction(hbf, fc, 1.0, mch) == pytest.approx(fc * np.exp(-10 / mean))


@pytest.mark.parametrize("hbf", [5, 10, 20, 30, 40])
@pytest.mark.parametrize("fc,cv", [(0.2, 0.3), (0.5, 0.6), (0.95, 0.2), (1.0, 1.0)])
def test_markov_bound_is_never_broken(hbf, fc, cv):
    # no distribution can put more than mean/threshold of cells above the threshold
    assert editing.protected_fraction(hbf, fc, cv) <= hbf / 100 * 30 / 10 + 1e-12


def test_steinberg_range_at_20_percent_hbf():
    # Steinberg et al., Blood 2014;123:481-485: at 20% HbF, as few as 1% and as many as 24% of
    # cells can carry the protective ~10 pg, depending on how HbF is spread. Over a grid of
    # spreads our model spans the same range: from under 1% to about a quarter.
    grid = [(0.95, 0.2), (0.95, 0.3), (0.7, 0.4), (0.4, 0.6), (0.3, 0.6), (0.2, 0.5)]
    shares = [editing.protected_fraction(20, fc, cv) for fc, cv in grid]
    assert min(shares) < 0.01
    assert 0.2 < max(shares) < 0.3


def test_pancellular_wins_at_high_hbf():
    # at about 40% HbF a tight pancellular spread protects most cells; the same total in half
    # the cells protects far fewer
    pan = editing.protected_fraction(40, 0.95, 0.2)
    het = editing.protected_fraction(40, 0.4, 0.6)
    assert pan > 0.7
    assert pan > 2 * het


def test_exercise_fcell_solution():
    """The computation of exercise edit-ex-fcell."""
    pan = editing.protected_fraction(40, 0.95, 0.25)
    het = editing.protected_fraction(40, 0.50, 0.6)
    # independent check: mean HbF per F-cell = 0.40 * 30 pg / 0.95, shape 1/0.25^2 = 16
    from scipy.stats import gamma
    assert pan == pytest.approx(0.95 * gamma(16, scale=(0.4 * 30 / 0.95) / 16).sf(10))
    assert pan - het > 0.3


def test_evidence_table_reproduces_published_percentages():
    # Frangoul et al., N Engl J Med 2024 (doi:10.1056/NEJMoa2309676): 29 of 30 (97%);
    # Locatelli et al., N Engl J Med 2024 (doi:10.1056/NEJMoa2309673): 32 of 35 (91%)
    ev = data.load(editing.EVIDENCE)
    assert set(ev["product"]) == {"Casgevy"}
    scd = "CLIMB SCD-121 (Frangoul 2024)"
    thal = "CLIMB THAL-111 (Locatelli 2024)"
    v = lambda s, o: evidence_value(ev, s, o)  # noqa: E731
    assert round(100 * v(scd, "free of severe vaso-occlusive crises for at least 12 months")
                 / v(scd, "patients evaluable for the primary end point")) == 97
    assert round(100 * v(thal, "transfusion independent for at least 12 months")
                 / v(thal, "patients evaluable for the primary end point")) == 91


def test_casgevy_is_the_only_product_of_the_chapter():
    atmps = data.load_atmps()
    assert list(chapter.products(atmps)["product"]) == ["Casgevy"]
    assert list(chapter.product_table(atmps, data.load_events())["product"]) == ["Casgevy"]


def test_locus_schematic_shows_the_target_and_the_switch():
    top, bottom = editing.draw_locus().axes
    assert top.get_title(loc="left") == "the target"
    assert "erythroid\nenhancer" in [t.get_text() for t in top.texts]
    labels = [t.get_text() for t in bottom.texts]
    assert "γ-globin on:\nHbF returns" in labels and "after editing" in labels


def test_exact_binomial_intervals_reproduce_the_published_ones():
    # Frangoul 2024: 29/30 = 97% (95% CI 83 to 100); Locatelli 2024: 32/35 = 91% (77 to 98)
    res = editing.primary_results().set_index("study")
    scd = res.loc["CLIMB SCD-121 (Frangoul 2024)"]
    thal = res.loc["CLIMB THAL-111 (Locatelli 2024)"]
    pct = lambda r: tuple(round(100 * r[c]) for c in ("share", "lower", "upper"))  # noqa: E731
    assert pct(scd) == (97, 83, 100)
    assert pct(thal) == (91, 77, 98)


def test_binomial_ci_edges():
    assert editing.binomial_ci(0, 10)[1] == 0.0
    assert editing.binomial_ci(10, 10)[2] == 1.0
    # zero successes: upper bound 1 - 0.025^(1/n)
    assert editing.binomial_ci(0, 10)[2] == pytest.approx(1 - 0.025 ** (1 / 10))


def test_primary_results_figure_has_one_interval_per_end_point_and_a_unit():
    res = editing.primary_results()
    ax = editing.draw_primary_results().axes[0]
    assert sorted(t.get_text() for t in ax.get_yticklabels()) == sorted(res["label"])
    counts = {t.get_text() for t in ax.texts}
    assert {f"{k}/{n}" for k, n in zip(res["responders"], res["evaluable"], strict=True)} <= counts
    assert "(%, exact 95% CI)" in ax.get_xlabel()


def test_chapter_facts_quote_the_models_at_the_values_in_the_prose():
    f = chapter.model_facts()
    assert f["genome-editing-hbf-half-eq"] == "22.5"  # (40 + 5) / 2 with equal lifespans
    assert f["genome-editing-hbf-half"] == "35"
    # at 20% HbF the uneven spread protects more, at 40% the even one (the prose's reversal)
    p = [float(f[f"genome-editing-prot-{i}"].rstrip("%")) for i in range(4)]
    assert p[1] > p[0] and p[2] > p[3]


def test_exercise_hbf_solution():
    """The computation of exercise edit-ex-hbf."""
    equal = editing.hbf_share(0.5, 40, 5, 120, 120)
    advantage = editing.hbf_share(0.5, 40, 5, 120, 20)
    assert equal == pytest.approx((40 + 5) / 2)
    assert advantage == pytest.approx((0.5 * 40 * 120 + 0.5 * 5 * 20) / (0.5 * 120 + 0.5 * 20))
    assert advantage - equal == pytest.approx(12.5)



def test_safety_facts_come_from_the_tables():
    facts = chapter.safety_facts()
    assert facts["genome-editing-thal141-ti"] <= facts["genome-editing-thal141-n"]
    assert facts["genome-editing-scd151-free"] <= facts["genome-editing-scd151-n"]
    assert facts["genome-editing-nexz-hold-date"] < facts["genome-editing-nexz-death-date"]
    assert set(chapter.safety_table()["product"]) >= {"Casgevy"}
