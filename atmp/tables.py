"""Tables in the notebook and in the HTML book: one style for every generated table.

:func:`static` shows a small table with readable headers (column names turned into labels:
``ec_decision_date`` → "EC decision date"), "—" for every missing value, ISO dates that never
wrap, right-aligned numbers and yes/no for flags; in the book the CSS class ``atmp-table``
(``book/_ext/static/atmp.css``) gives it padding, rules, zebra rows and the theme's colours in
light and dark mode, and its wrapper scrolls sideways, with a visible hint, when the table is
wider than the column.

:func:`searchable` shows a large table with a search box, paging and sortable columns (itables).
The DataTables library is embedded in the page once (``connected=False``), so the table works
in the static book without any request to the internet; on Colab, where embedded libraries do
not work, itables loads it from its CDN instead.

Examples
--------
>>> import pandas as pd
>>> t = static(pd.DataFrame({"ec_decision_date": pd.to_datetime(["2018-08-27", None]),
...                          "orphan": [True, False], "n": [12000, 7]}))
>>> list(t.data.columns), t.data.values.tolist()
(['EC decision date', 'orphan', 'n'], [['2018-08-27', 'yes', '12\u202f000'], ['—', 'no', '7']])
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import re

import pandas as pd

#: What a missing value looks like in every table.
MISSING = "—"

#: Column names whose label is not the name with spaces (checked before the data package titles).
LABELS: dict[str, str] = {
    "mah": "marketing-authorisation holder",
    "inn": "INN",
    "status_reason": "reason",
}

#: Words of column names written otherwise in a label.
_WORDS = {"inn": "INN", "ec": "EC", "ema": "EMA", "atmp": "ATMP", "mah": "MAH", "doi": "DOI",
          "crs": "CRS", "pct": "%", "ma": "MA", "iu": "IU", "dl": "dL", "km": "KM"}

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_NNBSP = "\u202f"  # narrow no-break space: the SI thousands separator

_initialised = False


@functools.cache
def _field_titles() -> dict[str, str]:
    """``title`` of every field of the data package that has one, by field name."""
    from atmp import data

    titles: dict[str, str] = {}
    for res in data.package().get("resources", []):
        for f in res.get("schema", {}).get("fields", []):
            if f.get("title"):
                titles.setdefault(f["name"], f["title"])
    return titles


def label(column) -> str:
    """The header a reader sees for a column name.

    Examples
    --------
    >>> label("ec_decision_date"), label("crs_any_pct"), label("type at authorisation")
    ('EC decision date', 'CRS any %', 'type at authorisation')
    """
    name = str(column)
    if name in LABELS:
        return LABELS[name]
    if name in _field_titles():
        return _field_titles()[name]
    if "_" not in name:
        return name
    return " ".join(_WORDS.get(w, w) for w in name.split("_") if w)


def _missing(v) -> bool:
    if v is None or (isinstance(v, str) and not v.strip()):
        return True
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def _is_date_column(s: pd.Series) -> bool:
    if pd.api.types.is_datetime64_any_dtype(s):
        return True
    values = [v for v in s if not _missing(v)]
    return bool(values) and all(
        isinstance(v, dt.date) or (isinstance(v, str) and _ISO_DATE.match(v)) for v in values)


def _decimals(values) -> int:
    """Fewest decimals (at most 3) that show every value of a column as it is."""
    for d in range(4):
        if all(abs(round(v, d) - v) < 1e-9 for v in values):
            return d
    return 3


def _number(v, decimals: int) -> str:
    text = f"{v:,.{decimals}f}"
    if abs(v) < 10_000:  # years and small counts keep their digits together
        return text.replace(",", "")
    return text.replace(",", _NNBSP)


def _cell(v, kind: str, decimals: int) -> str:
    if _missing(v):
        return MISSING
    if kind == "date":
        return v.strftime("%Y-%m-%d") if hasattr(v, "strftime") else str(v)
    if kind == "bool":
        return "yes" if v else "no"
    if kind == "number":
        return _number(v, decimals)
    return str(v)


def _kind(s: pd.Series) -> str:
    if _is_date_column(s):
        return "date"
    if pd.api.types.is_bool_dtype(s):
        return "bool"
    if pd.api.types.is_numeric_dtype(s):
        return "number"
    return "text"


def tidy(df: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """The table as the reader sees it, as text, and the kind of each column.

    Named or text row labels become a first column, row numbers are dropped; headers become labels,
    every missing value becomes "—", dates ``YYYY-MM-DD``, flags yes/no, numbers with the
    fewest decimals that show them exactly (thousands separated by a narrow space from 10 000).

    Returns
    -------
    (DataFrame of str, list of str)
        The formatted table and, per column, ``"date"``, ``"bool"``, ``"number"`` or ``"text"``.
    """
    df = df.copy()
    named = any(n is not None for n in df.index.names)
    if named or not pd.api.types.is_numeric_dtype(df.index):
        df = df.reset_index(names=[n if n is not None else "" for n in df.index.names])
    else:  # row numbers (a default or filtered index) are not data
        df = df.reset_index(drop=True)
    if isinstance(df.columns, pd.MultiIndex):
        df.columns = [" ".join(str(p) for p in c if str(p)) for c in df.columns]
    df.columns.name = None
    kinds, out = [], {}
    for i in range(df.shape[1]):
        s = df.iloc[:, i]
        kind = _kind(s)
        numbers = [float(v) for v in s if not _missing(v)] if kind == "number" else []
        decimals = _decimals(numbers)
        kinds.append(kind)
        out[i] = [_cell(v, kind, decimals) for v in s]
    table = pd.DataFrame(out)
    table.columns = [label(c) for c in df.columns]
    return table, kinds


class StaticTable:
    """A formatted table: HTML for the notebook and the book, plain text elsewhere.

    Attributes
    ----------
    data : DataFrame
        The cells as shown (text), with readable headers.
    kinds : list of str
        Kind of each column (``"date"``, ``"bool"``, ``"number"``, ``"text"``).
    """

    def __init__(self, df: pd.DataFrame):
        self.data, self.kinds = tidy(df)

    def to_html(self) -> str:
        """``<div class="atmp-table-wrap"><table class="atmp-table">…</table></div>``."""
        def cls(kind):
            return f' class="atmp-{kind}"' if kind != "text" else ""

        head = "".join(f"<th scope=\"col\"{cls(k)}>{html.escape(str(c))}</th>"
                       for c, k in zip(self.data.columns, self.kinds, strict=True))
        rows = "".join(
            "<tr>" + "".join(f"<td{cls(k)}>{html.escape(v)}</td>"
                             for v, k in zip(row, self.kinds, strict=True)) + "</tr>"
            for row in self.data.itertuples(index=False))
        # tabindex: a region that scrolls must be reachable with the keyboard (axe-core).
        return (f'<div class="atmp-table-wrap" tabindex="0"><table class="atmp-table">'
                f"<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></div>")

    def _repr_html_(self) -> str:
        return self.to_html()

    def __repr__(self) -> str:
        return self.data.to_string(index=False)


def static(df: pd.DataFrame) -> StaticTable:
    """A small static table in the house style (see the module docstring).

    Parameters
    ----------
    df : DataFrame
        A named or non-default index is shown as the first column.

    Returns
    -------
    StaticTable
        Renders as HTML in the notebook and the book, as text in a terminal.
    """
    return StaticTable(df)


def searchable(df: pd.DataFrame, caption: str, page_length: int = 10) -> None:
    """Show ``df`` as an interactive table with a search box, paging and sortable columns.

    Headers are labelled and missing values shown as "—", as in :func:`static`.
    """
    global _initialised
    from itables import init_notebook_mode, show

    if not _initialised:
        init_notebook_mode(all_interactive=False)
        _initialised = True
    shown = df.copy()
    shown.columns = [label(c) for c in shown.columns]
    for c in shown.columns:
        if _is_date_column(shown[c]):
            shown[c] = shown[c].map(lambda v: _cell(v, "date", 0))
        elif shown[c].dtype == object:
            shown[c] = shown[c].map(lambda v: MISSING if _missing(v) else v)
    show(shown, caption=caption, pageLength=page_length, lengthMenu=[10, 25, 50],
         classes="display compact atmp-itable", maxBytes=0, showIndex=False)


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
