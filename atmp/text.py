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
>>> sci(1.1e14, "vg/kg").replace("\N{NO-BREAK SPACE}", " ")
'1.1 × 10¹⁴ vg/kg'
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


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """A count with its noun in the right number: "1 product", "3 products", "0 products".

    >>> counted(1, "status change"), counted(2, "evidence row"), counted(2, "entry", "entries")
    ('1 status change', '2 evidence rows', '2 entries')
    """
    return f"{n} {noun if n == 1 else (plural or noun + 's')}"


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
NBSP = "\N{NO-BREAK SPACE}"
#: Python's e-notation as it could leak into reader-visible text: 1.1e+14, 2e13, 6.0E-05.
E_NOTATION = r"(?<![\w.])[-+]?\d+(?:\.\d+)?[eE][-+]?\d+(?![\w.])"


def sci(value: float, unit: str = "", digits: int = 2, plain_below: float = 1e5) -> str:
    """A number as scientists write it: ``1.1e14`` → "1.1 × 10¹⁴" (with a unit if given).

    The one place the course turns large and small numbers into text, for prose (through
    ``glue``), quizzes and figure labels, so that no Python e-notation (``1.1e+14``) reaches a
    reader. Spaces are no-break spaces, so "1.1 × 10¹⁴ vg/kg" never wraps mid-number.

    Parameters
    ----------
    value : float
        The number.
    unit : str
        Unit appended after a no-break space (e.g. "vg/kg"); "" for none.
    digits : int
        Significant digits at most (trailing zeros are dropped: 6e13 → "6 × 10¹³").
    plain_below : float
        Numbers with ``1e-3 <= |value| < plain_below`` are written plainly, with thousands
        separators ("24,000"); others in powers of ten.

    Raises
    ------
    ValueError
        For a number that is not finite, or ``digits < 1``.

    Examples
    --------
    >>> [sci(x).replace(NBSP, " ") for x in (6e13, 2.5e-7, 24000, 0.16)]
    ['6 × 10¹³', '2.5 × 10⁻⁷', '24,000', '0.16']
    """
    value = float(value)
    if not np.isfinite(value) or digits < 1:
        raise ValueError(f"cannot write {value!r} with {digits} digits")
    suffix = f"{NBSP}{unit}" if unit else ""
    if value == 0 or 1e-3 <= abs(value) < plain_below:
        return f"{_plain(value, digits)}{suffix}"
    mantissa, exponent = f"{value:.{digits - 1}e}".split("e")
    mantissa = mantissa.rstrip("0").rstrip(".") if "." in mantissa else mantissa
    power = f"10{str(int(exponent)).translate(_SUPERSCRIPT)}"
    return f"{mantissa}{NBSP}×{NBSP}{power}{suffix}"


def _plain(value: float, digits: int) -> str:
    """``value`` to ``digits`` significant digits (whole numbers kept whole), with commas."""
    if abs(value) >= 1:
        digits = max(digits, len(str(int(abs(value)))))
    rounded = float(f"{value:.{digits}g}")
    if rounded == int(rounded):
        return f"{int(rounded):,}"
    return f"{rounded:,f}".rstrip("0").rstrip(".")


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
