"""Load and validate the course dataset (``data/``; the data contract is in docs/architecture.md).

The Frictionless data package ``data/datapackage.json`` is the single description of the tables:
their columns, types, allowed values and keys. This module reads the tables as typed pandas frames
(dates as ``datetime64``, flags as booleans, classes as ordered categoricals) and checks them
against that description plus the cross-field rules the schema cannot express.

Examples
--------
>>> from atmp import data
>>> atmps = data.load_atmps()
>>> atmps["atmp_class"].dtype.name
'category'
>>> data.validate() == []
True
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pandas as pd

#: Folder holding the dataset (``data/`` at the repository root).
DATA_DIR = Path(__file__).resolve().parent.parent / "data"
DATAPACKAGE = "datapackage.json"
#: Host of the EPAR pages every row must cite.
EPAR_PREFIX = "https://www.ema.europa.eu/en/medicines/human/EPAR/"


class DataError(ValueError):
    """The dataset breaks its schema or a cross-field rule."""


@dataclass(frozen=True)
class Problem:
    """One broken rule: which table and row, which rule, and what is wrong."""

    table: str
    row: int  # 1-based data row (the header is row 0); 0 for table-level problems
    product: str
    rule: str
    message: str

    def __str__(self) -> str:
        where = f"{self.table}.csv row {self.row}" + (f" ({self.product})" if self.product else "")
        return f"{where}: [{self.rule}] {self.message}"


@cache
def _package(data_dir: Path) -> dict:
    return json.loads((data_dir / DATAPACKAGE).read_text(encoding="utf-8"))


def package(data_dir: Path | str | None = None) -> dict:
    """The data package descriptor (``datapackage.json``) as a dict."""
    return _package(Path(data_dir or DATA_DIR).resolve())


def resource(name: str, data_dir: Path | str | None = None) -> dict:
    """The descriptor of one table (``atmps`` or ``events``)."""
    for res in package(data_dir)["resources"]:
        if res["name"] == name:
            return res
    raise KeyError(f"no resource {name!r} in {DATAPACKAGE}")


def fields(name: str, data_dir: Path | str | None = None) -> list[dict]:
    """The schema fields of one table, in column order."""
    return resource(name, data_dir)["schema"]["fields"]


def columns(name: str = "atmps", data_dir: Path | str | None = None) -> list[str]:
    """Column names of a table, in the order of the schema (and of the CSV file)."""
    return [f["name"] for f in fields(name, data_dir)]


def enum(table: str, column: str, data_dir: Path | str | None = None) -> list[str]:
    """Allowed values of a column, in the schema's order (the order figures use)."""
    for f in fields(table, data_dir):
        if f["name"] == column:
            return list(f.get("constraints", {}).get("enum", []))
    raise KeyError(f"no column {column!r} in {table}")


def data_as_of(data_dir: Path | str | None = None) -> dt.date:
    """The date the dataset's statuses refer to (``data_as_of`` in the descriptor)."""
    return dt.date.fromisoformat(package(data_dir)["data_as_of"])


def read_rows(name: str, data_dir: Path | str | None = None) -> list[dict[str, str]]:
    """Read a table as a list of string dicts, exactly as stored (no typing)."""
    path = Path(data_dir or DATA_DIR) / resource(name, data_dir)["path"]
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _typed(name: str, data_dir) -> pd.DataFrame:
    path = Path(data_dir or DATA_DIR) / resource(name, data_dir)["path"]
    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    for f in fields(name, data_dir):
        col, kind = f["name"], f["type"]
        if col not in df:
            continue
        if kind == "date":
            df[col] = pd.to_datetime(df[col].replace("", None), format="%Y-%m-%d")
        elif kind == "boolean":
            df[col] = df[col].map({"true": True, "false": False}).astype("boolean")
        elif kind in ("integer", "number"):
            df[col] = pd.to_numeric(df[col].replace("", None), errors="raise").astype(float)
        elif "enum" in f.get("constraints", {}):
            df[col] = pd.Categorical(df[col].replace("", None), categories=f["constraints"]["enum"])
    return df


def names(data_dir: Path | str | None = None) -> list[str]:
    """The name of every table in the package (each equals its file's stem)."""
    return [res["name"] for res in package(data_dir)["resources"]]


@cache
def _load_cached(name: str, data_dir: Path) -> pd.DataFrame:
    return _typed(name, data_dir)


def load(name: str, data_dir: Path | str | None = None) -> pd.DataFrame:
    """Any table of ``data/``, typed from its schema in ``datapackage.json``.

    The one loader of the course: dates become ``datetime64[ns]`` (NaT where empty), booleans
    nullable booleans, enumerated columns categoricals in the schema's order, integers and
    numbers floats (NaN where empty, so a missing count never reads as 0), and text stays text
    ("" where empty). Each call returns a fresh copy, so a caller may modify it.

    Parameters
    ----------
    name : str
        The table's name in ``datapackage.json``, which is its file stem (e.g. ``"car-t-trials"``).
    data_dir : path, optional
        Another data folder with its own ``datapackage.json`` (tests use this).

    Examples
    --------
    >>> from atmp import data
    >>> trials = data.load("car-t-trials")
    >>> trials["source"].str.len().gt(0).all()
    np.True_
    """
    return _load_cached(name, Path(data_dir or DATA_DIR).resolve()).copy()


