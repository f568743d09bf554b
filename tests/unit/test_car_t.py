"""CAR-T models: Stein 2019 kinetics (closed form vs ODE vs published values), the León-Triana
CAR-T/leukaemia/B-cell model (limits and thresholds), the data tables and the widgets."""

import math

import numpy as np
import pytest
from scipy.integrate import quad

from atmp import data
from atmp.models import car_t

P = car_t.STEIN_2019
DAYS = np.array([0.0, 1.0, 4.65, 9.0, 9.3, 9.31, 12.0, 28.0, 60.0, 180.0, 365.0, 730.0])


# ----------------------------------------------------------------------------- Stein 2019

def test_closed_form_matches_the_compartmental_ode():
    ode = car_t.stein_ode(DAYS, **P)
    closed = car_t.stein_kinetics(DAYS, **P)
    np.testing.assert_allclose(ode["total"], closed, rtol=1e-6)


@pytest.mark.parametrize("params", [dict(foldx=50, tmax=5, alpha=0.5, beta=0.01, fb=0.1),
                                    dict(foldx=1e5, tmax=20, alpha=0.05, beta=0.002, fb=0.0),
                                    dict(foldx=2.0, tmax=3, alpha=1.0, beta=0.04, fb=1.0)])
def test_closed_form_matches_ode_away_from_the_typical_values(params):
    ode = car_t.stein_ode(DAYS, cmax=1000.0, **params)
    np.testing.assert_allclose(ode["total"], car_t.stein_kinetics(DAYS, cmax=1000.0, **params),
                               rtol=1e-6, atol=1e-9)


def test_memory_pool_starts_empty_and_effector_decays_at_alpha():
    ode = car_t.stein_ode([P["tmax"], P["tmax"] + 10], **P)
    assert ode["memory"].iloc[0] == pytest.approx(0.0, abs=1e-6)
    assert ode["effector"].iloc[1] / ode["effector"].iloc[0] == pytest.approx(
        math.exp(-10 * P["alpha"]), rel=1e-6)


def test_profile_is_continuous_at_tmax_and_peaks_there():
    eps = 1e-9
    before, at = car_t.stein_kinetics([P["tmax"] - eps, P["tmax"]], **P)
    assert before == pytest.approx(at, rel=1e-6)
    assert at == pytest.approx(P["cmax"])
    grid = np.linspace(0, 100, 10001)
    assert grid[np.argmax(car_t.stein_kinetics(grid, **P))] == pytest.approx(P["tmax"], abs=0.01)


def test_level_at_infusion_is_cmax_over_foldx():
    assert car_t.stein_kinetics(0.0, **P) == pytest.approx(P["cmax"] / P["foldx"])


def test_published_derived_values_of_stein_2019():
    # Stein et al. 2019 (doi:10.1002/psp4.12388), abstract: doubling time 0.78 d, initial decline
    # half-life 4.3 d and terminal half-life 220 d (rounded), from the Table 1 typical values.
    s = car_t.summarise(**P)
    rep = car_t.STEIN_2019_REPORTED
    assert s.doubling_time == pytest.approx(rep["doubling_time"], abs=0.005)
    assert s.half_life_alpha == pytest.approx(rep["half_life_alpha"], abs=0.05)
    assert s.half_life_beta == pytest.approx(rep["half_life_beta"], rel=0.02)
    assert s.cmax == 24000 and s.tmax == 9.3  # Table 1 typical Cmax (copies/µg) and Tmax (d)


def test_auc_is_the_exact_integral_of_the_closed_form():
    for a, b in [(0, 28), (0, 9.3), (5, 15), (20, 400), (9.3, 9.3)]:
        num, _ = quad(lambda t: float(car_t.stein_kinetics(t, **P)), a, b,
                      points=[P["tmax"]] if a < P["tmax"] < b else None, limit=200)
        assert car_t.stein_auc(a, b, **P) == pytest.approx(num, rel=1e-7, abs=1e-9)


