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


def tables() -> pd.DataFrame:
    """One row per table of the data package: file, rows, the chapters that read it, and its
    description (the book's data page lists them all)."""
    from atmp import staleness

    readers = staleness.table_chapters()
    every = set(staleness.chapter_tables())
    rows = []
    for res in data.package()["resources"]:
        name = res["name"]
        chapters = every if name in ("atmps", "events") else readers.get(name, ())
        if set(chapters) == every:
            read_by = "every chapter"
        elif name == "editions":
            read_by = "the What changed page"
        elif name in staleness.RECORD_TABLES:
            read_by = "the product record (atmp.record) and the book's pages"
        else:
            read_by = ", ".join(chapters) or "the data checks and pages"
        rows.append({"file": f"data/{res['path']}", "rows": len(data.read_rows(name)),
                     "read by": read_by,
                     "what one row is": res.get("description", "")})
    return pd.DataFrame(rows).set_index("file")