def load_atmps(data_dir: Path | str | None = None) -> pd.DataFrame:
    """Every EU marketing authorisation for an ATMP, one row each, typed.

    Returns
    -------
    pandas.DataFrame
        Columns as in ``datapackage.json``: dates (``ec_decision_date``, ``status_date``,
        ``verified_on``) as ``datetime64[ns]`` (NaT where empty), flags as nullable booleans,
        ``atmp_class``, ``mechanism_family``, ``status`` and the other enumerated columns as
        categoricals in the schema's order; everything else as strings ("" where empty).
    """
    return load("atmps", data_dir)


def load_events(data_dir: Path | str | None = None) -> pd.DataFrame:
    """The regulatory events of every product (``events.csv``), typed, sorted by date."""
    return load("events", data_dir).sort_values(["date", "product"], kind="stable",
                                                  ignore_index=True)


# ----------------------------------------------------------------------------- validation

_BOOL = {"true", "false"}


def _check_field(value: str, f: dict) -> str | None:
    """The problem with one cell under its schema field, or None."""
    c = f.get("constraints", {})
    if value == "":
        return "is required" if c.get("required") else None
    kind = f["type"]
    if kind == "date":
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            return f"{value!r} is not an ISO date (YYYY-MM-DD)"
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return f"{value!r} is not an ISO date (YYYY-MM-DD)"
    elif kind == "boolean" and value not in _BOOL:
        return f"{value!r} is not true/false"
    elif kind == "integer" and not re.fullmatch(r"-?\d+", value):
        return f"{value!r} is not an integer"
    if "enum" in c and value not in c["enum"]:
        return f"{value!r} is not one of {c['enum']}"
    if "pattern" in c and not re.fullmatch(c["pattern"], value):
        return f"{value!r} does not match {c['pattern']}"
    return None


def _schema_problems(name: str, rows: list[dict[str, str]], data_dir) -> list[Problem]:
    out: list[Problem] = []
    flds = fields(name, data_dir)
    expected = [f["name"] for f in flds]
    if rows and list(rows[0].keys()) != expected:
        out.append(Problem(name, 0, "", "columns",
                           f"header {list(rows[0].keys())} differs from the schema {expected}"))
        return out
    seen: dict[str, dict[str, int]] = {f["name"]: {} for f in flds
                                       if f.get("constraints", {}).get("unique")}
    for i, row in enumerate(rows, start=1):
        prod = row.get("product", "")
        if None in row or any(v is None for v in row.values()):
            out.append(Problem(name, i, prod, "columns", "wrong number of fields"))
            continue
        for f in flds:
            msg = _check_field(row[f["name"]], f)
            if msg:
                out.append(Problem(name, i, prod, f"schema:{f['name']}", msg))
            if f["name"] in seen and row[f["name"]]:
                first = seen[f["name"]].setdefault(row[f["name"]], i)
                if first != i:
                    out.append(Problem(name, i, prod, f"unique:{f['name']}",
                                       f"{row[f['name']]!r} repeats row {first}"))
    return out


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _atmp_rules(rows: list[dict[str, str]], as_of: dt.date) -> list[Problem]:
    out: list[Problem] = []

    def bad(i, row, rule, msg):
        out.append(Problem("atmps", i, row["product"], rule, msg))

    for i, row in enumerate(rows, start=1):
        granted, status_on = _date(row["ec_decision_date"]), _date(row["status_date"])
        authorised = row["status"] == "authorised"
        if authorised and (row["status_date"] or row["status_reason"]):
            bad(i, row, "authorised-has-no-status-date",
                "an authorised product carries no status_date or status_reason")
        if not authorised and row["status"] and not row["status_date"]:
            bad(i, row, "status-date-required", f"status {row['status']!r} needs a status_date")
        if not authorised and row["status"] and not row["status_reason"]:
            bad(i, row, "status-reason-required", f"status {row['status']!r} needs a status_reason")
        if granted and status_on and status_on < granted:
            bad(i, row, "status-after-decision",
                f"status_date {status_on} is before ec_decision_date {granted}")
        for col in ("ec_decision_date", "status_date", "verified_on"):
            d = _date(row[col])
            if d and d > as_of:
                bad(i, row, "not-after-data-date", f"{col} {d} is after data_as_of {as_of}")
        srcs = [s for s in row["sources"].split(";") if s]
        if not any(s.startswith(EPAR_PREFIX) for s in srcs):
            bad(i, row, "sourced", f"sources must include the EPAR page ({EPAR_PREFIX}...)")
        for col in ("mechanism_family", "chapter", "verified_on", "ec_decision_date"):
            if not row[col]:
                bad(i, row, "curated", f"{col} is empty: the row still needs curation")
    return out


