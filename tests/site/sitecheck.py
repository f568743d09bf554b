"""Checks of served HTML pages in headless Chromium, shared by the site tests and by the tests
that show the checks catch what they claim to (test_checks_bite.py).

Each ``check_*`` function takes what the browser saw and returns a list of problems, one
human-readable string each; an empty list means the check passed.
"""

from __future__ import annotations

import base64
import functools
import io
import re
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

from atmp import book
from atmp import browser as web

CHROMIUM = web.CHROMIUM
CHROMIUM_ARGS = web.CHROMIUM_ARGS
LOCAL_HOST = web.LOCAL_HOST
# Dark mode the way the theme stores it (pydata-sphinx-theme reads both keys before first paint).
DARK_MODE_SCRIPT = "localStorage.setItem('mode', 'dark'); localStorage.setItem('theme', 'dark');"
SERIOUS = ("serious", "critical")
AXE_OPTIONS = {"resultTypes": ["violations"], "preload": False}

# axe-core rules not enforced, each with the reason. Keep this empty unless a rule fails on the
# theme itself and cannot be fixed from the book's configuration.
AXE_EXCLUDED_RULES: dict[str, str] = {}


# ------------------------------------------------------------------------- serving and the TOC
def serve(directory: Path):
    """Serve ``directory`` on 127.0.0.1 (see :func:`atmp.browser.serve`)."""
    return web.serve(directory)


def toc_docnames(toc_file: Path) -> list[str]:
    """Every document of a Jupyter Book ``_toc.yml`` (root first, then in reading order)."""
    return book.toc_docnames(toc_file)


def page_url(site_url: str, docname: str) -> str:
    """URL of a document of the book on the served site."""
    return f"{site_url}{docname}.html"


# ------------------------------------------------------------------------- visiting a page
@dataclass
class PageVisit:
    """Everything the browser saw while loading one page."""

    url: str
    status: int | None = None
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)
    images: list[dict] = field(default_factory=list)
    figures: list[dict] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    axe_violations: list[dict] = field(default_factory=list)
    theme: str = ""
    viewport_width: int = 0
    page_width: int = 0
    tables: list[dict] = field(default_factory=list)


def _is_local(url: str) -> bool:
    scheme = urlsplit(url).scheme
    if scheme in ("data", "blob", "about", "chrome-error"):
        return True
    return urlsplit(url).hostname == LOCAL_HOST


def new_context(browser, dark: bool = False, viewport: dict | None = None):
    """A browser context that blocks every request leaving 127.0.0.1 (desktop size by default)."""
    context = browser.new_context(viewport=viewport or web.DESKTOP)
    context.set_default_timeout(60_000)  # generous: the 2-core machine is often busy building
    if dark:
        context.add_init_script(DARK_MODE_SCRIPT)
    context.route(lambda url: not _is_local(url), lambda route: route.abort("blockedbyclient"))
    return context


