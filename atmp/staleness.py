"""How old each chapter's facts are: the date they were last checked against their sources.

A chapter's facts are the rows it reads: its products in ``atmps.csv`` (``products(atmps)`` of its
chapter module) and the sourced tables its module, and the ``atmp`` modules that module imports,
name. A table is "named" when one of those modules holds its resource name as a string constant
(``TRIALS = "car-t-trials"``, ``data.load("legal-framework")``); where the table has a ``family``
column and the module names some of its values (``safety.findings("aav")``), only those rows
count. The chapter was **last checked** on the oldest ``verified_on`` among those rows; a table
without a ``verified_on`` column has no such date, and the status page says so instead of
inventing one (docs/architecture.md §3).

Examples
--------
>>> from atmp import staleness
>>> "car-t-trials" in staleness.chapter_tables()["car-t"]
True
"""

from __future__ import annotations

import ast
import datetime as dt
import importlib
import importlib.util
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from atmp import book, chapters, data

#: The column that dates when a row was last checked against its source.
CHECKED = "verified_on"
#: Default age, in days, after which a chapter's facts are flagged (``_config.yml`` overrides it:
#: ``sphinx.config.atmp_stale_after_days``).
STALE_AFTER_DAYS = 120
#: Tables that are the record itself (read through ``products(atmps)`` and :mod:`atmp.record`,
#: which every chapter imports, so a name found there says nothing about one chapter) or not
#: facts of a chapter.
RECORD_TABLES = ("atmps", "events", "editions", "atmp-class-statements")


@dataclass
class TableCheck:
    """What one table contributes to a chapter's date: its rows used and their oldest check."""

    table: str
    rows: int
    oldest: dt.date | None  # None: no verified_on column, or no row dated
    dated: bool  # the table has a verified_on column


@dataclass
class ChapterCheck:
    """A chapter's facts: the oldest check of its products and of each table it reads."""

    chapter: str
    products: int
    products_oldest: dt.date | None
    tables: list[TableCheck] = field(default_factory=list)

    @property
    def last_checked(self) -> dt.date | None:
        """The oldest ``verified_on`` among every dated row the chapter uses."""
        dates = [self.products_oldest, *(t.oldest for t in self.tables)]
        dates = [d for d in dates if d is not None]
        return min(dates) if dates else None

    @property
    def undated(self) -> list[str]:
        """Tables the chapter reads that carry no ``verified_on`` column."""
        return [t.table for t in self.tables if not t.dated]

    def age(self, today: dt.date) -> int | None:
        """Days from the last check to ``today``."""
        return None if self.last_checked is None else (today - self.last_checked).days

    def stale(self, today: dt.date, max_days: int) -> bool:
        """True when the last check is older than ``max_days`` (or no row is dated at all)."""
        age = self.age(today)
        return age is None or age > max_days


def _strings(module_name: str) -> set[str]:
    """String constants of one module's source (docstrings included; they never equal a name)."""
    spec = importlib.util.find_spec(module_name)
    if spec is None or not spec.origin or not spec.origin.endswith(".py"):
        return set()
    tree = ast.parse(Path(spec.origin).read_text(encoding="utf-8"))
    return {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)}


def _imports(module_name: str) -> set[str]:
    """The ``atmp`` modules one module imports (``from atmp import x``, ``from atmp.models import y``)."""
    spec = importlib.util.find_spec(module_name)
    tree = ast.parse(Path(spec.origin).read_text(encoding="utf-8"))
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "atmp":
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                out.add(candidate if importlib.util.find_spec(node.module) and _is_module(candidate)
                        else node.module)
        elif isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.split(".")[0] == "atmp"}
    return out - {"atmp.data", "atmp", "atmp.chapters"}


def _is_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def _strings_of_chapter(stem: str) -> tuple[set[str], set[str]]:
    """(strings of the chapter module and every atmp module it reaches, strings of its own module)."""
    own = f"atmp.chapters.{chapters.module_name(stem)}"
    seen, todo, strings = set(), [own], set()
    while todo:
        name = todo.pop()
        if name in seen or name.startswith("atmp.chapters.") and name != own:
            continue
        seen.add(name)
        strings |= _strings(name)
        todo.extend(_imports(name))
    return strings, _strings(own)


@cache
def _chapter_tables(names: tuple[str, ...], stems: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    out = {}
    for stem in stems:
        strings, _ = _strings_of_chapter(stem)
        out[stem] = tuple(n for n in names if n in strings and n not in RECORD_TABLES)
    return out


def chapter_tables(data_dir: Path | str | None = None) -> dict[str, tuple[str, ...]]:
    """For every chapter of ``_toc.yml``, the sourced tables its code reads (resource names)."""
    return dict(_chapter_tables(tuple(data.names(data_dir)), tuple(book.chapters())))


def table_chapters(data_dir: Path | str | None = None) -> dict[str, tuple[str, ...]]:
    """For every table, the chapters that read it (empty for a table no chapter reads)."""
    by_chapter = chapter_tables(data_dir)
    return {name: tuple(c for c, tables in by_chapter.items() if name in tables)
            for name in data.names(data_dir)}


def _families(stem: str, table: str, data_dir) -> set[str] | None:
    """The ``family`` values of ``table`` the chapter's own module names; None: all rows."""
    if "family" not in data.columns(table, data_dir):
        return None
    _, own = _strings_of_chapter(stem)
    values = {r["family"] for r in data.read_rows(table, data_dir)}
    named = values & own
    return named or None


def _oldest(values) -> dt.date | None:
    dates = [dt.date.fromisoformat(v) for v in values if v]
    return min(dates) if dates else None


def check(data_dir: Path | str | None = None) -> list[ChapterCheck]:
    """Per chapter of ``_toc.yml``, in reading order, when its facts were last checked."""
    atmps = data.load_atmps(data_dir)
    out = []
    for stem, tables in chapter_tables(data_dir).items():
        mine = chapters.load(stem).products(atmps)
        products = set(mine["product"])
        rows = [r for r in data.read_rows("atmps", data_dir) if r["product"] in products]
        item = ChapterCheck(stem, len(rows), _oldest(r[CHECKED] for r in rows))
        for table in tables:
            dated = CHECKED in data.columns(table, data_dir)
            rows = data.read_rows(table, data_dir)
            fams = _families(stem, table, data_dir)
            if fams is not None:
                rows = [r for r in rows if r["family"] in fams]
            item.tables.append(TableCheck(table, len(rows), _oldest(r[CHECKED] for r in rows)
                                          if dated else None, dated))
        out.append(item)
    return out


def stale_lines(checks: list[ChapterCheck], today: dt.date, max_days: int) -> list[str]:
    """One line per chapter whose facts are older than ``max_days`` (what the build prints)."""
    out = []
    for c in checks:
        if c.stale(today, max_days):
            when = c.last_checked.isoformat() if c.last_checked else "never (no dated row)"
            out.append(f"{c.chapter}: facts last checked {when}, "
                       f"{c.age(today) if c.last_checked else '?'} days ago (limit {max_days})")
    return out
