"""Somatic cell therapies: small models of how living cells act as medicines.

* **Suicide-gene switch** (Zalmoxis): donor T cells carry herpes-simplex thymidine kinase, so
  ganciclovir kills the dividing ones. A one-compartment ganciclovir profile under repeated
  infusions drives a saturable kill term on a T-cell population
  (:func:`ganciclovir_concentration`, :func:`simulate_suicide_switch`).
* **Effector–target killing** (Ebvallo, EBV-specific T cells): weekly doses of effector cells
  that decay, against a tumour that grows; killing saturates at high tumour load
  (:func:`simulate_effector_target`).
* **Survival curves and the hazard ratio** (Provenge): exponential survival with the published
  median survival times, and what a hazard ratio means (:func:`exponential_survival`,
  :func:`hazard_ratio_from_medians`, :func:`simulate_trial`).

All parameters of the switch and of the killing model are illustrative teaching values (stated
as such in the chapter), not estimates fitted to patients. Units: time in hours for the
switch, days for the killing model, months for survival. The chapter's tables and facts about
the products are in :mod:`atmp.chapters.somatic_cell_therapy`.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from scipy.integrate import solve_ivp

from atmp import plots
from atmp.widgets import Interactive, Slider

# ----------------------------------------------------------------------------- suicide switch


def ganciclovir_concentration(t, dose_interval: float = 12.0, n_doses: int = 28,
                              half_life: float = 3.0, c0: float = 10.0) -> np.ndarray:
    """Ganciclovir concentration after repeated bolus doses (one compartment, first order).

    ``C(t) = c0 · Σ_i exp(−k·(t − t_i))`` over doses given at ``t_i = i·dose_interval`` (t ≥ t_i),
    with ``k = ln 2 / half_life``.

    Parameters
    ----------
    t : array_like
        Hours after the first dose.
    dose_interval : float
        Hours between doses.
    n_doses : int
        Number of doses.
    half_life : float
        Elimination half-life (hours).
    c0 : float
        Peak concentration after one dose (mg/L).

    Returns
    -------
    ndarray
        Concentration (mg/L).
    """
    if dose_interval <= 0 or half_life <= 0 or n_doses < 0:
        raise ValueError("dose interval and half-life must be positive, n_doses ≥ 0")
    t = np.asarray(t, dtype=float)
    k = math.log(2) / half_life
    times = np.arange(n_doses) * dose_interval
    dt = t[..., None] - times
    return c0 * np.where(dt >= 0, np.exp(-k * np.clip(dt, 0, None)), 0.0).sum(axis=-1)


def steady_state_trough(dose_interval: float = 12.0, half_life: float = 3.0,
                        c0: float = 10.0) -> float:
    """Trough concentration at steady state, ``c0·r/(1 − r)`` with ``r = exp(−k·τ)`` (mg/L)."""
    r = math.exp(-math.log(2) / half_life * dose_interval)
    return c0 * r / (1 - r)


def kill_rate(conc, kmax: float = 0.1, ec50: float = 1.0):
    """Saturable kill rate of dividing TK+ cells, ``kmax·C/(C + ec50)`` (1/hour)."""
    conc = np.asarray(conc, dtype=float)
    return kmax * conc / (conc + ec50)


def simulate_suicide_switch(hours: float = 336.0, growth: float = 0.02, kmax: float = 0.1,
                            ec50: float = 1.0, dose_interval: float = 12.0,
                            half_life: float = 3.0, c0: float = 10.0, start: float = 48.0,
                            n_doses: int = 28, t0: float = 1.0,
                            n_points: int = 600) -> pd.DataFrame:
    """Alloreactive TK+ T cells under ganciclovir, solved with scipy.

    ``dT/dt = (growth − kill_rate(C(t − start)))·T`` with ganciclovir started at ``start``.

    Parameters
    ----------
    hours : float
        Simulated time (hours).
    growth : float
        Net growth rate of the alloreactive cells without drug (1/hour).
    kmax, ec50 : float
        Maximal kill rate (1/hour) and half-maximal concentration (mg/L).
    dose_interval, half_life, c0, n_doses : float
        Dosing as in :func:`ganciclovir_concentration`.
    start : float
        Hour of the first ganciclovir dose.
    t0 : float
        Cells at time 0 (relative units).
    n_points : int
        Output times.

    Returns
    -------
    DataFrame
        Columns ``hour``, ``ganciclovir`` (mg/L), ``cells`` (relative to ``t0`` units).
    """
    def conc(t):
        return ganciclovir_concentration(np.asarray(t) - start, dose_interval, n_doses,
                                         half_life, c0) * (np.asarray(t) >= start)

    def rhs(t, y):
        return [(growth - float(kill_rate(conc(t), kmax, ec50))) * y[0]]

    t_eval = np.linspace(0.0, hours, n_points)
    sol = solve_ivp(rhs, (0.0, hours), [t0], t_eval=t_eval, method="LSODA", rtol=1e-8,
                    atol=1e-12, max_step=min(dose_interval, half_life) / 2)
    return pd.DataFrame({"hour": sol.t, "ganciclovir": conc(sol.t), "cells": sol.y[0]})


def suicide_switch_profile(hours: float = 336.0, growth: float = 0.02, kmax: float = 0.1,
                           ec50: float = 1.0, dose_interval: float = 12.0,
                           half_life: float = 3.0, c0: float = 10.0, start: float = 48.0,
                           n_doses: int = 28, t0: float = 1.0,
                           n_points: int = 4001) -> pd.DataFrame:
    """The same model as :func:`simulate_suicide_switch`, by exact integration of the rate.

    Because ``dT/dt = r(t)·T`` is linear, ``T(t) = T(0)·exp(∫ r)``; the integral is taken with
    the trapezoid rule on a fine grid (vectorised, fast enough for a slider). Same parameters
    and columns as :func:`simulate_suicide_switch`.
    """
    from scipy.integrate import cumulative_trapezoid

    t = np.linspace(0.0, hours, n_points)
    c = ganciclovir_concentration(t - start, dose_interval, n_doses, half_life, c0) * (t >= start)
    rate = growth - kill_rate(c, kmax, ec50)
    log_t = cumulative_trapezoid(rate, t, initial=0.0)
    return pd.DataFrame({"hour": t, "ganciclovir": c, "cells": t0 * np.exp(log_t)})


def log_change_closed_form(t, growth: float = 0.02, kmax: float = 0.1, ec50: float = 1.0,
                           dose_interval: float = 12.0, half_life: float = 3.0,
                           c0: float = 10.0, start: float = 48.0, n_doses: int = 28):
    """ln(T(t)/T(0)) by quadrature of the rate: ``growth·t − ∫ kill_rate(C(s)) ds``.

    The model is linear in T, so its solution is this integral exactly; used to check
    :func:`simulate_suicide_switch`.
    """
    from scipy.integrate import quad

    def k(s):
        c = ganciclovir_concentration(s - start, dose_interval, n_doses, half_life, c0)
        return float(kill_rate(c, kmax, ec50)) if s >= start else 0.0

    breaks = [start + i * dose_interval for i in range(n_doses) if start + i * dose_interval < t]
    kill, _ = quad(k, 0.0, t, points=breaks or None, limit=400)
    return growth * t - kill


def draw_suicide_switch(kmax: float = 0.1, half_life: float = 3.0,
                        dose_interval: float = 12.0, growth: float = 0.02) -> Figure:
    """Ganciclovir levels (top) and the TK+ alloreactive T cells they eliminate (bottom).

    Parameters
    ----------
    kmax : float
        Maximal kill rate of dividing TK+ cells (1/hour).
    half_life : float
        Ganciclovir half-life (hours).
    dose_interval : float
        Hours between ganciclovir doses.
    growth : float
        Net growth rate of alloreactive cells without drug (1/hour).
    """
    sim = suicide_switch_profile(kmax=kmax, half_life=half_life, dose_interval=dose_interval,
                                 growth=growth, n_doses=int(288 // dose_interval), n_points=1345)
    fig, (ax1, ax2) = plots.new_figure(2, 1, width=6.8, height=3.6, layout=None, sharex=True,
                                       height_ratios=[1, 1.6])
    fig.subplots_adjust(left=0.12, right=0.97, bottom=0.14, top=0.92, hspace=0.12)
    days = sim["hour"] / 24
    ax1.plot(days, sim["ganciclovir"], color=plots.OKABE_ITO["blue"], lw=1.2)
    ax1.set_ylabel("GCV (mg/L)")
    ax1.set_yticks([0, 10])
    ax1.set_title("Ganciclovir clears dividing HSV-TK+ T cells", fontsize=10.5)
    ax2.plot(days, sim["cells"], color=plots.CLASS_COLORS["somatic cell therapy"], lw=2,
             label="HSV-TK+ alloreactive T cells")
    no_drug = np.exp(growth * sim["hour"])
    ax2.plot(days, no_drug, color="#777777", ls="--", lw=1)
    ax2.set_yscale("log")
    ax2.set_ylim(1e-6, 1e4)
    plots.log_axis(ax2.yaxis, -6, 3, 3)
    ax2.set_ylabel("cells (relative to day 0)")
    ax2.set_xlabel("days")
    ax2.legend(loc="lower left", fontsize=8.5)  # dashed: the same cells without ganciclovir
    return fig


#: The suicide-switch widget (static twin glued as ``somatic-cell-therapy-switch``).
SWITCH = Interactive("somatic-cell-therapy-switch", draw_suicide_switch, {
    "kmax": Slider(0.1, 0.0, 0.4, 0.01, "maximal kill rate of TK+ cells (1/hour)"),
    "half_life": Slider(3.0, 1.0, 12.0, 0.5, "ganciclovir half-life (hours)"),
    "dose_interval": Slider(12.0, 6.0, 48.0, 6.0, "hours between doses"),
    "growth": Slider(0.02, 0.0, 0.06, 0.005, "net growth of alloreactive cells (1/hour)"),
})


# ----------------------------------------------------------------------------- effector–target

def effector_doses(days: float, dose: float = 1.0, dose_days=(1, 8, 15), cycle: float = 35.0,
                   n_cycles: int = 2) -> list[tuple[float, float]]:
    """(day, amount) of each effector dose: ``dose_days`` in every ``cycle``-day cycle."""
    out = [(c * cycle + d - 1, dose) for c in range(n_cycles) for d in dose_days]
    return [(t, a) for t, a in out if t <= days]


def simulate_effector_target(days: float = 70.0, rho: float = 0.05, kappa: float = 0.2,
                             h: float = 10.0, tau_e: float = 7.0, dose: float = 1.0,
                             target0: float = 1.0, n_cycles: int = 2,
                             n_points: int = 500) -> pd.DataFrame:
    """Tumour (T) against repeatedly dosed effector cells (E), solved piecewise with scipy.

    ``dT/dt = rho·T − kappa·E·T/(1 + T/h)``, ``dE/dt = −E/tau_e``; each dose adds ``dose`` to E.

    Parameters
    ----------
    days : float
        Simulated time (days).
    rho : float
        Tumour growth rate (1/day).
    kappa : float
        Killing rate per unit of effector (1/(unit·day)).
    h : float
        Tumour load at which killing per target halves (relative units).
    tau_e : float
        Mean life of the infused effector cells (days).
    dose : float
        Effector units per dose.
    target0 : float
        Tumour at day 0 (relative units).
    n_cycles : int
        Number of 35-day cycles (doses on days 1, 8, 15 of each).

    Returns
    -------
    DataFrame
        Columns ``day``, ``effector``, ``tumour``.
    """
    doses = effector_doses(days, dose, n_cycles=n_cycles)

    def rhs(t, y):
        e, tm = y
        return [-e / tau_e, rho * tm - kappa * e * tm / (1 + tm / h)]

    edges = sorted({0.0, days, *[t for t, _ in doses]})
    t_all, y_all = [], []
    y = np.array([0.0, target0])
    for a, b in zip(edges[:-1], edges[1:], strict=True):
        y[0] += sum(amt for t, amt in doses if t == a)
        if b <= a:
            continue
        n = max(2, int(n_points * (b - a) / days))
        sol = solve_ivp(rhs, (a, b), y, t_eval=np.linspace(a, b, n), method="LSODA",
                        rtol=1e-8, atol=1e-12)
        t_all.append(sol.t)
        y_all.append(sol.y)
        y = sol.y[:, -1].copy()
    t = np.concatenate(t_all)
    ys = np.concatenate(y_all, axis=1)
    return pd.DataFrame({"day": t, "effector": ys[0], "tumour": ys[1]})


def control_threshold(rho: float = 0.05, kappa: float = 0.2) -> float:
    """Effector level above which a small tumour shrinks, ``rho/kappa`` (effector units; infinite
    when the effectors cannot kill)."""
    return rho / kappa if kappa > 0 else math.inf


def draw_effector_target(kappa: float = 0.2, tau_e: float = 7.0, rho: float = 0.05,
                         log10_tumour0: float = 0.0) -> Figure:
    """Tumour and effector cells over two 35-day cycles of weekly doses (days 1, 8, 15).

    Parameters
    ----------
    kappa : float
        Killing rate per effector unit (1/day).
    tau_e : float
        Mean life of the infused cells (days).
    rho : float
        Tumour growth rate (1/day).
    log10_tumour0 : float
        log10 of the tumour load at day 0, relative to the saturation constant's scale.
    """
    sim = simulate_effector_target(rho=rho, kappa=kappa, tau_e=tau_e,
                                   target0=10 ** log10_tumour0)
    fig, ax = plots.fixed_figure(width=6.8, height=3.6, left=0.12, right=0.97, bottom=0.14,
                                 top=0.9)
    ax.plot(sim["day"], sim["tumour"], color=plots.OKABE_ITO["black"], lw=2, label="tumour")
    ax.plot(sim["day"], sim["effector"], color=plots.CLASS_COLORS["somatic cell therapy"], lw=2,
            label="infused effector T cells")
    th = control_threshold(rho, kappa)
    if 0 < th < math.inf:
        ax.axhline(th, color=plots.OKABE_ITO["vermillion"], ls=":", lw=1,
                   label="effector level that holds a small tumour (ρ/κ)")
    for t, _ in effector_doses(70.0, n_cycles=2):
        ax.axvline(t, color="#BBBBBB", lw=0.6, zorder=0)
    ax.set_yscale("log")
    ax.set_ylim(1e-4, 1e3)
    plots.log_axis(ax.yaxis, -4, 2, 2)
    ax.set_xlim(0, 70)
    ax.set_xlabel("days (grey lines: doses on days 1, 8, 15 of each 35-day cycle)")
    ax.set_ylabel("relative amount")
    ax.set_title("Off-the-shelf T cells against a growing tumour", fontsize=10.5)
    ax.legend(loc="upper right", fontsize=8)
    return fig


#: The killing widget (static twin glued as ``somatic-cell-therapy-killing``).
KILLING = Interactive("somatic-cell-therapy-killing", draw_effector_target, {
    "kappa": Slider(0.2, 0.0, 1.0, 0.02, "killing rate per effector unit κ (1/day)"),
    "tau_e": Slider(7.0, 1.0, 30.0, 0.5, "mean life of infused cells (days)"),
    "rho": Slider(0.05, 0.0, 0.2, 0.01, "tumour growth rate ρ (1/day)"),
    "log10_tumour0": Slider(0.0, -2.0, 2.0, 0.1, "log10 tumour load at day 0"),
})


# ----------------------------------------------------------------------------- survival

def exponential_survival(t, median: float):
    """Survival probability ``S(t) = exp(−λt)`` with ``λ = ln 2 / median`` (t and median in the
    same unit)."""
    if median <= 0:
        raise ValueError("median must be positive")
    return np.exp(-math.log(2) / median * np.asarray(t, dtype=float))


def hazard_ratio_from_medians(median_treated: float, median_control: float) -> float:
    """Hazard ratio implied by two exponential arms: ``λ_t/λ_c = median_control/median_treated``."""
    return median_control / median_treated


def simulate_trial(median_control: float = 21.7, hazard_ratio: float = 0.78,
                   n_treated: int = 341, n_control: int = 171, follow_up: float = 36.0,
                   seed: int = 0) -> pd.DataFrame:
    """One simulated randomised trial with exponential survival and administrative censoring.

    Parameters
    ----------
    median_control : float
        Median survival in the control arm (months).
    hazard_ratio : float
        True hazard ratio, treated vs control.
    n_treated, n_control : int
        Patients per arm.
    follow_up : float
        Everyone still alive at this time (months) is censored.
    seed : int
        Random seed.

    Returns
    -------
    DataFrame
        Columns ``arm`` (1 treated, 0 control), ``months``, ``died`` (bool).
    """
    rng = np.random.default_rng(seed)
    lam_c = math.log(2) / median_control
    lam = np.r_[np.full(n_treated, lam_c * hazard_ratio), np.full(n_control, lam_c)]
    t = rng.exponential(1 / lam)
    return pd.DataFrame({"arm": np.r_[np.ones(n_treated, int), np.zeros(n_control, int)],
                         "months": np.minimum(t, follow_up), "died": t <= follow_up})


def fit_hazard_ratio(trial: pd.DataFrame) -> tuple[float, float, float]:
    """Cox estimate of the hazard ratio with its 95% confidence interval (lifelines)."""
    from lifelines import CoxPHFitter

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cph = CoxPHFitter().fit(trial, duration_col="months", event_col="died")
    hr = float(np.exp(cph.params_["arm"]))
    lo, hi = np.exp(cph.confidence_intervals_.loc["arm"].to_numpy())
    return hr, float(lo), float(hi)


def draw_survival(median_treated: float = 25.8, median_control: float = 21.7) -> Figure:
    """Exponential survival curves for two arms with the implied hazard ratio.

    Parameters
    ----------
    median_treated, median_control : float
        Median overall survival of each arm (months).
    """
    t = np.linspace(0, 60, 241)
    hr = hazard_ratio_from_medians(median_treated, median_control)
    fig, ax = plots.fixed_figure(width=6.8, height=3.6, left=0.1, right=0.97, bottom=0.14,
                                 top=0.9)
    ax.plot(t, exponential_survival(t, median_treated), color=plots.CLASS_COLORS[
        "somatic cell therapy"], lw=2, label=f"treated (median {median_treated:.1f} months)")
    ax.plot(t, exponential_survival(t, median_control), color="#555555", lw=2,
            label=f"control (median {median_control:.1f} months)")
    ax.axhline(0.5, color="black", lw=0.6, ls=":")
    for m in (median_treated, median_control):
        ax.plot([m, m], [0, 0.5], color="black", lw=0.6, ls=":")
    ax.set_xlim(0, 60)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("months since randomisation")
    ax.set_ylabel("probability alive")
    ax.set_title(f"Exponential arms: hazard ratio = {median_control:.1f}/{median_treated:.1f} "
                 f"= {hr:.2f}", fontsize=10.5)
    ax.legend(loc="upper right", fontsize=8.5)
    return fig


#: The survival widget (static twin glued as ``somatic-cell-therapy-survival``).
SURVIVAL = Interactive("somatic-cell-therapy-survival", draw_survival, {
    "median_treated": Slider(25.8, 6.0, 60.0, 0.1, "median survival, treated (months)"),
    "median_control": Slider(21.7, 6.0, 60.0, 0.1, "median survival, control (months)"),
})


# ----------------------------------------------------------------------------- evidence

def draw_pivotal(trials: pd.DataFrame) -> Figure:
    """The published results: treated vs control value (or single-arm value), one panel per unit.

    Months (overall survival) and percentages (response, remission, engraftment) are drawn in
    separate panels so that bars of different units are never compared on one axis. Rows without
    a treated value (a trial reported only in words, such as an interim analysis) are left out.

    Parameters
    ----------
    trials : DataFrame
        ``data.load("somatic-cell-therapy-trials")``: one row per result, with
        ``treated_value``, ``control_value`` (NaN for a single-arm trial) and ``unit``.
    """
    t = trials[trials["treated_value"].notna()].reset_index(drop=True)
    months = t[t["unit"] == "months"]
    share = t[t["unit"] != "months"].sort_values("product", kind="stable")
    fig, (ax1, ax2) = plots.new_figure(1, 2, width=9.0, height=4.6,
                                       gridspec_kw={"width_ratios": [1, 2.4]})
    color = plots.CLASS_COLORS["somatic cell therapy"]
    for ax, rows, unit, top in ((ax1, months, "months", 35), (ax2, share, "% of patients", 100)):
        y = np.arange(len(rows))[::-1]
        for yi, (_, r) in zip(y, rows.iterrows(), strict=True):
            ax.barh(yi + 0.18, r["treated_value"], 0.34, color=color, edgecolor="black", lw=0.4)
            ax.text(r["treated_value"] + top / 100, yi + 0.18, f"{r['treated_value']:g}",
                    va="center", fontsize=8)
            if pd.notna(r["control_value"]):
                ax.barh(yi - 0.18, r["control_value"], 0.34, color="#BBBBBB", edgecolor="black",
                        lw=0.4)
                ax.text(r["control_value"] + top / 100, yi - 0.18,
                        f"{r['control_value']:g} (control)", va="center", fontsize=8)
        ax.set_yticks(y, [f"{r['product']} · {r['trial']}\n{r['endpoint']}"
                          for _, r in rows.iterrows()], fontsize=7.5)
        ax.set_xlim(0, top)
        ax.set_ylim(-0.8, max(len(rows), 2) - 0.2)
        ax.set_xlabel(unit)
        ax.grid(axis="y", visible=False)
    ax1.set_title("Survival (months)", fontsize=10)
    ax2.set_title("Response, remission, engraftment (%)", fontsize=10)
    fig.suptitle("Cell therapy (orange) vs control (grey); no grey bar = single-arm", fontsize=10.5)
    return fig


def simulate_switch_with_resting(resting_fraction: float = 0.01, hours: float = 336.0,
                                 growth: float = 0.02, kmax: float = 0.1, ec50: float = 1.0,
                                 dose_interval: float = 12.0, half_life: float = 3.0,
                                 c0: float = 10.0, start: float = 48.0, n_doses: int = 28,
                                 n_points: int = 600) -> pd.DataFrame:
    """The switch with a resting (non-dividing) share of the marked cells, solved with scipy.

    Ganciclovir kills only cells that synthesise DNA. A share ``resting_fraction`` of the
    marked cells is taken to be resting: it neither grows nor dies (no exchange with the
    cycling cells), while the cycling cells follow :func:`simulate_suicide_switch`. The total
    is then ``(1 − f)·exp(ln T/T0) + f`` exactly, so the resting share sets a floor that no
    amount of ganciclovir lowers: the marked cells can fall by at most ``−log10 f`` decades.

    Returns
    -------
    DataFrame
        Columns ``hour``, ``cycling``, ``resting`` and ``cells`` (their sum; 1 at time 0).
    """
    if not 0.0 <= resting_fraction < 1.0:
        raise ValueError("resting_fraction must be at least 0 and below 1")

    def rhs(t, y):
        c = ganciclovir_concentration(t - start, dose_interval, n_doses, half_life, c0) \
            * (t >= start)
        return [(growth - float(kill_rate(c, kmax, ec50))) * y[0], 0.0]

    t_eval = np.linspace(0.0, hours, n_points)
    sol = solve_ivp(rhs, (0.0, hours), [1.0 - resting_fraction, resting_fraction],
                    t_eval=t_eval, method="LSODA", rtol=1e-8, atol=1e-14,
                    max_step=min(dose_interval, half_life) / 2)
    return pd.DataFrame({"hour": sol.t, "cycling": sol.y[0], "resting": sol.y[1],
                         "cells": sol.y[0] + sol.y[1]})


def resting_floor_closed_form(t, resting_fraction: float = 0.01, **switch) -> float:
    """Marked cells at hour ``t`` (1 at time 0) with a resting share, from the exact integral."""
    return (1.0 - resting_fraction) * float(np.exp(log_change_closed_form(t, **switch))) \
        + resting_fraction


# ----------------------------------------------------------------------------- facts

RESTING_EXAMPLE = 0.01   # share of resting marked cells in the page's example (illustrative)


def model_facts() -> dict:
    """Glue values for the models at their defaults (keys ``somatic-cell-therapy-m-…``)."""
    sw = suicide_switch_profile()
    hr = hazard_ratio_from_medians(25.8, 21.7)
    start = sw.loc[sw["hour"] <= 48, "cells"].iloc[-1]   # cells when ganciclovir starts
    drop = -np.log10(float(sw["cells"].iloc[-1]) / start)
    # the same drop (from the first dose to day 14) when 1% of the marked cells are resting
    resting_drop = np.log10(resting_floor_closed_form(48.0, RESTING_EXAMPLE)
                            / resting_floor_closed_form(336.0, RESTING_EXAMPLE))
    k = "somatic-cell-therapy-m-"
    return {f"{k}trough": f"{steady_state_trough():.2f}",
            f"{k}log10-drop": f"{drop:.1f}",
            f"{k}threshold": f"{control_threshold():.2f}",
            f"{k}hr-exp": f"{hr:.2f}",
            f"{k}s36-t": f"{exponential_survival(36, 25.8):.1%}",
            f"{k}s36-c": f"{exponential_survival(36, 21.7):.1%}",
            f"{k}resting-pct": f"{100 * RESTING_EXAMPLE:g}",
            f"{k}resting-drop": f"{resting_drop:.1f}"}
