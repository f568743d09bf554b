"""Helpers that put numbers and dates from the data into prose (through myst-nb ``glue``).

Numbers in the text are never typed: a notebook computes them from ``data/`` and glues them,
and the markdown pastes them with ``{glue:text}`` (or ``{glue}``), so a data refresh updates the
prose.

Examples
--------
>>> from atmp.text import long_date, join_names
>>> long_date("2018-08-23")
'23 August 2018'
>>> join_names(["Kymriah", "Yescarta", "Tecartus"])
'Kymriah, Yescarta and Tecartus'
"""

from __future__ import annotations

import datetime as dt
import numbers
from collections.abc import Iterable

import numpy as np
import pandas as pd


def plain(value):
    """Convert numpy/pandas scalars to plain Python (myst-nb formats those cleanly)."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, pd.Timestamp):
        return value.date()
    return value


def long_date(value) -> str:
    """A date as "23 August 2018" (the course's date style in prose); "" for a missing date."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    d = pd.Timestamp(value).date() if not isinstance(value, dt.date) else value
    return f"{d.day} {d:%B %Y}"


def join_names(names: Iterable[str], conjunction: str = "and") -> str:
    """Join names as English prose: "A", "A and B", "A, B and C"."""
    names = [str(n) for n in names]
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} {conjunction} {names[-1]}"


def percent(part: float, whole: float, digits: int = 0) -> str:
    """``part`` as a percentage of ``whole``, e.g. "42%" ("n/a" when ``whole`` is 0)."""
    if not whole:
        return "n/a"
    return f"{100 * part / whole:.{digits}f}%"


def glue_all(values: dict, display: bool = False) -> None:
    """Glue every ``name: value`` pair for the prose (numbers as plain Python, dates as text).

    Parameters
    ----------
    values : dict
        Glue key → value. Dates (``datetime.date`` or ``pandas.Timestamp``) are glued as
        "23 August 2018"; numpy scalars as plain numbers.
    display : bool
        Also show the values in the notebook output.
    """
    from myst_nb import glue

    for name, value in values.items():
        value = plain(value)
        if isinstance(value, dt.date):
            value = long_date(value)
        elif not isinstance(value, (numbers.Number, str)):
            value = str(value)
        glue(name, value, display=display)
