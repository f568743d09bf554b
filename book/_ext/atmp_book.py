"""Sphinx extension for the Advanced Therapies book: fixes of JB1 defects, and the status page.

1. **Inline scripts emitted twice** (``Identifier 'THEBE_JS_URL' has already been declared`` on
   every page). Root cause, in Sphinx 7.4 (``sphinx/builders/html/__init__.py``):
   ``app.add_js_file(None, body=...)`` called after the builder exists (sphinx-thebe does so in
   ``env-before-read-docs``, sphinx-togglebutton in ``builder-inited``) stores the script on the
   builder as ``_JavaScript(None, ...)``; ``prepare_writing`` then re-adds every registry entry as
   ``_JavaScript('', ...)``. ``None != ''``, so the de-duplication misses it and the ``<script>``
   with ``const THEBE_JS_URL = ...`` appears twice. We de-duplicate with ``None`` and ``''``
   treated alike, on each page, after every other extension has added its scripts.

2. **Bibliography entries with an ARIA role a list may not own** (axe-core, critical): see
   :func:`fix_citation_roles`.

3. **Status page directives**: ``{build-environment}`` renders the versions of the key packages
   as installed in the environment doing the build (nothing typed by hand), and
   ``{bench-report}`` renders ``_build/bench.json`` written by ``make bench`` when it exists.

   ``{data-staleness}`` lists per chapter the date its facts were last checked
   (:mod:`atmp.staleness`) and flags those older than ``atmp_stale_after_days`` (``_config.yml``,
   default 120); the build prints the same lines, as information: a stale fact must not fail a
   build made with ``-W``. ``{data-changes}`` renders the *What changed* page from the editions
   ledger ``data/editions.csv`` (:mod:`atmp.changelog`), newest edition first, with links to the
   chapters; it reads no git history, so it builds from a shallow clone.

4. **Phones, tables and figures** (``static/atmp.js``, ``static/atmp.css``, added to every
   page): the sidebar toggles open the navigation drawer at phone and tablet widths
   (pydata-sphinx-theme#2451: both themes bind the *first* ``.primary-toggle``, a hidden one; a
   click on the visible one is forwarded to it), figures enlarge on click, and the tables of
   ``atmp.tables.static`` get one style in light and dark mode.

The pydata theme's ``Got invalid theme mode: . Resetting to auto.`` is fixed in ``_config.yml``
(``html_context: {default_mode: auto}``): the theme's layout seeds ``data-mode`` from the Jinja
variable ``default_mode``, which is empty unless ``html_context`` sets it.
"""

from __future__ import annotations

import datetime as dt
import json
import platform
from importlib import metadata
from pathlib import Path

from docutils import nodes
from sphinx import addnodes
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

LOGGER = logging.getLogger(__name__)

KEY_PACKAGES = ["jupyter-book", "sphinx", "myst-nb", "sphinx-book-theme", "numpy", "pandas",
                "matplotlib", "scipy", "lifelines", "ipywidgets"]


def _script_key(js) -> tuple:
    return (js.filename or "", js.priority, tuple(sorted(js.attributes.items())))


def dedupe_scripts(app, pagename, templatename, context, doctree) -> None:
    """Drop repeated ``<script>`` entries, treating a ``None`` and an ``''`` filename alike."""
    files = getattr(app.builder, "_js_files", None)
    if not files:
        return
    seen, unique = set(), []
    for js in files:
        key = _script_key(js)
        if key not in seen:
            seen.add(key)
            unique.append(js)
    files[:] = unique  # in place: the page context holds this very list


def fix_citation_roles(app, pagename, templatename, context, doctree) -> None:
    """Give bibliography entries the ARIA role their ``role="list"`` parent requires.

    docutils 0.21 writes each citation as ``<div role="doc-biblioentry">`` inside a
    ``<div role="list">``; a list may only own ``listitem`` children, and DPUB-ARIA 1.1
    deprecated ``doc-biblioentry`` in favour of ``listitem``, so axe-core reports a critical
    ``aria-required-children`` violation on every page with references.
    """
    body = context.get("body")
    if body and 'role="doc-biblioentry"' in body:
        context["body"] = body.replace('role="doc-biblioentry"', 'role="listitem"')


def _table(header: list[str], rows: list[list[str]], classes=("colwidths-auto",)) -> nodes.table:
    table = nodes.table(classes=list(classes))
    tgroup = nodes.tgroup(cols=len(header))
    table += tgroup
    for _ in header:
        tgroup += nodes.colspec(colwidth=1)
    thead = nodes.thead()
    tgroup += thead
    row = nodes.row()
    for h in header:
        row += nodes.entry("", nodes.paragraph(text=h))
    thead += row
    tbody = nodes.tbody()
    tgroup += tbody
    for r in rows:
        row = nodes.row()
        for cell in r:
            row += nodes.entry("", nodes.paragraph(text=str(cell)))
        tbody += row
    return table