_COLLECT_JS = """() => {
  const text = el => (el ? el.textContent.replace(/\\s+/g, ' ').trim() : '');
  const images = [...document.querySelectorAll('img')].map(img => ({
      src: img.currentSrc || img.src, alt: img.getAttribute('alt'),
      inFigure: !!img.closest('figure'),
      themeIcon: !!img.closest('.btn__icon-container'),
      visible: !!(img.offsetWidth || img.offsetHeight || img.getClientRects().length)}));
  const figures = [...document.querySelectorAll('figure')].map((fig, i) => {
      const img = fig.querySelector('img');
      const style = img ? getComputedStyle(img) : null;
      return {index: i, id: fig.id, caption: text(fig.querySelector('figcaption')),
              img: img ? (img.currentSrc || img.src) : null,
              imgBackground: style ? style.backgroundColor : null,
              imgOpacity: style ? style.opacity : null,
              imgFilter: style ? style.filter : null,
              figureOpacity: getComputedStyle(fig).opacity,
              naturalWidth: img ? img.naturalWidth : 0,
              shownWidth: img ? img.getBoundingClientRect().width : 0};
  });
  const links = [...document.querySelectorAll('a[href]')].map(a => a.href);
  const opaque = c => { const m = (c || '').match(/[\\d.]+/g); return m && (m.length < 4 || +m[3] > 0); };
  const background = el => {
      for (; el; el = el.parentElement) {
          const c = getComputedStyle(el).backgroundColor;
          if (opaque(c)) return c;
      }
      return 'rgb(255, 255, 255)';
  };
  const lines = el => {
      const r = document.createRange(); r.selectNodeContents(el);
      return new Set([...r.getClientRects()].map(x => Math.round(x.top))).size;
  };
  // Tables a code cell generated (not Markdown tables, which the theme styles: class "table").
  const generated = [...document.querySelectorAll('.cell_output table')].filter(
      t => !t.classList.contains('table') && t.getClientRects().length > 0);  // shown ones
  const tables = generated.map((t, i) => {
      const wrap = t.closest('.atmp-table-wrap');
      const cells = [...t.querySelectorAll('tbody td')];
      const first = cells[0];
      return {index: i, styled: t.classList.contains('atmp-table'),
              searchable: !!t.closest('.dt-container, .itables, .dataTables_wrapper')
                          || t.id.startsWith('itables_'),
              headers: [...t.querySelectorAll('thead th')].map(text),
              missingShownAs: cells.map(text).filter(c => /^(NaT|NaN|nan|None|<NA>|null)$/.test(c)),
              wrappedDates: [...t.querySelectorAll('td.atmp-date')].filter(td => lines(td) > 1).map(text),
              wider: wrap ? wrap.scrollWidth > wrap.clientWidth + 1 : false,
              scrolls: wrap ? ['auto', 'scroll'].includes(getComputedStyle(wrap).overflowX) : false,
              color: first ? getComputedStyle(first).color : null,
              background: first ? background(first) : null};
  });
  return {images, figures, links, tables, theme: document.documentElement.dataset.theme || '',
          viewportWidth: window.innerWidth, pageWidth: document.documentElement.scrollWidth};
}"""


def _wait_quiet(page, inflight: set, quiet_ms: int = 150, timeout_ms: int = 10000) -> None:
    """Wait until no request has been in flight for ``quiet_ms`` (a short 'networkidle')."""
    deadline = time.monotonic() + timeout_ms / 1000
    quiet_since = None
    while time.monotonic() < deadline:
        if inflight:
            quiet_since = None
        elif quiet_since is None:
            quiet_since = time.monotonic()
        elif (time.monotonic() - quiet_since) * 1000 >= quiet_ms:
            return
        page.wait_for_timeout(25)


