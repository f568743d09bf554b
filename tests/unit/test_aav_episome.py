"""AAV episome population model: exact mixture vs a seeded simulation of the cells, analytic limits."""

import math

import numpy as np
import pytest
from scipy.stats import poisson

from atmp import data
from atmp.models import aav_episome as ep

C0, LIFETIME = 3.0, 3.0
TIMES = (1.5, 3.0, 6.0)


@pytest.fixture(scope="module")
def simulated():
    """Eight independent livers of 4,000 hepatocytes each, one seed: genomes per cell at TIMES."""
    rng = np.random.default_rng(20261130)
    runs = [ep.simulate(C0, LIFETIME, TIMES, 4000, rng) for _ in range(8)]
    return {t: np.concatenate([run[i] for run in runs]) for i, t in enumerate(TIMES)}


@pytest.mark.parametrize("t", TIMES)
def test_exact_fraction_matches_the_simulated_cells(simulated, t):
    observed = (simulated[t] > 0).mean()
    assert observed == pytest.approx(float(ep.fraction_with_genome(t, C0, LIFETIME)), abs=0.015)


@pytest.mark.parametrize("t", TIMES)
def test_single_poisson_formula_overstates_what_the_cells_show(simulated, t):
    # the chapter's 1 - exp(-c(t)) is about 0.07-0.11 too high here: a bound, not the answer
    observed = (simulated[t] > 0).mean()
    assert float(ep.fraction_upper_bound(t, C0, LIFETIME)) - observed > 0.05


@pytest.mark.parametrize("t", TIMES)
def test_mean_genomes_matches_the_simulated_cells(simulated, t):
    assert simulated[t].mean() == pytest.approx(float(ep.mean_genomes(t, C0, LIFETIME)), rel=0.03)


def test_simulated_counts_are_overdispersed_not_poisson(simulated):
    # a mixture of Poissons has variance > mean; a single Poisson would have them equal
    g = simulated[6.0]
    assert g.var() > 1.2 * g.mean()


def test_simulation_is_reproducible_with_a_seed():
    a = ep.simulate(2.0, 1.0, [0.5], 200, np.random.default_rng(3))[0]
    b = ep.simulate(2.0, 1.0, [0.5], 200, np.random.default_rng(3))[0]
    assert np.array_equal(a, b)


def test_exact_formula_agrees_with_an_independent_scipy_sum():
    # the referee's check (review gene-chapters A2), written independently of the module
    for t in (2.0, 5.0, 10.0):
        k = np.arange(200)
        ref = (poisson.pmf(k, 2 * t / LIFETIME) * -np.expm1(-C0 * 2.0 ** -k)).sum()
        assert float(ep.fraction_with_genome(t, C0, LIFETIME)) == pytest.approx(ref, abs=1e-12)


def test_bound_holds_everywhere_and_is_tight_only_in_the_limits():
    t = np.linspace(0, 20, 81)
    for c0 in (0.1, 1.0, 3.0, 10.0):
        exact = ep.fraction_with_genome(t, c0, LIFETIME)
        bound = ep.fraction_upper_bound(t, c0, LIFETIME)
        assert np.all(exact <= bound + 1e-15)
        assert exact[0] == pytest.approx(-math.expm1(-c0)) == bound[0]     # t = 0: no divisions yet
    # c0 -> 0: both tend to the mean, so their ratio tends to 1
    tiny = ep.fraction_with_genome(5.0, 1e-6, LIFETIME) / ep.fraction_upper_bound(5.0, 1e-6, LIFETIME)
    assert float(tiny) == pytest.approx(1.0, rel=1e-5)


def test_no_turnover_keeps_everything_and_long_times_lose_everything():
    assert float(ep.fraction_with_genome(50.0, C0, math.inf)) == pytest.approx(-math.expm1(-C0))
    assert float(ep.mean_genomes(50.0, C0, math.inf)) == C0
    assert float(ep.fraction_with_genome(200.0, C0, 1.0)) < 1e-12


def test_mean_genomes_is_exponential_and_halves_per_division_on_average():
    assert ep.mean_genomes([0, 3, 6], 4.0, 3.0) == pytest.approx([4.0, 4 / math.e, 4 / math.e**2])
    # E[2^-K] with K ~ Poisson(2t/L) equals exp(-t/L): the dilution law behind the mean
    lam = float(ep.expected_divisions(3.0, 3.0))
    k = np.arange(100)
    assert (poisson.pmf(k, lam) * 2.0 ** -k).sum() == pytest.approx(math.exp(-1))


