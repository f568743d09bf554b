"""Ex vivo genome editing of blood stem cells (chapter ``genome-editing``).

Two models of why editing the erythroid enhancer of *BCL11A* helps, each with a widget:

* **Edited fraction → HbF share** (:func:`hbf_share`). At steady state the red cells in blood
  from one source are proportional to their production times their lifespan. If a fraction
  ``f`` of erythropoiesis comes from edited stem cells, whose red cells carry a share ``h_e`` of
  fetal haemoglobin (HbF) and live ``L_e`` days, and the rest carry ``h_u`` and live ``L_u``
  days, the HbF share of all haemoglobin is

  ``HbF = (f h_e L_e + (1 - f) h_u L_u) / (f L_e + (1 - f) L_u)``

  (assuming equal haemoglobin per cell). HbF-rich cells that survive longer lift the blood
  share above the production share. Widget :data:`HBF`.
* **HbF per cell against a protective threshold** (:func:`protected_fraction`). The same blood
  HbF share can be spread over nearly all red cells (pancellular) or concentrated in a few
  F-cells (heterocellular). With HbF per F-cell drawn from a gamma distribution whose mean keeps
  the total fixed, the share of red cells above a threshold (about 10 pg per cell in sickle
  cell disease, Steinberg et al., Blood 2014) is ``F * P(X >= threshold)``. Widget :data:`FCELL`.

Plus :func:`allele_genotypes` (editing two alleles independently) and :func:`draw_locus`, the
schematic of the *BCL11A* target and the switch it flips.

Examples
--------
>>> from atmp.models import editing
>>> editing.hbf_share(0.0, 40, 2, 120, 20)
2.0
>>> round(editing.allele_genotypes(0.8)["biallelic"], 2)
0.64
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch
from scipy import stats

from atmp import data, plots
from atmp.tables import evidence_value
from atmp.widgets import Interactive, Slider

#: HbF per cell that inhibits HbS polymerisation, about 10 pg (Steinberg et al., Blood
#: 2014;123:481-485, https://ashpublications.org/blood/article/123/4/481/32281).
PROTECTIVE_PG = 10.0


#: Published results of the chapter's pivotal trials, one number a row (read with
#: :func:`atmp.data.load`).
EVIDENCE = "genome-editing-evidence"


def binomial_ci(successes: int, n: int, level: float = 0.95) -> tuple[float, float, float]:
    """Proportion with its exact (Clopper–Pearson) confidence interval.

    Returns
    -------
    (p, lower, upper)
        ``successes / n`` and the beta-quantile bounds ``Beta(a/2; k, n-k+1)`` and
        ``Beta(1-a/2; k+1, n-k)`` (dimensionless, 0–1).
    """
    a = 1.0 - level
    lo = stats.beta.ppf(a / 2, successes, n - successes + 1) if successes > 0 else 0.0
    hi = stats.beta.ppf(1 - a / 2, successes + 1, n - successes) if successes < n else 1.0
    return successes / n, float(lo), float(hi)


#: (study, responders outcome, evaluable outcome, label) of the two pivotal end points.
PRIMARY_ENDPOINTS = [
    ("CLIMB SCD-121 (Frangoul 2024)", "free of severe vaso-occlusive crises for at least 12 months",
     "patients evaluable for the primary end point", "sickle cell disease:\nfree of severe VOC ≥12 months"),
    ("CLIMB THAL-111 (Locatelli 2024)", "transfusion independent for at least 12 months",
     "patients evaluable for the primary end point", "β-thalassaemia:\ntransfusion independent ≥12 months"),
]


def primary_results(table: pd.DataFrame | None = None) -> pd.DataFrame:
    """The two pivotal primary end points as responders / evaluable with exact 95% intervals."""
    table = data.load(EVIDENCE) if table is None else table
    out = []
    for study, hit, denom, label in PRIMARY_ENDPOINTS:
        k, n = int(evidence_value(table, study, hit)), int(evidence_value(table, study, denom))
        p, lo, hi = binomial_ci(k, n)
        out.append({"study": study, "label": label, "responders": k, "evaluable": n,
                    "share": p, "lower": lo, "upper": hi})
    return pd.DataFrame(out)


def draw_primary_results(table: pd.DataFrame | None = None) -> Figure:
    """Dot-and-interval chart of the two pivotal primary end points of exa-cel."""
    res = primary_results(table)
    fig, ax = plots.new_figure(width=7.0, height=2.8)
    y = np.arange(len(res))[::-1]
    ax.errorbar(res["share"] * 100, y, xerr=[(res["share"] - res["lower"]) * 100,
                                             (res["upper"] - res["share"]) * 100],
                fmt="o", color=plots.CLASS_COLORS["gene therapy"], capsize=4, ms=7)
    for yy, (_, r) in zip(y, res.iterrows(), strict=True):
        ax.annotate(f"{r['responders']}/{r['evaluable']}", (r["share"] * 100, yy), xytext=(0, 9),
                    textcoords="offset points", ha="center", fontsize=9)
    ax.axvline(50, color=plots.REFERENCE_COLOR, lw=0.8, ls=":")
    ax.text(51, y.max() + 0.35, "null hypothesis: 50%", fontsize=8.5)
    ax.set_yticks(y, res["label"])
    ax.set_xlim(40, 100)
    ax.set_ylim(-0.6, y.max() + 0.7)
    ax.set_xlabel("patients meeting the primary end point (%, exact 95% CI)")
    return fig


# ----------------------------------------------------------------------------- editing → HbF


def allele_genotypes(p_allele: float) -> dict[str, float]:
    """Share of cells with 0, 1 or 2 edited alleles when each allele is edited independently.

    Parameters
    ----------
    p_allele : float
        Probability that one allele is edited (0–1).

    Returns
    -------
    dict
        ``unedited = (1-p)**2``, ``monoallelic = 2 p (1-p)``, ``biallelic = p**2``.
    """
    if not 0 <= p_allele <= 1:
        raise ValueError("p_allele must be in [0, 1]")
    q = 1.0 - p_allele
    return {"unedited": q * q, "monoallelic": 2 * p_allele * q, "biallelic": p_allele ** 2}


def hbf_share(f_edited, hbf_edited: float, hbf_unedited: float, life_edited: float,
              life_unedited: float):
    """Fetal haemoglobin as a percentage of all haemoglobin in blood, at steady state.

    Parameters
    ----------
    f_edited : float or array
        Fraction of red-cell production that comes from edited stem cells (0–1).
    hbf_edited, hbf_unedited : float
        HbF as a percentage of haemoglobin inside red cells from edited and unedited
        precursors (%).
    life_edited, life_unedited : float
        Red-cell lifespans of the two populations (days).

    Returns
    -------
    float or ndarray
        HbF in blood (% of total haemoglobin).
    """
    if min(life_edited, life_unedited) <= 0:
        raise ValueError("lifespans must be > 0")
    f = np.asarray(f_edited, dtype=float)
    num = f * hbf_edited * life_edited + (1 - f) * hbf_unedited * life_unedited
    den = f * life_edited + (1 - f) * life_unedited
    out = num / den
    return float(out) if out.ndim == 0 else out


def draw_hbf(f_edited: float = 0.8, hbf_edited: float = 40.0, hbf_unedited: float = 5.0,
             life_edited: float = 120.0, life_unedited: float = 20.0) -> Figure:
    """HbF in blood against the edited share of red-cell production.

    Parameters
    ----------
    f_edited : float
        Edited share of production marked on the curve (0–1).
    hbf_edited, hbf_unedited : float
        HbF inside edited-derived and unedited-derived red cells (% of their haemoglobin).
    life_edited, life_unedited : float
        Red-cell lifespans (days).
    """
    f = np.linspace(0, 1, 51)
    fig, ax = plots.fixed_figure(width=7.2, height=3.3)
    ax.plot(f * 100, hbf_share(f, hbf_edited, hbf_unedited, life_edited, life_unedited),
            color=plots.OKABE_ITO["vermillion"], lw=2.4, label="with the lifespans chosen")
    ax.plot(f * 100, hbf_share(f, hbf_edited, hbf_unedited, 1.0, 1.0),
            color=plots.OKABE_ITO["grey"], lw=1.5, ls="--", label="equal lifespans")
    y = hbf_share(f_edited, hbf_edited, hbf_unedited, life_edited, life_unedited)
    ax.plot([f_edited * 100], [y], "o", color=plots.REFERENCE_COLOR, ms=7)
    ax.annotate(f"{y:.0f}% HbF", (f_edited * 100, y), xytext=(-10, 8),
                textcoords="offset points", ha="right", fontsize=9.5)
    ax.set_xlim(0, 100)
    ax.set_ylim(0, max(hbf_edited, hbf_unedited) * 1.15 + 1)
    ax.set_xlabel("edited share of red-cell production (%)")
    ax.set_ylabel("HbF in blood (% of haemoglobin)")
    ax.set_title(f"Edited cells live {life_edited:g} d, unedited {life_unedited:g} d")
    ax.legend(loc="upper left", fontsize=9)
    return fig


HBF = Interactive("genome-editing-hbf", draw_hbf, {
    "f_edited": Slider(0.8, 0.0, 1.0, 0.05, "edited share of production"),
    "hbf_edited": Slider(40.0, 5.0, 100.0, 1.0, "HbF in edited-derived cells (%)"),
    "hbf_unedited": Slider(5.0, 0.0, 30.0, 1.0, "HbF in unedited-derived cells (%)"),
    "life_edited": Slider(120.0, 10.0, 120.0, 5.0, "lifespan of edited-derived cells (days)"),
    "life_unedited": Slider(20.0, 10.0, 120.0, 5.0, "lifespan of unedited-derived cells (days)"),
})

# ----------------------------------------------------------------------------- HbF per cell


def per_fcell_law(hbf_percent: float, f_cells: float, cv: float, mch: float = 30.0):
    """Gamma distribution of HbF per F-cell (pg) that keeps the blood HbF share fixed.

    Parameters
    ----------
    hbf_percent : float
        HbF as a percentage of all haemoglobin (%).
    f_cells : float
        Fraction of red cells that contain HbF (0–1].
    cv : float
        Coefficient of variation of HbF per F-cell (> 0).
    mch : float
        Mean haemoglobin per red cell (pg).

    Returns
    -------
    scipy.stats frozen gamma
        Mean ``hbf_percent/100 * mch / f_cells`` pg, shape ``1/cv**2``.
    """
    if not 0 < f_cells <= 1 or cv <= 0 or hbf_percent <= 0:
        raise ValueError("need 0 < f_cells <= 1, cv > 0 and hbf_percent > 0")
    mean = hbf_percent / 100.0 * mch / f_cells
    shape = 1.0 / cv ** 2
    return stats.gamma(shape, scale=mean / shape)


def protected_fraction(hbf_percent: float, f_cells: float, cv: float, mch: float = 30.0,
                       threshold: float = PROTECTIVE_PG) -> float:
    """Share of all red cells with at least ``threshold`` pg of HbF.

    ``f_cells * P(X >= threshold)`` with ``X`` from :func:`per_fcell_law`. By Markov's
    inequality it can never exceed ``hbf_percent/100 * mch / threshold``.
    """
    return float(f_cells * per_fcell_law(hbf_percent, f_cells, cv, mch).sf(threshold))


def draw_fcell(hbf_percent: float = 20.0, f_cells: float = 0.95, cv: float = 0.3,
               mch: float = 30.0) -> Figure:
    """Distribution of HbF per red cell against the protective threshold.

    Parameters
    ----------
    hbf_percent : float
        HbF in blood (% of haemoglobin).
    f_cells : float
        Fraction of red cells with HbF (F-cells).
    cv : float
        Coefficient of variation of HbF per F-cell.
    mch : float
        Mean haemoglobin per red cell (pg).
    """
    law = per_fcell_law(hbf_percent, f_cells, cv, mch)
    x = np.linspace(0, max(mch, 25.0), 200)
    dens = f_cells * law.pdf(x)
    prot = protected_fraction(hbf_percent, f_cells, cv, mch)
    fig, ax = plots.fixed_figure(width=7.2, height=3.3, left=0.11)
    ax.plot(x, dens, color=plots.OKABE_ITO["blue"], lw=2)
    above = x >= PROTECTIVE_PG
    ax.fill_between(x[above], dens[above], color=plots.OKABE_ITO["bluish green"], alpha=0.6)
    ax.fill_between(x[~above], dens[~above], color=plots.OKABE_ITO["sky blue"], alpha=0.35)
    ax.axvline(PROTECTIVE_PG, color=plots.REFERENCE_COLOR, lw=1, ls="--")
    ax.text(PROTECTIVE_PG, ax.get_ylim()[1] * 0.97, " 10 pg", fontsize=9, va="top")
    ax.set_xlim(0, x[-1])
    ax.set_ylim(bottom=0)
    ax.set_xlabel("HbF in one red cell (pg)")
    ax.set_ylabel("density (share of all red cells per pg)")
    ax.set_title(f"{hbf_percent:g}% HbF in {f_cells:.0%} of red cells (F-cells), CV {cv:g}")
    # a text block instead of a legend keeps the redraw cheap
    ax.text(0.99, 0.95, f"protected (≥10 pg): {prot:.0%} of red cells", transform=ax.transAxes,
            ha="right", va="top", fontsize=9, color=plots.OKABE_ITO["bluish green"],
            fontweight="bold")
    ax.text(0.99, 0.85, f"cells without HbF: {1 - f_cells:.0%}", transform=ax.transAxes,
            ha="right", va="top", fontsize=9)
    return fig


FCELL = Interactive("genome-editing-fcell", draw_fcell, {
    "hbf_percent": Slider(20.0, 2.0, 50.0, 1.0, "HbF in blood (%)"),
    "f_cells": Slider(0.95, 0.1, 1.0, 0.05, "F-cells (share of red cells)"),
    "cv": Slider(0.3, 0.1, 1.0, 0.05, "variation of HbF per F-cell (CV)"),
    "mch": Slider(30.0, 20.0, 35.0, 1.0, "haemoglobin per red cell (pg)"),
})

# ----------------------------------------------------------------------------- schematic


def draw_locus() -> Figure:
    """Schematic of the exa-cel target: an erythroid enhancer inside *BCL11A*.

    Top: the *BCL11A* gene with its erythroid enhancer in an intron; Cas9 cuts inside the
    enhancer, and end-joining repair leaves small insertions or deletions. Bottom: the switch —
    in red-cell precursors the enhancer drives BCL11A, which silences the γ-globin genes; with
    the enhancer broken, BCL11A falls in that lineage only and γ-globin (HbF) returns.
    Not to scale.
    """
    fig, (top, bottom) = plots.new_figure(2, 1, width=7.6, height=3.8)
    top.plot([0, 10], [0.5, 0.5], color="#555555", lw=2, zorder=0)
    for x0, w in [(0.5, 0.6), (2.0, 0.5), (6.8, 0.5), (8.4, 1.0)]:
        top.add_patch(FancyBboxPatch((x0, 0.3), w, 0.4, boxstyle="square,pad=0",
                                     fc=plots.OKABE_ITO["blue"], ec="black", lw=0.6))
    top.text(1.2, 0.9, "BCL11A exons", fontsize=8.5, color=plots.OKABE_ITO["blue"])
    top.add_patch(FancyBboxPatch((3.8, 0.34), 1.8, 0.32, boxstyle="round,pad=0.02",
                                 fc=plots.OKABE_ITO["orange"], ec="black", lw=0.6))
    top.text(4.7, 0.5, "erythroid\nenhancer", ha="center", va="center", fontsize=8)
    top.annotate("Cas9 cut → indels\n(end-joining repair)", xy=(4.7, 0.68), xytext=(4.7, 1.25),
                 ha="center", fontsize=8.5, color=plots.OKABE_ITO["vermillion"],
                 arrowprops=dict(arrowstyle="->", color=plots.OKABE_ITO["vermillion"]))
    top.set_xlim(-0.2, 10.2)
    top.set_ylim(0, 1.6)
    top.axis("off")
    top.set_title("the target", loc="left", fontsize=10.5)
    boxes = [(0.0, "enhancer\nintact"), (3.4, "BCL11A\nhigh"), (6.8, "γ-globin off:\nlittle HbF")]
    edited = [(0.0, "enhancer\nbroken"), (3.4, "BCL11A low\n(red-cell line only)"),
              (6.8, "γ-globin on:\nHbF returns")]
    for y, row, colour in [(0.62, boxes, "grey"), (0.05, edited, "bluish green")]:
        for i, (x, label) in enumerate(row):
            bottom.add_patch(FancyBboxPatch((x, y), 2.8, 0.4, boxstyle="round,pad=0.02",
                                            fc=plots.OKABE_ITO[colour], ec="black", lw=0.6,
                                            alpha=0.6))
            bottom.text(x + 1.4, y + 0.2, label, ha="center", va="center", fontsize=8)
            if i < 2:
                bottom.annotate("", xy=(x + 3.35, y + 0.2), xytext=(x + 2.85, y + 0.2),
                                arrowprops=dict(arrowstyle="->"))
    bottom.text(10.0, 0.82, "before", fontsize=8.5, va="center")
    bottom.text(10.0, 0.25, "after editing", fontsize=8.5, va="center")
    bottom.set_xlim(-0.2, 11.6)
    bottom.set_ylim(0, 1.1)
    bottom.axis("off")
    bottom.set_title("the switch, in red-cell precursors", loc="left", fontsize=10.5)
    return fig