def visit(context, url: str, *, axe=None, screenshot: Path | None = None) -> PageVisit:
    """Load ``url`` in a new page of ``context`` and record what happened.

    Parameters
    ----------
    axe : axe_playwright_python.sync_playwright.Axe, optional
        Run axe-core on the loaded page when given.
    screenshot : Path, optional
        Save a full-page JPEG screenshot there.
    """
    result = PageVisit(url)
    page = context.new_page()
    inflight: set = set()

    def on_request(req):
        inflight.add(req)
        if not _is_local(req.url):
            result.foreign_requests.append(req.url)

    def on_finished(req):
        inflight.discard(req)

    def on_failed(req):
        inflight.discard(req)
        if _is_local(req.url):  # foreign ones are reported as foreign requests already
            result.failed_requests.append(f"{req.url} ({req.failure})")

    def on_response(resp):
        if resp.status >= 400:
            result.failed_requests.append(f"{resp.url} (HTTP {resp.status})")

    page.on("request", on_request)
    page.on("requestfinished", on_finished)
    page.on("requestfailed", on_failed)
    page.on("response", on_response)
    def on_console(msg):
        if msg.type == "error":
            result.console_errors.append(f"{msg.text} [{msg.location.get('url', '')}]")

    page.on("console", on_console)
    page.on("pageerror", lambda err: result.page_errors.append(str(err)))
    try:
        response = page.goto(url, wait_until="load")
        result.status = response.status if response else None
        # MathJax typesets after load; wait for it (and the fonts it pulls) when present.
        page.evaluate("""async () => {
            if (window.MathJax && MathJax.startup && MathJax.startup.promise)
                await MathJax.startup.promise;
            await document.fonts.ready; }""")
        _wait_quiet(page, inflight)
        seen = page.evaluate(_COLLECT_JS)
        result.images, result.figures, result.links = seen["images"], seen["figures"], seen["links"]
        result.theme = seen["theme"]
        result.tables = seen["tables"]
        result.viewport_width, result.page_width = seen["viewportWidth"], seen["pageWidth"]
        # What follows is the test's own activity, not the page's: stop recording. (axe-core's
        # CSSOM preload re-fetches @imported stylesheets and resolves "../basic.css" in the
        # theme's CSS against the wrong base, a 404 that no reader ever triggers.)
        page.remove_listener("console", on_console)
        page.remove_listener("response", on_response)
        page.remove_listener("requestfailed", on_failed)
        if axe is not None:
            found = axe.run(page, options=AXE_OPTIONS).response.get("violations", [])
            result.axe_violations = [
                {"id": v["id"], "impact": v.get("impact"), "help": v.get("help"),
                 "nodes": [n.get("target") for n in v.get("nodes", [])][:5]}
                for v in found]
        if screenshot is not None:
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            # JPEG: a full-page PNG of a long chapter takes ~3x longer to encode.
            page.screenshot(path=str(screenshot), full_page=True, type="jpeg", quality=80)
    finally:
        page.close()
    return result


# ------------------------------------------------------------------------- the checks
def check_status(visit: PageVisit) -> list[str]:
    return [] if visit.status == 200 else [f"{visit.url}: HTTP status {visit.status}"]


def check_console(visit: PageVisit) -> list[str]:
    return [f"console error: {m}" for m in visit.console_errors]


def check_page_errors(visit: PageVisit) -> list[str]:
    return [f"page error: {m}" for m in visit.page_errors]


def check_requests(visit: PageVisit) -> list[str]:
    return [f"failed request: {m}" for m in visit.failed_requests]


def check_offline(visit: PageVisit) -> list[str]:
    return [f"request to another host: {u}" for u in visit.foreign_requests]


_PLACEHOLDER_ALT = {"image", "img", "png", "jpg", "jpeg", "svg", "figure", "picture", "photo",
                    "graph", "plot", "chart", "output", "none", "alt", "untitled"}
_FILENAME_ALT = re.compile(r"^\S*\.(png|jpe?g|gif|svg|webp|bmp)$", re.IGNORECASE)


def alt_text_problem(alt: str | None) -> str | None:
    """Why ``alt`` is not a meaningful description of an image, or None if it is."""
    if alt is None:
        return "no alt attribute"
    text = " ".join(alt.split())
    if not text:
        return "empty alt text"
    if text.lower() in _PLACEHOLDER_ALT:
        return f"placeholder alt text {text!r}"
    if _FILENAME_ALT.match(text) or "/" in text and _FILENAME_ALT.match(text.rsplit("/", 1)[-1]):
        return f"alt text is a file name {text!r}"
    if text.startswith("<") and text.endswith(">"):
        return f"alt text is an object repr {text!r}"
    if len(re.findall(r"[^\W\d_]{2,}", text)) < 3:
        return f"alt text shorter than three words {text!r}"
    return None


# The theme's button icons (the Binder and Colab logos in the launch menu) sit beside their
# text label ("Binder", "Colab"): they are decorative controls, not content images, so the alt
# text and PNG opacity rules for content images do not apply to them. axe-core still checks them.
def _content_images(visit: PageVisit) -> list[dict]:
    return [img for img in visit.images if not img.get("themeIcon")]