def _event_rules(events: list[dict[str, str]], atmps: list[dict[str, str]],
                 as_of: dt.date) -> list[Problem]:
    out: list[Problem] = []
    by_product = {r["product"]: r for r in atmps}
    for i, ev in enumerate(events, start=1):
        prod = by_product.get(ev["product"])
        if prod is None:
            out.append(Problem("events", i, ev["product"], "foreign-key",
                               "product is not in atmps.csv"))
            continue
        when, granted = _date(ev["date"]), _date(prod["ec_decision_date"])
        if when and when > as_of:
            out.append(Problem("events", i, ev["product"], "not-after-data-date",
                               f"date {when} is after data_as_of {as_of}"))
        if when and granted and when < granted:
            out.append(Problem("events", i, ev["product"], "event-after-decision",
                               f"{ev['event']} on {when} is before the authorisation on {granted}"))
        if ev["event"] == "authorised" and when and granted and when != granted:
            out.append(Problem("events", i, ev["product"], "authorised-date",
                               f"authorised on {when} but ec_decision_date is {granted}"))
    kinds = {(e["product"], e["event"]): e for e in events}
    for j, row in enumerate(atmps, start=1):
        if row["ec_decision_date"] and (row["product"], "authorised") not in kinds:
            out.append(Problem("atmps", j, row["product"], "has-authorised-event",
                               "no 'authorised' event in events.csv"))
        if row["status"] not in ("authorised", "") and (row["product"], row["status"]) not in kinds:
            out.append(Problem("atmps", j, row["product"], "status-has-event",
                               f"status {row['status']!r} has no matching event in events.csv"))
    return out


def validate(data_dir: Path | str | None = None) -> list[Problem]:
    """Check the record (and the editions ledger) against the schema and the cross-field rules.

    Rules beyond the schema: status dates and events are not before the initial decision;
    authorised rows carry no status date; a withdrawn (etc.) row has a status date and reason and
    a matching event; every product has an ``authorised`` event on its decision date; every row
    cites its EPAR page and is curated (family, chapter, decision date, verification date);
    nothing is dated after ``data_as_of``.

    Returns
    -------
    list of Problem
        Empty when the dataset is valid; each problem names the row and the rule.
    """
    as_of = data_as_of(data_dir)
    atmps, events = read_rows("atmps", data_dir), read_rows("events", data_dir)
    problems = _schema_problems("atmps", atmps, data_dir) + _schema_problems("events", events,
                                                                              data_dir)
    if any(p.rule == "columns" for p in problems):
        return problems
    return (problems + _atmp_rules(atmps, as_of) + _event_rules(events, atmps, as_of)
            + _edition_problems(as_of, data_dir))


#: The ledger of the data's editions (``atmp.changelog``), checked when the package has it.
EDITIONS = "editions"


def _edition_problems(as_of: dt.date, data_dir) -> list[Problem]:
    """The ledger against its schema; no edition after ``data_as_of``, and the newest is it.

    Skipped when the package has no ledger or its file is absent (a fixture folder holding only
    the record); the frictionless check of ``tests/data`` still requires the real one.
    """
    if EDITIONS not in names(data_dir) or not (
            Path(data_dir or DATA_DIR) / resource(EDITIONS, data_dir)["path"]).is_file():
        return []
    rows = read_rows(EDITIONS, data_dir)
    out = _schema_problems(EDITIONS, rows, data_dir)
    if out:
        return out
    editions = {_date(r["edition"]) for r in rows}
    for i, r in enumerate(rows, start=1):
        if _date(r["edition"]) > as_of:
            out.append(Problem(EDITIONS, i, r["product"], "not-after-data-date",
                               f"edition {r['edition']} is after data_as_of {as_of}"))
    if rows and max(editions) != as_of:
        out.append(Problem(EDITIONS, 0, "", "current-edition",
                           f"the newest edition is {max(editions)}, but data_as_of is {as_of}: "
                           "record the edition (python -m atmp.ema reconcile EXPORT --apply)"))
    return out


def check(data_dir: Path | str | None = None) -> None:
    """Raise :class:`DataError` listing every problem, if there is any."""
    problems = validate(data_dir)
    if problems:
        raise DataError(f"{len(problems)} problem(s) in the dataset:\n"
                        + "\n".join(f"  {p}" for p in problems))


def main(argv: list[str] | None = None) -> int:
    """``python -m atmp.data [DATA_DIR]``: validate, print problems, exit 1 if any."""
    argv = sys.argv[1:] if argv is None else argv
    data_dir = Path(argv[0]) if argv else DATA_DIR
    try:
        problems = validate(data_dir)
    except (OSError, ValueError, KeyError) as exc:
        print(f"{data_dir}: cannot read the dataset: {exc}", file=sys.stderr)
        return 2
    for p in problems:
        print(p, file=sys.stderr)
    n = len(read_rows("atmps", data_dir))
    print(f"{data_dir}: {n} products, {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
