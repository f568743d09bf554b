"""House style for every figure of the course (docs/architecture.md §8).

One colour-blind-safe palette (Okabe & Ito 2008) with a fixed colour per ATMP class and per
mechanism family, opaque white backgrounds so figures read on the book's light and dark themes,
labelled axes with units, and one way to publish a figure with a caption and alt text:
:func:`publish`, which glues the figure for a ``{glue:figure}`` directive in the book.

Examples
--------
>>> from atmp import plots
>>> plots.CLASS_COLORS["gene therapy"]
'#0072B2'
"""

from __future__ import annotations

import io
from collections.abc import Iterable

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

#: Okabe–Ito colours (colour-blind safe), by name.
OKABE_ITO: dict[str, str] = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky blue": "#56B4E9",
    "bluish green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish purple": "#CC79A7",
    "grey": "#7F7F7F",
}

#: One fixed colour per EMA ATMP class; used by every figure that encodes class.
CLASS_COLORS: dict[str, str] = {
    "gene therapy": OKABE_ITO["blue"],
    "somatic cell therapy": OKABE_ITO["orange"],
    "tissue engineered": OKABE_ITO["bluish green"],
    "combined": OKABE_ITO["reddish purple"],
}

#: One fixed colour per teaching mechanism family.
FAMILY_COLORS: dict[str, str] = {
    "in vivo AAV": OKABE_ITO["blue"],
    "ex vivo lentiviral HSC": OKABE_ITO["sky blue"],
    "ex vivo gammaretroviral HSC": "#9ECAE9",
    "ex vivo genome editing": OKABE_ITO["black"],
    "CAR-T": OKABE_ITO["vermillion"],
    "oncolytic virus": OKABE_ITO["yellow"],
    "HSV-1 vector": "#B8A200",
    "in vivo adenoviral": "#8C6BB1",
    "cell therapy": OKABE_ITO["orange"],
    "tissue engineered": OKABE_ITO["bluish green"],
}

#: Colours for market status: authorised stands out, every way of leaving the market is muted.
STATUS_COLORS: dict[str, str] = {
    "authorised": OKABE_ITO["bluish green"],
    "withdrawn": OKABE_ITO["vermillion"],
    "suspended": OKABE_ITO["yellow"],
    "expired": OKABE_ITO["grey"],
    "not renewed": "#B0B0B0",
}

#: WCAG 2.1 (success criterion 1.4.11) asks 3:1 contrast for the graphical objects a reader needs.
MIN_CONTRAST = 3.0
#: Outline drawn around a bar or marker whose fill is paler than :data:`MIN_CONTRAST` on white
#: (Okabe–Ito orange, yellow and sky blue are), so the shape itself stays visible.
EDGE = "#333333"
#: ``gid`` of a pale shape that is a backdrop (a membrane band, a shaded period), not data:
#: the contrast check leaves it alone.
BACKGROUND_GID = "background"


