"""The dated safety record of the gene-therapy families (``data/gene-therapy-safety.csv``).

One reader of that table for the AAV, HSC, genome-editing and oncolytic chapters: the findings
of a family, a date written to the precision it was published with, and the reader's table.

Examples
--------
>>> from atmp import safety
>>> set(safety.findings("hsc")["family"])
{'hsc'}
"""

from __future__ import annotations

import pandas as pd

from atmp import data
from atmp.text import long_date

#: Dated safety findings and regulatory actions, one row each with its source.
TABLE = "gene-therapy-safety"
_ISO = {"day": "%Y-%m-%d", "month": "%Y-%m", "year": "%Y"}


def findings(family: str) -> pd.DataFrame:
    """The safety findings of one family (``aav``, ``hsc``, ``editing``, ``oncolytic``), oldest
    first. Raises ``ValueError`` for a family with no rows, so a typo cannot give an empty section.
    """
    rows = data.load(TABLE)
    rows = rows[rows["family"] == family]
    if rows.empty:
        raise ValueError(f"no safety findings for family {family!r} in {TABLE}")
    return rows.sort_values("date", kind="stable").reset_index(drop=True)


def when(row) -> str:
    """A finding's date for prose, at its published precision: "9 August 2021", "March 2021",
    "2016"."""
    d = row["date"]
    return {"day": long_date(d), "month": d.strftime("%B %Y"), "year": d.strftime("%Y")}[
        str(row["date_precision"])]


def table(family: str) -> pd.DataFrame:
    """The reader's table of a family's findings: the date to its precision (ISO, so it sorts),
    product, kind of finding, what was found, the regulatory action and the source."""
    rows = findings(family)
    dates = [d.strftime(_ISO[str(p)]) for d, p in zip(rows["date"], rows["date_precision"],
                                                       strict=True)]
    return pd.DataFrame({"date": dates, "product": rows["product"],
                         "finding": rows["finding_type"], "what was found": rows["finding"],
                         "regulatory action": rows["regulatory_action"].fillna(""),
                         "source": rows["source"]})
