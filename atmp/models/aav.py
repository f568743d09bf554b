"""In vivo gene therapy with AAV: label arithmetic, episome dilution and loss, durability.

Three small models, each with a drawing function and a module-level widget (docs/architecture.md §7):

* **dose → volume** (:func:`dose_volume_ml`, :func:`vials_needed`): the label arithmetic of each
  product, from ``data/aav-gene-therapy-vectors.csv``;
* **episome dilution by liver growth** (:func:`episomes_per_cell`, :func:`fraction_with_genome`):
  AAV genomes persist as non-replicating episomes, so cell division dilutes them and cell
  turnover removes them. The mean per cell is exact; ``1 - exp(-c)`` is exact only for one
  Poisson population and, once cells have different division histories, an *upper bound* on
  the fraction of cells with a genome. The exact population formula, the chapter's episome
  widget and defaults from human data are in :mod:`atmp.models.aav_episome`;
* **first-order decline of transgene output** (:func:`first_order`, :func:`half_life`): factor
  activity set against published durability data (FVIII after valoctocogene roxaparvovec, FIX
  after etranacogene dezaparvovec).

Examples
--------
>>> float(dose_volume_ml(6e13, 2e13, weight_kg=70))   # Roctavian, 70 kg
210.0
>>> vials_needed(210, 8)
27
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from atmp import data, plots
from atmp.text import sci
from atmp.widgets import Choice, Interactive, Slider

#: The chapter's tables in ``data/`` (read with :func:`atmp.data.load`).
VECTORS = "aav-gene-therapy-vectors"
DURABILITY = "aav-gene-therapy-durability"
TRIALS = "aav-gene-therapy-trials"

#: FVIII "production system" half-life after valoctocogene roxaparvovec, from week 76 on,
#: weeks (95% CI 84-232), Mahlangu et al., N Engl J Med 2023, doi:10.1056/NEJMoa2211075.
FVIII_HALF_LIFE_WEEKS = 123.0
#: Mean hepatocyte age in adult humans is under 3 years (Heinke et al., Cell Systems 2022,
#: doi:10.1016/j.cels.2022.05.001). A mean age of a mixed population, *not* the rate at which
#: vector genomes are lost: human FIX data rule out a 3-year loss time (see
#: :mod:`atmp.models.aav_episome`). Kept as the low end of what the exercises explore, years.
HEPATOCYTE_LIFETIME_YEARS = 3.0


# ----------------------------------------------------------------------------- dose arithmetic


def dose_volume_ml(dose: float, concentration: float, weight_kg: float = 1.0) -> float:
    """Volume of a vector solution that delivers a dose.

    Parameters
    ----------
    dose : float
        Dose in vector genomes per kg (pass ``weight_kg``) or in total vector genomes
        (leave ``weight_kg=1``).
    concentration : float
        Vector genomes per mL of the solution given.
    weight_kg : float
        Body weight, kg.

    Returns
    -------
    float or array
        Volume, mL: ``dose * weight_kg / concentration``.
    """
    if dose < 0 or concentration <= 0 or np.any(np.asarray(weight_kg) < 0):
        raise ValueError("dose and weight must be >= 0 and concentration > 0")
    return dose * np.asarray(weight_kg, dtype=float) / concentration


def vials_needed(volume_ml: float, vial_ml: float) -> int:
    """Whole vials to thaw or open for a volume (rounded up), e.g. 210 mL / 8 mL → 27."""
    if vial_ml <= 0 or volume_ml < 0:
        raise ValueError("vial volume must be > 0 and volume >= 0")
    return math.ceil(round(volume_ml / vial_ml, 9))


def total_genomes(dose: float, weight_kg: float) -> float:
    """Vector genomes given to a patient: per-kg dose (vg/kg) times body weight (kg)."""
    return dose * weight_kg


def per_kg_products(vectors: pd.DataFrame) -> pd.DataFrame:
    """Products dosed per kg with a known concentration (those the dose widget can compute)."""
    ok = (vectors["dose_basis"] == "per kg") & vectors["concentration_per_ml"].notna()
    return vectors[ok].reset_index(drop=True)


def draw_dose(product: str = "Roctavian", weight_kg: float = 70.0):
    """Infusion volume against body weight for a per-kg AAV product, with one patient marked.

    Parameters
    ----------
    product : str
        A product dosed per kg with a known concentration (see :func:`per_kg_products`).
    weight_kg : float
        The patient's body weight, kg.
    """
    vec = per_kg_products(data.load(VECTORS)).set_index("product").loc[product]
    weights = np.linspace(0, 120, 121)
    volumes = dose_volume_ml(vec["dose"], vec["concentration_per_ml"], weights)
    vol = dose_volume_ml(vec["dose"], vec["concentration_per_ml"], weight_kg)
    fig, ax = plots.fixed_figure(width=6.2, height=3.3, right=0.97, bottom=0.14)
    ax.plot(weights, volumes, color=plots.family_color("in vivo AAV"), lw=2)
    ax.plot([weight_kg], [vol], "o", color=plots.REFERENCE_COLOR)
    note = f"{vol:.0f} mL = {sci(total_genomes(vec['dose'], weight_kg), 'vg')}"
    if not math.isnan(vec["vial_ml"]):
        note += f"; {vials_needed(vol, vec['vial_ml'])} vials of {vec['vial_ml']:g} mL"
    ax.text(0.03, 0.95, f"{weight_kg:g} kg: {note}", transform=ax.transAxes, va="top")
    ax.set_xlabel("body weight (kg)")
    ax.set_ylabel("infusion volume (mL)")
    ax.set_title(f"{product}: {sci(vec['dose'], 'vg/kg')} at {sci(vec['concentration_per_ml'], 'vg/mL')}")
    ax.set_xlim(0, 120)
    ax.set_ylim(0, max(volumes.max(), vol) * 1.1)
    return fig


# ----------------------------------------------------------------------------- episomes


def fraction_with_genome(mean_genomes: np.ndarray | float) -> np.ndarray | float:
    """Fraction of cells with at least one vector genome if genomes per cell are one Poisson.

    Exact at dosing and after one synchronous round of division (Poisson thinning). Once cells
    have divided different numbers of times the genomes per cell are a *mixture* of Poissons and
    ``1 - exp(-mean)`` is only an upper bound (Jensen);
    :func:`atmp.models.aav_episome.fraction_with_genome` gives the exact population value.

    Parameters
    ----------
    mean_genomes : float or array
        Mean vector genomes per cell (≥ 0).

    Returns
    -------
    float or array
        ``1 - exp(-mean_genomes)``.
    """
    return -np.expm1(-np.asarray(mean_genomes, dtype=float))


def episomes_per_cell(t_years, c0: float, lifetime_years: float | None = None,
                      growth_fold: float = 1.0, growth_years: float = 15.0):
    """Mean vector genomes per hepatocyte after a single dose.

    Episomes do not replicate. Cells that die take theirs with them (rate ``1/lifetime``), and
    growth of the organ spreads the same episomes over more cells::

        c(t) = c0 * exp(-t / lifetime) * N0 / N(t)
        N(t) / N0 = growth_fold ** (min(t, growth_years) / growth_years)

    Parameters
    ----------
    t_years : float or array
        Time since dosing, years.
    c0 : float
        Mean vector genomes per cell shortly after dosing.
    lifetime_years : float or None
        Mean hepatocyte lifetime, years (``None``: no turnover).
    growth_fold : float
        How many times larger the liver (cell number) becomes while the child grows (1 = adult).
    growth_years : float
        Years over which that growth happens (exponential, then flat).

    Returns
    -------
    float or array
        Mean vector genomes per cell.
    """
    t = np.asarray(t_years, dtype=float)
    if c0 < 0 or growth_fold < 1 or growth_years <= 0:
        raise ValueError("c0 >= 0, growth_fold >= 1 and growth_years > 0 are required")
    loss = np.ones_like(t) if lifetime_years is None else np.exp(-t / lifetime_years)
    growth = growth_fold ** (np.minimum(t, growth_years) / growth_years)
    return c0 * loss / growth


def thinning_fraction(c0: float, survive: float) -> float:
    """Fraction of cells keeping ≥ 1 genome when each genome survives with probability ``survive``.

    A Poisson(c0) number of genomes, each kept independently with probability p, is again
    Poisson with mean ``c0 * p`` (Poisson thinning), so the answer is ``1 - exp(-c0 p)``. A
    daughter cell inherits each of its mother's episomes with p = 1/2.
    """
    if not 0 <= survive <= 1:
        raise ValueError("survive is a probability")
    return float(fraction_with_genome(c0 * survive))


def draw_episomes(c0: float = 3.0, lifetime_years: float | None = None,
                  growth_fold: float = 1.0, years: float = 10.0):
    """Upper bound on the fraction of hepatocytes still carrying a genome, with liver growth.

    Plots ``1 - exp(-c(t))`` from the exact mean :func:`episomes_per_cell`: with cells of
    different division histories this is an upper bound, and the figure says so.

    Parameters
    ----------
    c0 : float
        Mean vector genomes per hepatocyte after dosing.
    lifetime_years : float or None
        Mean hepatocyte lifetime, years (``None``: no turnover).
    growth_fold : float
        Fold growth of the liver after dosing (1 = adult, larger for a child).
    years : float
        Time shown, years.
    """
    t = np.linspace(0, years, 120)
    fig, ax = plots.fixed_figure(width=6.4, height=3.4, right=0.97, bottom=0.14)
    blue = plots.family_color("in vivo AAV")
    c_now = episomes_per_cell(t, c0, lifetime_years, growth_fold)
    c_static = episomes_per_cell(t, c0, None, growth_fold)
    ax.plot(t, 100 * fraction_with_genome(c_now), color=blue, lw=2,
            label="turnover" + (" and growth" if growth_fold > 1 else ""))
    ax.plot(t, 100 * fraction_with_genome(c_static), color=plots.OKABE_ITO["orange"], ls="--",
            label="growth only" if growth_fold > 1 else "no turnover")
    ax.set_ylim(0, 100)
    ax.set_xlim(0, years)
    ax.set_xlabel("years after dosing")
    ax.set_ylabel("≥1 genome, upper bound (%)")
    ax.set_title(f"mean genomes per cell: {c0:g} at dosing, {sci(c_now[-1])} after {years:g} y",
                 fontsize=10, fontweight="normal")
    ax.legend(fontsize=8.5, loc="lower left")
    return fig


# ----------------------------------------------------------------------------- durability


def first_order(t, level0: float, t_half: float, t0: float = 0.0):
    """First-order decline: ``level0 * 2 ** (-(t - t0) / t_half)`` (same time unit throughout)."""
    if t_half <= 0:
        raise ValueError("half-life must be > 0")
    return level0 * np.exp2(-(np.asarray(t, dtype=float) - t0) / t_half)


def half_life(t1: float, y1: float, t2: float, y2: float) -> float:
    """Half-life implied by two levels on a first-order decline (``inf`` if not declining)."""
    if y1 <= 0 or y2 <= 0 or t2 <= t1:
        raise ValueError("levels must be > 0 and t2 > t1")
    if y2 >= y1:
        return math.inf
    return (t2 - t1) * math.log(2) / math.log(y1 / y2)


def time_to_threshold(level0: float, threshold: float, t_half: float) -> float:
    """Time for a first-order decline from ``level0`` to reach ``threshold`` (0 if already below)."""
    if level0 <= threshold:
        return 0.0
    return t_half * math.log2(level0 / threshold)


def observed_half_lives(durability: pd.DataFrame | None = None) -> dict[str, float]:
    """Half-life (weeks) between the first and last published mean of each product."""
    d = data.load(DURABILITY) if durability is None else durability
    out = {}
    for product, g in d.sort_values("weeks").groupby("product"):
        a, b = g.iloc[0], g.iloc[-1]
        out[product] = half_life(a["weeks"], a["mean_iu_dl"], b["weeks"], b["mean_iu_dl"])
    return out


def draw_durability(fviii_half_life_weeks: float = FVIII_HALF_LIFE_WEEKS,
                    fix_half_life_years: float = 40.0, years: float = 10.0,
                    threshold: float = 5.0):
    """Published mean FVIII (valoctocogene) and FIX (etranacogene) activity, projected forward.

    Dots are published trial means, joined by thin lines; the thick line projects each product
    forward from its last published mean with a first-order decline.

    Parameters
    ----------
    fviii_half_life_weeks : float
        Half-life of FVIII output, weeks.
    fix_half_life_years : float
        Half-life of FIX output, years.
    years : float
        Time shown, years.
    threshold : float
        Activity (IU/dL) marked as a reference line.
    """
    d = data.load(DURABILITY)
    t = np.linspace(0, years * 52.18, 150)
    fig, ax = plots.fixed_figure(width=6.4, height=3.5, right=0.97, bottom=0.14)
    styles = {"Roctavian": (plots.OKABE_ITO["vermillion"], "FVIII, valoctocogene roxaparvovec",
                            fviii_half_life_weeks),
              "Hemgenix": (plots.OKABE_ITO["blue"], "FIX, etranacogene dezaparvovec",
                           fix_half_life_years * 52.18)}
    for product, (color, label, th) in styles.items():
        g = d[d["product"] == product].sort_values("weeks")
        w1, y1 = g["weeks"].iloc[-1], g["mean_iu_dl"].iloc[-1]
        tt = t[t >= w1]
        ax.plot(g["weeks"] / 52.18, g["mean_iu_dl"], color=color, lw=0.8)
        ax.plot(tt / 52.18, first_order(tt, y1, th, w1), color=color, lw=2, label=label)
        ax.plot(g["weeks"] / 52.18, g["mean_iu_dl"], "o", color=color, mec="black", ms=7)
    ax.axhline(threshold, color=plots.REFERENCE_COLOR, ls=":", lw=1)
    ax.annotate(f"{threshold:g} IU/dL", (years, threshold), ha="right", va="bottom", fontsize=9)
    ax.set_xlabel("years after infusion")
    ax.set_ylabel("mean factor activity (IU/dL)")
    ax.set_xlim(0, years)
    ax.set_ylim(0, 50)
    ax.legend(loc="upper right", fontsize=9)
    ax.set_title("Dots: published trial means; thick lines: first-order projection", fontsize=10,
                 fontweight="normal")
    return fig


# ----------------------------------------------------------------------------- schematics


def draw_genome_maps(vectors: pd.DataFrame | None = None):
    """Vector genome map of each AAV product (not to scale): ITR–promoter–transgene–polyA–ITR.

    A self-complementary genome is drawn as two copies of the cassette, head to head, joined by
    the mutated central ITR that lets it fold back on itself.
    """
    v = data.load(VECTORS) if vectors is None else vectors
    fig, ax = plots.new_figure(width=8.5, height=0.55 * len(v) + 0.8)
    ax.set_axis_off()
    colors = {"ITR": plots.OKABE_ITO["black"], "promoter": plots.OKABE_ITO["orange"],
              "transgene": plots.OKABE_ITO["blue"], "extra": plots.OKABE_ITO["bluish green"],
              "pA": plots.OKABE_ITO["grey"]}
    for i, row in enumerate(v.itertuples()):
        y = len(v) - 1 - i
        parts = [("ITR", "ITR", 0.35), ("promoter", _short(row.promoter, "promoter"), 1.6),
                 ("transgene", row.transgene, 2.2)]
        if isinstance(row.extra_element, str) and row.extra_element:
            parts.append(("extra", row.extra_element, 0.8))
        parts += [("pA", "polyA", 0.7), ("ITR", "ITR", 0.35)]
        x = 2.0
        if row.genome == "self-complementary":
            parts = parts[:-1] + [("ITR", "ΔITR", 0.45)] + [
                (k, "", w) for k, _, w in reversed(parts[1:-1])] + [("ITR", "ITR", 0.35)]
        for kind, label, w in parts:
            ax.add_patch(_box(x, y, w, colors[kind], hatch=None if label else "//"))
            if label:
                ax.text(x + w / 2, y, label, ha="center", va="center", fontsize=7.5,
                        color="white" if kind in ("ITR", "transgene") else "black")
            x += w
        ax.text(1.9, y, f"{row.product} ({row.capsid})", ha="right", va="center", fontsize=9)
    ax.set_xlim(-1.2, 12.5)
    ax.set_ylim(-0.7, len(v) - 0.3)
    ax.set_title("AAV vector genomes (not to scale); hatched: complementary strand", fontsize=10)
    return fig


def _short(text, fallback: str) -> str:
    if not isinstance(text, str) or not text:
        return f"{fallback} (n/s)"
    return text.split(" (")[0].replace("CMV enhancer/chicken beta-actin", "CMV/CBA").replace(
        "CMV immediate-early", "CMV IE")


def _box(x, y, w, color, hatch=None):
    from matplotlib.patches import Rectangle

    return Rectangle((x, y - 0.3), w, 0.6, facecolor=color, edgecolor=plots.edge(color), lw=1,
                     hatch=hatch, alpha=0.55 if hatch else 1.0)


# ----------------------------------------------------------------------------- evidence


def draw_trials(trials: pd.DataFrame | None = None):
    """Pivotal results: milestones reached (treated vs control) and bleeding rates (before/after)."""
    t = data.load(TRIALS) if trials is None else trials
    fig, (ax1, ax2) = plots.new_figure(1, 2, width=8.5, height=3.6)
    blue, grey = plots.family_color("in vivo AAV"), plots.OKABE_ITO["grey"]
    m = t[t["kind"] == "milestone"].reset_index(drop=True)
    x = np.arange(len(m))
    treated = 100 * m["treated"] / m["treated_n"]
    control = 100 * m["control"] / m["control_n"]
    ax1.bar(x - 0.2, treated, 0.4, color=blue, label="treated")
    ax1.bar(x + 0.2, control, 0.4, color=grey, label="control")
    for xi, (a, n) in enumerate(zip(m["treated"], m["treated_n"], strict=True)):
        ax1.annotate(f"{a:.0f}/{n:.0f}", (xi - 0.2, 100 * a / n), ha="center", va="bottom",
                     fontsize=8.5)
    for xi, (a, n) in enumerate(zip(m["control"], m["control_n"], strict=True)):
        ax1.annotate(f"{a:.0f}/{n:.0f}", (xi + 0.2, 100 * a / n), ha="center", va="bottom",
                     fontsize=8.5)
    ax1.set_xticks(x, m["product"])
    ax1.set_ylabel("patients reaching the milestone (%)")
    ax1.set_ylim(0, 100)
    ax1.legend(fontsize=8.5)
    b = t[t["kind"] == "bleeding"].reset_index(drop=True)
    x = np.arange(len(b))
    ax2.bar(x - 0.2, b["control"], 0.4, color=grey, label="lead-in prophylaxis")
    ax2.bar(x + 0.2, b["treated"], 0.4, color=blue, label="after gene therapy")
    ax2.set_xticks(x, b["product"])
    ax2.set_ylabel("annualised bleeding rate (bleeds/year)")
    ax2.set_ylim(0, 1.4 * b["control"].max())
    ax2.legend(fontsize=8.5, loc="upper center", ncol=2)
    return fig


# ----------------------------------------------------------------------------- widgets

DOSE_WIDGET = Interactive(
    "aav-gene-therapy-dose-volume", draw_dose,
    {"product": Choice("Roctavian", ["Glybera", "Zolgensma", "Roctavian", "Hemgenix"], "product"),
     "weight_kg": Slider(70.0, 2.0, 120.0, 1.0, "body weight (kg)")})

DURABILITY_WIDGET = Interactive(
    "aav-gene-therapy-durability", draw_durability,
    {"fviii_half_life_weeks": Slider(FVIII_HALF_LIFE_WEEKS, 20.0, 500.0, 1.0,
                                     "FVIII half-life (weeks)"),
     "fix_half_life_years": Slider(40.0, 1.0, 100.0, 1.0, "FIX half-life (years)"),
     "years": Slider(10.0, 2.0, 20.0, 1.0, "years shown"),
     "threshold": Slider(5.0, 1.0, 40.0, 1.0, "reference level (IU/dL)")})
