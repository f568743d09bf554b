"""The editions of the data and what changed in each (``data/editions.csv``; docs/architecture.md §4).

An **edition** is one value of ``data_as_of``. The ledger ``data/editions.csv`` is committed
with the data, so the *What changed* page builds offline from a shallow clone: it never reads
git. It is cumulative: every product, ending or suspension event, conversion and failed
application the dataset holds has exactly one entry, under the edition that brought it, and the
``count`` entries of each sourced table add up to its number of rows. That makes the next
edition's entries a difference between the dataset and the ledger (:func:`new_entries`), which
``atmp.refresh`` writes in the same transaction as the data, and which
``tools/backfill_editions.py`` used once to record the editions in the git history.

Examples
--------
>>> from atmp import changelog, data
>>> editions = changelog.editions()          # newest first
>>> editions[0].edition == data.data_as_of()
True
>>> [e.edition for e in editions] == sorted((e.edition for e in editions), reverse=True)
True
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from atmp import data
from atmp.text import counted

#: The ledger's resource name (``data/editions.csv``).
LEDGER = "editions"
#: Ledger columns, in file order.
COLUMNS = ("edition", "kind", "product", "table", "chapter", "count", "date", "detail")
#: Events that change a product's market status, and the one that converts an authorisation.
STATUS_EVENTS = ("suspended", "suspension lifted", "withdrawn", "expired", "not renewed")
CONVERSION = "converted to standard"
#: Kinds of ledger entries, in the order the page lists them within an edition.
KINDS = ("export reconciled", "recorded by hand", "product added", "status change", "conversion",
         "failed application added", "evidence added", "evidence removed", "correction")
#: A correction is written into the ledger by hand (a value changed or removed, a statement
#: corrected): ``EDITION,correction,PRODUCT,TABLE,CHAPTER,1,,WHAT AND WHY``. Row counts cannot show
#: it, so the What-changed page would otherwise be silent about it.
CORRECTION = "correction"
#: The table of ATMP applications that did not end in an authorisation.
FAILED = "failed-applications"


def has_ledger(data_dir: Path | str | None = None) -> bool:
    """True when the data package describes the ledger."""
    return LEDGER in data.names(data_dir)


def read(data_dir: Path | str | None = None) -> list[dict[str, str]]:
    """The ledger's rows as stored ([] when the package has no ledger)."""
    return data.read_rows(LEDGER, data_dir) if has_ledger(data_dir) else []


@dataclass
class Snapshot:
    """The parts of a dataset the ledger follows."""

    atmps: list[dict[str, str]]
    events: list[dict[str, str]]
    failed: list[dict[str, str]]
    counts: dict[str, int]  # rows of every other table


def snapshot(data_dir: Path | str | None = None) -> Snapshot:
    """Read what the ledger follows from a data folder."""
    names = [n for n in data.names(data_dir) if n not in ("atmps", "events", LEDGER)]
    failed = data.read_rows(FAILED, data_dir) if FAILED in names else []
    counts = {n: len(data.read_rows(n, data_dir)) for n in names if n != FAILED}
    return Snapshot(data.read_rows("atmps", data_dir), data.read_rows("events", data_dir), failed,
                    counts)


def _row(edition: str, kind: str, product: str = "", table: str = "", chapter: str = "",
         count: int = 1, date: str = "", detail: str = "") -> dict[str, str]:
    return {"edition": edition, "kind": kind, "product": product, "table": table,
            "chapter": chapter, "count": str(count), "date": date, "detail": detail}


def new_entries(snap: Snapshot, ledger: list[dict[str, str]], edition: dt.date,
                table_chapter: dict[str, str] | None = None) -> list[dict[str, str]]:
    """What the dataset holds that the ledger does not, as entries of ``edition``.

    Parameters
    ----------
    snap : Snapshot
        The dataset (:func:`snapshot`).
    ledger : list of dict
        The ledger so far (:func:`read`).
    edition : datetime.date
        The edition the entries belong to (the dataset's ``data_as_of``).
    table_chapter : dict, optional
        The chapter a sourced table belongs to (its first reader), for the link of its entries.

    Returns
    -------
    list of dict of str
        New ledger rows: a ``product added`` per product not yet in the ledger, a ``status
        change`` per ending or suspension event and a ``conversion`` per conversion event not yet
        in it, a ``failed application added`` per new row of ``failed-applications.csv``, and an
        ``evidence added`` (``evidence removed``) per table with more (fewer) rows than the
        ledger counts.
    """
    ed = edition.isoformat()
    table_chapter = table_chapter or {}
    chapter_of = {r["product"]: r.get("chapter", "") for r in snap.atmps}
    seen_products = {e["product"] for e in ledger if e["kind"] == "product added"}
    seen_events = {(e["product"], e["date"], e["detail"]) for e in ledger
                   if e["kind"] in ("status change", "conversion")}
    # a product may have failed more than once (Cerepro): count, do not just look up
    seen_failed = Counter(e["product"] for e in ledger if e["kind"] == "failed application added")
    counted: dict[str, int] = {}
    for e in ledger:
        if e["kind"] in ("evidence added", "evidence removed"):
            counted[e["table"]] = counted.get(e["table"], 0) + int(e["count"])
    out = []
    for r in snap.atmps:
        if r["product"] not in seen_products:
            out.append(_row(ed, "product added", r["product"], "atmps", r.get("chapter", ""),
                            date=r["ec_decision_date"], detail=r.get("authorisation_type", "")))
    for ev in sorted(snap.events, key=lambda e: (e["date"], e["product"])):
        kind = ("status change" if ev["event"] in STATUS_EVENTS
                else "conversion" if ev["event"] == CONVERSION else None)
        if kind and (ev["product"], ev["date"], ev["event"]) not in seen_events:
            out.append(_row(ed, kind, ev["product"], "events", chapter_of.get(ev["product"], ""),
                            date=ev["date"], detail=ev["event"]))
    for r in snap.failed:
        if seen_failed[r["product"]] > 0:
            seen_failed[r["product"]] -= 1
        else:
            when = r.get("ec_decision_date") or r.get("final_opinion_date") or r.get(
                "opinion_date") or r.get("withdrawal_date") or ""
            out.append(_row(ed, "failed application added", r["product"], FAILED,
                            table_chapter.get(FAILED, ""), date=when, detail=r.get("outcome", "")))
    for table, n in snap.counts.items():
        delta = n - counted.get(table, 0)
        if delta:
            out.append(_row(ed, "evidence added" if delta > 0 else "evidence removed",
                            table=table, chapter=table_chapter.get(table, ""), count=delta))
    return out


