"""Ex vivo gene therapy of haematopoietic stem cells (chapter ``hsc-gene-therapy``).

Three small models, each exact and fast, with a drawing function and a widget:

* **Vector copy number per cell** (:func:`vcn_distribution`, :func:`vcn_summary`). Integrations
  per cell are Poisson with mean ``m`` (the bulk VCN, copies per diploid genome) when every
  cell is equally susceptible; when susceptibility varies from cell to cell (a gamma-distributed
  Poisson mean), the count is negative binomial with the same mean and variance
  ``m + m**2 / r``; ``r -> inf`` gives back the Poisson. Widget :data:`VCN`.
* **Clonal dynamics** (:func:`clone_share`, :func:`time_to_share`, :func:`distinct_clones_seen`).
  ``n`` engrafted, gene-marked stem-cell clones contribute equally, except one whose output grows
  faster by ``s`` per year; its share of marked blood cells is
  ``exp(s t) / (n - 1 + exp(s t))``. Widget :data:`CLONES`.
* **Insertional-oncogenesis risk** (:func:`risk_by_time`, :func:`poisson_rate_ci`). Malignancies
  as a Poisson process at a constant rate per person-year, set against the published cases after
  elivaldogene autotemcel (``data/hsc-gene-therapy-eli-cel-cancers.csv``). Widget :data:`RISK`.

Plus :func:`draw_vectors`, the schematic of a gammaretroviral and a self-inactivating (SIN)
lentiviral provirus. The chapter's product tables and facts are in
:mod:`atmp.chapters.hsc_gene_therapy`.

Examples
--------
>>> from atmp.models import hsc
>>> round(hsc.vcn_summary(1.0)["transduced"], 3)
0.632
>>> round(hsc.vcn_summary(1.0)["mean_in_transduced"], 3)
1.582
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch
from scipy import stats

from atmp import data, plots, safety
from atmp.widgets import Interactive, Slider

#: The published cancers after elivaldogene autotemcel (Skysona), one diagnosis a row with the
#: months from infusion (Duncan et al., N Engl J Med 2024, doi:10.1056/NEJMoa2405541).
ELI_CEL_CANCERS = "hsc-gene-therapy-eli-cel-cancers"


# ----------------------------------------------------------------------------- VCN model


def vcn_distribution(mean: float, dispersion: float | None = None, k_max: int = 15) -> np.ndarray:
    """Probability that a cell carries 0, 1, ..., ``k_max`` integrated vector copies.

    Parameters
    ----------
    mean : float
        Bulk vector copy number ``m`` (copies per diploid genome, averaged over all cells); > 0.
    dispersion : float or None
        Negative-binomial size ``r`` (dimensionless, > 0): cell-to-cell variation in
        susceptibility; the variance is ``m + m**2 / r``. ``None`` (or ``inf``) is the Poisson
        model, variance ``m``.
    k_max : int
        Largest copy number returned; the last entry holds ``P(K >= k_max)`` so the vector sums
        to 1.

    Returns
    -------
    ndarray
        Probabilities for ``k = 0 .. k_max`` (length ``k_max + 1``).
    """
    dist = _copy_number_law(mean, dispersion)
    k = np.arange(k_max + 1)
    p = dist.pmf(k)
    p[-1] = dist.sf(k_max - 1)
    return p


def _copy_number_law(mean: float, dispersion: float | None):
    if not mean > 0:
        raise ValueError(f"mean VCN must be > 0, got {mean}")
    if dispersion is None or np.isinf(dispersion):
        return stats.poisson(mean)
    if not dispersion > 0:
        raise ValueError(f"dispersion must be > 0, got {dispersion}")
    return stats.nbinom(dispersion, dispersion / (dispersion + mean))


def vcn_summary(mean: float, dispersion: float | None = None, high: int = 3) -> dict[str, float]:
    """What a bulk VCN says about single cells.

    Parameters
    ----------
    mean : float
        Bulk VCN ``m`` (copies per diploid genome).
    dispersion : float or None
        Negative-binomial size ``r``; ``None`` for Poisson.
    high : int
        Copy number from which a cell counts as "high-copy".

    Returns
    -------
    dict
        ``transduced`` — share of cells with at least one copy, ``1 - P(0)`` (Poisson:
        ``1 - exp(-m)``); ``mean_in_transduced`` — mean copies among transduced cells,
        ``m / (1 - P(0))``; ``high_copy`` — ``P(K >= high)``; ``variance`` — copies² per cell.
    """
    dist = _copy_number_law(mean, dispersion)
    p0 = float(dist.pmf(0))
    return {"transduced": 1.0 - p0, "mean_in_transduced": mean / (1.0 - p0),
            "high_copy": float(dist.sf(high - 1)), "variance": float(dist.var())}


def draw_vcn(mean: float = 1.0, dispersion: float = 1.0, high: int = 3) -> Figure:
    """Copies per cell under the Poisson and the overdispersed model, for one bulk VCN.

    Parameters
    ----------
    mean : float
        Bulk VCN (copies per diploid genome).
    dispersion : float
        Negative-binomial size ``r`` of the overdispersed model.
    high : int
        Threshold of the high-copy tail (copies per cell), shaded.
    """
    k_max = 8
    k = np.arange(k_max + 1)
    fig, ax = plots.fixed_figure(width=7.2, height=3.3, bottom=0.15)
    models = [("Poisson", None, plots.OKABE_ITO["blue"]),
              (f"overdispersed, r = {dispersion:g}", dispersion, plots.OKABE_ITO["orange"])]
    ax.axvline(high - 0.5, color=plots.REFERENCE_COLOR, lw=1, ls="--")
    sums = []
    for i, (label, r, colour) in enumerate(models):
        p = vcn_distribution(mean, r, k_max)
        sums.append(vcn_summary(mean, r, high))
        # one LineCollection per model draws faster than a bar patch per copy number
        ax.vlines(k + (i - 0.5) * 0.36, 0, p * 100, color=colour, lw=11, label=label)
    a, b = sums
    # short strings: text layout is the costliest part of a redraw
    ax.text(0.99, 0.95, f"copies per transduced cell: {a['mean_in_transduced']:.2f} | "
            f"{b['mean_in_transduced']:.2f}\ncells with ≥{high} copies: {a['high_copy']:.1%} | "
            f"{b['high_copy']:.1%}", transform=ax.transAxes, ha="right", va="top", fontsize=8.5)
    ax.set_xticks(k, [str(x) for x in k[:-1]] + [f"≥{k_max}"])
    ax.set_xlim(-0.6, k_max + 0.5)
    ax.set_xlabel("vector copies in one cell (right of dashed line: high-copy)")
    ax.set_ylabel("share of cells (%)")
    ax.set_title(f"Bulk VCN {mean:g}: {a['transduced']:.0%} | {b['transduced']:.0%} of cells "
                 "transduced")
    ax.set_ylim(0, ax.get_ylim()[1] * 1.3)
    ax.legend(loc="upper left", fontsize=8.5, handlelength=0.8)
    return fig


VCN = Interactive("hsc-gene-therapy-vcn", draw_vcn, {
    "mean": Slider(1.0, 0.2, 6.0, 0.1, "bulk VCN (copies per cell)"),
    "dispersion": Slider(1.0, 0.2, 50.0, 0.2, "overdispersion size r (smaller = more uneven)"),
    "high": Slider(3, 2, 6, 1, "high-copy threshold (copies)", integer=True),
})

# ----------------------------------------------------------------------------- clonal dynamics


def clone_share(t: np.ndarray | float, n_clones: float, advantage: float) -> np.ndarray:
    """Share of marked blood output from one clone with a growth advantage.

    Parameters
    ----------
    t : float or array
        Years since engraftment.
    n_clones : float
        Engrafted, gene-marked stem-cell clones that contribute (≥ 1).
    advantage : float
        Extra growth rate of the one clone (per year); 0 is neutral.

    Returns
    -------
    ndarray
        ``exp(s t) / (n - 1 + exp(s t))`` (dimensionless, 0–1); ``1/n`` at ``t = 0``.
    """
    if n_clones < 1:
        raise ValueError("n_clones must be >= 1")
    g = np.exp(advantage * np.asarray(t, dtype=float))
    return g / (n_clones - 1.0 + g)


def time_to_share(share: float, n_clones: float, advantage: float) -> float:
    """Years until the advantaged clone makes ``share`` of marked output.

    Inverts :func:`clone_share`: ``t = ln(share (n - 1) / (1 - share)) / s``; 0 if the clone
    starts at or above ``share``; ``inf`` for a neutral clone that starts below it.
    """
    if not 0 < share < 1:
        raise ValueError("share must be in (0, 1)")
    start = 1.0 / n_clones
    if start >= share:
        return 0.0
    if advantage <= 0:
        return float("inf")
    return float(np.log(share * (n_clones - 1.0) / (1.0 - share)) / advantage)


def distinct_clones_seen(n_clones: float, cells_sampled: np.ndarray | float) -> np.ndarray:
    """Expected distinct clones (integration sites) found in a sample of marked cells.

    With ``n`` equally contributing clones and ``m`` cells sampled at random, the expected
    number of distinct clones seen is ``n (1 - (1 - 1/n)**m)``; it saturates at ``n``.
    """
    m = np.asarray(cells_sampled, dtype=float)
    return n_clones * (1.0 - (1.0 - 1.0 / n_clones) ** m)


#: Range of active stem cells that sustained long-term blood production after lentiviral HSC
#: gene therapy in 53 patients (Calabria et al., Nature 2024;636:162-171,
#: doi:10.1038/s41586-024-08250-x, abstract).
ACTIVE_HSC_RANGE = (770, 35_000)


def draw_clones(n_clones: float = 3000, advantage: float = 1.0, years: float = 10.0) -> Figure:
    """Share of marked output from one advantaged clone among ``n_clones``, over time.

    Parameters
    ----------
    n_clones : float
        Contributing marked clones.
    advantage : float
        Extra growth rate of one clone (per year).
    years : float
        Time axis length (years).
    """
    t = np.linspace(0, years, 121)
    fig, ax = plots.fixed_figure(width=7.2, height=3.3)
    for n, colour, style in [(ACTIVE_HSC_RANGE[0], plots.OKABE_ITO["grey"], ":"),
                             (ACTIVE_HSC_RANGE[1], plots.OKABE_ITO["grey"], "--")]:
        ax.plot(t, clone_share(t, n, advantage) * 100, color=colour, ls=style, lw=1.2,
                label=f"{n:,} clones")
    ax.plot(t, clone_share(t, n_clones, advantage) * 100, color=plots.OKABE_ITO["vermillion"],
            lw=2.4, label=f"{n_clones:,.0f} clones")
    half = time_to_share(0.5, n_clones, advantage)
    if np.isfinite(half) and half <= years:
        ax.axvline(half, color=plots.REFERENCE_COLOR, lw=0.8)
        ax.annotate(f"{half:.1f} years", (half, 50), xytext=(4, -10),
                    textcoords="offset points", fontsize=9)
    ax.axhline(50, color=plots.REFERENCE_COLOR, lw=0.6, ls=":")
    ax.set_ylim(0, 100)
    ax.set_xlim(0, years)
    ax.set_xlabel("years after infusion")
    ax.set_ylabel("share of marked blood cells (%)")
    ax.set_title(f"One clone growing {advantage:g} per year faster than the rest")
    ax.legend(loc="upper left", fontsize=9)
    return fig


CLONES = Interactive("hsc-gene-therapy-clones", draw_clones, {
    "n_clones": Slider(3000, 100, 100_000, 0.1, "contributing marked clones", log=True),
    "advantage": Slider(1.0, 0.0, 3.0, 0.05, "growth advantage of one clone (per year)"),
    "years": Slider(10.0, 2.0, 20.0, 1.0, "years shown"),
})

# ----------------------------------------------------------------------------- oncogenesis risk


def risk_by_time(rate_per_100py: float, years: np.ndarray | float) -> np.ndarray:
    """Probability that one patient has had at least one event by ``years``.

    Parameters
    ----------
    rate_per_100py : float
        Event rate (events per 100 person-years), constant over time.
    years : float or array
        Follow-up (years).

    Returns
    -------
    ndarray
        ``1 - exp(-rate * years)`` (dimensionless).
    """
    return 1.0 - np.exp(-rate_per_100py / 100.0 * np.asarray(years, dtype=float))


def poisson_rate_ci(events: int, person_years: float, level: float = 0.95) -> tuple[float, ...]:
    """Rate per 100 person-years with its exact (Garwood) confidence interval.

    Parameters
    ----------
    events : int
        Observed events.
    person_years : float
        Total follow-up (person-years).
    level : float
        Confidence level.

    Returns
    -------
    (rate, lower, upper)
        Events per 100 person-years; the bounds come from the chi-square quantiles
        ``chi2(a/2, 2k)/2`` and ``chi2(1-a/2, 2k+2)/2``.
    """
    a = 1.0 - level
    lo = stats.chi2.ppf(a / 2, 2 * events) / 2 if events > 0 else 0.0
    hi = stats.chi2.ppf(1 - a / 2, 2 * events + 2) / 2
    k = 100.0 / person_years
    return events * k, lo * k, hi * k


#: Mean follow-up per patient (years) assumed in the chapter's worked eli-cel rate. The sources we
#: could read (the NEJM abstract of Duncan et al. 2024, the FDA communications) give counts of
#: patients, not person-years, so the rate per person-year is an exercise, not a published value.
ASSUMED_MEAN_FOLLOW_UP_YEARS = 5.0


def draw_risk(rate_per_100py: float = 2.1, years: float = 15.0, cohort: int = 67) -> Figure:
    """Cumulative risk of a haematological cancer per patient and expected cases in a cohort.

    Parameters
    ----------
    rate_per_100py : float
        Assumed constant rate (events per 100 person-years).
    years : float
        Follow-up shown (years).
    cohort : int
        Patients treated (for the expected count on the right axis).
    """
    t = np.linspace(0, years, 61)
    risk = risk_by_time(rate_per_100py, t)
    fig, ax = plots.fixed_figure(width=7.2, height=3.3, bottom=0.17)
    ax.plot(t, risk * 100, color=plots.OKABE_ITO["vermillion"], lw=2.4,
            label=f"model: {rate_per_100py:g} per 100 person-years (assumed)")
    months = data.load(ELI_CEL_CANCERS)["months"].to_numpy() / 12
    ax.plot(months, np.zeros_like(months), "|", ms=18, mew=2, color=plots.REFERENCE_COLOR,
            clip_on=False, label="published eli-cel cancers (time of diagnosis)")
    ax.set_xlim(0, years)
    ax.set_ylim(0, max(5.0, risk[-1] * 110))
    ax.set_xlabel("years after infusion")
    ax.set_ylabel("probability of ≥1 cancer per patient (%)")
    ax.set_title(f"By {years:g} years: {risk[-1]:.0%} per patient, "
                 f"{risk[-1] * cohort:.1f} expected of {cohort} patients")
    ax.legend(loc="upper left", fontsize=9)
    return fig


RISK = Interactive("hsc-gene-therapy-risk", draw_risk, {
    "rate_per_100py": Slider(2.1, 0.0, 5.0, 0.1, "event rate (per 100 person-years)"),
    "years": Slider(15.0, 1.0, 30.0, 1.0, "follow-up (years)"),
    "cohort": Slider(67, 10, 500, 1, "patients treated", integer=True),
})

# ----------------------------------------------------------------------------- schematic

_PARTS = {
    "gammaretroviral": [("LTR\n(U3 enhancer–\npromoter active)", 2.2, "vermillion"),
                        ("ψ", 0.6, "grey"), ("therapeutic cDNA", 3.2, "bluish green"),
                        ("LTR\n(U3 active)", 2.2, "vermillion")],
    "SIN lentiviral": [("LTR\n(ΔU3: no\nenhancer)", 1.8, "sky blue"), ("ψ · RRE · cPPT", 1.6, "grey"),
                       ("internal\npromoter", 1.4, "yellow"), ("therapeutic cDNA", 2.8, "bluish green"),
                       ("LTR\n(ΔU3)", 1.8, "sky blue")],
}


def draw_vectors() -> Figure:
    """Schematic of the two integrated proviruses used by the chapter's products.

    Top: a gammaretroviral provirus whose long terminal repeats (LTRs) keep their U3
    enhancer–promoter, which drives the transgene and can switch on neighbouring genes. Bottom: a
    self-inactivating (SIN) lentiviral provirus whose LTRs lack the U3 enhancer, so an internal
    promoter drives the transgene. Lengths are not to scale.
    """
    fig, axes = plots.new_figure(2, 1, width=7.6, height=3.4)
    for ax, (name, parts) in zip(axes, _PARTS.items(), strict=True):
        x = 0.0
        ax.plot([-0.8, 10.6], [0.5, 0.5], color="#555555", lw=2, zorder=0)
        ax.text(-0.8, 0.95, "host DNA", fontsize=8, color="#555555")
        for label, width, colour in parts:
            ax.add_patch(FancyBboxPatch((x + 0.05, 0.15), width - 0.1, 0.7,
                                        boxstyle="round,pad=0.02,rounding_size=0.08",
                                        fc=plots.OKABE_ITO[colour], ec="black", lw=0.8))
            ax.text(x + width / 2, 0.5, label, ha="center", va="center", fontsize=8)
            x += width
        if name == "gammaretroviral":
            ax.annotate("", xy=(10.7, 0.5), xytext=(9.3, 0.95),
                        arrowprops=dict(arrowstyle="->", color=plots.OKABE_ITO["vermillion"],
                                        lw=1.5, connectionstyle="arc3,rad=-0.3"))
            ax.text(9.6, 1.15, "enhancer can reach\nneighbouring genes", fontsize=8,
                    color=plots.OKABE_ITO["vermillion"])
        ax.set_xlim(-1, 11.6)
        ax.set_ylim(0, 1.5)
        ax.set_title(f"{name} provirus", loc="left", fontsize=10.5)
        ax.axis("off")
    return fig

# ----------------------------------------------------------------------------- safety record

def malignancy_counts(product: str = "Skysona") -> pd.DataFrame:
    """Dated counts of patients with a haematological malignancy among those treated in the
    product's trials (rows of the safety table with a count and a denominator)."""
    rows = safety.findings("hsc")
    rows = rows[(rows["product"] == product) & rows["denominator"].notna()
                & (rows["finding_type"] == "haematological malignancy")]
    return rows[["date", "count", "denominator", "source"]].astype(
        {"count": int, "denominator": int}).reset_index(drop=True)