def package_versions() -> list[tuple[str, str]]:
    """(name, version) of Python and of :data:`KEY_PACKAGES` as installed right now."""
    rows = [("python", platform.python_version())]
    for name in KEY_PACKAGES:
        try:
            rows.append((name, metadata.version(name)))
        except metadata.PackageNotFoundError:
            rows.append((name, "not installed"))
    return rows


class BuildEnvironment(SphinxDirective):
    """``{build-environment}``: the versions of the key packages used by this build."""

    def run(self):
        _always_reread(self.env).add(self.env.docname)
        return [_table(["package", "version"], [list(r) for r in package_versions()])]


def _fmt(value, unit="", digits=1):
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}f}{unit}"
    return f"{value}{unit}"


class BenchReport(SphinxDirective):
    """``{bench-report}``: the budgets table from ``_build/bench.json`` (``make bench``)."""

    def run(self):
        path = Path(self.env.srcdir) / "_build" / "bench.json"
        if not path.is_file():
            para = nodes.paragraph(text=(
                "Timings and page weights were not measured in this build."))
            return [para]
        self.env.note_dependency(str(path))
        _always_reread(self.env).add(self.env.docname)
        report = json.loads(path.read_text(encoding="utf-8"))
        rows = [[c["what"], c["measured"], c["budget"],
                 c.get("verdict", "ok" if c["ok"] else "OVER BUDGET")]
                for c in report.get("checks", [])]
        intro = nodes.paragraph(text=f"Measured by make bench on {report.get('when', '?')} "
                                     f"({report.get('machine', '')}).")
        return [intro, _table(["what", "measured", "budget", "verdict"], rows)]


def _doc_link(env, stem: str) -> nodes.Node:
    """A ``{doc}`` reference to a chapter, titled by the chapter (resolved like the role)."""
    target = f"/notebooks/{stem}"
    ref = addnodes.pending_xref("", refdomain="std", reftype="doc", reftarget=target,
                                refexplicit=False, refwarn=True, refdoc=env.docname)
    ref += nodes.inline("", stem, classes=["xref", "std", "std-doc"])
    return ref


def _links(env, stems) -> list[nodes.Node]:
    out: list[nodes.Node] = []
    for k, stem in enumerate(stems):
        if k:
            out.append(nodes.Text(", "))
        out.append(_doc_link(env, stem))
    return out


def _data_dir(config) -> Path:
    """The dataset the status and What-changed pages read (``atmp_data_dir``; default data/)."""
    from atmp import data

    return Path(config.atmp_data_dir) if config.atmp_data_dir else data.DATA_DIR


def _data_dependencies(env, names) -> Path:
    from atmp import data

    folder = _data_dir(env.config)
    for name in names:
        env.note_dependency(str(folder / data.resource(name, folder)["path"]))
    env.note_dependency(str(folder / data.DATAPACKAGE))
    _always_reread(env).add(env.docname)
    return folder


class DataStaleness(SphinxDirective):
    """``{data-staleness}``: per chapter, when its facts were last checked, stale ones flagged."""

    def run(self):
        from atmp import data, staleness

        max_days = int(self.config.atmp_stale_after_days)
        today = dt.date.today()
        folder = _data_dependencies(self.env, data.names(_data_dir(self.config)))
        checks = staleness.check(folder)
        for line in staleness.stale_lines(checks, today, max_days):
            # information, not a Sphinx warning: the book is built with -W
            LOGGER.info(f"atmp: STALE FACTS (warning, not an error): {line}")
        intro = nodes.paragraph(text=(
            f"A chapter's facts were last checked on the oldest verified_on date among the rows it "
            f"uses: its products in atmps.csv and the rows of the sourced tables its code reads. "
            f"Facts older than {max_days} days on the day of this build ({today.isoformat()}) "
            f"are flagged. Tables without a verified_on column carry no such date and are named "
            f"instead. The record's statuses are as of {data.data_as_of(folder).isoformat()}."))
        table = _table(["chapter", "last checked", "age (days)", "flag", "tables without a date"],
                       [["", c.last_checked.isoformat() if c.last_checked else "no dated row",
                         str(c.age(today)) if c.last_checked else "–",
                         "STALE" if c.stale(today, max_days) else "ok",
                         ", ".join(c.undated) or "–"] for c in checks])
        rows = table.traverse(nodes.row)[1:]
        for row, c in zip(rows, checks, strict=True):
            row[0][0] += _doc_link(self.env, c.chapter)
        return [intro, table]