def test_auc_0_28_of_the_typical_profile_matches_the_nlmixr2lib_reproduction():
    # The nlmixr2lib vignette of Stein 2019 reports about 172,000 copies/µg·day for the typical
    # profile over days 0-28 (a reproduction, not a value printed in the paper).
    assert car_t.summarise(**P).auc_0_28 == pytest.approx(172_000, rel=0.005)


def test_auc_pieces_add_up():
    assert car_t.stein_auc(0, 28, **P) == pytest.approx(
        car_t.stein_auc(0, 9.3, **P) + car_t.stein_auc(9.3, 28, **P))


def test_bad_parameters_are_refused():
    with pytest.raises(ValueError):
        car_t.stein_kinetics(1.0, foldx=0.5)
    with pytest.raises(ValueError):
        car_t.stein_kinetics(1.0, fb=1.5)
    with pytest.raises(ValueError):
        car_t.stein_auc(10, 5)


def test_virtual_population_reproduces_the_published_variability():
    pop = car_t.virtual_population(20000, seed=3)
    for k, om2 in car_t.STEIN_2019_OMEGA2.items():
        if k in ("foldx", "fb"):  # clipped at the bounds, so their spread is slightly smaller
            continue
        logs = np.log(pop[k])
        assert np.median(pop[k]) == pytest.approx(P[k], rel=0.05)
        assert logs.var() == pytest.approx(om2, rel=0.05)
    assert (pop["foldx"] > 1).all() and (pop["fb"] <= 1).all()


def test_virtual_population_is_reproducible_and_auc_consistent():
    a, b = car_t.virtual_population(50, seed=7), car_t.virtual_population(50, seed=7)
    assert a.equals(b)
    row = a.iloc[0]
    assert row["auc_0_28"] == pytest.approx(
        car_t.stein_auc(0, 28, **{k: row[k] for k in P}))
    prof = car_t.population_profiles(a, DAYS)
    np.testing.assert_allclose(prof[0], car_t.stein_kinetics(DAYS, **{k: row[k] for k in P}))


# ----------------------------------------------------------------------------- León-Triana 2021

def test_without_car_t_leukaemia_grows_and_b_cells_decay_exactly():
    sim = car_t.simulate_car_tumour(days=60, c0=0.0, n_points=7)
    p = car_t.LEON_TRIANA_2021
    np.testing.assert_allclose(sim["leukaemia"], p["l0"] * np.exp(p["rho_l"] * sim["day"]),
                               rtol=1e-6)
    np.testing.assert_allclose(sim["b_cells"], p["b0"] * np.exp(-sim["day"] / p["tau_b"]),
                               rtol=1e-6)


def test_without_antigen_car_t_cells_die_with_their_mean_life():
    sim = car_t.simulate_car_tumour(days=30, l0=0.0, b0=0.0, n_points=4)
    np.testing.assert_allclose(sim["car_t"], 1e7 * np.exp(-sim["day"] / 14.0), rtol=1e-6)


def test_initial_net_growth_of_car_t_cells():
    p = car_t.LEON_TRIANA_2021
    dc = car_t.car_tumour_rhs(0, [p["c0"], p["l0"], p["b0"]], p["alpha"], p["rho_c"],
                              p["tau_c"], p["rho_l"], p["tau_b"])[0]
    assert dc / p["c0"] == pytest.approx(p["rho_c"] * (p["l0"] + p["b0"]) - 1 / p["tau_c"])


def test_car_t_peak_falls_where_antigen_crosses_the_expansion_threshold():
    sim = car_t.simulate_car_tumour(days=60, n_points=6001)
    th = car_t.car_tumour_thresholds()
    i = int(sim["car_t"].idxmax())
    antigen = sim.loc[i, "leukaemia"] + sim.loc[i, "b_cells"]
    assert antigen == pytest.approx(th["antigen_for_expansion"], rel=0.02)
    assert 0 < i < len(sim) - 1  # an interior peak: expansion then contraction


