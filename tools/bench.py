"""Benchmarks of the course against its budgets (docs/architecture.md §10): ``make bench``.

Measures, on this machine:

* each chapter notebook executed from a fresh kernel (nbclient, cwd ``notebooks/``), as the book
  build runs it (``ATMP_BOOK_BUILD=1``);
* a clean book build (strict flags, every notebook executed) in a temporary copy of the
  repository, so the user's ``_build`` and its execution cache are never touched;
* the rebuild of that copy after touching one markdown page, with the execution cache warm;
* the redraw latency (model + draw + PNG render) of every widget in ``atmp.widgets.registry()``;
* the weight of every page of the table of contents, from the freshly built files: the HTML and
  its images (what the budget counts, docs/architecture.md §10), and with everything else the page references
  (CSS with its @imports and web fonts, JS). The theme's assets (about 2.5 MB, 1.5 MB of it
  Font Awesome's JS) are the same on every page and cached after the first; the ones only some
  pages load (the 4.4 MB widget manager, MathJax) are named in the table.

Writes ``_build/bench.json`` (shown by the status page at the next ``make book``), prints a table
against the budgets, and exits 1 when a budget is broken.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import posixpath
import re
import shutil
import subprocess
import sys
import tempfile
import time
from html.parser import HTMLParser
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from atmp.book import toc_docnames  # noqa: E402
from atmp.widgets import REDRAW_BUDGET_MS  # noqa: E402

VENV_BIN = Path(sys.executable).parent
BOOK_FLAGS = ["-W", "-n", "--keep-going"]

BUDGETS = {
    "notebook_s": 10.0,        # one notebook from a fresh kernel
    "clean_build_s": 240.0,    # clean book build, all chapters executed
    "warm_rebuild_s": 30.0,    # rebuild after a prose edit, execution cache warm
    "widget_p50_ms": REDRAW_BUDGET_MS,  # widget redraw, median (atmp.widgets)
    "page_mb": 2.0,            # one HTML page with its images
}
# Assets loaded only by some pages, reported by name in the page-weight table.
NOTABLE_ASSETS = {"widgets/embed-amd.js": "widget manager", "mathjax/tex-mml-chtml.js": "MathJax"}
COPY_IGNORE = shutil.ignore_patterns(".venv", "_build", "node_modules", ".git", ".ruff_cache",
                                     ".pytest_cache", "__pycache__", "*.egg-info", ".hypothesis",
                                     ".ipynb_checkpoints")


# ------------------------------------------------------------------------------ notebooks
def time_notebooks(nb_dir: Path, timeout: int = 600) -> list[dict]:
    """Execute every ``*.ipynb`` of ``nb_dir`` from a fresh kernel; wall time includes start-up."""
    import nbformat
    from nbclient import NotebookClient

    os.environ["ATMP_BOOK_BUILD"] = "1"
    results = []
    # The baseline: an empty notebook run the same way (kernel start-up and shut-down only).
    # Each chapter's ratio to it says how much work the chapter itself does.
    empty = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("pass")])
    notebooks = [("(empty notebook)", empty)]
    notebooks += [(p.name, nbformat.read(p, as_version=4)) for p in sorted(nb_dir.glob("*.ipynb"))]
    for name, nb in notebooks:
        client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                                resources={"metadata": {"path": str(nb_dir)}})
        t0 = time.perf_counter()
        error = None
        try:
            client.execute()
        except Exception as exc:  # report and carry on: one broken notebook is one row
            error = f"{type(exc).__name__}: {str(exc).strip().splitlines()[-1][:200]}"
        seconds = time.perf_counter() - t0
        baseline = results[0]["seconds"] if results else seconds
        results.append({"notebook": name, "seconds": seconds, "error": error,
                        "ratio_to_empty": seconds / baseline})
        print(f"  notebook {name}: {seconds:.1f} s, {seconds / baseline:.1f}x the empty notebook"
              + (f"  ERROR {error}" if error else ""), flush=True)
    return results


# ------------------------------------------------------------------------------ book builds
def _build(book: Path, extra: list[str] | None = None) -> tuple[float, int, str]:
    env = {**os.environ, "ATMP_BOOK_BUILD": "1"}
    cmd = [str(VENV_BIN / "jupyter-book"), "build", ".", *BOOK_FLAGS, *(extra or [])]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=book, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-15:])
    return seconds, proc.returncode, tail


def time_builds(workdir: Path) -> dict:
    """Clean build of a copy of the repository in ``workdir``, then a warm rebuild."""
    if not (ROOT / "_vendor").is_dir():
        raise SystemExit("_vendor/ is missing: run `make vendor` first")
    book = workdir / "book-copy"
    shutil.copytree(ROOT, book, ignore=COPY_IGNORE, symlinks=True)
    print(f"  clean build in {book} ...", flush=True)
    clean_s, clean_rc, clean_tail = _build(book)
    print(f"  clean build: {clean_s:.1f} s (rc {clean_rc})", flush=True)
    toc = yaml.safe_load((book / "_toc.yml").read_text(encoding="utf-8"))
    touched = next((book / f"{toc['root']}{ext}" for ext in (".md", "") if
                    (book / f"{toc['root']}{ext}").is_file()), None)
    if touched is None:
        touched = next(book.glob("book/*.md"))
    now = time.time()
    os.utime(touched, (now, now))
    warm_s, warm_rc, warm_tail = _build(book)
    print(f"  warm rebuild after touching {touched.relative_to(book)}: {warm_s:.1f} s "
          f"(rc {warm_rc})", flush=True)
    return {"clean_build_s": clean_s, "clean_build_rc": clean_rc,
            "clean_build_log_tail": clean_tail if clean_rc else "",
            "warm_rebuild_s": warm_s, "warm_rebuild_rc": warm_rc,
            "warm_rebuild_log_tail": warm_tail if warm_rc else "",
            "touched": str(touched.relative_to(book)), "site": str(book / "_build" / "html")}


# ------------------------------------------------------------------------------ widgets
def time_widgets(n: int = 20) -> list[dict]:
    import matplotlib

    matplotlib.use("Agg")
    sys.path.insert(0, str(ROOT))
    from atmp.widgets import registry

    rows = []
    for name, widget in sorted(registry().items()):
        widget.time_redraw(n=2)  # warm-up: imports, font cache
        timing = widget.time_redraw(n=n)
        rows.append({"widget": name, **timing})
        print(f"  widget {name}: p50 {timing['p50_ms']:.0f} ms, p95 {timing['p95_ms']:.0f} ms",
              flush=True)
    return rows


# ------------------------------------------------------------------------------ page weight
class _Refs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.images, self.scripts, self.styles = [], [], []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "img" and a.get("src"):
            self.images.append(a["src"])
        elif tag == "script" and a.get("src"):
            self.scripts.append(a["src"])
        elif tag == "link" and a.get("href"):
            rel = (a.get("rel") or "").lower()
            if "stylesheet" in rel:
                self.styles.append(a["href"])
            elif "preload" in rel and a.get("as") == "script":
                self.scripts.append(a["href"])
            elif "icon" in rel:
                self.images.append(a["href"])


_CSS_URL = re.compile(r"""@import\s+(?:url\()?["']?([^"')\s;]+)|url\(\s*["']?([^"')]+?)["']?\s*\)""")


def _local(site: Path, base: str, ref: str) -> str | None:
    """Site-relative path of a reference from the file ``base`` (None for other hosts, data:)."""
    if re.match(r"^[a-z][a-z0-9+.-]*:", ref) or ref.startswith("//") or ref.startswith("#"):
        return None
    ref = ref.split("#")[0].split("?")[0]
    if not ref:
        return None
    return posixpath.normpath(posixpath.join(posixpath.dirname(base), ref))


def _css_closure(site: Path, css: str, seen: set[str]) -> None:
    """Add ``css``, what it @imports, and the first web font of each url() list, to ``seen``."""
    if css in seen or not (site / css).is_file():
        return
    seen.add(css)
    text = (site / css).read_text(encoding="utf-8", errors="replace")
    for imp, url in _CSS_URL.findall(text):
        ref = _local(site, css, imp or url)
        if ref is None:
            continue
        if imp or ref.endswith(".css"):
            _css_closure(site, ref, seen)
        elif ref.endswith(".woff2"):  # browsers take the first format they support: woff2
            if (site / ref).is_file():
                seen.add(ref)


def page_weight(site: Path, docname: str) -> dict:
    html = f"{docname}.html"
    refs = _Refs()
    refs.feed((site / html).read_text(encoding="utf-8", errors="replace"))
    images = {p for r in refs.images if (p := _local(site, html, r)) and (site / p).is_file()}
    scripts = {p for r in refs.scripts if (p := _local(site, html, r)) and (site / p).is_file()}
    styles: set[str] = set()
    for r in refs.styles:
        if p := _local(site, html, r):
            _css_closure(site, p, styles)

    def size(paths):
        return sum((site / p).stat().st_size for p in paths)

    html_b, img_b = (site / html).stat().st_size, size(images)
    notable = sorted(label for p in scripts for key, label in NOTABLE_ASSETS.items()
                     if p.endswith(key))
    return {"page": docname, "html_bytes": html_b, "image_bytes": img_b,
            "page_bytes": html_b + img_b, "css_font_bytes": size(styles),
            "js_bytes": size(scripts), "total_bytes": html_b + img_b + size(styles) + size(scripts),
            "loads": notable}


def weigh_pages(site: Path) -> list[dict]:
    names = toc_docnames(ROOT / "_toc.yml")
    rows = []
    for name in names:
        if (site / f"{name}.html").is_file():
            rows.append(page_weight(site, name))
        else:
            rows.append({"page": name, "missing": True})
    return rows


# ------------------------------------------------------------------------------ report
def _mb(b):
    return b / 1e6


def checks(report: dict) -> list[dict]:
    """One row per budgeted quantity: what, measured, budget, ok."""
    out = []
    for nb in report.get("notebooks", []):
        ok = nb["error"] is None and nb["seconds"] <= BUDGETS["notebook_s"]
        out.append({"what": f"notebook {nb['notebook']}",
                    "measured": f"{nb['seconds']:.1f} s", "budget": f"≤ {BUDGETS['notebook_s']:.0f} s",
                    "ok": ok, "failed": nb["error"] is not None})
    b = report.get("builds")
    if b:
        out.append({"what": "clean book build", "failed": b["clean_build_rc"] != 0,
                    "measured": f"{b['clean_build_s']:.1f} s",
                    "budget": f"≤ {BUDGETS['clean_build_s']:.0f} s",
                    "ok": b["clean_build_rc"] == 0 and b["clean_build_s"] <= BUDGETS["clean_build_s"]})
        out.append({"what": f"rebuild after editing {b['touched']}",
                    "failed": b["warm_rebuild_rc"] != 0,
                    "measured": f"{b['warm_rebuild_s']:.1f} s",
                    "budget": f"≤ {BUDGETS['warm_rebuild_s']:.0f} s",
                    "ok": b["warm_rebuild_rc"] == 0 and b["warm_rebuild_s"] <= BUDGETS["warm_rebuild_s"]})
    for w in report.get("widgets", []):
        out.append({"what": f"widget {w['widget']} redraw p50 (p95)",
                    "measured": f"{w['p50_ms']:.0f} ms ({w['p95_ms']:.0f} ms)",
                    "budget": f"≤ {BUDGETS['widget_p50_ms']:.0f} ms",
                    "ok": w["p50_ms"] <= BUDGETS["widget_p50_ms"]})
    for p in report.get("pages", []):
        if p.get("missing"):
            out.append({"what": f"page {p['page']}", "measured": "not built",
                        "budget": "", "ok": False, "failed": True})
            continue
        extra = f"; with all CSS/JS/fonts {_mb(p['total_bytes']):.2f} MB"
        if p["loads"]:
            extra += " incl. " + ", ".join(p["loads"])
        out.append({"what": f"page {p['page']} (HTML + images{extra})",
                    "measured": f"{_mb(p['page_bytes']):.2f} MB",
                    "budget": f"≤ {BUDGETS['page_mb']:.0f} MB",
                    "ok": _mb(p["page_bytes"]) <= BUDGETS["page_mb"]})
    for row in out:
        row["verdict"] = "FAILED" if row.get("failed") else ("ok" if row["ok"] else "OVER BUDGET")
    return out


def print_table(rows: list[dict]) -> None:
    w = max(len(r["what"]) for r in rows) if rows else 10
    print(f"\n{'what':<{w}}  {'measured':>18}  {'budget':>9}  verdict")
    print("-" * (w + 42))
    for r in rows:
        print(f"{r['what']:<{w}}  {r['measured']:>18}  {r['budget']:>9}  {r['verdict']}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--no-notebooks", action="store_true", help="skip executing the notebooks")
    ap.add_argument("--no-build", action="store_true",
                    help="skip the builds; weigh the pages of the existing _build/html")
    ap.add_argument("--no-widgets", action="store_true", help="skip the widget timings")
    ap.add_argument("--keep", action="store_true", help="keep the temporary copy of the repo")
    ap.add_argument("--output", type=Path, default=ROOT / "_build" / "bench.json")
    args = ap.parse_args(argv)

    report: dict = {"when": dt.datetime.now().isoformat(timespec="seconds"),
                    "machine": f"{platform.node()}, {os.cpu_count()} CPUs, "
                               f"Python {platform.python_version()}",
                    "budgets": BUDGETS}
    if not args.no_notebooks:
        print("Notebooks, each from a fresh kernel:", flush=True)
        report["notebooks"] = time_notebooks(ROOT / "notebooks")
    workdir = Path(tempfile.mkdtemp(prefix="atmp-bench-"))
    try:
        if args.no_build:
            site = ROOT / "_build" / "html"
        else:
            print("Book builds (in a temporary copy of the repository):", flush=True)
            report["builds"] = time_builds(workdir)
            site = Path(report["builds"].pop("site"))
        if not args.no_widgets:
            print("Widget redraws:", flush=True)
            report["widgets"] = time_widgets()
        if (site / "index.html").is_file():
            report["pages"] = weigh_pages(site)
        else:
            print(f"  no built site at {site}: page weights skipped", flush=True)
    finally:
        if args.keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)

    report["checks"] = checks(report)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2), encoding="utf-8")
    print_table(report["checks"])
    broken = [c for c in report["checks"] if not c["ok"]]
    for key in ("clean_build_log_tail", "warm_rebuild_log_tail"):
        if report.get("builds", {}).get(key):
            print(f"\n{key}:\n{report['builds'][key]}")
    print(f"\nReport: {args.output}"
          + (f"\n{len(broken)} budget(s) broken." if broken else "\nEvery budget met."))
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