# ----------------------------------------------------------------------------- the page


@dataclass
class Entry:
    """One line of an edition: what changed, in which chapter, when."""

    kind: str
    product: str
    table: str
    chapter: str
    count: int
    date: str
    detail: str


@dataclass
class Edition:
    """One edition of the data and its entries, grouped by kind."""

    edition: dt.date
    entries: list[Entry] = field(default_factory=list)

    def of(self, kind: str) -> list[Entry]:
        """The entries of one kind, oldest date first."""
        return sorted((e for e in self.entries if e.kind == kind), key=lambda e: (e.date, e.product,
                                                                                   e.table))

    def chapters(self, also: dict[str, tuple[str, ...]] | None = None) -> list[str]:
        """Chapters touched: each entry's own chapter, plus, through ``also``, the chapters that
        read every product (``product`` → chapters) or a table (``table`` → chapters)."""
        also = also or {}
        out: list[str] = []
        for e in self.entries:
            if e.kind in ("export reconciled", "recorded by hand"):
                continue
            for c in (e.chapter, *also.get(e.table, ())):
                if c and c not in out:
                    out.append(c)
        return out


def editions(data_dir: Path | str | None = None) -> list[Edition]:
    """The editions of the ledger, newest first, each with its entries.

    An entry without a chapter (a product added before its row was curated) takes the product's
    chapter from ``atmps.csv`` as it is now.
    """
    rows = read(data_dir)
    chapter_now = {r["product"]: r["chapter"] for r in data.read_rows("atmps", data_dir)}
    by: dict[str, Edition] = {}
    for r in rows:
        ed = by.setdefault(r["edition"], Edition(dt.date.fromisoformat(r["edition"])))
        chapter = r["chapter"] or (chapter_now.get(r["product"], "") if r["table"] in ("atmps", "events")
                                   else "")
        ed.entries.append(Entry(r["kind"], r["product"], r["table"], chapter, int(r["count"]),
                                r["date"], r["detail"]))
    return sorted(by.values(), key=lambda e: e.edition, reverse=True)


def summary(ed: Edition) -> str:
    """One sentence with the counts of an edition's entries (for the page and the PR body);
    kinds with nothing in this edition are left out."""
    n = {k: sum(e.count for e in ed.of(k)) for k in KINDS}
    parts = [counted(n["product added"], "product") + " added",
             counted(n["status change"], "status change"),
             counted(n["conversion"], "conversion"),
             counted(n["evidence added"], "evidence row") + " added",
             counted(n["failed application added"], "failed application") + " recorded",
             counted(-n["evidence removed"], "row") + " removed",
             counted(n[CORRECTION], "correction")]
    kept = [p for p in parts if not p.startswith("0 ")]
    return "; ".join(kept) if kept else "no products, status changes or evidence rows changed"


# ----------------------------------------------------------------------------- command line


def record(data_dir: Path | str | None = None) -> list[dict[str, str]]:
    """Append to the ledger what the dataset holds beyond it, as entries of its ``data_as_of``.

    For an edition made by hand (``data_as_of`` changed without an EMA export); ``--apply`` does
    this itself. Writes nothing when the ledger is complete.
    """
    from atmp import refresh  # the writing side

    folder = Path(data_dir or data.DATA_DIR)
    rows = read(folder)
    as_of = data.data_as_of(folder)
    new = new_entries(snapshot(folder), rows, as_of, refresh.first_readers(folder))
    if not any(r["edition"] == as_of.isoformat() for r in [*rows, *new]):
        new.append(_row(as_of.isoformat(), "recorded by hand", date=as_of.isoformat(),
                        detail="edition recorded with python -m atmp.changelog record"))
    if new:
        path = folder / data.resource(LEDGER, folder)["path"]
        text = refresh.render_csv(path.read_text(encoding="utf-8"), [*rows, *new], set())
        refresh.write_all({path: text})
    return new


def main(argv: list[str] | None = None) -> int:
    """``python -m atmp.changelog record [DATA_DIR]``: record the current edition's entries."""
    import sys

    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] != "record" or len(argv) > 2:
        print("usage: python -m atmp.changelog record [DATA_DIR]", file=sys.stderr)
        return 2
    folder = Path(argv[1]) if len(argv) > 1 else data.DATA_DIR
    try:
        new = record(folder)
    except (OSError, ValueError, KeyError) as exc:
        print(f"{folder}: cannot record the edition: {' '.join(str(exc).split())}", file=sys.stderr)
        return 2
    print(f"{folder}: {counted(len(new), 'entry', 'entries')} recorded for the edition of "
          f"{data.data_as_of(folder)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