def test_leukaemia_nadir_falls_where_car_t_crosses_the_control_threshold_then_relapse():
    sim = car_t.simulate_car_tumour(days=365, n_points=36501)
    th = car_t.car_tumour_thresholds()
    j = int(sim["leukaemia"].idxmin())
    assert sim.loc[j, "car_t"] == pytest.approx(th["car_t_for_control"], rel=0.02)
    assert sim["leukaemia"].iloc[-1] > 100 * sim.loc[j, "leukaemia"]  # relapse after the nadir
    assert sim["b_cells"].iloc[-1] < 1e-3 * car_t.LEON_TRIANA_2021["b0"]  # B-cell aplasia


def test_more_antigen_means_more_expansion_not_more_dose():
    lo = car_t.simulate_car_tumour(days=60, l0=1e9)["car_t"].max()
    hi = car_t.simulate_car_tumour(days=60, l0=5e10)["car_t"].max()
    assert hi > 5 * lo
    dose_lo = car_t.simulate_car_tumour(days=60, c0=1e6)["car_t"].max()
    dose_hi = car_t.simulate_car_tumour(days=60, c0=1e8)["car_t"].max()
    assert dose_hi / dose_lo < 100 / 5  # 100-fold dose gives far less than 100-fold peak


# ----------------------------------------------------------------------------- data and figures

def test_every_car_t_product_has_a_construct_and_a_trial():
    from atmp import data

    atmps = data.load_atmps()
    products = set(atmps.loc[atmps["chapter"] == "car-t", "product"])
    assert products == set(data.load("car-t-constructs")["product"])
    assert products == set(data.load("car-t-trials")["product"])
    costim = data.load("car-t-constructs")["costimulatory"]
    assert set(costim) <= set(car_t.COSTIM_COLORS)


def test_trial_percentages_are_percentages():
    t = data.load("car-t-trials")
    for col in ["response_pct", "complete_pct", "crs_any_pct", "crs_grade3_pct",
                "neuro_any_pct", "neuro_grade3_pct"]:
        v = t[col].dropna()
        assert ((v >= 0) & (v <= 100)).all(), col
    assert (t["crs_grade3_pct"].dropna() <= t.loc[t["crs_grade3_pct"].notna(), "crs_any_pct"]
            .fillna(100)).all()


def test_static_figures_draw():
    assert car_t.draw_constructs(data.load("car-t-constructs")).axes
    assert car_t.draw_trials(data.load("car-t-trials")).axes


def test_exercise_halving_alpha_doubles_the_half_life_and_raises_auc_by_about_half():
    base = car_t.summarise(**P)
    slow = car_t.summarise(**{**P, "alpha": P["alpha"] / 2})
    assert slow.half_life_alpha == pytest.approx(2 * base.half_life_alpha)
    assert 1.4 < slow.auc_0_28 / base.auc_0_28 < 1.7


def test_exercise_dose_barely_moves_the_peak_but_antigen_does():
    peaks = [car_t.simulate_car_tumour(days=60, c0=c)["car_t"].max() for c in (1e6, 1e7, 1e8)]
    assert max(peaks) / min(peaks) < 1.5
    small = car_t.simulate_car_tumour(days=60, l0=1e9)["car_t"].max()
    assert peaks[1] / small > 10


def _notebook_cells() -> list[str]:
    """The sources of the chapter notebook's cells."""
    import json
    from pathlib import Path

    nb = json.loads((Path(__file__).resolve().parents[2] / "notebooks" / "car-t.ipynb")
                    .read_text(encoding="utf-8"))
    return ["".join(c["source"]) for c in nb["cells"]]


@pytest.mark.parametrize("figure, table", [("car-t-trials", "car-t-trials"),
                                           ("car-t-randomised", "car-t-randomised-trials")])
def test_the_caption_cites_every_trial_of_the_data(figure, table):
    # The captions' citations are typed (they are references); this keeps them complete.
    caption = next(c for c in _notebook_cells() if f"{{glue:figure}} {figure}" in c)
    caption = " ".join(caption.split())
    missing = [t for t in data.load(table)["trial"] if t not in caption]
    assert missing == []