def test_relative_expression_readouts_differ_and_start_at_one():
    assert float(ep.relative_expression(0.0, C0, LIFETIME, "mean")) == 1.0
    assert float(ep.relative_expression(0.0, C0, LIFETIME, "fraction")) == pytest.approx(1.0)
    # saturated cells (fraction read-out) lose expression more slowly than the mean at first
    assert float(ep.relative_expression(1.0, C0, LIFETIME, "fraction")) > \
        float(ep.relative_expression(1.0, C0, LIFETIME, "mean"))


def test_implied_lifetime_inverts_the_mean_readout():
    level = ep.mean_genomes([0.0, 4.0], 40.0, 25.0)
    assert ep.implied_lifetime_years(level[0], level[1], 4.0) == pytest.approx(25.0)
    assert ep.implied_lifetime_years(10.0, 12.0, 1.0) == math.inf


def test_hope_b_constants_are_the_rows_of_the_durability_table():
    d = data.load("aav-gene-therapy-durability")
    rows = d[d["product"] == "Hemgenix"].set_index("weeks")["mean_iu_dl"].to_dict()
    assert rows == ep.HOPE_B_FIX_IU_DL


def test_human_fix_data_rule_out_a_three_year_genome_loss_time():
    # HOPE-B: 39.0 -> 36.1 IU/dL over 4.5 years implies >= ~58 years if turnover alone acted
    assert 50 < ep.HOPE_B_LIFETIME_BOUND_YEARS < 70
    dt = (260 - 26) / ep.WEEKS_PER_YEAR
    predicted_at_3_years = 39.0 * float(ep.relative_expression(dt, 1.0, ep.HEINKE_MEAN_HEPATOCYTE_AGE_YEARS))
    assert predicted_at_3_years < 36.1 / 2       # a 3-year lifetime predicts < half what was observed
    # GENEr8-1 FVIII: 42.4 -> 22.7 IU/dL in one year implies ~1.6 years, incompatible with the above
    assert ep.implied_lifetime_years(42.4, 22.7, 1.0) < ep.HOPE_B_LIFETIME_BOUND_YEARS / 20


@pytest.mark.parametrize("call", [
    lambda: ep.mean_genomes(1.0, -1.0, 3.0),
    lambda: ep.mean_genomes(1.0, 1.0, 0.0),
    lambda: ep.fraction_with_genome(-1.0, 1.0, 3.0),
    lambda: ep.fraction_with_genome(float("nan"), 1.0, 3.0),
    lambda: ep.relative_expression(1.0, 1.0, 3.0, "median"),
    lambda: ep.relative_expression(1.0, 0.0, 3.0),
    lambda: ep.implied_lifetime_years(0.0, 1.0, 1.0),
    lambda: ep.simulate(1.0, math.inf, [1.0], 10, np.random.default_rng(0)),
    lambda: ep.simulate(1.0, 1.0, [1.0], 1, np.random.default_rng(0)),
])
def test_bad_parameters_raise_a_clear_value_error(call):
    with pytest.raises(ValueError):
        call()


def test_exercise_episome_solution():
    # notebook exercise aav-ex-episome: 10 years, c0 = 3, Heinke's 3 years vs the HOPE-B bound
    short = (ep.fraction_with_genome(10.0, 3.0, 3.0), ep.fraction_upper_bound(10.0, 3.0, 3.0))
    hope = (ep.fraction_with_genome(10.0, 3.0, ep.HOPE_B_LIFETIME_BOUND_YEARS),
            ep.fraction_upper_bound(10.0, 3.0, ep.HOPE_B_LIFETIME_BOUND_YEARS))
    assert [round(float(x), 2) for x in short] == [0.09, 0.10]
    assert [round(float(x), 2) for x in hope] == [0.89, 0.92]
    # "a 3-year loss time would have left about a fifth" of the mean over HOPE-B's 4.5 years
    assert float(ep.relative_expression(4.5, 3.0, 3.0)) == pytest.approx(0.22, abs=0.01)


def test_widget_defaults_to_the_hope_b_bound_and_reaches_heinke():
    controls = ep.EPISOME_WIDGET.controls
    assert controls["lifetime_years"].default == pytest.approx(ep.HOPE_B_LIFETIME_BOUND_YEARS)
    assert controls["lifetime_years"].min == ep.HEINKE_MEAN_HEPATOCYTE_AGE_YEARS


def test_drawing_shows_exact_fraction_below_its_bound():
    import matplotlib.pyplot as plt

    fig = ep.draw_episomes(c0=3.0, lifetime_years=3.0, years=10.0)
    exact, bound = (line.get_ydata() for line in fig.axes[0].lines[:2])
    assert (exact <= bound + 1e-12).all() and (bound - exact).max() > 5   # percent
    plt.close(fig)
