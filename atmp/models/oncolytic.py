"""Oncolytic and HSV-based vectors: virus–tumour dynamics, its threshold, construct and doses.

The model is the basic virus–tumour system of Wodarz (Cancer Res 2001), in the general form
discussed by Wodarz and Komarova (PLoS ONE 2009, doi:10.1371/journal.pone.0004271)::

    dx/dt = r x (1 - (x + y)/K) - b x y        uninfected tumour cells
    dy/dt = b x y - a y                        infected tumour cells (lysed at rate a)

The virus can spread in a tumour at its carrying capacity only if ``R0 = b K / a > 1``. Then the
system settles at ``x* = a / b`` and ``y* = r (1 - a/(bK)) / (b + r/K)``, a stable equilibrium
(the Jacobian there has negative trace and positive determinant). Parameters are dimensionless
(time in units of 1/r, cells in units of K): the model teaches the threshold, it does not fit
a patient.

Examples
--------
>>> basic_reproduction_number(b=2.0, a=0.5, K=1.0)
4.0
>>> equilibrium(r=1.0, K=1.0, b=2.0, a=0.5)
(0.25, 0.25)
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.integrate import solve_ivp

from atmp import data, plots
from atmp.widgets import Interactive, Slider

#: The chapter's table of pivotal responses in ``data/`` (read with :func:`atmp.data.load`).
TRIALS = "oncolytic-virus-trials"

#: Imlygic vial concentrations, PFU/mL, and the largest volume per treatment visit, mL
#: (SmPC section 4.2).
IMLYGIC_INITIAL_PFU_PER_ML = 1e6
IMLYGIC_LATER_PFU_PER_ML = 1e8
IMLYGIC_MAX_ML_PER_VISIT = 4.0
#: Adstiladrin: one intravesical 75 mL dose at 3e11 viral particles per mL (Boorjian et al.,
#: Lancet Oncol 2021, doi:10.1016/S1470-2045(20)30540-4).
ADSTILADRIN_ML = 75.0
ADSTILADRIN_VP_PER_ML = 3e11


# ----------------------------------------------------------------------------- data


def response_rates(trials: pd.DataFrame | None = None) -> pd.DataFrame:
    """Response proportions (%) per trial row, treated and control (NaN for single-arm)."""
    t = data.load(TRIALS) if trials is None else trials
    t = t.assign(treated_pct=100 * t["treated"] / t["treated_n"],
                 control_pct=100 * t["control"] / t["control_n"])
    return t


# ----------------------------------------------------------------------------- dose arithmetic


def max_pfu_per_visit(concentration_pfu_per_ml: float,
                      volume_ml: float = IMLYGIC_MAX_ML_PER_VISIT) -> float:
    """Plaque-forming units injected at one visit: concentration (PFU/mL) × volume (mL)."""
    if concentration_pfu_per_ml < 0 or volume_ml < 0:
        raise ValueError("concentration and volume must be >= 0")
    return concentration_pfu_per_ml * volume_ml


# ----------------------------------------------------------------------------- model


def basic_reproduction_number(b: float, a: float, K: float = 1.0) -> float:
    """Infected cells made by one infected cell in a virus-free tumour at capacity: ``bK/a``."""
    if a <= 0:
        raise ValueError("the death rate of infected cells a must be > 0")
    return b * K / a


def equilibrium(r: float, K: float, b: float, a: float) -> tuple[float, float]:
    """The long-run state ``(x*, y*)`` (uninfected, infected tumour cells).

    Returns ``(K, 0)`` — the tumour at capacity, virus gone — when ``bK <= a``; otherwise the
    coexistence equilibrium ``x* = a/b``, ``y* = r (1 - a/(bK)) / (b + r/K)``.
    """
    if basic_reproduction_number(b, a, K) <= 1:
        return (float(K), 0.0)
    x = a / b
    y = r * (1 - a / (b * K)) / (b + r / K)
    return (float(x), float(y))


def jacobian(x: float, y: float, r: float, K: float, b: float, a: float) -> np.ndarray:
    """Jacobian matrix of the model at ``(x, y)`` (rows: dx/dt, dy/dt)."""
    return np.array([[r * (1 - (2 * x + y) / K) - b * y, -r * x / K - b * x],
                     [b * y, b * x - a]])


def rhs(t, z, r, K, b, a):
    """Right-hand side of the ODEs (for :func:`scipy.integrate.solve_ivp`)."""
    x, y = z
    return [r * x * (1 - (x + y) / K) - b * x * y, b * x * y - a * y]


def simulate(r: float = 1.0, K: float = 1.0, b: float = 2.0, a: float = 0.5,
             x0: float = 0.5, y0: float = 0.01, t_end: float = 60.0, n: int = 400):
    """Solve the virus–tumour ODEs.

    Parameters
    ----------
    r : float
        Tumour growth rate (per unit time).
    K : float
        Carrying capacity (cells, in units of K).
    b : float
        Infection rate constant (per cell per unit time).
    a : float
        Death (lysis) rate of infected cells (per unit time).
    x0, y0 : float
        Uninfected and infected cells at the start (injection).
    t_end : float
        End time; ``n`` output points.

    Returns
    -------
    (t, x, y) : tuple of arrays
    """
    t = np.linspace(0.0, t_end, n)
    sol = solve_ivp(rhs, (0.0, t_end), [x0, y0], t_eval=t, args=(r, K, b, a),
                    method="LSODA", rtol=1e-8, atol=1e-10)
    return sol.t, sol.y[0], sol.y[1]


def draw_dynamics(b: float = 2.0, a: float = 0.5, r: float = 1.0, y0: float = 0.01):
    """Uninfected, infected and total tumour over time, with the analytic equilibrium.

    Parameters
    ----------
    b : float
        Infection rate constant.
    a : float
        Death rate of infected cells.
    r : float
        Tumour growth rate.
    y0 : float
        Infected cells at injection (fraction of capacity); the tumour starts at 0.5 K.
    """
    t, x, y = simulate(r=r, b=b, a=a, y0=y0, n=250)
    xs, ys = equilibrium(r, 1.0, b, a)
    fig, ax = plots.fixed_figure(width=6.4, height=3.4, right=0.97, bottom=0.14)
    ax.plot(t, x, color=plots.OKABE_ITO["blue"], lw=2, label="uninfected tumour cells x")
    ax.plot(t, y, color=plots.OKABE_ITO["vermillion"], lw=2, label="infected tumour cells y")
    ax.plot(t, x + y, color=plots.REFERENCE_COLOR, lw=1.2, ls="--", label="total tumour")
    ax.axhline(xs + ys, color=plots.OKABE_ITO["grey"], ls=":", lw=1)
    r0 = basic_reproduction_number(b, a)
    verdict = "virus persists" if r0 > 1 else "virus dies out"
    ax.set_title(f"R0 = bK/a = {r0:.2f}: {verdict}; equilibrium total {xs + ys:.2f} K",
                 fontsize=10, fontweight="normal")
    ax.set_xlabel("time (units of 1/r)")
    ax.set_ylabel("cells (fraction of capacity K)")
    ax.set_ylim(0, 1.05)
    ax.legend(fontsize=8.5, loc="upper right")
    return fig


def threshold_scan(b_values, r: float = 1.0, K: float = 1.0, a: float = 0.5,
                   t_end: float = 400.0) -> pd.DataFrame:
    """Total tumour at the end of long simulations, and at the analytic equilibrium, per ``b``."""
    rows = []
    for b in b_values:
        _, x, y = simulate(r=r, K=K, b=b, a=a, t_end=t_end, n=50)
        xs, ys = equilibrium(r, K, b, a)
        rows.append({"b": b, "numeric_total": x[-1] + y[-1], "analytic_total": xs + ys,
                     "numeric_infected": y[-1], "analytic_infected": ys})
    return pd.DataFrame(rows)


def draw_threshold(a: float = 0.5, r: float = 1.0):
    """Equilibrium tumour size against infection rate b: analytic curve and numerical end points."""
    fine = np.linspace(0.01, 4.0, 400)
    eq = np.array([equilibrium(r, 1.0, b, a) for b in fine])
    scan = threshold_scan(np.linspace(0.1, 4.0, 14), r=r, a=a)
    fig, ax = plots.new_figure(width=7.2, height=3.8)
    ax.plot(fine, eq.sum(axis=1), color=plots.REFERENCE_COLOR, lw=2, label="total (analytic)")
    ax.plot(fine, eq[:, 1], color=plots.OKABE_ITO["vermillion"], lw=2,
            label="infected (analytic)")
    ax.plot(scan["b"], scan["numeric_total"], "o", mfc="white",
            color=plots.REFERENCE_COLOR, label="total (numerical, solve_ivp)")
    ax.axvline(a, color=plots.OKABE_ITO["grey"], ls=":", lw=1)
    ax.annotate("threshold b = a/K", (a, 0.9), xytext=(6, 0), textcoords="offset points",
                fontsize=9)
    ax.set_xlabel("infection rate constant b (per K per unit time)")
    ax.set_ylabel("equilibrium cells (fraction of K)")
    ax.set_ylim(0, 1.05)
    ax.legend(fontsize=8.5)
    return fig


# ----------------------------------------------------------------------------- schematic


def draw_construct():
    """Talimogene laherparepvec: the HSV-1 genome with its two deletions and GM-CSF (schematic).

    ICP34.5 has two copies, one in each repeat of the long segment (TRL, IRL); ICP47 lies in the
    short unique region (US). The human GM-CSF expression cassette is drawn at both ICP34.5 loci,
    in place of the deleted coding sequence, as Liu et al. 2003 (Fig. 1,
    doi:10.1038/sj.gt.3301885) is reported to show; it is *not* in the long unique region.
    """
    from matplotlib.patches import FancyArrowPatch, Rectangle

    fig, ax = plots.new_figure(width=8.5, height=2.8)
    ax.set_axis_off()
    segs = [("TRL", 0.0, 0.6), ("UL (unique long)", 0.6, 6.6), ("IRL", 6.6, 7.2),
            ("IRS", 7.2, 7.6), ("US", 7.6, 9.2), ("TRS", 9.2, 9.6)]
    for name, x0, x1 in segs:
        rep = name in ("TRL", "IRL", "IRS", "TRS")
        ax.add_patch(Rectangle((x0, 0), x1 - x0, 0.4, facecolor="#DDDDDD" if rep else "#F2F2F2",
                               edgecolor="black", lw=0.8))
        ax.text((x0 + x1) / 2, 0.2, name, ha="center", va="center", fontsize=8)
    red, green = plots.OKABE_ITO["vermillion"], plots.OKABE_ITO["bluish green"]
    for x in (0.3, 6.9):
        ax.text(x, -0.25, "ICP34.5\ndeleted", ha="center", va="top", fontsize=8, color=red)
        ax.plot([x], [0.2], "x", color=red, ms=10, mew=2.5)
        ax.add_patch(Rectangle((x - 0.55, 1.0), 1.1, 0.4, facecolor=green, edgecolor="black",
                               lw=0.8))
        ax.text(x, 1.2, "hGM-CSF", ha="center", va="center", fontsize=8)
        ax.add_patch(FancyArrowPatch((x, 0.98), (x, 0.45), arrowstyle="-|>", mutation_scale=12,
                                     color="black"))
    ax.text(3.6, 1.2, "GM-CSF cassette in place of each ICP34.5 copy", ha="center",
            va="center", fontsize=8)
    ax.text(8.4, -0.25, "ICP47\ndeleted", ha="center", va="top", fontsize=8, color=red)
    ax.plot([8.4], [0.2], "x", color=red, ms=10, mew=2.5)
    ax.set_xlim(-0.4, 9.9)
    ax.set_ylim(-1.0, 1.6)
    ax.set_title("Talimogene laherparepvec: HSV-1 (strain JS1) genome, not to scale", fontsize=10)
    return fig


def draw_trials(trials: pd.DataFrame | None = None):
    """Response proportions of the pivotal trials: randomised (left) and single-arm (right).

    The two panels keep a single-arm complete response rate in bladder cancer (Adstiladrin) from
    being read against the randomised durable response rates of OPTiM in melanoma: different
    diseases, endpoints and designs (review finding O4).
    """
    t = response_rates(trials)
    labels = [f"{p}\n{o.split(' (')[0]}\n({o.split(' (')[1].rstrip(')')})" if "(" in o else p
              for p, o in zip(t["product"], t["outcome"], strict=True)]
    single = t["control_pct"].isna().to_numpy()
    fig, (ax, ax2) = plots.new_figure(1, 2, width=8.0, height=3.8,
                                      gridspec_kw={"width_ratios": [max(int((~single).sum()), 1),
                                                                    max(int(single.sum()), 1)]})
    for axis, rows in ((ax, np.flatnonzero(~single)), (ax2, np.flatnonzero(single))):
        x = np.arange(len(rows))
        sub = t.iloc[rows]
        paired = bool((~sub["control_pct"].isna()).any())
        dx = -0.2 if paired else 0.0
        axis.bar(x + dx, sub["treated_pct"], 0.4, color=plots.family_color("oncolytic virus"),
                 edgecolor="black", label="vector")
        for xi, row in zip(x, sub.itertuples(), strict=True):
            axis.annotate(f"{row.treated:.0f}/{row.treated_n:.0f}", (xi + dx, row.treated_pct),
                          ha="center", va="bottom", fontsize=8.5)
            if np.isnan(row.control_pct):
                axis.annotate("single arm", (xi, 64), ha="center", va="center", fontsize=8)
        axis.set_xlim(-0.6, len(rows) - 0.4)
        if paired:
            axis.bar(x + 0.2, sub["control_pct"], 0.4, color=plots.OKABE_ITO["grey"],
                     label="control (GM-CSF)")
            for xi, row in zip(x, sub.itertuples(), strict=True):
                axis.annotate(f"{row.control:.0f}/{row.control_n:.0f}",
                              (xi + 0.2, row.control_pct), ha="center", va="bottom", fontsize=8.5)
        axis.set_xticks(x, [labels[i].replace("; single arm", "") for i in rows], fontsize=7.5)
        axis.set_ylim(0, 70)
    ax.set_ylabel("patients with the response (%)")
    ax.set_title("randomised (melanoma)", fontsize=10, fontweight="normal")
    ax2.set_title("single arm (bladder)", fontsize=10, fontweight="normal")
    ax.legend(fontsize=8.5)
    return fig


# ----------------------------------------------------------------------------- widget

DYNAMICS_WIDGET = Interactive(
    "oncolytic-virus-dynamics", draw_dynamics,
    {"b": Slider(2.0, 0.1, 5.0, 0.05, "infection rate constant b"),
     "a": Slider(0.5, 0.05, 3.0, 0.05, "death rate of infected cells a"),
     "r": Slider(1.0, 0.2, 3.0, 0.1, "tumour growth rate r"),
     "y0": Slider(0.01, 0.001, 0.2, 0.001, "infected cells at injection (fraction of K)")})
