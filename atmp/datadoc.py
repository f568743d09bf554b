"""Render the data dictionary of the book's data page from ``data/datapackage.json``."""

from __future__ import annotations

import pandas as pd

from atmp import data


def dictionary(table: str) -> pd.DataFrame:
    """One row per column of a table: name, type, required, allowed values, meaning.

    Parameters
    ----------
    table : str
        ``"atmps"`` or ``"events"``.
    """
    rows = []
    for f in data.fields(table):
        c = f.get("constraints", {})
        allowed = ", ".join(c["enum"]) if "enum" in c else (f"pattern {c['pattern']}"
                                                            if "pattern" in c else "")
        if f["type"] == "date":
            allowed = "ISO date YYYY-MM-DD"
        elif f["type"] == "boolean":
            allowed = "true, false"
        rows.append({"column": f["name"], "type": f["type"],
                     "required": "yes" if c.get("required") else "no",
                     "unique": "yes" if c.get("unique") else "no",
                     "allowed values": allowed, "meaning": f.get("description", "")})
    return pd.DataFrame(rows).set_index("column")
