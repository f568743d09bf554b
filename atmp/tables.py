"""Searchable, sortable tables in the notebook and in the HTML book (itables, offline).

The DataTables library is embedded in the page once (``connected=False``), so the table works
in the static book without any request to the internet; on Colab, where embedded libraries do
not work, itables loads it from its CDN instead.
"""

from __future__ import annotations

import pandas as pd

_initialised = False


def searchable(df: pd.DataFrame, caption: str, page_length: int = 10) -> None:
    """Show ``df`` as an interactive table with a search box, paging and sortable columns."""
    global _initialised
    from itables import init_notebook_mode, show

    if not _initialised:
        init_notebook_mode(all_interactive=False)
        _initialised = True
    show(df, caption=caption, pageLength=page_length, lengthMenu=[10, 25, 50],
         classes="display compact", maxBytes=0, showIndex=False)


def static(df: pd.DataFrame):
    """A small static table: no index, full cell text, left-aligned text columns.

    Returns a pandas ``Styler`` that renders as HTML in the notebook and the book.
    """
    text_cols = [c for c in df.columns if df[c].dtype == object]
    return (df.style.hide(axis="index")
            .set_properties(subset=text_cols, **{"text-align": "left", "white-space": "normal"})
            .set_table_styles([{"selector": "th", "props": [("text-align", "left")]}]))


def evidence_value(table: pd.DataFrame, study: str, outcome: str) -> float:
    """The one published number of ``outcome`` in ``study`` in a chapter's evidence table.

    The evidence tables (``data/<chapter>-evidence.csv``) hold one published number a row,
    keyed by ``study`` and ``outcome``. Raises ``KeyError`` if the pair is absent or repeated.

    Examples
    --------
    >>> t = pd.DataFrame({"study": ["A"], "outcome": ["deaths"], "value": [3.0]})
    >>> evidence_value(t, "A", "deaths")
    3.0
    """
    hit = table[(table["study"] == study) & (table["outcome"] == outcome)]
    if len(hit) != 1:
        raise KeyError(f"{study}: {outcome} found {len(hit)} times")
    return float(hit["value"].iloc[0])
