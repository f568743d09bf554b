"""Somatic-cell-therapy models: ganciclovir dosing (superposition, steady state), the
suicide-gene switch (ODE vs exact integral), effector–target killing (limits, threshold),
exponential survival and hazard ratios (closed forms, Cox fit), data and widgets."""

import math

import numpy as np
import pytest

from atmp import data
from atmp.models import cell

# ----------------------------------------------------------------------------- ganciclovir

def test_single_dose_decays_with_its_half_life():
    c = cell.ganciclovir_concentration([0.0, 3.0, 6.0], n_doses=1, half_life=3.0, c0=8.0)
    np.testing.assert_allclose(c, [8.0, 4.0, 2.0])


def test_repeated_doses_approach_the_steady_state_trough_and_peak():
    tau, hl, c0 = 12.0, 3.0, 10.0
    trough = cell.steady_state_trough(tau, hl, c0)
    r = 0.5 ** (tau / hl)
    assert trough == pytest.approx(c0 * r / (1 - r))
    n = 40
    just_before_last = (n - 1) * tau - 1e-9
    assert cell.ganciclovir_concentration(just_before_last, tau, n, hl, c0) == pytest.approx(
        trough, rel=1e-6)
    assert cell.ganciclovir_concentration((n - 1) * tau, tau, n, hl, c0) == pytest.approx(
        trough + c0, rel=1e-6)


def test_kill_rate_is_half_maximal_at_ec50():
    assert cell.kill_rate(2.0, kmax=0.3, ec50=2.0) == pytest.approx(0.15)
    assert cell.kill_rate(0.0) == 0.0


def test_bad_dosing_is_refused():
    with pytest.raises(ValueError):
        cell.ganciclovir_concentration(1.0, dose_interval=0)


# ----------------------------------------------------------------------------- suicide switch

def test_switch_ode_matches_the_exact_integral_of_the_rate():
    sim = cell.simulate_suicide_switch()
    for t in (24.0, 100.0, 200.0, 336.0):
        i = int(np.argmin(abs(sim["hour"] - t)))
        assert math.log(sim["cells"].iloc[i]) == pytest.approx(
            cell.log_change_closed_form(sim["hour"].iloc[i]), abs=1e-4)


def test_fast_profile_matches_the_ode():
    fast = cell.suicide_switch_profile()
    ode = cell.simulate_suicide_switch()
    assert math.log(fast["cells"].iloc[-1]) == pytest.approx(math.log(ode["cells"].iloc[-1]),
                                                             abs=0.02)


def test_before_ganciclovir_cells_grow_exponentially():
    sim = cell.simulate_suicide_switch(start=48.0, growth=0.02)
    early = sim[sim["hour"] <= 48.0]
    np.testing.assert_allclose(early["cells"], np.exp(0.02 * early["hour"]), rtol=1e-6)


def test_no_kill_capacity_means_no_switch():
    sim = cell.simulate_suicide_switch(kmax=0.0, growth=0.01, hours=100.0)
    assert sim["cells"].iloc[-1] == pytest.approx(math.exp(1.0), rel=1e-6)


def test_switch_clears_cells_when_kill_exceeds_growth():
    # at steady state the kill rate never falls below kill_rate(trough); if that exceeds growth
    # the population must fall over the dosing period
    trough = cell.steady_state_trough()
    assert cell.kill_rate(trough) > 0.02
    sim = cell.simulate_suicide_switch()
    assert sim["cells"].iloc[-1] < 1e-4


# ----------------------------------------------------------------------------- effector–target

def test_doses_fall_on_days_1_8_15_of_each_cycle():
    assert [t for t, _ in cell.effector_doses(70)] == [0, 7, 14, 35, 42, 49]


def test_without_effectors_the_tumour_grows_exponentially():
    sim = cell.simulate_effector_target(days=30, dose=0.0, rho=0.05)
    np.testing.assert_allclose(sim["tumour"], np.exp(0.05 * sim["day"]), rtol=1e-6)


def test_effectors_decay_with_their_mean_life_between_doses():
    sim = cell.simulate_effector_target(days=6.9, tau_e=5.0)
    np.testing.assert_allclose(sim["effector"], np.exp(-sim["day"] / 5.0), rtol=1e-6)


def test_small_tumour_shrinks_only_above_the_effector_threshold():
    th = cell.control_threshold(0.05, 0.2)
    assert th == pytest.approx(0.25)
    # constant effector (very long life): net rate rho - kappa*E for a tumour far below h
    for e, sign in [(0.5, -1), (0.1, +1)]:
        sim = cell.simulate_effector_target(days=5.0, dose=e, tau_e=1e9, target0=1e-6, h=1e6)
        rate = math.log(sim["tumour"].iloc[-1] / 1e-6) / 5.0
        assert rate == pytest.approx(0.05 - 0.2 * e, rel=1e-4)
        assert np.sign(rate) == sign


# ----------------------------------------------------------------------------- survival

def test_exponential_survival_is_one_half_at_the_median():
    assert cell.exponential_survival(21.7, 21.7) == pytest.approx(0.5)
    assert cell.exponential_survival(2 * 21.7, 21.7) == pytest.approx(0.25)


def test_hazard_ratio_from_the_impact_medians():
    # IMPACT (Kantoff 2010, doi:10.1056/NEJMoa1001294): median OS 25.8 vs 21.7 months; the
    # exponential approximation gives 21.7/25.8 = 0.84, the published adjusted Cox HR was 0.78.
    hr = cell.hazard_ratio_from_medians(25.8, 21.7)
    assert hr == pytest.approx(21.7 / 25.8)
    assert 0.78 < hr < 0.85