class DataChanges(SphinxDirective):
    """``{data-changes}``: one entry per edition of the data, newest first (``data/editions.csv``)."""

    LABELS = {"product added": "Products added", "status change": "Status changes",
              "conversion": "Conversions to a standard authorisation",
              "failed application added": "Failed applications recorded",
              "evidence added": "New evidence rows", "evidence removed": "Rows removed",
              "correction": "Corrections"}

    def run(self):
        from atmp import changelog, staleness

        folder = _data_dependencies(self.env, [changelog.LEDGER, "atmps"])
        readers = staleness.table_chapters(folder)
        every_product = [c for c in staleness.chapter_tables(folder)
                         if _reads_every_product(c, folder)]
        also = {**readers, "atmps": tuple(every_product), "events": tuple(every_product)}
        out: list[nodes.Node] = []
        for ed in changelog.editions(folder):
            title = nodes.rubric(text=f"Edition of {ed.edition.isoformat()}",
                                 ids=[f"edition-{ed.edition.isoformat()}"])
            out += [title, nodes.paragraph(text=changelog.summary(ed) + ".")]
            reconciled = ed.of("export reconciled")
            if reconciled:
                out.append(nodes.paragraph(text="Reconciled with " + "; ".join(
                    e.detail for e in reconciled) + "."))
            items = nodes.bullet_list()
            for kind, label in self.LABELS.items():
                entries = ed.of(kind)
                if not entries:
                    continue
                item = nodes.list_item()
                item += nodes.paragraph(text=f"{label}:")
                sub = nodes.bullet_list()
                for chapter in dict.fromkeys(e.chapter for e in entries):
                    para = nodes.paragraph()
                    para += _doc_link(self.env, chapter) if chapter else nodes.Text(
                        "not yet in a chapter")
                    para += nodes.Text(": " + "; ".join(_describe(e) for e in entries
                                                         if e.chapter == chapter))
                    sub += nodes.list_item("", para)
                item += sub
                items += item
            out.append(items)
            touched = nodes.paragraph(text="Chapters touched: ")
            touched += _links(self.env, ed.chapters(also)) or [nodes.Text("none")]
            out.append(touched)
        if not out:
            out.append(nodes.paragraph(text="No edition of the data is recorded yet."))
        return out


def _reads_every_product(stem: str, folder: Path) -> bool:
    """True for the field chapters, whose ``products()`` is the whole record."""
    from atmp import chapters, data

    atmps = data.load_atmps(folder)
    return len(chapters.load(stem).products(atmps)) == len(atmps)


def _describe(e) -> str:
    from atmp.text import counted

    if e.kind in ("evidence added", "evidence removed"):
        return f"{counted(abs(e.count), 'row')} in {e.table}"
    if e.kind == "product added":
        return f"{e.product} (authorised {e.date})" if e.date else e.product
    if e.kind == "correction":
        return f"{e.product}: {e.detail}" if e.product else e.detail
    if e.kind == "failed application added":
        return f"{e.product} ({e.detail}{', ' + e.date if e.date else ''})"
    return f"{e.product} {e.detail} on {e.date}"


def _always_reread(env) -> set[str]:
    """Documents whose content depends on the environment, not on their source."""
    if not hasattr(env, "atmp_always_reread"):
        env.atmp_always_reread = set()
    return env.atmp_always_reread


def _outdated(app, env, added, changed, removed):
    return sorted(_always_reread(env) - set(removed))


def _purge(app, env, docname):
    _always_reread(env).discard(docname)


def _merge(app, env, docnames, other):
    _always_reread(env).update(_always_reread(other))


STATIC = Path(__file__).resolve().parent / "static"


def add_static_files(app) -> None:
    """Serve ``static/`` and load its CSS and JS on every page."""
    app.config.html_static_path.append(str(STATIC))
    app.add_css_file("atmp.css")
    app.add_js_file("atmp.js", loading_method="defer")


def setup(app):
    import atmp_bibstyle  # book/_ext is on the path: citations and references with "et al."

    atmp_bibstyle.register()
    app.connect("builder-inited", add_static_files)
    app.connect("env-get-outdated", _outdated)
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
    app.connect("html-page-context", dedupe_scripts, priority=999)
    app.connect("html-page-context", fix_citation_roles)
    app.add_directive("build-environment", BuildEnvironment)
    app.add_directive("bench-report", BenchReport)
    app.add_directive("data-staleness", DataStaleness)
    app.add_directive("data-changes", DataChanges)
    app.add_config_value("atmp_stale_after_days", 120, "env", types=[int])
    app.add_config_value("atmp_data_dir", "", "env", types=[str])
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