def contrast_ratio(color: str, background: str = "#FFFFFF") -> float:
    """WCAG 2.1 contrast ratio of two colours (1 to 21).

    Examples
    --------
    >>> round(contrast_ratio("#000000"), 1), round(contrast_ratio("#E69F00"), 2)
    (21.0, 2.25)
    """
    from matplotlib.colors import to_rgb

    def luminance(c):
        lin = [x / 12.92 if x <= 0.03928 else ((x + 0.055) / 1.055) ** 2.4 for x in to_rgb(c)]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    hi, lo = sorted((luminance(color), luminance(background)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def edge(color: str, otherwise: str = "white") -> str:
    """Edge colour for a filled shape: :data:`EDGE` if ``color`` is too pale on white."""
    return EDGE if contrast_ratio(color) < MIN_CONTRAST else otherwise


#: Neutral colour for reference lines, published values and annotations.
REFERENCE_COLOR = OKABE_ITO["black"]
BACKGROUND = "#FFFFFF"

#: Resolution of published figures: a 7-inch figure is 1400 px wide, twice the ~700 CSS px it
#: fills in the book's column, so it stays sharp on phones and high-density screens, on a
#: projector and when enlarged on click.
PUBLISH_DPI = 200
#: Resolution of live widget redraws (fast PNGs, shown at their natural size in a notebook).
LIVE_DPI = 110

STYLE: dict[str, object] = {
    "figure.facecolor": BACKGROUND,
    "axes.facecolor": BACKGROUND,
    "savefig.facecolor": BACKGROUND,
    "savefig.transparent": False,
    "figure.dpi": 100,
    "savefig.dpi": PUBLISH_DPI,
    "figure.figsize": (7.0, 4.0),
    "font.size": 10.5,
    "axes.titlesize": 11.5,
    "axes.titleweight": "bold",
    "axes.labelsize": 10.5,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#DDDDDD",
    "grid.linewidth": 0.6,
    "legend.frameon": False,
    "axes.prop_cycle": matplotlib.cycler(color=list(OKABE_ITO.values())),
    "svg.fonttype": "none",
}


def use_style() -> None:
    """Apply the house style to matplotlib globally (idempotent)."""
    plt.rcParams.update(STYLE)


def new_figure(nrows: int = 1, ncols: int = 1, *, width: float = 7.0, height: float = 4.0,
               layout: str | None = "constrained", **kwargs) -> tuple[Figure, object]:
    """Create a figure in the house style.

    Parameters
    ----------
    nrows, ncols : int
        Subplot grid.
    width, height : float
        Figure size in inches.
    layout : str or None
        Matplotlib layout engine; ``None`` for fixed margins (set them with
        ``fig.subplots_adjust``), which draws about twice as fast — for widgets that redraw.
    **kwargs
        Passed to :func:`matplotlib.pyplot.subplots`.

    Returns
    -------
    (Figure, Axes or array of Axes)
        The figure is *not* registered with pyplot's figure manager, so it is never shown twice
        in a notebook and never leaks memory in a loop.
    """
    use_style()
    fig = Figure(figsize=(width, height), layout=layout)
    axes = fig.subplots(nrows, ncols, **kwargs)
    return fig, axes


def fixed_figure(nrows: int = 1, ncols: int = 1, *, width: float = 7.0, height: float = 4.0,
                 left: float = 0.1, right: float = 0.98, bottom: float = 0.15, top: float = 0.9,
                 **adjust) -> tuple[Figure, object]:
    """A house-style figure with fixed margins (fractions of the figure) and no layout engine.

    Widgets redraw on every control change; skipping the constrained-layout solver roughly halves
    the time of a redraw. Extra keywords (``hspace``, ``wspace``) go to ``subplots_adjust``.
    """
    fig, axes = new_figure(nrows, ncols, width=width, height=height, layout=None)
    fig.subplots_adjust(left=left, right=right, bottom=bottom, top=top, **adjust)
    return fig, axes


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def power_of_ten(value: float, _pos=None) -> str:
    """Tick label "10⁴" for a power of ten, in plain text (mathtext is slow to draw).

    Examples
    --------
    >>> power_of_ten(1e4), power_of_ten(0.01), power_of_ten(1)
    ('10⁴', '10⁻²', '1')
    """
    if value <= 0:
        return ""
    exponent = round(float(np.log10(value)))
    if exponent == 0:
        return "1"
    return "10" + str(exponent).translate(_SUPERSCRIPT)


def log_axis(axis, lo: int | None = None, hi: int | None = None, step: int = 1) -> None:
    """Ticks at powers of ten only, labelled 10⁴ in plain text, on an axis already on a log scale.

    Minor tick labels and the mathtext matplotlib uses for powers of ten make widget redraws
    several times slower, so every log axis of the course is labelled this way.

    Parameters
    ----------
    axis : matplotlib.axis.Axis
        ``ax.xaxis`` or ``ax.yaxis``.
    lo, hi, step : int, optional
        Ticks at ``10**lo``, ``10**(lo + step)`` … up to ``10**hi``; without them, one tick per
        decade over the data (at most eight).
    """
    from matplotlib.ticker import FixedLocator, FuncFormatter, LogLocator, NullLocator

    if lo is None or hi is None:
        axis.set_major_locator(LogLocator(base=10, numticks=8))
    else:
        axis.set_major_locator(FixedLocator([10.0 ** e for e in range(lo, hi + 1, step)]))
    axis.set_minor_locator(NullLocator())
    axis.set_major_formatter(FuncFormatter(power_of_ten))


def class_color(atmp_class: str) -> str:
    """Colour of an ATMP class; raises ``KeyError`` with the known classes for an unknown one."""
    try:
        return CLASS_COLORS[atmp_class]
    except KeyError:
        raise KeyError(f"unknown ATMP class {atmp_class!r}; known: {sorted(CLASS_COLORS)}") from None


def family_color(family: str) -> str:
    """Colour of a mechanism family (grey for a family not yet in the palette)."""
    return FAMILY_COLORS.get(family, OKABE_ITO["grey"])


def png_bytes(fig: Figure, fast: bool = False) -> bytes:
    """Render a figure to PNG bytes with an opaque background.

    Parameters
    ----------
    fig : Figure
    fast : bool
        Live widget redraws: :data:`LIVE_DPI` and light PNG compression (zlib level 1), about
        5x faster to encode. Otherwise :data:`PUBLISH_DPI`, compressed fully, as in the book.

    Returns
    -------
    bytes
        PNG data; every pixel is fully opaque, so the figure reads on a dark page.
    """
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=LIVE_DPI if fast else PUBLISH_DPI, facecolor=BACKGROUND,
                transparent=False, pil_kwargs={"compress_level": 1 if fast else 6})
    return buf.getvalue()


def as_image(fig: Figure, fast: bool = False):
    """The figure as an ``IPython.display.Image`` (PNG), for display and for glue.

    Figures made with :func:`new_figure` are not registered with pyplot, so IPython has no
    display hook for them; an explicit PNG image displays the same everywhere (Jupyter, the
    book build, nbval) and keeps the opaque background.
    """
    from IPython.display import Image

    return Image(data=png_bytes(fig, fast=fast), format="png")


def check_alt_text(alt: str) -> str:
    """Return ``alt`` stripped, or raise ``ValueError`` if it does not describe a figure.

    Alt text must say what the figure shows (at least six words), not "a plot" or "figure".
    """
    text = " ".join(str(alt).split())
    if len(text.split()) < 6:
        raise ValueError(f"alt text must describe what the figure shows (>= 6 words): {alt!r}")
    return text


def publish(name: str, fig: Figure, *, display: bool = False) -> Figure:
    """Glue a figure under ``name`` for a ``{glue:figure}`` directive in the book.

    In the book, the markdown cell that follows carries the caption and alt text::

        ```{glue:figure} landscape-per-year
        :alt: Bar chart of ...
        :name: fig-landscape-per-year

        Caption ...
        ```

    Parameters
    ----------
    name : str
        Glue key; by convention ``<chapter>-<what>``.
    fig : Figure
        The figure (its background is forced opaque).
    display : bool
        Also show the figure in the notebook output (for readers running it live, the glued
        figure otherwise appears only where the directive is).

    Returns
    -------
    Figure
    """
    from myst_nb import glue

    fig.patch.set_facecolor(BACKGROUND)
    fig.patch.set_alpha(1.0)
    glue(name, as_image(fig), display=display)
    return fig


def label_bars(ax, values: Iterable[float], positions: Iterable[float], fmt: str = "{:.0f}") -> None:
    """Write each value above its bar (for small-count bar charts)."""
    for x, v in zip(positions, values, strict=True):
        if v:
            ax.annotate(fmt.format(v), (x, v), ha="center", va="bottom", fontsize=9,
                        xytext=(0, 2), textcoords="offset points")


def publish_all(figures: dict) -> None:
    """Draw and publish every figure of a chapter (:func:`atmp.chapters` ``figures()``).

    Parameters
    ----------
    figures : dict
        Glue key → zero-argument callable returning the :class:`~matplotlib.figure.Figure`.
        Each figure is drawn, glued with :func:`publish` and closed, in the dict's order.
    """
    for name, draw in figures.items():
        publish(name, draw())


# ----------------------------------------------------------------------------- record figures
# Figures of the product record (atmp.record) that several chapters draw the same way.

#: Markers of the events drawn on a life timeline (event → (marker, colour, label)).
EVENT_MARKERS: dict[str, tuple[str, str, str]] = {
    "conditional renewed": ("|", OKABE_ITO["black"], "conditional MA renewed"),
    "converted to standard": ("D", OKABE_ITO["blue"], "converted to standard MA"),
    "indication extended": ("^", OKABE_ITO["black"], "indication extended"),
    "transferred": ("o", "#FFFFFF", "MA transferred to a new holder"),
    "suspended": ("s", STATUS_COLORS["suspended"], "suspended"),
    "suspension lifted": ("s", "#FFFFFF", "suspension lifted"),
}


def decimal_year(when) -> np.ndarray | float:
    """Dates as decimal years (2018-07-01 → about 2018.5); a scalar for a scalar."""
    import pandas as pd

    if np.ndim(when) == 0:
        t = pd.Timestamp(when)
        return t.year + (t.dayofyear - 1) / 365.25
    t = pd.DatetimeIndex(pd.to_datetime(when))
    return (t.year + (t.dayofyear - 1) / 365.25).to_numpy(dtype=float)


def draw_life_timeline(spans, marks, as_of, title: str = "Regulatory life of every EU-authorised ATMP"
                       ) -> Figure:
    """One horizontal bar per product, from the initial decision until the authorisation was lost.

    Parameters
    ----------
    spans, marks : DataFrame
        From :func:`atmp.record.life_timeline`.
    as_of : date-like
        The data date (a dashed line; open bars end there).
    title : str
        The axes title.

    Bars are coloured by ATMP class; a loss of the authorisation is a cross in the colour of the
    status; a suspension never lifted (``ended`` in ``spans``) is a hatched stretch from the
    suspension, where the product left the market, to the cross where the authorisation ended;
    other events (conversion, renewal, suspension, extension, transfer) sit on the bar.
    """
    import pandas as pd
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    n = len(spans)
    fig, ax = new_figure(width=8.0, height=max(3.0, 0.24 * n + 1.6))
    y = np.arange(n)[::-1]
    pos = dict(zip(spans["product"], y, strict=True))
    start, end = decimal_year(spans["start"]), decimal_year(spans["end"])
    for yi, s, e, (_, r) in zip(y, start, end, spans.iterrows(), strict=True):
        color = CLASS_COLORS.get(r["atmp_class"], "#BBBBBB")
        ax.barh(yi, e - s, left=s, height=0.6, color=color, edgecolor=edge(color, color),
                linewidth=0.6)
        ended = r.get("ended")
        if r["lost"] and ended is not None and pd.notna(ended):
            # suspended and never reinstated: the exit is the suspension; the authorisation
            # itself ends later, drawn as a hatched, empty bar up to the cross.
            e2 = decimal_year(ended)
            ax.barh(yi, e2 - e, left=e, height=0.6, facecolor=STATUS_COLORS["suspended"],
                    hatch="////", edgecolor=edge(STATUS_COLORS["suspended"]), linewidth=0.6)
            e = e2
        if r["lost"]:
            ax.plot(e, yi, marker="X", ms=8, color=STATUS_COLORS.get(r["status"], "#000000"),
                    mec="black", mew=0.5, zorder=3)
    for _, m in marks.iterrows():
        if m["product"] not in pos or m["event"] not in EVENT_MARKERS:
            continue
        marker, color, _ = EVENT_MARKERS[m["event"]]
        ax.plot(decimal_year(m["date"]), pos[m["product"]], marker=marker, ms=6, color=color,
                mec="black", mew=0.6, zorder=4)
    now = decimal_year(as_of)
    ax.axvline(now, color=REFERENCE_COLOR, lw=0.8, ls="--")
    ax.text(now, n - 0.2, "data as of ", fontsize=8, va="bottom", ha="right")
    first = int(np.floor(start.min()))
    ax.set_xlim(first - 0.3, now + 0.5)
    ax.set_xticks(range(first + first % 2, int(now) + 1, 2))
    ax.set_yticks(y, spans["product"], fontsize=8)
    ax.set_ylim(-0.8, n + 0.4)
    ax.set_xlabel("year")
    ax.set_title(title)
    ax.grid(axis="y", visible=False)
    handles = [Patch(color=CLASS_COLORS.get(c, "#BBBBBB"), label=c)
               for c in dict.fromkeys(spans["atmp_class"])]
    if "ended" in spans and spans["ended"].notna().any():
        handles.append(Patch(facecolor=STATUS_COLORS["suspended"], hatch="////",
                             edgecolor=edge(STATUS_COLORS["suspended"]),
                             label="suspended, never reinstated (the exit is the suspension)"))
    lost = set(spans.loc[spans["lost"], "status"])
    handles += [Line2D([], [], ls="", marker="X", ms=8, color=STATUS_COLORS[s], mec="black",
                       mew=0.5, label=f"authorisation lost: {s}")
                for s in STATUS_COLORS if s in lost]
    handles += [Line2D([], [], ls="", marker=mk, ms=6, color=c, mec="black", mew=0.6, label=lab)
                for ev, (mk, c, lab) in EVENT_MARKERS.items() if ev in set(marks["event"])]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
    return fig


def draw_survival(fits: dict, colors: dict | None = None,
                  title: str = "How long EU ATMP authorisations are held (Kaplan–Meier)") -> Figure:
    """Kaplan–Meier curves of still holding the authorisation, each with its 95% band.

    Parameters
    ----------
    fits : dict
        Label → ``(kmf, spans)`` from :func:`atmp.record.fit_km` and
        :func:`atmp.record.authorisation_spans`.
    colors : dict, optional
        Label → colour (default: the Okabe–Ito colours in order).
    title : str
        The axes title.

    Censored products (still authorised) are ticks on their curve; each label gives the group's
    size and number of losses, and a group of fewer than three products is marked
    "(too few to estimate)" in the legend, because its curve is a handful of steps. With one
    group, the numbers at risk are written under the axis.
    """
    from atmp import record

    palette = [OKABE_ITO[c] for c in ("bluish green", "vermillion", "blue", "reddish purple",
                                      "orange", "sky blue")]
    colors = colors or {}
    fig, ax = new_figure(width=7.0, height=4.2)
    horizon = 1.0
    for i, (label, (kmf, spans)) in enumerate(fits.items()):
        color = colors.get(label, palette[i % len(palette)])
        sf = kmf.survival_function_.iloc[:, 0]
        ci = kmf.confidence_interval_survival_function_
        n, lost = len(spans), int(spans["lost"].sum())
        warn = " (too few to estimate)" if n < 3 else ""
        ax.step(sf.index, sf.to_numpy(), where="post", color=color, lw=2,
                label=f"{label}: n = {n}, {lost} lost{warn}")
        ax.fill_between(ci.index, ci.iloc[:, 0], ci.iloc[:, 1], step="post", color=color,
                        alpha=0.15, lw=0)
        cens = spans.loc[~spans["lost"], "years"].to_numpy()
        ax.plot(cens, record.survival_at(kmf, cens), ls="", marker="|", ms=9, mew=1.5,
                color=color)
        horizon = max(horizon, float(np.ceil(spans["years"].max())))
    ticks = np.arange(0, horizon + 1, 2 if horizon > 10 else 1)
    if len(fits) == 1:
        (_, spans), = fits.values()
        for t in ticks:
            ax.text(t, 0.03, str(int((spans["years"] >= t).sum())), ha="center", fontsize=8,
                    transform=ax.get_xaxis_transform())
        ax.text(0.01, 0.09, "number still followed (at risk):", fontsize=8, transform=ax.transAxes)
    ax.plot([], [], ls="", marker="|", ms=9, mew=1.5, color=REFERENCE_COLOR,
            label="censored: still authorised")
    ax.set_xticks(ticks)
    ax.set_xlim(0, horizon)
    ax.set_ylim(0, 1.05)
    ax.set_xlabel("years since the initial Commission decision")
    ax.set_ylabel("probability the authorisation is still held")
    ax.set_title(title)
    ax.legend(loc="upper right", fontsize=8)
    return fig
