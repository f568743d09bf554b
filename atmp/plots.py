"""House style for every figure of the course (DESIGN §8).

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
