"""AAV episomes in a renewing liver: the population formula, its Jensen bound, and human limits.

Why this module exists
----------------------
The chapter model (:func:`atmp.models.aav.episomes_per_cell` with
:func:`atmp.models.aav.fraction_with_genome`) computes the *mean* number of vector genomes per
hepatocyte, ``c(t) = c0 exp(-t / lifetime)``, and then the fraction of hepatocytes with at least
one genome as ``1 - exp(-c(t))``. The mean is right; the fraction is not. After many random
divisions the cells of a liver have *different division histories*: a cell whose ancestors
divided ``k`` times since dosing holds a Poisson number of genomes with mean ``c0 / 2**k``, so the
population is a *mixture* of Poisson distributions, not one Poisson. This module gives the exact
population formula for that mixture, names ``1 - exp(-c(t))`` as what it is (an upper bound, by
Jensen's inequality), and checks both against a stochastic simulation of the cells themselves
(``tests/unit/test_aav_episome.py``).

Model and assumptions (each one is a choice, stated so it can be argued with)
-----------------------------------------------------------------------------
1. **Homeostatic adult liver, neutral turnover** (a Moran process). The number of hepatocytes is
   constant. Each hepatocyte dies at rate ``1 / lifetime`` (per year), independently of how many
   vector genomes it holds, and every death is replaced by the division of another hepatocyte
   chosen at random. Liver growth in a child is *not* modelled here (see
   :func:`atmp.models.aav.episomes_per_cell` for the mean under growth).
2. **Episomes do not replicate and are not lost except by dilution and cell death.** At a
   division each genome goes to either daughter with probability 1/2, independently
   (binomial partition). A genome is one segregating unit; concatemers that segregate together
   count as one.
3. **At dosing the genomes per hepatocyte are Poisson with mean ``c0``** (every hepatocyte equally
   likely to be transduced). Real transduction is uneven across the lobule; an over-dispersed
   start lowers the fraction with a genome further, so the Poisson start is itself optimistic.
4. Under 1, tracing any cell alive at time ``t`` back to dosing, its ancestry passes through
   ``K ~ Poisson(2 t / lifetime)`` divisions: the cell's own slot is refilled after a death at
   rate ``1/lifetime`` and its slot hosts a dividing mother at rate ``1/lifetime``. Given ``K``,
   its genome count is Poisson with mean ``c0 * 2**-K`` (Poisson thinning, applied ``K`` times).

Two read-outs, and which one to use
-----------------------------------
* :func:`mean_genomes` -- expression proportional to the **mean vector genomes per cell**
  (every genome contributes the same amount of protein, no saturation). Exact:
  ``E[c0 2**-K] = c0 exp(-t / lifetime)``.
* :func:`fraction_with_genome` -- expression proportional to the **fraction of cells that keep at
  least one genome** (a transduced cell expresses at a fixed level however many genomes it
  has). Exact: ``1 - E[exp(-c0 2**-K)]``, a sum over the Poisson law of ``K``.
* :func:`fraction_upper_bound` -- ``1 - exp(-c(t))``: an **upper bound** on that fraction
  (``x -> exp(-c0 2**-x)`` is convex in ``2**-x``; Jensen). Equal at ``t = 0`` and when
  ``c0 -> 0``; too high otherwise (with ``c0 = 3`` and a 3-year lifetime: 0.79 vs 0.69 at
  2 years, 0.10 vs 0.086 at 10 years).

Defaults from human durability data
-----------------------------------
Radiocarbon dating puts the *mean age* of adult human hepatocytes under 3 years, with diploid
hepatocytes renewing more than seven times faster than polyploid ones (Heinke et al., Cell
Systems 2022, doi:10.1016/j.cels.2022.05.001). A mean age of a mixed population is not the rate
at which vector genomes are lost, and human factor IX data contradict a 3-year loss time:

* HOPE-B (etranacogene dezaparvovec, AAV5, n = 54): mean FIX activity 39.0 IU/dL at month 6
  and 36.1 IU/dL at year 5 (Pipe et al., N Engl J Med 2025, doi:10.1056/NEJMoa2514332).
  If expression were proportional to mean genomes per cell, that decline implies a loss time
  of about 58 years (:data:`HOPE_B_LIFETIME_BOUND_YEARS`). Because turnover is only one of the
  ways expression can fall, this is a **lower bound on the turnover lifetime** (turnover can be
  slower, not faster); it is the default here.
* scAAV2/8-LP1-hFIXco: FIX stable for a median 13.0 years (range 11.1-13.8) after one infusion
  (Reiss et al., N Engl J Med 2025, doi:10.1056/NEJMoa2414783).

For contrast, GENEr8-1 (valoctocogene roxaparvovec, AAV5, same organ) fell from 42.4 IU/dL at
week 52 to 22.7 IU/dL at week 104 (doi:10.1055/s-0042-1760505), an implied loss time of about
1.6 years. Liver turnover cannot be 58 years for one AAV5 product and 1.6 years for another, so
the FVIII decline must come mainly from something else (transgene- or cell-specific loss such as
silencing or the cell stress of a large secreted protein); :func:`implied_lifetime_years`
makes the comparison.

Examples
--------
>>> round(float(mean_genomes(3.0, 3.0, 3.0)), 4)          # one lifetime: c0 / e
1.1036
>>> exact, bound = fraction_with_genome(2.0, 3.0, 3.0), fraction_upper_bound(2.0, 3.0, 3.0)
>>> round(float(exact), 3), round(float(bound), 3)
(0.687, 0.786)
>>> round(HOPE_B_LIFETIME_BOUND_YEARS)
58
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

from atmp import plots
from atmp.widgets import Interactive, Slider

#: Weeks in a year (365.25 days / 7).
WEEKS_PER_YEAR = 365.25 / 7
#: Divisions in a cell's ancestry per hepatocyte lifetime under neutral homeostatic turnover
#: (slot refilled after a death, plus slot hosting a dividing mother).
DIVISIONS_PER_LIFETIME = 2.0
#: HOPE-B mean FIX activity (one-stage assay, IU/dL) at week 26 and week 260 after
#: etranacogene dezaparvovec; Pipe et al., N Engl J Med 2025, doi:10.1056/NEJMoa2514332.
#: The same two numbers are rows of ``data/aav-gene-therapy-durability.csv`` (a test checks it).
HOPE_B_FIX_IU_DL = {26: 39.0, 260: 36.1}
#: Mean age of adult human hepatocytes, years (upper value of "< 3 years"); Heinke et al., Cell
#: Systems 2022, doi:10.1016/j.cels.2022.05.001. A mean age, *not* a genome-loss time.
HEINKE_MEAN_HEPATOCYTE_AGE_YEARS = 3.0


def _check(c0: float, lifetime_years: float) -> None:
    if not (np.isfinite(c0) and c0 >= 0):
        raise ValueError(f"c0 must be a finite number >= 0 (got {c0!r})")
    if not lifetime_years > 0:
        raise ValueError(f"lifetime_years must be > 0 (got {lifetime_years!r}); use math.inf "
                         "for no turnover")


def _times(t_years) -> np.ndarray:
    t = np.asarray(t_years, dtype=float)
    if np.any(~np.isfinite(t)) or np.any(t < 0):
        raise ValueError("times must be finite and >= 0 (years)")
    return t


def expected_divisions(t_years, lifetime_years: float) -> np.ndarray:
    """Mean number of divisions in a hepatocyte's ancestry since dosing, ``2 t / lifetime``.

    Parameters
    ----------
    t_years : float or array
        Time since dosing, years (>= 0).
    lifetime_years : float
        Mean hepatocyte lifetime, years (> 0; ``math.inf`` for no turnover).

    Returns
    -------
    numpy.ndarray
        Mean of the Poisson number of divisions ``K`` (dimensionless).
    """
    _check(0.0, lifetime_years)
    return DIVISIONS_PER_LIFETIME * _times(t_years) / lifetime_years


def mean_genomes(t_years, c0: float, lifetime_years: float) -> np.ndarray:
    """Mean vector genomes per hepatocyte, ``c0 * exp(-t / lifetime)`` (exact under the model).

    Parameters
    ----------
    t_years : float or array
        Time since dosing, years.
    c0 : float
        Mean vector genomes per hepatocyte at dosing (genomes per cell, >= 0).
    lifetime_years : float
        Mean hepatocyte lifetime, years.

    Returns
    -------
    numpy.ndarray
        Mean genomes per cell at each time.
    """
    _check(c0, lifetime_years)
    return c0 * np.exp(-_times(t_years) / lifetime_years)


def fraction_with_genome(t_years, c0: float, lifetime_years: float) -> np.ndarray:
    """Fraction of hepatocytes with at least one vector genome: the exact population formula.

    ``f(t) = 1 - sum_k P(K = k) exp(-c0 2**-k)`` with ``K ~ Poisson(2 t / lifetime)``: a mixture
    over the cells' division histories. The sum is taken until the Poisson tail left out is
    below 1e-15.

    Parameters
    ----------
    t_years : float or array
        Time since dosing, years.
    c0 : float
        Mean vector genomes per hepatocyte at dosing.
    lifetime_years : float
        Mean hepatocyte lifetime, years.

    Returns
    -------
    numpy.ndarray
        Fraction (0-1) of hepatocytes carrying >= 1 genome at each time.
    """
    lam = expected_divisions(t_years, lifetime_years)
    _check(c0, lifetime_years)
    kmax = int(stats.poisson.isf(1e-15, float(lam.max(initial=0.0)))) + 1
    k = np.arange(kmax + 1)
    pmf = stats.poisson.pmf(k, lam[..., None])              # shape (..., kmax + 1)
    keep_none = np.exp(-c0 * np.exp2(-k.astype(float)))      # P(no genome | k divisions)
    return 1.0 - (pmf * keep_none).sum(axis=-1)


def fraction_upper_bound(t_years, c0: float, lifetime_years: float) -> np.ndarray:
    """``1 - exp(-c(t))``: an upper bound (Jensen) on :func:`fraction_with_genome`.

    This is the single-Poisson formula of the chapter model; it treats every cell as if it had
    divided the average number of times.

    Parameters
    ----------
    t_years : float or array
        Time since dosing, years.
    c0 : float
        Mean vector genomes per hepatocyte at dosing.
    lifetime_years : float
        Mean hepatocyte lifetime, years.

    Returns
    -------
    numpy.ndarray
        Upper bound on the fraction (0-1) of hepatocytes carrying >= 1 genome.
    """
    return -np.expm1(-mean_genomes(t_years, c0, lifetime_years))


def relative_expression(t_years, c0: float, lifetime_years: float,
                        readout: str = "mean") -> np.ndarray:
    """Expression relative to its value at dosing, under one named read-out.

    Parameters
    ----------
    t_years : float or array
        Time since dosing, years.
    c0 : float
        Mean vector genomes per hepatocyte at dosing (> 0).
    lifetime_years : float
        Mean hepatocyte lifetime, years.
    readout : {"mean", "fraction"}
        ``"mean"``: expression proportional to mean genomes per cell (no saturation).
        ``"fraction"``: proportional to the fraction of cells with >= 1 genome (saturated cells).

    Returns
    -------
    numpy.ndarray
        Expression at ``t`` divided by expression at ``t = 0`` (dimensionless, 0-1).
    """
    if not c0 > 0:
        raise ValueError("c0 must be > 0 for a relative expression")
    if readout == "mean":
        return mean_genomes(t_years, c0, lifetime_years) / c0
    if readout == "fraction":
        return fraction_with_genome(t_years, c0, lifetime_years) / -math.expm1(-c0)
    raise ValueError(f"readout must be 'mean' or 'fraction' (got {readout!r})")


def implied_lifetime_years(level0: float, level1: float, dt_years: float) -> float:
    """Turnover lifetime that would explain a decline from ``level0`` to ``level1`` by itself.

    Inverts the ``"mean"`` read-out, ``level1 / level0 = exp(-dt / lifetime)``. Since other
    losses (silencing, immune clearance, cell stress) add to turnover, the true turnover
    lifetime is at least this long: the result is a **lower bound** on it.

    Parameters
    ----------
    level0, level1 : float
        Factor activity (any one unit, e.g. IU/dL) at the earlier and the later time (> 0).
    dt_years : float
        Time between the two measurements, years (> 0).

    Returns
    -------
    float
        Lifetime, years (``math.inf`` if there is no decline).
    """
    if not (level0 > 0 and level1 > 0 and dt_years > 0):
        raise ValueError("levels and the interval must be > 0")
    if level1 >= level0:
        return math.inf
    return dt_years / math.log(level0 / level1)


#: Lower bound on the hepatocyte turnover lifetime implied by HOPE-B (years), about 58.
HOPE_B_LIFETIME_BOUND_YEARS = implied_lifetime_years(
    HOPE_B_FIX_IU_DL[26], HOPE_B_FIX_IU_DL[260], (260 - 26) / WEEKS_PER_YEAR)


def simulate(c0: float, lifetime_years: float, t_years, n_cells: int,
             rng: np.random.Generator) -> list[np.ndarray]:
    """Stochastic simulation of the cells themselves (the model's test, not its formula).

    ``n_cells`` hepatocytes start with independent Poisson(``c0``) genome counts. Death events
    come at total rate ``n_cells / lifetime``; at each, a random cell dies and a random *other*
    cell divides, its genomes split binomially (p = 1/2) between its two daughters, one of which
    takes the dead cell's place.

    Parameters
    ----------
    c0 : float
        Mean vector genomes per cell at dosing.
    lifetime_years : float
        Mean hepatocyte lifetime, years (finite).
    t_years : sequence of float
        Times at which to record the population, years (>= 0).
    n_cells : int
        Number of cells (>= 2).
    rng : numpy.random.Generator
        Source of randomness (seed it for a reproducible run).

    Returns
    -------
    list of numpy.ndarray
        Genomes per cell at each requested time, in the order given.
    """
    _check(c0, lifetime_years)
    if not (math.isfinite(lifetime_years) and n_cells >= 2):
        raise ValueError("simulate needs a finite lifetime and at least 2 cells")
    times = _times(t_years)
    order = np.argsort(times)
    genomes = rng.poisson(c0, n_cells)
    out: list[np.ndarray | None] = [None] * len(times)
    t, rate = 0.0, n_cells / lifetime_years
    for i in order:
        while True:
            t_next = t + rng.exponential(1 / rate)
            if t_next > times[i]:
                break                      # memoryless: the unused wait is simply redrawn
            t = t_next
            dead = rng.integers(n_cells)
            mother = rng.integers(n_cells - 1)
            mother += mother >= dead
            n = genomes[mother]
            kept = rng.binomial(n, 0.5)
            genomes[mother], genomes[dead] = kept, n - kept
        t = times[i]
        out[i] = genomes.copy()
    return out


def draw_episomes(c0: float = 3.0, lifetime_years: float = HOPE_B_LIFETIME_BOUND_YEARS,
                  years: float = 10.0):
    """The episome model's read-outs over time, with HOPE-B's mean FIX for comparison.

    Solid: the exact fraction of hepatocytes with at least one genome (:func:`fraction_with_genome`);
    dashed: its single-Poisson upper bound ``1 - exp(-c(t))``; dotted: mean genomes per cell as a
    percentage of the dose (:func:`mean_genomes`). Dots: HOPE-B mean FIX as a percentage of its
    month-6 value, plotted from month 6.

    Parameters
    ----------
    c0 : float
        Mean vector genomes per hepatocyte at dosing (> 0).
    lifetime_years : float
        Mean hepatocyte lifetime (genome-loss time by turnover), years.
    years : float
        Time shown, years.
    """
    t = np.linspace(0, years, 121)
    fig, ax = plots.fixed_figure(width=6.4, height=3.6, right=0.97, bottom=0.14)
    blue = plots.family_color("in vivo AAV")
    ax.plot(t, 100 * fraction_with_genome(t, c0, lifetime_years), color=blue, lw=2,
            label="hepatocytes with ≥1 genome (exact)")
    ax.plot(t, 100 * fraction_upper_bound(t, c0, lifetime_years), color=blue, ls="--", lw=1.2,
            label="upper bound 1 − exp(−c(t))")
    ax.plot(t, 100 * relative_expression(t, c0, lifetime_years, "mean"),
            color=plots.OKABE_ITO["orange"], ls=":", lw=2, label="mean genomes per cell (% of dose)")
    weeks = np.array(sorted(HOPE_B_FIX_IU_DL))
    fix = np.array([HOPE_B_FIX_IU_DL[w] for w in weeks])
    shown = weeks / WEEKS_PER_YEAR <= years
    ax.plot(weeks[shown] / WEEKS_PER_YEAR, 100 * fix[shown] / fix[0], "o",
            color=plots.OKABE_ITO["vermillion"], mec="black", ms=7,
            label="HOPE-B mean FIX (% of month 6)")
    ax.set_ylim(0, 105)
    ax.set_xlim(0, years)
    ax.set_xlabel("years after dosing")
    ax.set_ylabel("percent")
    ax.set_title(f"{c0:g} genomes per cell at dosing, hepatocyte lifetime {lifetime_years:.0f} y",
                 fontsize=10, fontweight="normal")
    ax.legend(fontsize=8, loc="lower left")
    return fig


#: The chapter's episome widget: lifetime from the HOPE-B bound down to Heinke's mean age.
EPISOME_WIDGET = Interactive(
    "aav-gene-therapy-episomes", draw_episomes,
    {"c0": Slider(3.0, 0.1, 30.0, 0.05, "genomes per cell after dosing", log=True),
     "lifetime_years": Slider(HOPE_B_LIFETIME_BOUND_YEARS, HEINKE_MEAN_HEPATOCYTE_AGE_YEARS, 100.0,
                              0.5, "hepatocyte lifetime (years; 3 = Heinke mean age)"),
     "years": Slider(10.0, 1.0, 30.0, 1.0, "years shown")})