def check_alt_text(visit: PageVisit) -> list[str]:
    problems = []
    for img in _content_images(visit):
        why = alt_text_problem(img["alt"])
        if why:
            problems.append(f"<img src={img['src']}>: {why}")
    return problems


def check_figure_captions(visit: PageVisit) -> list[str]:
    return [f"figure #{f['index']} ({f['id'] or f['img']}) has no caption"
            for f in visit.figures if not f["caption"]]


class _Ids(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        for k, v in attrs:
            if k == "id" or (k == "name" and tag == "a"):
                self.ids.add(v)


@functools.cache
def _fetch_ids(url: str) -> tuple[int, frozenset]:
    """HTTP status of ``url`` and the ids in it (for HTML)."""
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            status, ctype, body = resp.status, resp.headers.get("Content-Type", ""), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, frozenset()
    except (urllib.error.URLError, OSError):
        return 0, frozenset()
    if "html" not in ctype:
        return status, frozenset()
    parser = _Ids()
    parser.feed(body.decode("utf-8", "replace"))
    return status, frozenset(parser.ids)


def check_internal_links(visit: PageVisit) -> list[str]:
    """Every link to the same origin reaches a page, and its #anchor exists there."""
    origin = urlsplit(visit.url)[:2]
    problems = []
    for href in sorted(set(visit.links)):
        if urlsplit(href)[:2] != origin:
            continue
        target, fragment = urldefrag(href)
        status, ids = _fetch_ids(target)
        if status != 200:
            problems.append(f"broken link {href}: HTTP {status}")
        elif fragment and fragment not in ids and urllib.request.unquote(fragment) not in ids:
            problems.append(f"broken anchor {href}: no id {fragment!r} in {target}")
    return problems


def check_axe(visit: PageVisit) -> list[str]:
    return [f"axe {v['impact']}: {v['id']} ({v['help']}) at {v['nodes']}"
            for v in visit.axe_violations
            if v["impact"] in SERIOUS and v["id"] not in AXE_EXCLUDED_RULES]


def png_alpha_problem(data: bytes) -> str | None:
    """Why a PNG is not fully opaque, or None if every pixel has alpha 255."""
    from PIL import Image

    with Image.open(io.BytesIO(data)) as im:
        if im.mode in ("RGBA", "LA", "PA") or "transparency" in im.info:
            alpha = im.convert("RGBA").getchannel("A")
            lo, _ = alpha.getextrema()
            if lo < 255:
                n = sum(alpha.histogram()[:255])
                return f"{n} of {im.width * im.height} pixels are transparent (min alpha {lo})"
    return None


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@functools.cache
def image_bytes(src: str) -> bytes | None:
    """The bytes of an image, fetched from the served site or decoded from a data: URI.

    Fetched rather than taken from the page's responses, so that an image the browser had not
    loaded yet (lazy loading, below the fold) is checked too. None for other hosts.
    """
    if src.startswith("data:"):
        header, _, payload = src.partition(",")
        if header.endswith(";base64"):
            return base64.b64decode(payload)
        return urllib.request.unquote(payload).encode("latin-1")
    if not _is_local(src):
        return None
    try:
        with urllib.request.urlopen(src, timeout=10) as resp:
            return resp.read()
    except (urllib.error.URLError, OSError):
        return None


def _png(src: str | None) -> bytes | None:
    data = image_bytes(src) if src else None
    return data if data and data.startswith(PNG_SIGNATURE) else None


def check_png_opaque(visit: PageVisit) -> list[str]:
    """Every PNG on the page (whatever its file name) has no transparent pixel."""
    problems = []
    for src in sorted({img["src"] for img in _content_images(visit)}):
        if (data := _png(src)) is not None and (why := png_alpha_problem(data)):
            problems.append(f"{src}: {why}")
    return problems


def _css_alpha(color: str | None) -> float:
    m = re.match(r"rgba?\(([^)]*)\)", color or "")
    if not m:
        return 0.0
    parts = [p.strip() for p in re.split(r"[,/ ]+", m.group(1)) if p.strip()]
    return float(parts[3]) if len(parts) > 3 else 1.0


def check_figures_opaque(visit: PageVisit) -> list[str]:
    """Figures are drawn on an opaque background, at full opacity, not colour-inverted."""
    problems = []
    for f in visit.figures:
        if not f["img"]:
            continue
        name = f["id"] or f["img"]
        png = _png(f["img"])
        opaque_png = png is not None and png_alpha_problem(png) is None
        if not opaque_png and _css_alpha(f["imgBackground"]) < 1:
            problems.append(f"figure {name}: transparent image on a transparent background "
                            f"({f['imgBackground']})")
        if float(f["imgOpacity"]) < 1 or float(f["figureOpacity"]) < 1:
            problems.append(f"figure {name}: drawn at opacity {f['imgOpacity']}/{f['figureOpacity']}")
        if "invert" in (f["imgFilter"] or ""):
            problems.append(f"figure {name}: colour-inverted ({f['imgFilter']})")
    return problems


def check_no_sideways_scroll(visit: PageVisit) -> list[str]:
    """The page itself is no wider than the screen (wide content scrolls in its own box)."""
    if visit.page_width > visit.viewport_width + 1:
        return [f"page is {visit.page_width} px wide on a {visit.viewport_width} px screen"]
    return []


def _luminance(css: str | None) -> float:
    parts = [float(p) for p in re.findall(r"[\d.]+", css or "")[:3]] or [255.0] * 3

    def lin(c):
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (lin(c) for c in parts)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(fg: str | None, bg: str | None) -> float:
    """WCAG contrast ratio of two CSS ``rgb()`` colours."""
    a, b = sorted((_luminance(fg), _luminance(bg)), reverse=True)
    return (a + 0.05) / (b + 0.05)


_RAW_NAME = re.compile(r"^[a-z0-9]+(_[a-z0-9]+)+$")


def check_tables(visit: PageVisit) -> list[str]:
    """Every generated table has the house style (readable headers, "—" for missing values,
    dates on one line, a scrolling box when wider than the column, readable colours)."""
    problems = []
    for t in visit.tables:
        name = f"table #{t['index']} ({', '.join(t['headers'][:3])}…)"
        if not t["styled"] and not t["searchable"]:
            problems.append(f"{name}: not made by atmp.tables (no atmp-table class)")
        raw = [h for h in t["headers"] if _RAW_NAME.match(h)]
        if raw:
            problems.append(f"{name}: raw column names as headers: {raw}")
        if t["missingShownAs"]:
            problems.append(f"{name}: missing values shown as {sorted(set(t['missingShownAs']))}")
        if t["wrappedDates"]:
            problems.append(f"{name}: dates wrap over lines: {t['wrappedDates'][:3]}")
        if t["wider"] and not t["scrolls"]:
            problems.append(f"{name}: wider than its box and clipped (no sideways scrolling)")
        if t["color"] and (ratio := contrast(t["color"], t["background"])) < 4.5:
            problems.append(f"{name}: text {t['color']} on {t['background']} has contrast "
                            f"{ratio:.1f}:1 (< 4.5:1)")
    return problems


def check_figures_sharp(visit: PageVisit, factor: float = 1.9) -> list[str]:
    """Every figure's image has at least ``factor`` pixels per CSS pixel it is shown at."""
    problems = []
    for f in visit.figures:
        if f["img"] and f["shownWidth"] and f["naturalWidth"] < factor * f["shownWidth"]:
            problems.append(f"figure {f['id'] or f['img']}: {f['naturalWidth']} px image shown "
                            f"{f['shownWidth']:.0f} px wide (< {factor}x)")
    return problems


ALL_CHECKS = {
    "status": check_status,
    "console": check_console,
    "page_errors": check_page_errors,
    "requests": check_requests,
    "offline": check_offline,
    "alt_text": check_alt_text,
    "figure_captions": check_figure_captions,
    "internal_links": check_internal_links,
    "axe": check_axe,
}
