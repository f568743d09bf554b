"""CAR-T cells as living drugs: cellular kinetics, a CAR-T–tumour–B-cell model, the CAR drawn.

Three pieces, each with its drawing function and widget:

* **Empirical cellular kinetics** of tisagenlecleucel (Stein et al. 2019,
  doi:10.1002/psp4.12388): exponential expansion to a peak at ``tmax``, then a biexponential
  decline — fast contraction of effector cells (``alpha``) and slow decline of a memory-like
  pool (``beta``). :func:`stein_kinetics` is the closed form, :func:`stein_ode` the same model as
  two compartments solved with scipy; :func:`virtual_population` samples patients from the
  published inter-individual variability.
* **A mechanistic model** of CAR-T cells (C), CD19+ leukaemia (L) and normal B cells (B) after
  León-Triana et al. 2021 (doi:10.1016/j.cnsns.2020.105570): CAR-T cells expand in proportion to
  the antigen they meet and die with a mean life ``tau_c``, so expansion, B-cell aplasia and
  relapse follow from the antigen load (:func:`simulate_car_tumour`).
* **The CAR itself**, drawn domain by domain for each EU-authorised product from
  ``data/car-t-constructs.csv`` (:func:`draw_constructs`), and the pivotal trial results from
  ``data/car-t-trials.csv`` (:func:`draw_trials`).

Units: time in days, transgene levels in copies per microgram of genomic DNA (copies/µg),
cell numbers in cells (whole body).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch, Rectangle
from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator
from scipy.integrate import solve_ivp

from atmp import plots
from atmp.text import sci
from atmp.widgets import Choice, Interactive, Slider

# ----------------------------------------------------------------------------- Stein 2019

#: Typical values of the tisagenlecleucel cellular-kinetic model (Stein et al. 2019, Table 1;
#: B-ALL, ELIANA + ENSIGN, 90 patients). Units: foldx (-), tmax (d), cmax (copies/µg),
#: alpha (1/d), fb (-), beta (1/d).
STEIN_2019 = {"foldx": 3900.0, "tmax": 9.3, "cmax": 24000.0, "alpha": 0.16, "fb": 0.0079,
              "beta": 0.0032}

#: Inter-individual variances (omega², log scale) of the same parameters (Stein 2019, Table 1).
STEIN_2019_OMEGA2 = {"foldx": 2.4, "tmax": 0.38, "cmax": 0.65, "alpha": 0.91, "fb": 0.8,
                     "beta": 0.86}

#: Derived values quoted in the abstract of Stein 2019: doubling time, initial-decline half-life
#: and terminal half-life (days).
STEIN_2019_REPORTED = {"doubling_time": 0.78, "half_life_alpha": 4.3, "half_life_beta": 220.0}


@dataclass(frozen=True)
class KineticSummary:
    """Summary of one cellular-kinetic profile.

    Attributes
    ----------
    cmax : float
        Peak transgene level (copies/µg).
    tmax : float
        Time of the peak (days).
    r0 : float
        Level at infusion, ``cmax / foldx`` (copies/µg).
    rho : float
        Expansion rate constant (1/day).
    doubling_time : float
        ln 2 / rho (days).
    half_life_alpha, half_life_beta : float
        ln 2 / alpha and ln 2 / beta (days).
    auc_0_28 : float
        Area under the curve from day 0 to day 28 (copies/µg × day).
    """

    cmax: float
    tmax: float
    r0: float
    rho: float
    doubling_time: float
    half_life_alpha: float
    half_life_beta: float
    auc_0_28: float


def _check_kinetic(foldx, tmax, alpha, beta, fb):
    if np.any(np.asarray(foldx) <= 1) or np.any(np.asarray(tmax) <= 0):
        raise ValueError("foldx must exceed 1 and tmax must be positive")
    if np.any(np.asarray(alpha) <= 0) or np.any(np.asarray(beta) <= 0):
        raise ValueError("alpha and beta must be positive (1/day)")
    if np.any((np.asarray(fb) < 0) | (np.asarray(fb) > 1)):
        raise ValueError("fb is a fraction in [0, 1]")


def stein_kinetics(t, cmax: float = 24000.0, tmax: float = 9.3, foldx: float = 3900.0,
                   alpha: float = 0.16, beta: float = 0.0032, fb: float = 0.0079) -> np.ndarray:
    """Transgene level after one CAR-T infusion (closed form of Stein et al. 2019).

    ``C(t) = R0·exp(rho·t)`` for ``t < tmax`` with ``R0 = cmax/foldx`` and
    ``rho = ln(foldx)/tmax``; for ``t ≥ tmax``,
    ``C(t) = cmax·[(1 − fb)·exp(−alpha·(t − tmax)) + fb·exp(−beta·(t − tmax))]``.

    Parameters
    ----------
    t : array_like
        Days after infusion (≥ 0).
    cmax : float
        Peak level (copies/µg).
    tmax : float
        Day of the peak.
    foldx : float
        Fold expansion from infusion to peak (dimensionless, > 1).
    alpha, beta : float
        Rate constants of contraction and of persistence (1/day).
    fb : float
        Fraction of the peak that enters the slowly declining (memory-like) pool.

    Returns
    -------
    ndarray
        Transgene level at each time (copies/µg).
    """
    _check_kinetic(foldx, tmax, alpha, beta, fb)
    t = np.asarray(t, dtype=float)
    rho = np.log(foldx) / tmax
    r0 = cmax / foldx
    s = np.maximum(t - tmax, 0.0)
    rise = r0 * np.exp(rho * np.minimum(t, tmax))
    fall = cmax * ((1 - fb) * np.exp(-alpha * s) + fb * np.exp(-beta * s))
    return np.where(t < tmax, rise, fall)


def stein_auc(t0: float, t1: float, cmax: float = 24000.0, tmax: float = 9.3,
              foldx: float = 3900.0, alpha: float = 0.16, beta: float = 0.0032,
              fb: float = 0.0079) -> float:
    """Exact area under :func:`stein_kinetics` between days ``t0`` and ``t1`` (copies/µg × day).

    The integral of each exponential piece is written out, so no quadrature error.
    """
    _check_kinetic(foldx, tmax, alpha, beta, fb)
    if t1 < t0:
        raise ValueError("t1 must not be before t0")
    rho, r0 = math.log(foldx) / tmax, cmax / foldx
    total = 0.0
    a, b = t0, min(t1, tmax)
    if b > a:  # expansion
        total += r0 / rho * (math.exp(rho * b) - math.exp(rho * a))
    a, b = max(t0, tmax) - tmax, t1 - tmax
    if b > a:  # biexponential decline
        total += cmax * (1 - fb) / alpha * (math.exp(-alpha * a) - math.exp(-alpha * b))
        total += cmax * fb / beta * (math.exp(-beta * a) - math.exp(-beta * b))
    return total


def summarise(cmax: float = 24000.0, tmax: float = 9.3, foldx: float = 3900.0,
              alpha: float = 0.16, beta: float = 0.0032, fb: float = 0.0079) -> KineticSummary:
    """Cmax, Tmax, doubling time, half-lives and AUC0–28d of one profile (see
    :class:`KineticSummary` for units)."""
    _check_kinetic(foldx, tmax, alpha, beta, fb)
    rho = math.log(foldx) / tmax
    return KineticSummary(cmax=cmax, tmax=tmax, r0=cmax / foldx, rho=rho,
                          doubling_time=math.log(2) / rho, half_life_alpha=math.log(2) / alpha,
                          half_life_beta=math.log(2) / beta,
                          auc_0_28=stein_auc(0.0, 28.0, cmax, tmax, foldx, alpha, beta, fb))


def stein_ode(t_eval, cmax: float = 24000.0, tmax: float = 9.3, foldx: float = 3900.0,
              alpha: float = 0.16, beta: float = 0.0032, fb: float = 0.0079,
              rtol: float = 1e-9) -> pd.DataFrame:
    """The same model as compartments, solved numerically (scipy ``solve_ivp``).

    Effector cells E grow as ``dE/dt = rho·E`` until ``tmax``; afterwards
    ``dE/dt = −alpha·E`` and memory-like cells M obey ``dM/dt = k·E − beta·M`` with
    ``k = fb·(alpha − beta)``, ``E(tmax) = cmax``, ``M(tmax) = 0``. The sum E + M equals the
    closed form of :func:`stein_kinetics`.

    Parameters
    ----------
    t_eval : array_like
        Days at which to report the solution (sorted, ≥ 0).
    rtol : float
        Relative tolerance of the solver.
    Other parameters as in :func:`stein_kinetics`.

    Returns
    -------
    DataFrame
        Columns ``day``, ``effector``, ``memory``, ``total`` (copies/µg).
    """
    _check_kinetic(foldx, tmax, alpha, beta, fb)
    t_eval = np.asarray(t_eval, dtype=float)
    rho, r0 = math.log(foldx) / tmax, cmax / foldx
    k = fb * (alpha - beta)
    out = np.zeros((len(t_eval), 2))
    early = t_eval < tmax
    if early.any():
        sol = solve_ivp(lambda t, y: [rho * y[0]], (0.0, tmax), [r0], t_eval=t_eval[early],
                        rtol=rtol, atol=1e-12, method="LSODA")
        out[early, 0] = sol.y[0]
    late = ~early
    if late.any():
        # start from the end of the expansion phase as integrated, so the two phases connect
        e_peak = solve_ivp(lambda t, y: [rho * y[0]], (0.0, tmax), [r0], rtol=rtol,
                           atol=1e-12, method="LSODA").y[0, -1]
        sol = solve_ivp(lambda t, y: [-alpha * y[0], k * y[0] - beta * y[1]],
                        (tmax, max(t_eval[late].max(), tmax)), [e_peak, 0.0],
                        t_eval=t_eval[late], rtol=rtol, atol=1e-12, method="LSODA")
        out[late] = sol.y.T
    return pd.DataFrame({"day": t_eval, "effector": out[:, 0], "memory": out[:, 1],
                         "total": out.sum(axis=1)})


def virtual_population(n: int = 200, seed: int = 1, typical: dict | None = None,
                       omega2: dict | None = None) -> pd.DataFrame:
    """Sample patients from the published log-normal inter-individual variability.

    Each parameter is ``typical · exp(eta)`` with ``eta ~ Normal(0, omega²)``; ``foldx`` is
    floored just above 1 and ``fb`` capped at 1 so every sampled patient is a valid profile.

    Parameters
    ----------
    n : int
        Number of virtual patients.
    seed : int
        Seed of the random generator (same seed, same patients).
    typical, omega2 : dict, optional
        Typical values and variances; default :data:`STEIN_2019` and :data:`STEIN_2019_OMEGA2`.

    Returns
    -------
    DataFrame
        One row per patient: the six parameters, the doubling time (days), the half-lives
        (days) and AUC0–28d (copies/µg × day).
    """
    typical = typical or STEIN_2019
    omega2 = omega2 or STEIN_2019_OMEGA2
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({k: typical[k] * np.exp(rng.normal(0.0, math.sqrt(omega2[k]), n))
                       for k in typical})
    df["foldx"] = df["foldx"].clip(lower=1.5)
    df["fb"] = df["fb"].clip(upper=1.0)
    rho = np.log(df["foldx"]) / df["tmax"]
    df["doubling_time"] = np.log(2) / rho
    df["half_life_alpha"] = np.log(2) / df["alpha"]
    df["half_life_beta"] = np.log(2) / df["beta"]
    df["auc_0_28"] = [stein_auc(0, 28, **row) for row in
                      df[list(typical)].to_dict("records")]
    return df


def population_profiles(pop: pd.DataFrame, t) -> np.ndarray:
    """Profiles of every virtual patient on the time grid ``t`` (rows: patients; copies/µg)."""
    t = np.asarray(t, dtype=float)[None, :]
    p = {k: pop[k].to_numpy()[:, None] for k in STEIN_2019}
    rho = np.log(p["foldx"]) / p["tmax"]
    s = np.maximum(t - p["tmax"], 0.0)
    rise = p["cmax"] / p["foldx"] * np.exp(rho * np.minimum(t, p["tmax"]))
    fall = p["cmax"] * ((1 - p["fb"]) * np.exp(-p["alpha"] * s) + p["fb"] * np.exp(-p["beta"] * s))
    return np.where(t < p["tmax"], rise, fall)


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _log_y(ax, lo: int, hi: int, step: int = 1) -> None:
    """Log y axis with plain-text labels 10ⁿ at every ``step`` decade, no minor ticks.

    (Matplotlib's default log labels go through mathtext, which makes a slider redraw several
    times slower.)
    """
    ax.set_yscale("log")
    ax.yaxis.set_major_locator(FixedLocator([10.0 ** k for k in range(lo, hi + 1, step)]))
    ax.yaxis.set_major_formatter(FuncFormatter(
        lambda v, _: "1" if v == 1 else "10" + str(int(round(np.log10(v)))).translate(_SUPERSCRIPT)))
    ax.yaxis.set_minor_locator(NullLocator())
    ax.set_ylim(10.0 ** lo, 10.0 ** hi)


_DAYS = np.concatenate([np.linspace(0, 28, 113), np.geomspace(28.5, 730, 120)])
_POP = virtual_population(200, seed=1)
#: 5th, 25th, 50th, 75th and 95th percentiles of the virtual population on the plotting grid
#: (they do not depend on the widget's controls, so they are computed once).
_POP_BANDS = np.percentile(population_profiles(_POP, _DAYS), [5, 25, 50, 75, 95], axis=0)


def draw_kinetics(foldx: float = 3900.0, tmax: float = 9.3, alpha: float = 0.16,
                  beta: float = 0.0032, fb: float = 0.0079, population: bool = True) -> Figure:
    """The tisagenlecleucel profile for the given parameters, on a log scale over two years.

    The typical profile (Cmax fixed at the published 24,000 copies/µg) is drawn with its
    phases and its summary numbers; with ``population`` the 5th–95th and 25th–75th percentile
    bands of 200 virtual patients sampled from the published variability are shaded behind it.

    Parameters are those of :func:`stein_kinetics` (foldx −, tmax d, alpha and beta 1/d, fb −).
    """
    cmax = STEIN_2019["cmax"]
    y = stein_kinetics(_DAYS, cmax, tmax, foldx, alpha, beta, fb)
    s = summarise(cmax, tmax, foldx, alpha, beta, fb)
    plots.use_style()
    fig = Figure(figsize=(6.8, 3.7))
    fig.subplots_adjust(left=0.12, right=0.97, bottom=0.13, top=0.9)
    ax = fig.add_subplot()
    color = plots.FAMILY_COLORS["CAR-T"]
    if population:
        q = _POP_BANDS
        # opaque light tints (no alpha blending: faster to render, same look)
        ax.fill_between(_DAYS, q[0], q[4], color="#D5ECF9", lw=0,
                        label="virtual patients, 5th–95th percentile")
        ax.fill_between(_DAYS, q[1], q[3], color="#A6D6F3", lw=0,
                        label="25th–75th percentile")
    ax.plot(_DAYS, y, color=color, lw=2.2, label="typical patient (this setting)")
    ax.plot([s.tmax], [s.cmax], "o", color=color, mec="black")
    ax.axvline(28, color="#555555", lw=0.8, ls="--")
    ax.text(30, 1.5, "day 28", fontsize=8, color="#555555")
    _log_y(ax, 0, 6, 2)
    ax.set_xlim(0, 730)
    ax.set_xlabel("days after infusion")
    ax.set_ylabel("transgene (copies/µg genomic DNA)")
    ax.set_title(f"doubling {s.doubling_time:.2f} d · t½ {s.half_life_alpha:.1f} d, "
                 f"{s.half_life_beta:.0f} d · AUC0-28d {s.auc_0_28:,.0f}", fontsize=9.5)
    ax.legend(loc="upper right", fontsize=8.5)
    return fig


#: The cellular-kinetics widget (static twin glued as ``car-t-kinetics``).
KINETICS = Interactive("car-t-kinetics", draw_kinetics, {
    "foldx": Slider(3900.0, 10.0, 1e6, 0.1, "fold expansion", log=True),
    "tmax": Slider(9.3, 3.0, 30.0, 0.1, "day of peak (Tmax)"),
    "alpha": Slider(0.16, 0.02, 1.0, 0.01, "contraction rate α (1/day)"),
    "beta": Slider(0.0032, 0.0005, 0.05, 0.0005, "persistence rate β (1/day)"),
    "fb": Slider(0.0079, 0.0, 0.2, 0.0005, "fraction entering memory pool FB"),
    "population": Choice(True, [True, False], "show virtual population"),
})


# ----------------------------------------------------------------------------- León-Triana 2021

#: Parameters of the CAR-T / leukaemia / B-cell model (León-Triana et al. 2021, as deposited in
#: BioModels BIOMD0000001011). Rates per day, cells whole-body.
LEON_TRIANA_2021 = {"alpha": 4.5e-11, "rho_c": 4.5e-11 / 4, "tau_c": 14.0, "rho_l": 1 / 30,
                    "tau_b": 60.0, "c0": 1e7, "l0": 5e10, "b0": 2.5e10}


def car_tumour_rhs(t, y, alpha, rho_c, tau_c, rho_l, tau_b, b_source=0.0):
    """Right-hand side of the CAR-T (C), leukaemia (L), B-cell (B) model (cells/day).

    ``dC/dt = rho_c·(L + B)·C − C/tau_c``; ``dL/dt = rho_l·L − alpha·L·C``;
    ``dB/dt = b_source − alpha·B·C − B/tau_b``.
    """
    c, leuk, b = y
    return [rho_c * (leuk + b) * c - c / tau_c, rho_l * leuk - alpha * leuk * c,
            b_source - alpha * b * c - b / tau_b]


def simulate_car_tumour(days: float = 365.0, c0: float = 1e7, l0: float = 5e10,
                        b0: float = 2.5e10, alpha: float = 4.5e-11, rho_c: float = 1.125e-11,
                        tau_c: float = 14.0, rho_l: float = 1 / 30, tau_b: float = 60.0,
                        b_source: float = 0.0, n_points: int = 400,
                        rtol: float = 1e-8) -> pd.DataFrame:
    """Solve the CAR-T–leukaemia–B-cell model with scipy (LSODA, stiff-safe).

    Parameters
    ----------
    days : float
        Simulated time after infusion (days).
    c0, l0, b0 : float
        CAR-T cells infused, leukaemic cells and normal B cells at day 0 (cells).
    alpha : float
        Killing rate per CAR-T cell and target cell (1/(cell·day)).
    rho_c : float
        Antigen-driven CAR-T expansion per target cell (1/(cell·day)).
    tau_c : float
        Mean life of an activated CAR-T cell (days).
    rho_l : float
        Net growth rate of the leukaemia (1/day).
    tau_b : float
        Mean life of a normal B cell (days).
    b_source : float
        Production of new B cells from the marrow (cells/day); 0 in the original model.
    n_points : int
        Number of output times.
    rtol : float
        Relative tolerance of the solver (the widget uses a looser one than the tests).

    Returns
    -------
    DataFrame
        Columns ``day``, ``car_t``, ``leukaemia``, ``b_cells`` (cells).
    """
    if min(c0, l0, b0, b_source) < 0 or min(alpha, rho_c, tau_c, tau_b) <= 0:
        raise ValueError("cell numbers must be ≥ 0 and rates/lifetimes positive")
    t_eval = np.linspace(0.0, days, n_points)
    args = (alpha, rho_c, tau_c, rho_l, tau_b, b_source)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sol = solve_ivp(car_tumour_rhs, (0.0, days), [c0, l0, b0], args=args, t_eval=t_eval,
                        method="LSODA", rtol=rtol, atol=1e-3)
    y = np.clip(sol.y, 0.0, None)
    return pd.DataFrame({"day": sol.t, "car_t": y[0], "leukaemia": y[1], "b_cells": y[2]})


def car_tumour_thresholds(alpha: float = 4.5e-11, rho_c: float = 1.125e-11,
                          tau_c: float = 14.0, rho_l: float = 1 / 30) -> dict:
    """The two thresholds that organise the model (cells).

    Returns
    -------
    dict
        ``antigen_for_expansion`` = 1/(rho_c·tau_c): CAR-T cells grow only while L + B exceeds
        it, so the CAR-T peak falls where L + B crosses it; ``car_t_for_control`` = rho_l/alpha:
        leukaemia shrinks only while C exceeds it, so the leukaemia nadir falls where C crosses
        it on the way down (relapse follows).
    """
    return {"antigen_for_expansion": 1.0 / (rho_c * tau_c), "car_t_for_control": rho_l / alpha}


def draw_car_tumour(log10_c0: float = 7.0, log10_l0: float = 10.7, tau_c: float = 14.0,
                    rho_l_per_month: float = 1.0, b_source_per_day: float = 0.0,
                    days: float = 365.0) -> Figure:
    """CAR-T cells, leukaemia and normal B cells over time, with the two thresholds.

    Parameters
    ----------
    log10_c0 : float
        log10 of the CAR-T cells infused (cells).
    log10_l0 : float
        log10 of the leukaemic cells at infusion (cells).
    tau_c : float
        Mean life of an activated CAR-T cell (days).
    rho_l_per_month : float
        Leukaemia growth rate (1/month; 1/30 per day at 1).
    b_source_per_day : float
        New B cells from the marrow (units of 10⁸ cells/day).
    days : float
        Time shown (days).
    """
    p = dict(LEON_TRIANA_2021)
    rho_l = rho_l_per_month / 30.0
    sim = simulate_car_tumour(days, 10 ** log10_c0, 10 ** log10_l0, p["b0"], p["alpha"],
                              p["rho_c"], tau_c, rho_l, p["tau_b"], b_source_per_day * 1e8,
                              n_points=250, rtol=1e-6)
    th = car_tumour_thresholds(p["alpha"], p["rho_c"], tau_c, rho_l)
    plots.use_style()
    fig = Figure(figsize=(6.8, 3.7))
    fig.subplots_adjust(left=0.12, right=0.97, bottom=0.13, top=0.91)
    ax = fig.add_subplot()
    series = [("car_t", "CAR-T cells", plots.FAMILY_COLORS["CAR-T"]),
              ("leukaemia", "CD19+ leukaemia", plots.OKABE_ITO["black"]),
              ("b_cells", "normal B cells", plots.OKABE_ITO["blue"])]
    for col, label, color in series:
        ax.plot(sim["day"], np.maximum(sim[col], 1.0), color=color, lw=2, label=label)
    ax.axhline(th["car_t_for_control"], color=plots.FAMILY_COLORS["CAR-T"], ls=":", lw=1)
    ax.text(days * 0.3, th["car_t_for_control"] * 1.3, "CAR-T level holding leukaemia",
            ha="left", fontsize=7.5, color=plots.FAMILY_COLORS["CAR-T"])
    ax.axhline(th["antigen_for_expansion"], color="#555555", ls="--", lw=1)
    ax.text(days * 0.3, th["antigen_for_expansion"] * 1.3, "antigen driving expansion",
            ha="left", fontsize=7.5, color="#555555")
    _log_y(ax, 3, 12, 3)
    ax.set_xlim(0, days)
    ax.set_xlabel("days after infusion")
    ax.set_ylabel("cells in the body")
    peak = sim.loc[sim["car_t"].idxmax()]
    ax.set_title(f"CAR-T peak {sci(peak['car_t'])} on day {peak['day']:.0f}", fontsize=10)
    ax.legend(loc="lower left", fontsize=8.5)
    return fig


#: The mechanistic widget (static twin glued as ``car-t-tumour``).
TUMOUR = Interactive("car-t-tumour", draw_car_tumour, {
    "log10_c0": Slider(7.0, 5.0, 9.0, 0.1, "log10 CAR-T cells infused"),
    "log10_l0": Slider(10.7, 8.0, 11.5, 0.1, "log10 leukaemic cells at infusion"),
    "tau_c": Slider(14.0, 5.0, 40.0, 0.5, "CAR-T mean life τ_C (days)"),
    "rho_l_per_month": Slider(1.0, 0.2, 3.0, 0.1, "leukaemia growth rate (1/month)"),
    "b_source_per_day": Slider(0.0, 0.0, 50.0, 1.0, "new B cells from marrow (10⁸/day)"),
    "days": Slider(365.0, 60.0, 730.0, 5.0, "days shown"),
})


# ----------------------------------------------------------------------------- drawings of the data

DOMAIN_ORDER = ["binder", "hinge", "transmembrane", "costimulatory", "signalling"]
DOMAIN_COLORS = {"binder": plots.OKABE_ITO["sky blue"], "hinge": "#C8C8C8",
                 "transmembrane": plots.OKABE_ITO["yellow"],
                 "costimulatory": None,  # coloured by domain: CD28 vs 4-1BB
                 "signalling": plots.OKABE_ITO["bluish green"]}
COSTIM_COLORS = {"CD28": plots.OKABE_ITO["vermillion"], "4-1BB": plots.OKABE_ITO["reddish purple"]}


def draw_constructs(constructs: pd.DataFrame) -> Figure:
    """Each product's CAR drawn as a chain of domains, from the antigen-binding end (left) to the
    signalling tail (right), with the cell membrane as a vertical band.

    Parameters
    ----------
    constructs : DataFrame
        ``data/car-t-constructs.csv``: one row per product with the columns of
        :data:`DOMAIN_ORDER`, ``target``, ``vector``.
    """
    rows = constructs.reset_index(drop=True)
    plots.use_style()
    fig = Figure(figsize=(8.0, 0.62 * len(rows) + 1.3))
    fig.subplots_adjust(left=0.13, right=0.99, bottom=0.05, top=0.9)
    ax = fig.add_subplot()
    widths = {"binder": 3.2, "hinge": 1.3, "transmembrane": 1.1, "costimulatory": 1.4,
              "signalling": 1.9}
    mem_x = widths["binder"] + widths["hinge"] + 0.2
    ax.add_patch(Rectangle((mem_x, -0.7), widths["transmembrane"] - 0.4, len(rows) + 0.2,
                           color="#EFE3A0", zorder=0, gid=plots.BACKGROUND_GID))
    ax.text(mem_x + (widths["transmembrane"] - 0.4) / 2, len(rows) - 0.35, "cell membrane",
            ha="center", fontsize=8)
    ax.text(mem_x / 2, len(rows) - 0.35, "outside the cell", ha="center", fontsize=8)
    ax.text(mem_x + 3.3, len(rows) - 0.35, "inside the T cell", ha="center", fontsize=8)
    for i, r in rows.iterrows():
        yc = len(rows) - 1 - i
        x = 0.0
        for dom in DOMAIN_ORDER:
            w = widths[dom]
            color = DOMAIN_COLORS[dom] or COSTIM_COLORS.get(r["costimulatory"], "#999999")
            ax.add_patch(FancyBboxPatch((x + 0.04, yc - 0.3), w - 0.08, 0.6,
                                        boxstyle="round,pad=0,rounding_size=0.12",
                                        fc=color, ec="black", lw=0.6))
            label = str(r[dom])
            ax.text(x + w / 2, yc, label, ha="center", va="center", fontsize=7.2,
                    color="white" if dom == "costimulatory" else "black", wrap=True)
            x += w
        ax.text(x + 0.1, yc, f"{r['target']} · {r['vector']}", va="center", fontsize=7.5)
    ax.set_yticks(range(len(rows)), list(rows["product"])[::-1])
    ax.set_xlim(-0.1, sum(widths.values()) + 2.6)
    ax.set_ylim(-0.8, len(rows) - 0.1)
    ax.set_xticks([])
    ax.grid(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_visible(False)
    ax.tick_params(axis="y", length=0)
    ax.set_title("The chimeric antigen receptor of each EU-authorised CAR-T product")
    return fig


TRIAL_MEASURES = [("response_pct", "response (primary measure)", plots.OKABE_ITO["bluish green"]),
                  ("crs_grade3_pct", "CRS grade ≥3", plots.OKABE_ITO["vermillion"]),
                  ("neuro_grade3_pct", "neurotoxicity grade ≥3", plots.OKABE_ITO["reddish purple"])]


def draw_trials(trials: pd.DataFrame) -> Figure:
    """Response and severe toxicity in the pivotal trial of each product (grouped bars, %).

    Each tick names the denominators: the patients the response rate refers to and the safety
    population of the toxicity rates (``n_safety``; "n not verified" where no source read gives
    it). Values no source read gives are not drawn and are marked "not verified" — not "none".
    """
    t = trials.reset_index(drop=True)
    plots.use_style()
    fig = Figure(figsize=(8.4, 4.6))
    fig.subplots_adjust(left=0.08, right=0.99, bottom=0.27, top=0.88)
    ax = fig.add_subplot()
    x = np.arange(len(t))
    w = 0.26
    for j, (col, label, color) in enumerate(TRIAL_MEASURES):
        vals = pd.to_numeric(t[col], errors="coerce")
        pos = x + (j - 1) * w
        ax.bar(pos[vals.notna()], vals[vals.notna()], w, color=color, label=label,
               edgecolor="black", lw=0.4)
        for p_, v in zip(pos, vals, strict=True):
            if pd.isna(v):
                ax.text(p_, 2, "not verified", ha="center", va="bottom", rotation=90,
                        fontsize=6.5, color="#555555")
            else:
                ax.text(p_, v + 1.5, f"{v:.0f}", ha="center", fontsize=7)

    def _n(v):
        return "n.v." if pd.isna(v) else f"{int(v)}"

    ax.set_xticks(x, [f"{p}\n{tr.replace(' NHL 001', '')}\n({s})\nresp. n {_n(nr)}\nsafety n {_n(ns)}"
                      for p, tr, s, nr, ns in zip(t["product"], t["trial"], t["indication_short"],
                                                  t["n_response"], t["n_safety"], strict=True)],
                  fontsize=7.5)
    ax.set_ylim(0, 105)
    ax.set_ylabel("% of the analysed population (see n)")
    ax.legend(loc="upper center", ncol=3, fontsize=8.5, bbox_to_anchor=(0.5, 1.12))
    ax.grid(axis="x", visible=False)
    return fig


def _hr_text(hr, lo, hi) -> str:
    return "not verified" if pd.isna(hr) else f"{hr:.2f} ({lo:.2f}–{hi:.2f})"


def draw_randomised(trials: pd.DataFrame) -> Figure:
    """Forest plot of the randomised CAR-T trials: the primary endpoint's hazard ratio and the
    overall-survival hazard ratio of each trial, with 95% confidence intervals, on a log axis.

    Left of 1 favours CAR-T. A filled marker is a significant result, an open one is not;
    beside each OS estimate the share of the control arm that later received CAR-T (crossover)
    is printed, and a trial whose hazard ratio no source read gives is written "not verified"
    with its medians.

    Parameters
    ----------
    trials : DataFrame
        ``data/car-t-randomised-trials.csv``.
    """
    t = trials.reset_index(drop=True)
    plots.use_style()
    fig = Figure(figsize=(8.4, 0.95 * len(t) + 1.4))
    fig.subplots_adjust(left=0.19, right=0.64, bottom=0.1, top=0.88)
    ax = fig.add_subplot()
    colors = {"primary": plots.OKABE_ITO["bluish green"], "os": plots.OKABE_ITO["blue"]}
    labels = []
    y = 0.0
    ticks = []
    for _, r in t.iterrows():
        rows = [("primary", r["primary_endpoint"].split(" (")[0], r["primary_hr"], r["primary_hr_low"],
                 r["primary_hr_high"], r["primary_met"]),
                ("os", "overall survival", r["os_hr"], r["os_hr_low"], r["os_hr_high"],
                 r["os_significant"])]
        for kind, name, hr, lo, hi, sig in rows:
            ticks.append(y)
            labels.append(f"{r['trial']} ({r['product']})\n{name}" if kind == "primary" else name)
            if pd.isna(hr):
                note = "HR not verified"
                if kind == "primary" and not pd.isna(r["median_car_t_months"]):
                    note += (f"; medians {r['median_car_t_months']:g} vs "
                             f"{r['median_control_months']:g} months")
                ax.text(0.12, y, note, va="center", fontsize=7.5, color="#555555")
            else:
                filled = bool(sig) if not pd.isna(sig) else False
                ax.plot([lo, hi], [y, y], color=colors[kind], lw=2)
                ax.plot([hr], [y], "s" if kind == "primary" else "o", ms=7, color=colors[kind],
                        mfc=colors[kind] if filled else "white", mec=colors[kind], mew=1.5)
            side = _hr_text(hr, lo, hi)
            if kind == "os":
                pct = r["control_received_car_t_pct"]
                side += ("\ncontrol arm later given CAR-T: "
                         + ("not verified" if pd.isna(pct) else f"{pct:.0f}% ({r['crossover']})"))
            ax.text(1.03, y, side, transform=ax.get_yaxis_transform(), va="center", fontsize=7.5)
            y += 1.0
        y += 0.6
    ax.axvline(1.0, color="black", lw=0.8)
    ax.set_xscale("log")
    ax.set_xlim(0.1, 3.0)
    ax.xaxis.set_major_locator(FixedLocator([0.1, 0.2, 0.5, 1.0, 2.0]))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set_yticks(ticks, labels, fontsize=7.5)
    ax.set_ylim(y - 0.4, -0.8)
    ax.set_xlabel("hazard ratio, CAR-T vs standard care (95% CI, log scale)")
    ax.text(0.11, -0.6, "← favours CAR-T", fontsize=7.5)
    ax.text(1.1, -0.6, "favours standard →", fontsize=7.5)
    ax.grid(axis="y", visible=False)
    ax.set_title("filled = significant, open = not significant\n"
                 "square = primary endpoint, circle = overall survival", fontsize=8.5, loc="left")
    return fig


# ----------------------------------------------------------------------------- antigen escape

def relapse_times(f_neg: float = 1e-4, tau_c: float = 14.0, days: float = 730.0,
                  threshold: float = 5e10, **params) -> dict:
    """When does each kind of relapse reach ``threshold`` cells, with an antigen-negative clone?

    An exercise beyond the published model: a fraction ``f_neg`` of the leukaemia at infusion
    is CD19-negative. It grows at ``rho_l`` and is invisible to the CAR-T cells
    (``dL⁻/dt = rho_l·L⁻``), so it reaches the threshold at ``ln(threshold/(f_neg·l0))/rho_l``
    days whatever the CAR-T cells do; the CD19-positive part follows :func:`simulate_car_tumour`
    (CAR-T cells expand on CD19-positive leukaemia and B cells only).

    Parameters
    ----------
    f_neg : float
        CD19-negative fraction of the leukaemia at infusion (0 ≤ f_neg < 1).
    tau_c : float
        Mean life of an activated CAR-T cell (days).
    days : float
        Time simulated (days).
    threshold : float
        Leukaemic cells that count as a relapse.
    params
        Other parameters of :func:`simulate_car_tumour` (``l0``, ``rho_l``, …).

    Returns
    -------
    dict
        ``cd19_positive`` and ``cd19_negative``: day each population first exceeds the
        threshold after its lowest point (``nan`` if not within ``days``).
    """
    if not 0 <= f_neg < 1:
        raise ValueError("f_neg is a fraction in [0, 1)")
    l0 = params.pop("l0", LEON_TRIANA_2021["l0"])
    rho_l = params.get("rho_l", LEON_TRIANA_2021["rho_l"])
    sim = simulate_car_tumour(days=days, l0=l0 * (1 - f_neg), tau_c=tau_c, n_points=int(days) + 1,
                              **params)
    pos = sim["leukaemia"].to_numpy()
    after = np.arange(len(pos)) >= int(np.argmin(pos))
    hit = np.flatnonzero(after & (pos >= threshold))
    t_pos = float(sim["day"].iloc[hit[0]]) if len(hit) else float("nan")
    t_neg = math.log(threshold / (f_neg * l0)) / rho_l if f_neg > 0 else float("nan")
    return {"cd19_positive": t_pos, "cd19_negative": t_neg if t_neg <= days else float("nan")}


# ----------------------------------------------------------------------------- model facts

def kinetics_facts(n: int = 200, seed: int = 1) -> dict:
    """Glue values for the kinetics model: the typical profile and a virtual population."""
    s = summarise(**STEIN_2019)
    pop = virtual_population(n, seed)
    q = pop["auc_0_28"].quantile([0.05, 0.5, 0.95])
    day28 = float(stein_kinetics(28.0, **STEIN_2019))
    year1 = float(stein_kinetics(365.0, **STEIN_2019))
    return {"car-t-cmax": f"{s.cmax:,.0f}", "car-t-tmax": f"{s.tmax:.1f}",
            "car-t-r0": f"{s.r0:.1f}", "car-t-rho": f"{s.rho:.2f}",
            "car-t-doubling": f"{s.doubling_time:.2f}", "car-t-thalf-a": f"{s.half_life_alpha:.1f}",
            "car-t-thalf-b": f"{s.half_life_beta:.0f}", "car-t-auc": f"{s.auc_0_28:,.0f}",
            "car-t-day28": f"{day28:,.0f}", "car-t-year1": f"{year1:,.0f}",
            "car-t-pop-n": n, "car-t-pop-auc-median": f"{q[0.5]:,.0f}",
            "car-t-pop-auc-p5": f"{q[0.05]:,.0f}", "car-t-pop-auc-p95": f"{q[0.95]:,.0f}",
            "car-t-pop-fold": f"{q[0.95] / q[0.05]:.0f}"}


def tumour_facts() -> dict:
    """Glue values for the mechanistic model at its published parameters."""
    sim = simulate_car_tumour(days=365, n_points=3651)
    th = car_tumour_thresholds()
    i, j = int(sim["car_t"].idxmax()), int(sim["leukaemia"].idxmin())
    p = LEON_TRIANA_2021
    return {"car-t-m-peak": sci(sim.loc[i, 'car_t']), "car-t-m-peak-day": f"{sim.loc[i, 'day']:.0f}",
            "car-t-m-fold": f"{sim.loc[i, 'car_t'] / p['c0']:,.0f}",
            "car-t-m-nadir": sci(sim.loc[j, 'leukaemia']),
            "car-t-m-nadir-day": f"{sim.loc[j, 'day']:.0f}",
            "car-t-m-antigen-th": sci(th['antigen_for_expansion']),
            "car-t-m-control-th": sci(th['car_t_for_control']),
            "car-t-m-b-end": sci(sim['b_cells'].iloc[-1]),
            "car-t-m-l-end": sci(sim['leukaemia'].iloc[-1])}
