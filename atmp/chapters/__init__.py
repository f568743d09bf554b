"""One module per chapter, named after its notebook, all with the same small interface.

The chapter ``notebooks/car-t.ipynb`` is told by ``atmp/chapters/car_t.py`` (the stem with ``-``
as ``_``). Every chapter module exposes the **chapter contract**:

``CHAPTER``
    The notebook's file stem. Every name the chapter publishes derives from it.
``products(atmps)``
    The chapter's rows of ``data/atmps.csv``, oldest Commission decision first.
``product_table(atmps, events)``
    The reader's table of those products.
``events_table(atmps, events)``
    The reader's table of their regulatory events.
``facts(atmps, events)``
    Every value the chapter's prose pastes with ``{glue:text}``, keyed ``<CHAPTER>-<what>``.
``figures(atmps, events)``
    Every static figure, keyed ``<CHAPTER>-<what>``, as zero-argument callables that draw it
    (nothing is drawn until :func:`atmp.plots.publish_all` asks).
``WIDGETS``
    The chapter's :class:`atmp.widgets.Interactive` figures, named ``<CHAPTER>-<what>``.

Mechanism models (equations, simulations, their drawings) live in :mod:`atmp.models`; analyses
of the product record that several chapters share live in :mod:`atmp.record`. Chapter modules
never import each other. ``tests/unit/test_chapter_contract.py`` checks all of this for every
chapter of ``_toc.yml``; the naming rule is written down in ``docs/architecture.md``.
"""

from __future__ import annotations

import importlib
import re
from types import ModuleType

from atmp import data

#: Names every chapter module must define.
CONTRACT = ("CHAPTER", "products", "product_table", "events_table", "facts", "figures",
            "WIDGETS")
#: Glue keys, figure and widget names: the stem, a hyphen, then lower-case words and digits.
KEY = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def module_name(stem: str) -> str:
    """The module of a chapter: ``"somatic-cell-therapy"`` → ``"somatic_cell_therapy"``."""
    return stem.replace("-", "_")


def load(stem: str) -> ModuleType:
    """Import the chapter module of a notebook stem."""
    return importlib.import_module(f"{__name__}.{module_name(stem)}")


def key_problems(stem: str, keys) -> list[str]:
    """Keys that break the naming rule ``<stem>-<what>`` (lower-case words joined by hyphens)."""
    return [k for k in keys if not (k.startswith(f"{stem}-") and KEY.match(k))]


def common_facts(stem: str) -> dict:
    """Facts every chapter glues: the date its data refer to (``<stem>-data-as-of``)."""
    return {f"{stem}-data-as-of": data.data_as_of()}