# ----------------------------------------------------------------------------- randomised trials,
# safety, and where the models meet the evidence (issue 16)

def test_randomised_figure_draws_every_trial_and_marks_unverified_values():
    rct = data.load("car-t-randomised-trials")
    fig = car_t.draw_randomised(rct)
    labels = " ".join(t.get_text() for t in fig.axes[0].get_yticklabels())
    assert all(trial in labels for trial in rct["trial"])
    texts = " ".join(t.get_text() for t in fig.axes[0].texts)
    # BELINDA's hazard ratio is not in the data: the figure says so rather than drawing nothing
    assert rct.loc[rct["trial"] == "BELINDA", "primary_hr"].isna().all()
    assert "HR not verified" in texts


def test_randomised_table_says_not_verified_where_the_data_are_empty():
    from atmp.chapters import car_t as chapter

    t = chapter.randomised_table()
    belinda = t[t["trial"] == "BELINDA"].iloc[0]
    assert belinda["HR (95% CI)"] == chapter.NOT_VERIFIED
    zuma7 = t[t["trial"] == "ZUMA-7"].iloc[0]
    assert zuma7["HR (95% CI)"] == "0.40 (0.31–0.51)"  # the row of the data, formatted


def test_safety_table_states_a_denominator_or_says_none_was_given():
    from atmp.chapters import car_t as chapter

    atmps = data.load_atmps()
    rows = chapter.safety_rows(atmps)
    table = chapter.safety_table(atmps)
    assert len(rows) == len(table) > 0
    assert "Zemcelpro" not in set(rows["product"])  # not a CAR-T product
    given = rows["denominator"].notna()
    assert (table.loc[~given, "of (denominator)"] == "not given").all()
    assert (table.loc[given, "of (denominator)"] != "not given").all()


def test_antigen_negative_relapse_follows_the_closed_form_and_ignores_persistence():
    p = car_t.LEON_TRIANA_2021
    f = 1e-4
    expected = math.log(p["l0"] / (f * p["l0"])) / p["rho_l"]
    short = car_t.relapse_times(f_neg=f, tau_c=14.0)
    long_lived = car_t.relapse_times(f_neg=f, tau_c=200.0)
    assert short["cd19_negative"] == pytest.approx(expected)
    assert long_lived["cd19_negative"] == pytest.approx(expected)
    assert short["cd19_positive"] > 0  # the published model relapses CD19-positive
    assert math.isnan(long_lived["cd19_positive"])  # persistence prevents it within two years
    assert math.isnan(car_t.relapse_times(f_neg=0.0)["cd19_negative"])
    with pytest.raises(ValueError):
        car_t.relapse_times(f_neg=1.0)


def test_relapse_phenotypes_are_shares_of_the_relapses():
    m = data.load("car-t-model-checks")
    rel = m[m["topic"] == "relapse phenotype"].set_index("measure")
    n = rel.loc["relapsed", "count"]
    for measure in ["CD19-positive relapse", "CD19-negative relapse", "lineage switch"]:
        assert rel.loc[measure, "denominator"] == n
        assert rel.loc[measure, "value_pct"] == pytest.approx(100 * rel.loc[measure, "count"] / n,
                                                              abs=0.6)


def test_durability_rows_are_chapter_products_and_the_page_names_every_trial():
    from atmp.chapters import car_t as chapter

    atmps = data.load_atmps()
    d = data.load("car-t-durability")
    assert set(d["product"]) <= set(atmps.loc[atmps["chapter"] == "car-t", "product"])
    # a share with its count must agree with the count over the denominator
    shares = d[d["count"].notna()]
    assert ((100 * shares["count"] / shares["n"]).round() == shares["value"].round()).all()
    facts = chapter.durability_facts()
    assert facts["car-t-n-dur"] == len(d)
    text = " ".join(_notebook_cells())
    missing = [t for t in d["trial"]
               if f"car-t-dur-{t.lower().replace(' ', '-')}-value" not in text]
    assert missing == []
    assert len(chapter.durability_table()) == len(d)
