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

import json
import platform
from importlib import metadata
from pathlib import Path

from docutils import nodes
from sphinx.util.docutils import SphinxDirective

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
    app.connect("builder-inited", add_static_files)
    app.connect("env-get-outdated", _outdated)
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
    app.connect("html-page-context", dedupe_scripts, priority=999)
    app.connect("html-page-context", fix_citation_roles)
    app.add_directive("build-environment", BuildEnvironment)
    app.add_directive("bench-report", BenchReport)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
