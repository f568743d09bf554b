"""Precision medicine and what comes next: the whole record, read for its lessons (chapter ``outlook``).

Everything about products is computed from ``data/atmps.csv`` and ``data/events.csv``:

* :func:`source_group` sorts products by where the therapeutic material comes from — the
  patient's own cells (autologous), a donor's cells (allogeneic), or no cells at all (a vector
  given in vivo);
* :func:`attrition_table` and :func:`exit_reasons` — how many of each group left the market,
  how soon and why; :func:`fit_by_group` and :func:`draw_time_on_market` — Kaplan–Meier time on
  the market by group (reusing :mod:`atmp.regulation`);
* :func:`load_prices` and :func:`draw_prices` — published list prices (``data/outlook-prices.csv``,
  every row with its source);
* :func:`cost_per_patient` and the widget :data:`COST` — an *illustrative* model of why a batch
  made for one patient costs more per patient than a batch made for many.

Examples
--------
>>> from atmp import outlook
>>> outlook.cost_per_patient(100_000, 1, 0.0, 5_000)
105000.0
>>> outlook.cost_per_patient(100_000, 100, 0.0, 5_000)
6000.0
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from atmp import plots, regulation
from atmp.widgets import Interactive, Slider

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
PRICES_FILE = DATA_DIR / "outlook-prices.csv"

GROUPS = ("autologous cells", "allogeneic cells", "in vivo (no cells)")
GROUP_COLORS = {"autologous cells": plots.OKABE_ITO["vermillion"],
                "allogeneic cells": plots.OKABE_ITO["orange"],
                "in vivo (no cells)": plots.OKABE_ITO["blue"]}

#: Keywords that sort a free-text ``status_reason`` into a reason category (first match wins).
REASON_KEYWORDS = (
    ("efficacy (confirmatory trial failed)", ("trial failed", "efficacy")),
    ("manufacturing", ("manufactur", "site closed")),
    ("commercial", ("commercial", "demand", "not renewed by the holder")),
)


def source_group(atmps: pd.DataFrame) -> pd.Series:
    """Where each product's active material comes from, from the ``cell_source`` column.

    Returns
    -------
    Series of str
        ``autologous cells``, ``allogeneic cells`` or ``in vivo (no cells)`` (empty
        ``cell_source``: a vector or virus given to the patient).
    """
    src = atmps["cell_source"].astype(object).fillna("").astype(str).str.strip().str.lower()
    out = pd.Series("in vivo (no cells)", index=atmps.index, dtype=object)
    out[src.str.startswith("autologous")] = "autologous cells"
    out[src.str.startswith("allogeneic")] = "allogeneic cells"
    return out


def reason_category(reason: str) -> str:
    """Sort a free-text reason for leaving the market into a category (``other`` if none fits)."""
    text = (reason or "").lower()
    for category, words in REASON_KEYWORDS:
        if any(w in text for w in words):
            return category
    return "other"


def group_table(atmps: pd.DataFrame) -> pd.DataFrame:
    """Every product with its source group, class, family, decision date and status, by group."""
    df = pd.DataFrame({
        "group": source_group(atmps),
        "product": atmps["product"],
        "class": atmps["atmp_class"].astype(str),
        "family": atmps["mechanism_family"].astype(str),
        "authorised": atmps["ec_decision_date"].dt.date,
        "status": atmps["status"].astype(str),
    })
    df["group"] = pd.Categorical(df["group"], categories=GROUPS)
    return df.sort_values(["group", "authorised"], ignore_index=True)


def attrition_table(atmps: pd.DataFrame, events: pd.DataFrame, as_of) -> pd.DataFrame:
    """Products, exits and time on the market by source group (and in total).

    Returns
    -------
    DataFrame
        Index: the groups and ``all``; columns ``products``, ``left the market``,
        ``share left`` (0-1), ``median years to exit`` (among those that left; NaN if none).
    """
    tom = regulation.time_on_market(atmps, events, as_of)
    tom["group"] = tom["product"].map(dict(zip(atmps["product"], source_group(atmps),
                                               strict=True)))
    rows = {}
    for name, g in [*((grp, tom[tom["group"] == grp]) for grp in GROUPS), ("all", tom)]:
        left = g[g["left_market"]]
        rows[name] = {"products": len(g), "left the market": len(left),
                      "share left": len(left) / len(g) if len(g) else float("nan"),
                      "median years to exit": float(left["years"].median()) if len(left)
                      else float("nan")}
    return pd.DataFrame(rows).T.astype({"products": int, "left the market": int})


def exit_reasons(atmps: pd.DataFrame) -> pd.DataFrame:
    """Products that left the market, with their group, status, date and reason category."""
    gone = atmps[atmps["status"].astype(str) != "authorised"]
    out = pd.DataFrame({
        "product": gone["product"],
        "group": source_group(atmps).loc[gone.index],
        "status": gone["status"].astype(str),
        "left": gone["status_date"].dt.date,
        "reason (data)": gone["status_reason"],
        "category": gone["status_reason"].map(reason_category),
    })
    return out.sort_values("left", ignore_index=True)


def fit_by_group(atmps: pd.DataFrame, events: pd.DataFrame, as_of) -> dict:
    """Kaplan–Meier fits of time on the market, one per source group (see :mod:`regulation`)."""
    tom = regulation.time_on_market(atmps, events, as_of)
    groups = tom["product"].map(dict(zip(atmps["product"], source_group(atmps), strict=True)))
    return {g: (regulation.fit_time_on_market(tom[groups == g], label=g), tom[groups == g])
            for g in GROUPS if (groups == g).any()}


def draw_time_on_market(fits: dict) -> Figure:
    """Kaplan–Meier curves of still being on the market, by source group.

    Parameters
    ----------
    fits : dict
        From :func:`fit_by_group`.
    """
    fig, ax = plots.new_figure(width=7.0, height=4.0)
    for name, (kmf, tom) in fits.items():
        sf = kmf.survival_function_
        ax.step(sf.index, sf.iloc[:, 0], where="post", color=GROUP_COLORS[name], lw=2,
                label=f"{name} (n={len(tom)}, {int(tom['left_market'].sum())} left)")
        cens = tom[~tom["left_market"]]
        ax.plot(cens["years"], regulation.survival_at(kmf, cens["years"]), "|",
                color=GROUP_COLORS[name], ms=9)
    ax.set_ylim(0, 1.05)
    ax.set_xlabel("years since the initial Commission decision")
    ax.set_ylabel("probability still on the market")
    ax.legend(fontsize=9, loc="lower left")
    return fig



def _lean_log(axis) -> None:
    """Decade ticks only on a log axis (minor tick labels make redraws several times slower)."""
    from matplotlib.ticker import LogLocator, NullLocator

    axis.set_major_locator(LogLocator(base=10, numticks=8))
    axis.set_minor_locator(NullLocator())

# ----------------------------------------------------------------------------- prices


def load_prices() -> pd.DataFrame:
    """Published list prices, one row per product and country, each with its source URL."""
    return pd.read_csv(PRICES_FILE)


def draw_prices(prices: pd.DataFrame, atmps: pd.DataFrame) -> Figure:
    """Horizontal bars of list prices (log scale), coloured by ATMP class."""
    cls = dict(zip(atmps["product"], atmps["atmp_class"].astype(str), strict=True))
    p = prices.sort_values("price")
    fig, ax = plots.new_figure(width=7.0, height=0.6 * len(p) + 1.4)
    colors = [plots.class_color(cls[x]) for x in p["product"]]
    ax.barh(p["product"], p["price"], color=colors)
    for y, (v, cur) in enumerate(zip(p["price"], p["currency"], strict=True)):
        ax.text(v * 1.1, y, f"{'£' if cur == 'GBP' else cur + ' '}{v:,.0f}", va="center",
                fontsize=9)
    ax.set_xscale("log")
    _lean_log(ax.xaxis)
    ax.set_xlim(p["price"].min() / 2, p["price"].max() * 8)
    ax.set_xlabel(f"list price ({p['currency'].iloc[0]}, log scale)")
    ax.grid(axis="y", visible=False)
    return fig


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
    fig, ax = plots.fixed_figure(width=7.0, height=4.0, left=0.12, right=0.97, bottom=0.13, top=0.91)
    d = np.logspace(0, 4, 200)
    c = [cost_per_patient(batch_cost_k, x, failure_rate, per_dose_cost_k) for x in d]
    ax.plot(d, c, color=plots.OKABE_ITO["black"], lw=1.5)
    auto = cost_per_patient(batch_cost_k, 1, failure_rate, per_dose_cost_k)
    allo = cost_per_patient(batch_cost_k, allogeneic_doses, failure_rate, per_dose_cost_k)
    ax.plot([1], [auto], "o", ms=10, mec="black", color=GROUP_COLORS["autologous cells"],
            label=f"autologous: 1 dose per run → {auto:,.0f}k")
    ax.plot([allogeneic_doses], [allo], "s", ms=10, mec="black",
            color=GROUP_COLORS["allogeneic cells"],
            label=f"allogeneic: {allogeneic_doses:,.0f} doses per run → {allo:,.1f}k")
    ax.axhline(per_dose_cost_k, color=plots.OKABE_ITO["grey"], ls="--", lw=1)
    ax.annotate("floor: cost per dose", (1e4, per_dose_cost_k), xytext=(-2, 3),
                textcoords="offset points", ha="right", fontsize=9)
    ax.set_xscale("log")
    ax.set_yscale("log")
    _lean_log(ax.xaxis)
    _lean_log(ax.yaxis)
    ax.set_xlabel("doses per manufacturing run")
    ax.set_ylabel("cost per treated patient (thousands)")
    ax.set_title("Illustrative manufacturing cost, not published prices")
    ax.legend(fontsize=9, loc="upper right")
    return fig


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


def draw_routes() -> Figure:
    """Schematic of the three manufacturing routes: autologous, allogeneic and in vivo."""
    routes = {
        "autologous cells": ["patient's cells\ncollected", "made for this\npatient (weeks)",
                             "returned to the\nsame patient"],
        "allogeneic cells": ["donor cells\n(one donor)", "one run makes\nmany doses (banked)",
                             "given to many\nmatched patients"],
        "in vivo (no cells)": ["vector made in\nlarge batches", "vial shipped\n(off the shelf)",
                               "patient's own cells\nchanged in the body"],
    }
    fig, ax = plots.new_figure(width=9.0, height=3.4)
    ax.set_axis_off()
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 3.2)
    for i, (name, steps) in enumerate(routes.items()):
        y = 2.2 - i * 1.05
        ax.text(0.0, y + 0.3, name, fontsize=9.5, fontweight="bold", va="center",
                color=GROUP_COLORS[name])
        for j, text in enumerate(steps):
            x = 2.3 + j * 2.6
            _box(ax, x, y, 2.1, 0.6, text, "#F4F4F4" if j != 1 else "#E4EEF8")
            if j:
                ax.add_patch(FancyArrowPatch((x - 0.48, y + 0.3), (x - 0.03, y + 0.3),
                                             arrowstyle="-|>", mutation_scale=12, lw=1))
    return fig


def outlook_facts(atmps: pd.DataFrame, events: pd.DataFrame, as_of) -> dict:
    """Numbers the outlook prose glues (all computed from the data)."""
    att = attrition_table(atmps, events, as_of)
    reasons = exit_reasons(atmps)
    counts = reasons["category"].value_counts()
    grp = source_group(atmps)
    return {
        "ol_n": int(att.loc["all", "products"]),
        "ol_n_left": int(att.loc["all", "left the market"]),
        "ol_share_left": f"{100 * att.loc['all', 'share left']:.0f}%",
        "ol_n_auto": int((grp == "autologous cells").sum()),
        "ol_n_allo": int((grp == "allogeneic cells").sum()),
        "ol_n_invivo": int((grp == "in vivo (no cells)").sum()),
        "ol_share_left_auto": _pct(att.loc["autologous cells", "share left"]),
        "ol_share_left_allo": _pct(att.loc["allogeneic cells", "share left"]),
        "ol_share_left_invivo": _pct(att.loc["in vivo (no cells)", "share left"]),
        "ol_median_exit": f"{att.loc['all', 'median years to exit']:.1f}",
        "ol_n_commercial": int(counts.get("commercial", 0)),
        "ol_n_manufacturing": int(counts.get("manufacturing", 0)),
        "ol_n_efficacy": int(counts.get("efficacy (confirmatory trial failed)", 0)),
    }


def _pct(x: float) -> str:
    return "n/a" if math.isnan(x) else f"{100 * x:.0f}%"
