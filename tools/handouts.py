"""Per chapter, a student handout and an instructor answer key, as A4 PDFs (run by ``make book``).

* ``_build/html/handouts/<chapter>.pdf`` — the **student handout**, 2–4 pages: learning
  objectives, the chapter's figures, the complete product table, the key points and the
  exercises with space to answer, and no solution.
* ``_build/html/handouts/<chapter>-key.pdf`` — the **instructor key**: every exercise with its
  solution, and every quiz question with its right answer and the reason for each option.

Each is a small purpose-built HTML page (kept beside the PDF), made from the built chapter page
(``tools/printables.py``), printed by headless Chromium through Playwright. When a handout runs
over four pages, it is printed again tighter (less answer space, smaller figures) until it fits.

Usage: ``python tools/handouts.py [BUILD_HTML_DIR]``
"""

from __future__ import annotations

import io
import sys
import time
from pathlib import Path

import printables as pr

ROOT = pr.ROOT
MAX_PAGES = 4

CSS = """
@page { size: A4; margin: 13mm 13mm 14mm 13mm; }
* { box-sizing: border-box; }
html { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; font-size: 9.2pt;
       line-height: 1.32; color: #111; }
body { margin: 0; }
h1 { font-size: 15pt; margin: 0 0 1mm; }
h2 { font-size: 11pt; margin: 4mm 0 1.5mm; padding-bottom: 0.6mm; border-bottom: 0.4pt solid #999;
     break-after: avoid; }
p { margin: 0 0 1.6mm; }
ul, ol { margin: 0 0 1.6mm; padding-left: 5mm; }
li p { margin: 0 0 0.6mm; }
a { color: inherit; text-decoration: none; }
code, pre { font-family: "DejaVu Sans Mono", monospace; font-size: 8pt; }
pre { white-space: pre-wrap; word-break: break-word; background: #f3f3f3; padding: 1.5mm;
      margin: 0 0 1.5mm; border-radius: 1mm; }
.meta { color: #444; font-size: 8.5pt; margin-bottom: 2mm; }
.figs { display: grid; grid-template-columns: repeat(var(--cols), 1fr); gap: 3mm 4mm; }
.figs figure { margin: 0; break-inside: avoid; }
.figs img { width: 100%; height: auto; border: 0.3pt solid #ccc; }
.figs figcaption { font-size: 7.8pt; line-height: 1.25; color: #222; margin-top: 0.8mm; }
table.atmp-table { border-collapse: collapse; width: 100%; font-size: 7.6pt; line-height: 1.2; }
table.atmp-table th, table.atmp-table td { padding: 0.6mm 1.4mm; border-bottom: 0.3pt solid #bbb;
      text-align: left; vertical-align: top; }
table.atmp-table thead th { border-bottom: 0.8pt solid #333; background: #eee; }
table.atmp-table tbody tr:nth-child(even) { background: #f6f6f6; }
table.atmp-table .atmp-date, table.atmp-table .atmp-number { white-space: nowrap; }
table.atmp-table .atmp-number { text-align: right; }
thead { display: table-header-group; }
tr { break-inside: avoid; }
.exercise { break-inside: avoid; margin-bottom: 2mm; }
.exercise h3, .qa h3 { font-size: 9.6pt; margin: 2.5mm 0 0.8mm; }
.answer { height: var(--answer); border: 0.4pt solid #bbb; border-radius: 1mm;
          background: repeating-linear-gradient(transparent 0 6.5mm, #ddd 6.5mm 6.8mm); }
.solution { border-left: 1mm solid #0072B2; padding-left: 2.5mm; margin-bottom: 2mm; }
.question { font-weight: 600; }
.options { list-style: none; padding-left: 2mm; }
.options li { margin-bottom: 0.8mm; }
.options .right { font-weight: 600; }
.why { color: #333; }
.qa { break-inside: avoid; }
.math { font-size: 100%; }
/* The same page read on a screen (the HTML beside the PDF): a sheet in the middle; one column
 * of figures and larger text on a phone, where wide tables scroll sideways. */
@media screen {
  body { max-width: 210mm; margin: 0 auto; padding: 10mm 12mm; }
  .atmp-table-wrap { overflow-x: auto; }
}
@media screen and (max-width: 600px) {
  html { font-size: 11pt; }
  body { padding: 4mm; }
  .figs { grid-template-columns: 1fr; }
  .figs figcaption { font-size: 9.5pt; }
  table.atmp-table { font-size: 9pt; }
}
"""

