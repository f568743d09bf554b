"""Four ways to make a medicine from biology, and what a batch of one costs (chapter ``outlook``).

* :data:`GROUPS` — what the product is: made from the patient's own cells (autologous), made from a
  donor's cells for one recipient, made in banked batches of donor cells for many patients, or no
  cells at all (a vector given in vivo); :func:`draw_routes` draws the four manufacturing routes;
* :func:`cost_per_patient` and the widget :data:`COST` — an *illustrative* model of why a batch
  made for one patient costs more per patient than a batch made for many.

The parameters of the cost model are teaching values (companies do not publish their
manufacturing costs), not estimates. The chapter's analyses of the record are in
:mod:`atmp.chapters.outlook`.

Examples
--------
>>> from atmp.models import cost
>>> cost.cost_per_patient(100_000, 1, 0.0, 5_000)
105000.0
>>> cost.cost_per_patient(100_000, 100, 0.0, 5_000)
6000.0
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from atmp import plots
from atmp.widgets import Interactive, Slider

#: The source groups, in the order the chapter shows them, and their colours.
#: Grouped by what the product is: made for one patient (from the patient's own cells, or from
#: a donor's cells for one recipient), made in banked batches from donor cells for many
#: patients, or containing no cells.
GROUPS = ("autologous cells", "donor cells, one patient", "donor cells, banked",
          "in vivo (no cells)")
GROUP_COLORS = {"autologous cells": plots.OKABE_ITO["vermillion"],
                "donor cells, one patient": plots.OKABE_ITO["reddish purple"],
                "donor cells, banked": plots.OKABE_ITO["orange"],
                "in vivo (no cells)": plots.OKABE_ITO["blue"]}


# ----------------------------------------------------------------------------- cost model


def cost_per_patient(batch_cost: float, doses_per_batch: float, failure_rate: float,
                     per_dose_cost: float) -> float:
    """Expected manufacturing cost per treated patient (illustrative model).

    A batch costs ``batch_cost`` and yields ``doses_per_batch`` doses; a fraction
    ``failure_rate`` of batches fails release and must be remade; each dose also costs
    ``per_dose_cost`` (fill, testing, shipping). Then

    ``cost = batch_cost / (doses_per_batch * (1 - failure_rate)) + per_dose_cost``.

    Parameters
    ----------
    batch_cost : float
        Cost of one manufacturing run (currency units).
    doses_per_batch : float
        Doses one run yields (1 for an autologous product), >= 1.
    failure_rate : float
        Share of runs that fail (0 <= f < 1).
    per_dose_cost : float
        Cost per released dose (currency units).

    Returns
    -------
    float
        Expected cost per treated patient (currency units).
    """
    if doses_per_batch < 1 or not (0 <= failure_rate < 1):
        raise ValueError("doses_per_batch must be >= 1 and failure_rate in [0, 1)")
    return batch_cost / (doses_per_batch * (1.0 - failure_rate)) + per_dose_cost


def draw_cost(batch_cost_k: float = 100.0, failure_rate: float = 0.1,
              per_dose_cost_k: float = 5.0, allogeneic_doses: float = 100.0) -> Figure:
    """Cost per treated patient against doses per batch, autologous (1) vs allogeneic (many).

    Parameters
    ----------
    batch_cost_k : float
        Cost of one manufacturing run (thousand currency units; illustrative).
    failure_rate : float
        Share of runs that fail release.
    per_dose_cost_k : float
        Cost per released dose (thousand currency units; illustrative).
    allogeneic_doses : float
        Doses per allogeneic run.
    """
    fig, ax = plots.fixed_figure(width=7.0, height=4.0, left=0.12, right=0.97, bottom=0.13,
                                 top=0.91)
    d = np.logspace(0, 4, 200)
    c = [cost_per_patient(batch_cost_k, x, failure_rate, per_dose_cost_k) for x in d]
    ax.plot(d, c, color=plots.OKABE_ITO["black"], lw=1.5)
    auto = cost_per_patient(batch_cost_k, 1, failure_rate, per_dose_cost_k)
    allo = cost_per_patient(batch_cost_k, allogeneic_doses, failure_rate, per_dose_cost_k)
    ax.plot([1], [auto], "o", ms=10, mec="black", color=GROUP_COLORS["autologous cells"],
            label=f"autologous: 1 dose per run → {auto:,.0f}k")
    ax.plot([allogeneic_doses], [allo], "s", ms=10, mec="black",
            color=GROUP_COLORS["donor cells, banked"],
            label=f"allogeneic: {allogeneic_doses:,.0f} doses per run → {allo:,.1f}k")
    ax.axhline(per_dose_cost_k, color=plots.OKABE_ITO["grey"], ls="--", lw=1)
    ax.annotate("floor: cost per dose", (1e4, per_dose_cost_k), xytext=(-2, 3),
                textcoords="offset points", ha="right", fontsize=9)
    ax.set_xscale("log")
    ax.set_yscale("log")
    plots.log_axis(ax.xaxis)
    plots.log_axis(ax.yaxis)
    ax.set_xlabel("doses per manufacturing run")
    ax.set_ylabel("cost per treated patient (thousands)")
    ax.set_title("Illustrative manufacturing cost, not published prices")
    ax.legend(fontsize=9, loc="upper right")
    return fig


#: The cost widget (static twin glued as ``outlook-cost``).
COST = Interactive("outlook-cost", draw_cost, {
    "batch_cost_k": Slider(100.0, 10.0, 1000.0, 10.0, "cost of one run (thousands)"),
    "failure_rate": Slider(0.1, 0.0, 0.5, 0.01, "share of runs that fail"),
    "per_dose_cost_k": Slider(5.0, 0.5, 50.0, 0.5, "cost per dose (thousands)"),
    "allogeneic_doses": Slider(100.0, 2.0, 10_000.0, 0.1, "doses per allogeneic run", log=True),
})


# ----------------------------------------------------------------------------- schematic


def _box(ax, x, y, w, h, text, color):
    ax.add_patch(FancyBboxPatch((x, y), w, h, boxstyle="round,pad=0.02,rounding_size=0.05",
                                fc=color, ec="black", lw=0.8))
    ax.text(x + w / 2, y + h / 2, text, ha="center", va="center", fontsize=8.5)


#: The steps of each manufacturing route, as the routes schematic draws them.
ROUTES = {
    "autologous cells": ["patient's cells\ncollected", "made for this\npatient (weeks)",
                         "returned to the\nsame patient"],
    "donor cells, one patient": ["one donor's cells\n(for one recipient)",
                                 "made for this\npatient", "given to that\none patient"],
    "donor cells, banked": ["donor cells\n(one donor)", "one run makes\nmany doses (banked)",
                            "given to many\npatients"],
    "in vivo (no cells)": ["vector made in\nlarge batches", "vial shipped\n(off the shelf)",
                           "patient's own cells\nchanged in the body"],
}


def draw_routes() -> Figure:
    """Schematic of the four manufacturing routes: autologous, donor cells for one patient,
    banked donor cells, and in vivo."""
    fig, ax = plots.new_figure(width=9.0, height=4.4)
    ax.set_axis_off()
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 4.25)
    for i, (name, steps) in enumerate(ROUTES.items()):
        y = 3.25 - i * 1.05
        ax.text(0.0, y + 0.3, name, fontsize=9.5, fontweight="bold", va="center",
                color=GROUP_COLORS[name])
        for j, text in enumerate(steps):
            x = 2.3 + j * 2.6
            _box(ax, x, y, 2.1, 0.6, text, "#F4F4F4" if j != 1 else "#E4EEF8")
            if j:
                ax.add_patch(FancyArrowPatch((x - 0.48, y + 0.3), (x - 0.03, y + 0.3),
                                             arrowstyle="-|>", mutation_scale=12, lw=1))
    return fig
