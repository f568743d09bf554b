"""Tissue-engineered and combined products as numbers (chapter ``tissue-engineering``).

These products work by rebuilding a tissue from the patient's own cells, so the arithmetic that
matters is the arithmetic of the culture dish:

* :func:`population_doublings` and :func:`culture_days` — how many times a biopsy's cells must
  double to make a graft, and how long that takes;
* :func:`stem_fraction` and :func:`doublings_to_threshold` — how the share of self-renewing stem
  cells (holoclone-forming, p63-bright cells in a limbal culture) falls with every doubling when
  stem cells do not always renew themselves;
* :func:`cells_per_area`, :func:`spheroids_needed` and :func:`within_label` — dose per graft
  area against the label ranges of Holoclar and Spherox;
* the widgets :data:`EXPANSION` (culture and stem-cell fraction) and :data:`DOSE` (Spherox dose
  per defect area), the schematics :func:`draw_products` and :func:`draw_hierarchy`, and the
  published results :func:`draw_evidence`.

The chapter's tables and facts about the products are in
:mod:`atmp.chapters.tissue_engineering`.

Published numbers are constants with their source; the culture parameters of the widgets
(biopsy size, doubling time, net self-renewal) are illustrative teaching values, not product
data.

Examples
--------
>>> from atmp.models import tissue
>>> round(tissue.population_doublings(1.2e6, 1e4), 2)
6.91
>>> round(tissue.cells_per_area(300_000, tissue.HOLOCLAR_DISC_DIAMETER_CM))
78920
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from atmp import plots
from atmp.widgets import Interactive, Slider

# ----------------------------------------------------------------------------- published numbers

#: Holoclar: diameter of the fibrin support (cm) and viable cells per graft (SmPC section 2,
#: EMA EPAR, bibliography key ``ema_holoclar``).
HOLOCLAR_DISC_DIAMETER_CM = 2.2
HOLOCLAR_CELLS = (300_000, 1_200_000)
#: Holoclar label strength, cells/cm^2 (SmPC section 1; = HOLOCLAR_CELLS / disc area).
HOLOCLAR_CELLS_PER_CM2 = (79_000, 316_000)
#: Holoclar: average share of limbal stem cells in the product, % (range 0.4-16%; SmPC section 2).
HOLOCLAR_MEAN_STEM_PERCENT = 3.5
#: Holoclar: range of the limbal stem-cell share across batches, % (SmPC section 2). The SmPC
#: states content, not a release limit; Holoclar's release specification was not found.
HOLOCLAR_STEM_RANGE_PERCENT = (0.4, 16.0)
#: p63-bright cells (% of the culture) associated with graft success in the academic clinical
#: series behind Holoclar: Rama et al. 2010 (``rama2010``), as summarised by Nieto-Nicolau et al.
#: 2016 (``nietonicolau2016``), who call >=3% p63+ cells the minimum value predicting success.
#: A literature threshold, not Holoclar's release specification (batches range 0.4-16%).
P63_THRESHOLD_PERCENT = 3.0
#: Spherox label dose, spheroids per cm^2 of defect, and the largest treatable area (cm^2)
#: (SmPC section 4.1-4.2, ``ema_spherox``).
SPHEROX_DOSE = (10, 70)
SPHEROX_MAX_AREA_CM2 = 10.0
#: Dose arms of the phase II dose-finding trial of the spheroid product, spheroids/cm^2
#: (phase II dose study, J Orthop Surg Res 2017, ``josr2017_doses``).
SPHEROX_PHASE2_ARMS = {"low": (3, 7), "medium": (10, 30), "high": (40, 70)}

# ----------------------------------------------------------------------------- expansion


def population_doublings(n_final: float, n_initial: float) -> float:
    """Population doublings (PD) from ``n_initial`` to ``n_final`` cells.

    Parameters
    ----------
    n_final, n_initial : float
        Cell numbers (cells), both > 0.

    Returns
    -------
    float
        ``log2(n_final / n_initial)`` (dimensionless; negative if the population shrank).
    """
    if n_final <= 0 or n_initial <= 0:
        raise ValueError("cell numbers must be positive")
    return math.log2(n_final / n_initial)


def culture_days(n_initial: float, n_target: float, doubling_time_h: float,
                 lag_h: float = 0.0) -> float:
    """Days of exponential culture needed to grow ``n_initial`` cells to ``n_target``.

    Parameters
    ----------
    n_initial, n_target : float
        Cells at seeding and cells needed for the graft (cells).
    doubling_time_h : float
        Population doubling time during exponential growth (hours), > 0.
    lag_h : float
        Lag before growth starts (hours).

    Returns
    -------
    float
        ``(lag_h + PD * doubling_time_h) / 24`` days; the lag alone if no growth is needed.
    """
    if doubling_time_h <= 0:
        raise ValueError("doubling time must be positive")
    pd_needed = max(0.0, population_doublings(n_target, n_initial))
    return (lag_h + pd_needed * doubling_time_h) / 24.0


def cells_at(days, n_initial: float, doubling_time_h: float, lag_h: float = 0.0) -> np.ndarray:
    """Cells after ``days`` of culture: ``n_initial * 2**((24 days - lag) / Td)`` (cells)."""
    t_h = np.maximum(0.0, 24.0 * np.asarray(days, dtype=float) - lag_h)
    return n_initial * np.exp2(t_h / doubling_time_h)


# ----------------------------------------------------------------------------- stem-cell fraction


def stem_fraction(doublings, s0: float, renewal: float, stem_cycle: float = 1.0) -> np.ndarray:
    """Fraction of stem cells after a number of population doublings.

    Model: every cell divides once per doubling. A stem-cell division gives two stem cells with
    probability ``p_ss`` and two committed (transit-amplifying) cells with probability ``p_dd``
    (otherwise one of each); the net self-renewal is ``renewal = p_ss - p_dd``. Committed cells
    never return to the stem state. The stem compartment then grows by ``1 + renewal`` per
    doubling while the whole population grows by 2, so

    ``s(n) = s0 * ((1 + renewal) / 2) ** n``.

    Parameters
    ----------
    doublings : float or array
        Population doublings ``n`` (dimensionless, >= 0).
    s0 : float
        Stem-cell fraction at seeding (0-1).
    renewal : float
        Net self-renewal ``p_ss - p_dd`` (-1 to 1); 1 keeps the fraction constant, 0 halves it at
        every doubling.
    stem_cycle : float
        Stem-cell divisions per population doubling (default 1: stem cells cycle as fast as the
        culture). Below 1, stem cells cycle more slowly than their progeny and the stem pool
        grows by ``(1 + renewal) ** stem_cycle`` per doubling, so the share falls faster. This
        variant keeps the culture doubling once per doubling, which holds while stem cells are a
        small share of it.

    Returns
    -------
    ndarray
        Stem-cell fraction (0-1).
    """
    if not (0.0 <= s0 <= 1.0) or not (-1.0 <= renewal <= 1.0):
        raise ValueError("s0 must be in [0, 1] and renewal in [-1, 1]")
    if not 0.0 < stem_cycle <= 1.0:
        raise ValueError("stem_cycle must be in (0, 1]")
    growth = (1.0 + renewal) ** stem_cycle / 2.0
    return s0 * np.power(growth, np.asarray(doublings, dtype=float))


def doublings_to_threshold(s0: float, renewal: float, threshold: float) -> float:
    """Population doublings after which the stem-cell fraction falls to ``threshold``.

    Returns
    -------
    float
        ``ln(threshold / s0) / ln((1 + renewal) / 2)``; 0 if ``s0 <= threshold`` already;
        ``inf`` if the fraction never falls (``renewal >= 1``).
    """
    if s0 <= threshold:
        return 0.0
    if renewal >= 1.0:
        return math.inf
    if renewal <= -1.0:
        return 0.0
    return math.log(threshold / s0) / math.log((1.0 + renewal) / 2.0)


def passes_potency(stem_percent: float, threshold_percent: float = P63_THRESHOLD_PERCENT) -> bool:
    """True if a graft's stem-cell share (%) reaches the threshold (%): by default the 3% of the
    clinical series (:data:`P63_THRESHOLD_PERCENT`), a literature association, not a product's
    release specification."""
    return stem_percent >= threshold_percent


# ----------------------------------------------------------------------------- dose per area


def disc_area(diameter_cm: float) -> float:
    """Area of a circular graft (cm^2) from its diameter (cm)."""
    return math.pi * (diameter_cm / 2.0) ** 2


def cells_per_area(cells: float, diameter_cm: float) -> float:
    """Cell density (cells/cm^2) of ``cells`` spread on a disc of ``diameter_cm`` (cm)."""
    return cells / disc_area(diameter_cm)


def spheroids_needed(area_cm2: float, per_cm2: float) -> int:
    """Spheroids to implant on a defect of ``area_cm2`` (cm^2) at ``per_cm2`` (spheroids/cm^2)."""
    if area_cm2 < 0 or per_cm2 < 0:
        raise ValueError("area and dose must be non-negative")
    return math.ceil(round(area_cm2 * per_cm2, 9))


def within_label(area_cm2: float, per_cm2: float) -> bool:
    """True if a Spherox dose (spheroids/cm^2) and defect area (cm^2) are within the label."""
    lo, hi = SPHEROX_DOSE
    return lo <= per_cm2 <= hi and 0 < area_cm2 <= SPHEROX_MAX_AREA_CM2


# ----------------------------------------------------------------------------- figures

_C = plots.OKABE_ITO


def draw_expansion(biopsy_cells: float = 1e4, graft_cells: float = 1.2e6,
                   doubling_time_h: float = 30.0, stem_percent_start: float = 10.0,
                   renewal: float = 0.7) -> Figure:
    """Two panels: cells against culture days, and stem-cell share against doublings.

    Parameters
    ----------
    biopsy_cells : float
        Clonogenic cells recovered from the biopsy and seeded (cells).
    graft_cells : float
        Cells needed for the graft (cells).
    doubling_time_h : float
        Population doubling time (hours).
    stem_percent_start : float
        Stem-cell share at seeding (%).
    renewal : float
        Net self-renewal of stem-cell divisions (``p_ss - p_dd``).
    """
    pd_needed = max(0.0, population_doublings(graft_cells, biopsy_cells))
    days = culture_days(biopsy_cells, graft_cells, doubling_time_h)
    fig, (ax1, ax2) = plots.fixed_figure(1, 2, width=9.0, height=3.8, left=0.09, right=0.98,
                                   bottom=0.14, top=0.9, wspace=0.3)
    t = np.linspace(0, max(days * 1.25, 1.0), 200)
    ax1.plot(t, cells_at(t, biopsy_cells, doubling_time_h), color=_C["blue"], lw=2)
    ax1.axhline(graft_cells, color=plots.REFERENCE_COLOR, ls="--", lw=1)
    ax1.axvline(days, color=_C["grey"], ls=":", lw=1)
    ax1.set_yscale("log")
    plots.log_axis(ax1.yaxis)
    ax1.set_xlabel("days in culture")
    ax1.set_ylabel("cells")
    ax1.set_title(f"{pd_needed:.1f} doublings, {days:.1f} days")
    ax1.annotate("graft needs", (0, graft_cells), xytext=(3, 3), textcoords="offset points",
                 fontsize=9)

    n = np.linspace(0, max(pd_needed * 1.5, 2.0), 200)
    s = 100 * stem_fraction(n, stem_percent_start / 100, renewal)
    s_end = float(100 * stem_fraction(pd_needed, stem_percent_start / 100, renewal))
    ok = passes_potency(s_end)
    ax2.axhspan(0, P63_THRESHOLD_PERCENT, color=_C["vermillion"], alpha=0.12, lw=0)
    ax2.plot(n, s, color=_C["bluish green"], lw=2)
    ax2.axhline(P63_THRESHOLD_PERCENT, color=plots.REFERENCE_COLOR, ls="--", lw=1)
    ax2.axhline(HOLOCLAR_MEAN_STEM_PERCENT, color=_C["blue"], ls=":", lw=1.2)
    ax2.annotate(f"Holoclar average {HOLOCLAR_MEAN_STEM_PERCENT:g}% (SmPC range "
                 f"{HOLOCLAR_STEM_RANGE_PERCENT[0]:g}-{HOLOCLAR_STEM_RANGE_PERCENT[1]:g}%)",
                 (n[0], HOLOCLAR_MEAN_STEM_PERCENT), xytext=(4, 3),
                 textcoords="offset points", ha="left", fontsize=8, color=_C["blue"])
    ax2.plot([pd_needed], [s_end], "o", color=_C["bluish green"] if ok else _C["vermillion"],
             ms=8, mec="black")
    ax2.set_ylim(0, max(stem_percent_start * 1.1, 4.0))
    ax2.set_xlabel("population doublings")
    ax2.set_ylabel("stem cells (% of culture)")
    ax2.set_title(f"graft: {s_end:.1f}% stem cells ({'above' if ok else 'below'} 3%)")
    ax2.annotate("3% (clinical association, Rama 2010)", (n[0], P63_THRESHOLD_PERCENT),
                 xytext=(4, -11), textcoords="offset points", ha="left", fontsize=8)
    return fig


EXPANSION = Interactive("tissue-engineering-expansion", draw_expansion, {
    "biopsy_cells": Slider(1e4, 1e3, 1e6, 0.1, "clonogenic cells seeded", log=True),
    "graft_cells": Slider(1.2e6, 1e5, 1e8, 0.1, "cells needed for the graft", log=True),
    "doubling_time_h": Slider(30.0, 12.0, 96.0, 2.0, "doubling time (h)"),
    "stem_percent_start": Slider(10.0, 1.0, 30.0, 0.5, "stem cells at seeding (%)"),
    "renewal": Slider(0.7, 0.0, 1.0, 0.05, "net self-renewal p_ss - p_dd"),
})


def draw_dose(area_cm2: float = 4.0, per_cm2: float = 40.0) -> Figure:
    """Spherox spheroids needed against defect area, with the label band and a chosen dose.

    Parameters
    ----------
    area_cm2 : float
        Defect area (cm^2).
    per_cm2 : float
        Dose (spheroids per cm^2 of defect).
    """
    fig, ax = plots.fixed_figure(width=7.0, height=4.0, left=0.12, right=0.97, bottom=0.13, top=0.91)
    a = np.linspace(0, 20, 200)
    lo, hi = SPHEROX_DOSE
    ax.fill_between(a, lo * a, hi * a, where=a <= SPHEROX_MAX_AREA_CM2,
                    color=_C["bluish green"], alpha=0.25, lw=0, label="label: 10-70 per cm², ≤10 cm²")
    for name, (_, ahi) in SPHEROX_PHASE2_ARMS.items():
        ax.plot(a, ahi * a, color=_C["grey"], lw=0.8, ls=":")
        ax.annotate(f"{name} arm ≤{ahi}/cm²", (20, ahi * 20), xytext=(-2, 2),
                    textcoords="offset points", ha="right", fontsize=8, color=_C["grey"])
    ax.axvline(SPHEROX_MAX_AREA_CM2, color=plots.REFERENCE_COLOR, ls="--", lw=1)
    n = spheroids_needed(area_cm2, per_cm2)
    ok = within_label(area_cm2, per_cm2)
    ax.plot([area_cm2], [n], "o", ms=9, mec="black",
            color=_C["bluish green"] if ok else _C["vermillion"],
            label=f"{n} spheroids ({'within' if ok else 'outside'} label)")
    ax.set_xlim(0, 20)
    ax.set_ylim(0, 1450)
    ax.set_xlabel("defect area (cm²)")
    ax.set_ylabel("spheroids implanted")
    ax.set_title(f"{area_cm2:g} cm² at {per_cm2:g} spheroids/cm²")
    ax.legend(loc="upper left", fontsize=9)
    return fig


DOSE = Interactive("tissue-engineering-dose", draw_dose, {
    "area_cm2": Slider(4.0, 0.5, 20.0, 0.5, "defect area (cm²)"),
    "per_cm2": Slider(40.0, 1.0, 100.0, 1.0, "spheroids per cm²"),
})


def _box(ax, x, y, w, h, text, color, fontsize=8.5):
    ax.add_patch(FancyBboxPatch((x, y), w, h, boxstyle="round,pad=0.02,rounding_size=0.05",
                                fc=color, ec="black", lw=0.8))
    ax.text(x + w / 2, y + h / 2, text, ha="center", va="center", fontsize=fontsize, wrap=True)


def _arrow(ax, x0, x1, y):
    ax.add_patch(FancyArrowPatch((x0, y), (x1, y), arrowstyle="-|>", mutation_scale=12, lw=1))


#: What each product is made of, from biopsy to implant (SmPCs and EPAR summaries).
PRODUCT_STEPS = {
    "ChondroCelect": ("cartilage biopsy\n(knee)", "chondrocytes expanded;\nmarker profile checked",
                      "cell suspension under\na periosteal/collagen cover"),
    "MACI": ("cartilage biopsy\n(knee)", "chondrocytes expanded",
             "cells on a porcine collagen\nI/III membrane (device)"),
    "Holoclar": ("1-2 mm² limbal biopsy\n(healthy eye)", "epithelial cells expanded\n(contain stem cells)",
                 "epithelial sheet on a\n2.2 cm fibrin disc"),
    "Spherox": ("cartilage biopsy\n(knee)", "monolayer expansion,\nthen 3-D spheroids",
                "spheroids that self-adhere\nto the defect"),
}


def draw_products(classes: dict[str, str] | None = None) -> Figure:
    """Schematic of the four products: biopsy → culture → implanted form, coloured by class.

    Parameters
    ----------
    classes : dict, optional
        Product → ATMP class (from the data), used for the colour of the last box.
    """
    classes = classes or {}
    fig, ax = plots.new_figure(width=9.0, height=4.2)
    ax.set_axis_off()
    ax.set_xlim(0, 10)
    ax.set_ylim(0, len(PRODUCT_STEPS) + 0.4)
    for i, (name, steps) in enumerate(PRODUCT_STEPS.items()):
        y = len(PRODUCT_STEPS) - 1 - i + 0.15
        ax.text(0.0, y + 0.35, name, fontsize=10, fontweight="bold", va="center")
        colors = ["#EEEEEE", "#DDEEFF",
                  plots.CLASS_COLORS.get(classes.get(name, ""), "#FFFFFF")]
        for j, (text, color) in enumerate(zip(steps, colors, strict=True)):
            x = 1.9 + j * 2.75
            _box(ax, x, y, 2.3, 0.7, text, color if j < 2 else _lighten(color))
            if j:
                _arrow(ax, x - 0.42, x - 0.03, y + 0.35)
    for j, head in enumerate(["biopsy", "culture (weeks)", "what is implanted"]):
        ax.text(1.9 + j * 2.75 + 1.15, len(PRODUCT_STEPS) + 0.15, head, ha="center",
                fontsize=9.5, style="italic")
    return fig


def _lighten(hex_color: str, amount: float = 0.55) -> tuple[float, float, float]:
    import matplotlib.colors as mcolors

    r, g, b = mcolors.to_rgb(hex_color)
    return (r + (1 - r) * amount, g + (1 - g) * amount, b + (1 - b) * amount)


def draw_hierarchy() -> Figure:
    """Schematic of the keratinocyte clone hierarchy: holoclone → meroclone → paraclone, with p63."""
    fig, ax = plots.new_figure(width=8.0, height=2.8)
    ax.set_axis_off()
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 3)
    labels = [("holoclone\n(stem cell)", "p63 bright", _C["bluish green"]),
              ("meroclone\n(young transit-amplifying)", "p63 reduced", _C["sky blue"]),
              ("paraclone\n(late transit-amplifying)", "p63 undetectable", "#DDDDDD")]
    for i, (name, p63, color) in enumerate(labels):
        x = 0.3 + i * 3.4
        _box(ax, x, 1.2, 2.6, 1.1, name, _lighten(color, 0.3), fontsize=9)
        ax.text(x + 1.3, 0.85, p63, ha="center", fontsize=9, style="italic")
        if i:
            _arrow(ax, x - 0.75, x - 0.05, 1.75)
    ax.text(5.0, 2.75, "clonal evolution: growth potential falls with every step", ha="center",
            fontsize=9.5)
    ax.text(0.3, 0.35, "self-renewal keeps the stem pool; only holoclones regenerate a cornea "
            "for years", fontsize=8.5)
    return fig


def draw_evidence(evidence: pd.DataFrame) -> Figure:
    """Published results: KOOS change in SUMMIT (MACI vs microfracture), reoperations in the
    Spherox phase III trial (Spherox vs microfracture) and Holoclar's success rate.

    Parameters
    ----------
    evidence : DataFrame
        ``data.load("tissue-engineering-trials")``: one published number per row.
    """
    fig, (ax1, ax3, ax2) = plots.new_figure(1, 3, width=10.5, height=3.9,
                                            gridspec_kw={"width_ratios": [2, 1.1, 1]})
    summit = evidence[evidence["study"] == "SUMMIT"]
    colors = {"MACI": plots.CLASS_COLORS["combined"], "microfracture": _C["grey"]}
    styles = {"KOOS pain": "-", "KOOS function": "--"}
    for (arm, outcome), g in summit.groupby(["arm", "outcome"], sort=False):
        g = g.set_index("timepoint")["value"]
        ax1.plot([0, 2], [g["baseline"], g["2 years"]], styles[outcome], marker="o",
                 color=colors[arm], lw=2, label=f"{arm}, {outcome.split()[1]}")
    ax1.set_xticks([0, 2], ["baseline", "2 years"])
    ax1.set_ylabel("KOOS subscore (0-100, higher is better)")
    ax1.set_ylim(0, 100)
    ax1.set_title("MACI vs microfracture (SUMMIT)", fontsize=10)
    ax1.legend(fontsize=8.5, loc="upper left")
    sph = evidence[evidence["study"] == "phase III vs microfracture"]
    arms = ["Spherox", "microfracture"]
    n = sph[sph["outcome"] == "randomised"].set_index("arm")["value"]
    redo = sph[sph["outcome"] == "reoperation (treatment failure)"].set_index("arm")["value"]
    bars = [100 * redo[a] / n[a] for a in arms]
    ax3.bar(arms, bars, color=[plots.CLASS_COLORS["tissue engineered"], _C["grey"]])
    for x, a in enumerate(arms):
        ax3.text(x, bars[x] + 0.4, f"{int(redo[a])}/{int(n[a])}", ha="center", fontsize=9)
    ax3.set_ylim(0, max(max(bars) * 1.6, 5))
    ax3.set_ylabel("reoperated by 36 months (% randomised)")
    ax3.set_title("Spherox vs microfracture\n(phase III, defects 1-4 cm²)", fontsize=10)
    holo = evidence[evidence["study"] == "HLSTM01"].set_index("outcome")["value"]
    share = 100 * holo["successes"] / holo["treated"]
    ax2.bar(["Holoclar\n(HLSTM01)"], [share], color=plots.CLASS_COLORS["tissue engineered"])
    ax2.text(0, share + 2, f"{int(holo['successes'])}/{int(holo['treated'])}\n({share:.1f}%)",
             ha="center", fontsize=9)
    ax2.set_ylim(0, 100)
    ax2.set_ylabel("successful grafts at 1 year (%)")
    ax2.set_title("Limbal stem-cell grafts\n(uncontrolled)", fontsize=10)
    return fig