FOOTER = ('<div style="font-size:7pt; width:100%; text-align:center; color:#555;">'
          '<span class="title"></span> · page <span class="pageNumber"></span> of '
          '<span class="totalPages"></span></div>')


def _page(title: str, body: str, ch: pr.Chapter, cols: int, answer_mm: float) -> str:
    mathjax = ('<script defer src="../_static/mathjax/tex-mml-chtml.js"></script>'
               if ch.has_math else "")
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            f'<link rel="icon" href="data:,"><title>{pr.esc(title)}'
            f"</title><style>{CSS}:root {{ --cols: {cols}; --answer: {answer_mm}mm; }}</style>"
            f"{mathjax}</head><body>{body}</body></html>")


def student_html(ch: pr.Chapter, cols: int = 2, answer_mm: float = 20,
                 caption: str = "short", font_pt: float | None = None) -> str:
    """The student handout: objectives, figures, products, key points, exercises; no solution."""
    figs = "".join(
        f'<figure><img src="{pr.esc(f.src)}" alt="{pr.esc(f.alt)}"><figcaption>'
        f"<b>{pr.esc(f.number)}</b> "
        f"{pr.esc(f.short_caption) if caption == 'short' else f.caption_html}</figcaption></figure>"
        for f in ch.figures)
    exercises = "".join(
        f'<div class="exercise"><h3>{pr.esc(e.title)}</h3>{e.html}'
        f'{"<div class=answer></div>" if answer_mm else ""}</div>'
        for e in ch.exercises)
    body = (f"<h1>{pr.esc(ch.title)}</h1>"
            f'<div class="meta">Advanced Therapies · seminar handout · the full chapter, with '
            f"its models and sources: notebooks/{ch.stem}.html in the course book. "
            f"{pr.esc(ch.facts_as_of)}</div>"
            f"<h2>Learning objectives</h2>{ch.objectives_html}"
            f'<h2>Key figures</h2><div class="figs">{figs}</div>'
            f"<h2>The products ({ch.n_products})</h2>{ch.products_html}"
            f"<h2>Key points</h2>{ch.summary_html}"
            f"<h2>Exercises</h2>{exercises}")
    if font_pt:  # the last resort of LAYOUTS: a smaller base font
        body = f"<style>html {{ font-size: {font_pt}pt; }}</style>" + body
    return _page(f"{ch.title} — handout", body, ch, cols, answer_mm)


def key_html(ch: pr.Chapter) -> str:
    """The instructor key: every exercise with its solution; every quiz answer with reasons."""
    parts = [f"<h1>{pr.esc(ch.title)} — instructor key</h1>"
             f'<div class="meta">Advanced Therapies · for the instructor, not for students. '
             f"{pr.esc(ch.facts_as_of)}</div><h2>Exercises and solutions</h2>"]
    for e in ch.exercises:
        parts.append(f'<div class="qa"><h3>{pr.esc(e.title)}</h3>{e.html}</div>'
                     f'<div class="solution">{e.solution_html}</div>')
    parts.append("<h2>Self-check quiz: answers and reasons</h2>")
    for i, q in enumerate(ch.quiz, start=1):
        right = pr.correct_answers(q)
        options = []
        for a in q.get("answers", []):
            shown = a.get("answer", a.get("value", a.get("range", "")))
            cls = ' class="right"' if a.get("correct") else ""
            mark = "✓ " if a.get("correct") else "✗ "
            options.append(f"<li{cls}>{mark}{pr.esc(shown)} — "
                           f'<span class="why">{pr.esc(a.get("feedback", ""))}</span></li>')
        lo = f" ({pr.esc(q['objective'])})" if q.get("objective") else ""
        parts.append(f'<div class="qa"><h3>Question {i}{lo}</h3>'
                     f'<p class="question">{pr.esc(q.get("question", ""))}</p>'
                     f"<p>Answer: <b>{pr.esc('; '.join(right))}</b></p>"
                     f'<ul class="options">{"".join(options)}</ul></div>')
    return _page(f"{ch.title} — instructor key", "".join(parts), ch, 2, 0)


