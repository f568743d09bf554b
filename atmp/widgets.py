"""The widget contract (docs/architecture.md §7): one drawing function, a live widget and its static twin.

A model figure is one function ``draw(**params) -> Figure``. :class:`Interactive` wraps it:

* in a live kernel (Jupyter, Binder, Colab, and the notebook tests), :meth:`Interactive.show`
  displays ipywidgets controls that redraw the figure on every change;
* when the book is built (``ATMP_BOOK_BUILD=1``, set by ``make book``), it displays a one-line
  pointer to the live versions instead, because a slider without a kernel cannot recompute;
* in both cases the figure at the default parameters is glued under the widget's name, so the
  chapter shows it with a caption and alt text through a ``{glue:figure}`` directive.

Every :class:`Interactive` registers itself, so tests and ``make bench`` can find, draw and time
every widget of the course (:func:`registry`).

Examples
--------
>>> from atmp.widgets import Interactive, Slider
>>> from atmp.plots import new_figure
>>> def draw(k=1.0):
...     fig, ax = new_figure()
...     ax.plot([0, 1], [0, k])
...     return fig
>>> w = Interactive("doc-example", draw, {"k": Slider(1.0, 0.1, 2.0, 0.1, "slope")})
>>> w.defaults
{'k': 1.0}
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from atmp import plots

BOOK_BUILD_ENV = "ATMP_BOOK_BUILD"
LIVE_NOTE = (
    "*This figure is interactive when the notebook runs live: use the rocket icon at the top of "
    "the page to open it on Binder or Colab and move the controls.*"
)

#: docs/architecture.md §10: a redraw (model + draw) should take at most this long (median, wall clock, on a
#: quiet 2-core machine). ``make bench`` holds every widget to it.
REDRAW_BUDGET_MS = 100.0
#: Unit tests guard against regressions with a looser bound on CPU time, so that a busy machine
#: (parallel builds, other sessions) does not make them fail while a 3x slow-down still does.
REDRAW_TEST_LIMIT_MS = 250.0

_REGISTRY: dict[str, Interactive] = {}


def in_book_build() -> bool:
    """True while ``make book`` executes the notebooks (the static HTML has no kernel)."""
    return os.environ.get(BOOK_BUILD_ENV, "") not in ("", "0", "false", "False")


@dataclass(frozen=True)
class Slider:
    """A numeric control.

    Parameters
    ----------
    default, min, max, step : float
        Value at which the static figure is drawn, and the slider's range and step (in the
        parameter's unit).
    label : str
        Short description shown beside the slider, with the unit, e.g. ``"dose (vg/kg)"``.
    log : bool
        Slide over log10 of the value (for doses and cell numbers spanning decades).
    integer : bool
        Integer-valued parameter.
    """

    default: float
    min: float
    max: float
    step: float
    label: str
    log: bool = False
    integer: bool = False

    def __post_init__(self):
        if not (self.min <= self.default <= self.max):
            raise ValueError(f"{self.label}: default {self.default} outside [{self.min}, {self.max}]")
        if self.log and self.min <= 0:
            raise ValueError(f"{self.label}: a log slider needs a positive minimum")

    def edges(self) -> list[float]:
        """The default and both ends of the range (the values tests draw at)."""
        return [self.default, self.min, self.max]

    def widget(self):
        import ipywidgets as ipw

        style = {"description_width": "initial"}
        layout = ipw.Layout(width="95%")
        if self.log:
            return ipw.FloatLogSlider(value=self.default, base=10, min=np.log10(self.min),
                                      max=np.log10(self.max), step=self.step,
                                      description=self.label, style=style, layout=layout,
                                      continuous_update=False, readout_format=".2e")
        cls = ipw.IntSlider if self.integer else ipw.FloatSlider
        return cls(value=self.default, min=self.min, max=self.max, step=self.step,
                   description=self.label, style=style, layout=layout, continuous_update=False)


@dataclass(frozen=True)
class Choice:
    """A choice among options (a dropdown), or several options when ``multiple`` is true."""

    default: Any
    options: Sequence[Any]
    label: str
    multiple: bool = False

    def __post_init__(self):
        chosen = self.default if self.multiple else [self.default]
        missing = [c for c in chosen if c not in self.options]
        if missing:
            raise ValueError(f"{self.label}: default {missing} not among the options")

    def edges(self) -> list[Any]:
        if self.multiple:
            return [self.default, tuple(self.options), tuple(self.options[:1])]
        return [self.default, *self.options]

    def widget(self):
        import ipywidgets as ipw

        style = {"description_width": "initial"}
        if self.multiple:
            return ipw.SelectMultiple(value=tuple(self.default), options=list(self.options),
                                      description=self.label, style=style,
                                      rows=min(len(self.options), 5))
        return ipw.Dropdown(value=self.default, options=list(self.options),
                            description=self.label, style=style)


@dataclass(frozen=True)
class Range:
    """An integer range (two-handled slider), e.g. a span of years."""

    default: tuple[int, int]
    min: int
    max: int
    label: str
    step: int = 1

    def __post_init__(self):
        lo, hi = self.default
        if not (self.min <= lo <= hi <= self.max):
            raise ValueError(f"{self.label}: default {self.default} outside [{self.min}, {self.max}]")

    def edges(self) -> list[tuple[int, int]]:
        return [tuple(self.default), (self.min, self.max), (self.min, self.min)]

    def widget(self):
        import ipywidgets as ipw

        return ipw.IntRangeSlider(value=list(self.default), min=self.min, max=self.max,
                                  step=self.step, description=self.label,
                                  style={"description_width": "initial"},
                                  layout=ipw.Layout(width="95%"), continuous_update=False)


Control = Slider | Choice | Range


@dataclass
class Interactive:
    """A figure that is a live widget in a kernel and a captioned static figure in the book.

    Parameters
    ----------
    name : str
        Unique name; also the glue key of the static figure (``<chapter>-<what>``).
    draw : callable
        ``draw(**params) -> Figure``; must be pure (same parameters, same figure).
    controls : dict
        Parameter name → :class:`Slider`, :class:`Choice` or :class:`Range`. The defaults are
        the parameters of the static figure.
    """

    name: str
    draw: Callable[..., Figure]
    controls: dict[str, Control] = field(default_factory=dict)

    def __post_init__(self):
        if not self.name or " " in self.name:
            raise ValueError(f"widget name must be a non-empty slug, got {self.name!r}")
        _REGISTRY[self.name] = self

    @property
    def defaults(self) -> dict[str, Any]:
        """Parameter values of the static figure."""
        return {k: c.default for k, c in self.controls.items()}

    def figure(self, **overrides) -> Figure:
        """Draw the figure at the defaults, with any parameter overridden."""
        unknown = set(overrides) - set(self.controls)
        if unknown:
            raise TypeError(f"{self.name}: unknown parameters {sorted(unknown)}")
        return self.draw(**{**self.defaults, **overrides})

    def edge_cases(self) -> list[dict[str, Any]]:
        """Parameter sets at the default and at each control's extremes, one control at a time."""
        cases = [self.defaults]
        for k, c in self.controls.items():
            for v in c.edges()[1:]:
                cases.append({**self.defaults, k: v})
        return cases

    def time_redraw(self, n: int = 20, seed: int = 0, cpu: bool = False) -> dict[str, float]:
        """Time model + draw + render at ``n`` random control settings.

        Parameters
        ----------
        n : int
            Number of redraws (the first at the defaults, the rest at random edge cases).
        seed : int
            Seed of the choice of edge cases.
        cpu : bool
            Measure this process's CPU time instead of wall-clock time. Tests use CPU time so a
            busy machine (other builds running) does not make them fail; ``make bench`` reports
            wall-clock time, which is what a reader feels.

        Returns
        -------
        dict
            ``p50_ms`` and ``p95_ms``: median and 95th percentile of one redraw, in milliseconds.
        """
        rng = np.random.default_rng(seed)
        cases = self.edge_cases()
        clock = time.process_time if cpu else time.perf_counter
        times = []
        for i in range(n):
            params = cases[int(rng.integers(len(cases)))] if i else self.defaults
            t0 = clock()
            fig = self.draw(**params)
            plots.png_bytes(fig, fast=True)  # what a live redraw displays
            times.append((clock() - t0) * 1e3)
        times.sort()
        return {"p50_ms": statistics.median(times),
                "p95_ms": times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]}

    def show(self) -> None:
        """Glue the default figure; add live controls in a kernel, a pointer in the book."""
        from IPython.display import Markdown, display

        plots.publish(self.name, self.figure())
        if in_book_build():
            display(Markdown(LIVE_NOTE))
            return
        display(self.live())

    def live(self):
        """The ipywidgets box: controls above an output that redraws on every change."""
        import ipywidgets as ipw
        from IPython.display import display

        widgets = {k: c.widget() for k, c in self.controls.items()}
        out = ipw.Output()

        def redraw(**params):
            params = {k: (tuple(v) if isinstance(self.controls[k], Range) else v)
                      for k, v in params.items()}
            with out:
                out.clear_output(wait=True)
                display(plots.as_image(self.draw(**params), fast=True))

        ipw.interactive_output(redraw, widgets)
        return ipw.VBox([ipw.VBox(list(widgets.values())), out])


def registry(load: bool = True) -> dict[str, Interactive]:
    """Every registered widget, by name.

    Parameters
    ----------
    load : bool
        First import every module of the :mod:`atmp` package, so widgets defined at module level
        anywhere in the package are registered.
    """
    if load:
        import atmp

        for mod in pkgutil.walk_packages(atmp.__path__, "atmp."):
            if not mod.name.endswith("__main__"):
                importlib.import_module(mod.name)
    return dict(_REGISTRY)