def draw_malignancy_timeline(eu_authorised, eu_withdrawn, first_report,
                             product: str = "Skysona") -> Figure:
    """Reported malignancies among the trial patients over calendar time, with the EU
    authorisation's life shaded and the first reported case marked.

    Parameters
    ----------
    eu_authorised, eu_withdrawn : date-like
        Start and end of the EU marketing authorisation (shaded).
    first_report : date-like
        Date the first case was made public (dotted line).
    product : str
        Product whose counts are drawn (:func:`malignancy_counts`).
    """
    counts = malignancy_counts(product)
    start, end = pd.Timestamp(eu_authorised), pd.Timestamp(eu_withdrawn)
    first = pd.Timestamp(first_report)
    fig, ax = plots.new_figure(width=7.2, height=3.4)
    ax.axvspan(start, end, color=plots.OKABE_ITO["sky blue"], alpha=0.35, lw=0,
               label="EU marketing authorisation valid")
    ax.axvline(first, color=plots.REFERENCE_COLOR, ls=":", lw=1.5,
               label="first case made public")
    share = 100 * counts["count"] / counts["denominator"]
    ax.plot(counts["date"], share, "o-", color=plots.OKABE_ITO["vermillion"], lw=2, ms=7,
            label="patients with a blood cancer (% of trial patients)")
    for d, k, n, s in zip(counts["date"], counts["count"], counts["denominator"], share,
                          strict=True):
        ax.annotate(f"{k}/{n}", (d, s), textcoords="offset points", xytext=(-6, 8),
                    ha="right", fontsize=9)
    ax.set_ylim(0, max(20.0, share.max() * 1.25))
    ax.set_xlim(start - pd.Timedelta(days=120), counts["date"].max() + pd.Timedelta(days=240))
    ax.set_xlabel("calendar date of the report")
    ax.set_ylabel("trial patients with a\nhaematological cancer (%)")
    ax.legend(loc="lower right", fontsize=9)
    return fig
