"""Print every chapter of the built book to a PDF handout (``make handouts``).

For students without a laptop: each chapter notebook's HTML page is printed by headless
Chromium (Playwright's print-to-PDF, A4, with backgrounds so figures keep their white panels)
into ``_build/html/handouts/<chapter>.pdf``, where the instructor guide links them. Widgets
appear as their static figures, exercise solutions stay collapsed.

Usage: ``python tools/handouts.py [BUILD_HTML_DIR]``
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "site"))
import sitecheck  # noqa: E402  (serving, the TOC and the Chromium flags shared with the site tests)


def chapters(toc: Path = ROOT / "_toc.yml") -> list[str]:
    """Docnames of the chapter notebooks, in reading order."""
    return [d for d in sitecheck.toc_docnames(toc) if d.startswith("notebooks/")]


def main(html_dir: Path = ROOT / "_build" / "html") -> int:
    from playwright.sync_api import sync_playwright

    if not (html_dir / "index.html").exists():
        print(f"handouts: {html_dir} has no built book; run `make book` first", file=sys.stderr)
        return 2
    out = html_dir / "handouts"
    out.mkdir(exist_ok=True)
    server, url = sitecheck.serve(html_dir)
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=sitecheck.CHROMIUM, headless=True,
                                         args=sitecheck.CHROMIUM_ARGS)
            page = browser.new_page()
            for doc in chapters():
                t0 = time.perf_counter()
                page.goto(sitecheck.page_url(url, doc), wait_until="networkidle")
                page.emulate_media(media="print")
                pdf = out / f"{Path(doc).name}.pdf"
                page.pdf(path=str(pdf), format="A4", print_background=True,
                         margin={"top": "15mm", "bottom": "15mm", "left": "12mm", "right": "12mm"})
                print(f"  {pdf.relative_to(html_dir)}  {pdf.stat().st_size / 1e6:.1f} MB  "
                      f"{time.perf_counter() - t0:.1f} s")
            browser.close()
    finally:
        server.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "_build" / "html"))