def test_cox_fit_recovers_the_true_hazard_ratio_in_a_large_trial():
    trial = cell.simulate_trial(hazard_ratio=0.78, n_treated=20000, n_control=20000, seed=1)
    hr, lo, hi = cell.fit_hazard_ratio(trial)
    assert lo < 0.78 < hi
    assert hr == pytest.approx(0.78, abs=0.03)


def test_simulated_trial_has_the_requested_arms_and_censoring():
    trial = cell.simulate_trial(follow_up=36.0)
    assert (trial["arm"] == 1).sum() == 341 and (trial["arm"] == 0).sum() == 171
    assert trial["months"].max() <= 36.0
    assert not trial.loc[trial["months"] < 36.0, "died"].eq(False).any()


def test_pivotal_table_covers_the_products_with_a_pivotal_trial():
    t = data.load("somatic-cell-therapy-trials")
    assert {"Provenge", "Alofisel", "Ebvallo"} <= set(t["product"])
    impact = t[t["trial"] == "IMPACT"].iloc[0]
    assert (impact["treated_value"], impact["control_value"]) == (25.8, 21.7)


def test_pivotal_figure_has_one_bar_per_arm_and_one_panel_per_unit():
    t = data.load("somatic-cell-therapy-trials")
    drawn = t[t["treated_value"].notna()]
    axes = cell.draw_pivotal(t).axes
    assert len(axes) == 2
    assert sum(len(ax.patches) for ax in axes) == len(drawn) + int(
        drawn["control_value"].notna().sum())
    labels = [lab.get_text().split(" · ")[0] for ax in axes for lab in ax.get_yticklabels()]
    assert sorted(labels) == sorted(drawn["product"])
    assert axes[0].get_xlabel() == "months" and "%" in axes[1].get_xlabel()
    # survival in months never shares an axis with percentages
    assert [lab.get_text().split(" · ")[1].split("\n")[0] for lab in axes[0].get_yticklabels()] \
        == list(drawn.loc[drawn["unit"] == "months", "trial"])


def test_trial_without_a_number_is_left_out_of_the_figure_not_drawn_as_zero():
    t = data.load("somatic-cell-therapy-trials")
    assert t.loc[t["trial"] == "TK008", "treated_value"].isna().all()
    labels = [lab.get_text() for ax in cell.draw_pivotal(t).axes for lab in ax.get_yticklabels()]
    assert not any("TK008" in lab for lab in labels)


def test_switch_figure_axes_carry_units_and_decade_ticks():
    top, bottom = cell.draw_suicide_switch().axes
    assert "mg/L" in top.get_ylabel() and bottom.get_xlabel() == "days"
    assert [t.get_text() for t in bottom.get_yticklabels()] == ["10⁻⁶", "10⁻³", "1", "10³"]


def test_model_facts_are_the_chapter_keys_and_match_the_model():
    facts = cell.model_facts()
    assert all(k.startswith("somatic-cell-therapy-m-") for k in facts)
    assert facts["somatic-cell-therapy-m-trough"] == f"{cell.steady_state_trough():.2f}"
    assert facts["somatic-cell-therapy-m-hr-exp"] == "0.84"


WIDGETS = [cell.SWITCH, cell.KILLING, cell.SURVIVAL]


def test_exercise_longest_interval_keeping_the_trough_kill_above_growth():
    ok = [tau for tau in range(1, 49)
          if cell.kill_rate(cell.steady_state_trough(tau, 3.0, 10.0)) > 0.02]
    assert max(ok) == 16 and ok == list(range(1, 17))
    # the same from the closed form: kmax*C/(C+EC50) = g  ->  C* = g*EC50/(kmax-g) = 0.25 mg/L
    c_star = 0.02 * 1.0 / (0.1 - 0.02)
    tau_star = 3.0 / math.log(2) * math.log(1 + 10.0 / c_star)
    assert 16 < tau_star < 17


def test_exercise_shorter_lived_effectors_lose_control_and_more_killing_restores_it():
    base = cell.simulate_effector_target()["tumour"].iloc[-1]
    short = cell.simulate_effector_target(tau_e=3.5)["tumour"].iloc[-1]
    boosted = cell.simulate_effector_target(tau_e=3.5, kappa=0.4)["tumour"].iloc[-1]
    assert short > 10 * base
    assert boosted < 2 * base


def test_resting_share_ode_matches_the_closed_form_and_sets_a_floor():
    sim = cell.simulate_switch_with_resting(0.01)
    for i in (0, 150, 300, len(sim) - 1):
        t = float(sim["hour"].iloc[i])
        assert sim["cells"].iloc[i] == pytest.approx(cell.resting_floor_closed_form(t, 0.01),
                                                     rel=1e-5)
    # resting cells are untouched; the total never falls below them
    assert np.allclose(sim["resting"], 0.01)
    assert sim["cells"].min() >= 0.01
    # with no resting cells the model is the plain switch
    plain = cell.simulate_suicide_switch()
    assert cell.simulate_switch_with_resting(0.0)["cells"].iloc[-1] == pytest.approx(
        plain["cells"].iloc[-1], rel=1e-4)
    with pytest.raises(ValueError):
        cell.simulate_switch_with_resting(1.0)


def test_resting_drop_fact_is_bounded_by_the_resting_share():
    f = cell.model_facts()
    drop = float(f["somatic-cell-therapy-m-resting-drop"])
    plain = float(f["somatic-cell-therapy-m-log10-drop"])
    assert drop < plain
    # from the level at the first dose, at most log10(level / floor)
    start = cell.resting_floor_closed_form(48.0, cell.RESTING_EXAMPLE)
    assert drop <= math.log10(start / cell.RESTING_EXAMPLE) + 0.05