# Tighter and tighter layouts for a handout that runs over MAX_PAGES.
LAYOUTS = [dict(cols=2, answer_mm=22), dict(cols=2, answer_mm=12), dict(cols=3, answer_mm=12),
           dict(cols=3, answer_mm=0), dict(cols=4, answer_mm=0),
           dict(cols=4, answer_mm=0, font_pt=8.4), dict(cols=4, answer_mm=0, font_pt=7.8)]


def page_count(pdf: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


def _print(page, url: str, title: str) -> bytes:
    page.goto(url, wait_until="load")
    page.evaluate("""async () => {
        if (window.MathJax && MathJax.startup && MathJax.startup.promise)
            await MathJax.startup.promise;
        await Promise.all([...document.images].map(i => i.complete ? 0 :
            new Promise(r => { i.onload = i.onerror = r; })));
        await document.fonts.ready; }""")
    return page.pdf(format="A4", print_background=True, display_header_footer=True,
                    header_template="<span></span>", footer_template=FOOTER,
                    margin={"top": "13mm", "bottom": "14mm", "left": "13mm", "right": "13mm"})


def build(html_dir: Path, stems: list[str] | None = None, log=print) -> dict[str, dict]:
    """Write both PDFs (and their HTML) for every chapter; returns pages per chapter."""
    from playwright.sync_api import sync_playwright

    from atmp import browser

    out = html_dir / "handouts"
    out.mkdir(exist_ok=True)
    for old in out.glob("*.pdf"):
        old.unlink()
    server, url = browser.serve(html_dir)
    report = {}
    try:
        with sync_playwright() as pw:
            b = browser.launch(pw)
            page = b.new_page()
            for stem in stems or pr.chapters():
                t0 = time.perf_counter()
                ch = pr.read_chapter(html_dir, stem)
                for layout in LAYOUTS:
                    (out / f"{stem}.html").write_text(student_html(ch, **layout), encoding="utf-8")
                    pdf = _print(page, f"{url}handouts/{stem}.html", ch.title)
                    if page_count(pdf) <= MAX_PAGES:
                        break
                (out / f"{stem}.pdf").write_bytes(pdf)
                (out / f"{stem}-key.html").write_text(key_html(ch), encoding="utf-8")
                key = _print(page, f"{url}handouts/{stem}-key.html", ch.title)
                (out / f"{stem}-key.pdf").write_bytes(key)
                report[stem] = {"handout_pages": page_count(pdf), "key_pages": page_count(key),
                                "layout": layout}
                log(f"  handouts/{stem}.pdf {page_count(pdf)} pages, {stem}-key.pdf "
                    f"{page_count(key)} pages ({time.perf_counter() - t0:.1f} s)")
            b.close()
    finally:
        server.shutdown()
    return report


def main(argv: list[str]) -> int:
    html_dir = Path(argv[0]) if argv else ROOT / "_build" / "html"
    if not (html_dir / "index.html").is_file():
        print(f"handouts: {html_dir} has no built book; run `make book` first", file=sys.stderr)
        return 2
    from atmp import browser

    if not browser.chromium_found():
        print(f"handouts: no Chromium at {browser.CHROMIUM}; run `make chromium` or set CHROMIUM",
              file=sys.stderr)
        return 2
    try:
        build(html_dir)
    except FileNotFoundError as err:
        print(f"handouts: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
