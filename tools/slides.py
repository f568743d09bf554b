"""A slide deck per chapter for projection: ``make slides`` (also run by ``make book``).

Writes ``_build/html/slides/<chapter>.html``: one self-contained HTML page (its CSS and a few
lines of JavaScript inline, no request outside the book, MathJax from the book's own copy when a
slide has math), made from the built chapter page (``tools/printables.py``), one idea a slide:

title · learning objectives · each figure full-screen with its caption (the PNGs are rendered at
2x the book's column, sharp on a 1920 × 1080 projector) · each key point · each discussion prompt
and misconception from the instructor guide · each quiz question (the answer shows on a click) ·
where to read on.

Keys: → / Space / PageDown next, ← / PageUp back, Home / End, F full screen; a click on the right
or left part of the screen, or a swipe, also moves. The slide number is in the address (#5).

Usage: ``python tools/slides.py [BUILD_HTML_DIR]``
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

import printables as pr

ROOT = pr.ROOT

CSS = """
* { box-sizing: border-box; }
html, body { margin: 0; height: 100%; background: #fff; color: #111;
  font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; }
body { font-size: max(15px, min(3.6vh, 2.4vw)); line-height: 1.35; overflow: hidden; }
.slide { display: none; position: absolute; inset: 0; padding: 5vh 6vw 7vh;
  flex-direction: column; justify-content: safe center; }
.slide.current { display: flex; }
h1 { font-size: 2.1em; margin: 0 0 0.4em; color: #0b3d6b; }
h2 { font-size: 1.45em; margin: 0 0 0.6em; color: #0b3d6b; }
.kicker { font-size: 0.8em; text-transform: uppercase; letter-spacing: 0.08em; color: #666;
  margin-bottom: 0.4em; }
p, li { max-width: 60em; }
li { margin-bottom: 0.35em; }
ul, ol { padding-left: 1.3em; margin: 0; }
a { color: #0b5cad; }
code { font-size: 0.9em; }
.big { font-size: 1.35em; line-height: 1.3; }
.slide.figure { padding: 2vh 2vw 6vh; }
.slide.figure .kicker { text-align: center; }
.slide.figure img { display: block; margin: 0 auto; max-width: 96vw; max-height: 78vh;
  width: auto; height: auto; object-fit: contain; }
.slide.figure .caption { font-size: 0.62em; max-width: 70em; margin: 0.4em auto 0; color: #333;
  text-align: center; }
.options { list-style: upper-alpha; }
.reveal { margin-top: 1em; }
.reveal summary { cursor: pointer; color: #0b5cad; }
.reveal .why { font-size: 0.8em; }
.correction { margin-top: 0.8em; font-size: 0.85em; color: #222; }
#counter { position: fixed; right: 1.2vw; bottom: 1vh; font-size: 0.55em; color: #777; }
#deck-title { position: fixed; left: 1.2vw; bottom: 1vh; font-size: 0.55em; color: #777; }
"""

JS = """
(function () {
  const slides = [...document.querySelectorAll('.slide')];
  const counter = document.getElementById('counter');
  let i = 0;
  // A slide whose text runs off the screen is shrunk until it fits (down to 55 %).
  function fit(s) {
    let size = 100;
    s.style.fontSize = '';
    while ((s.scrollHeight > s.clientHeight + 1 || s.scrollWidth > s.clientWidth + 1) && size > 55) {
      size -= 5;
      s.style.fontSize = size + '%';
    }
  }
  function show(n) {
    i = Math.max(0, Math.min(slides.length - 1, n));
    slides.forEach((s, k) => s.classList.toggle('current', k === i));
    fit(slides[i]);
    counter.textContent = (i + 1) + ' / ' + slides.length;
    if (location.hash !== '#' + (i + 1)) history.replaceState(null, '', '#' + (i + 1));
  }
  document.addEventListener('keydown', (e) => {
    if (['ArrowRight', 'PageDown', ' ', 'ArrowDown'].includes(e.key)) { e.preventDefault(); show(i + 1); }
    else if (['ArrowLeft', 'PageUp', 'ArrowUp'].includes(e.key)) { e.preventDefault(); show(i - 1); }
    else if (e.key === 'Home') show(0);
    else if (e.key === 'End') show(slides.length - 1);
    else if (e.key === 'f' || e.key === 'F') {
      if (document.fullscreenElement) document.exitFullscreen();
      else document.documentElement.requestFullscreen().catch(() => {});
    }
  });
  document.addEventListener('click', (e) => {
    if (e.target.closest('a, summary, details, button')) return;
    show(e.clientX > window.innerWidth / 3 ? i + 1 : i - 1);
  });
  let x0 = null;
  document.addEventListener('touchstart', (e) => { x0 = e.touches[0].clientX; }, {passive: true});
  document.addEventListener('touchend', (e) => {
    if (x0 === null) return;
    const dx = e.changedTouches[0].clientX - x0; x0 = null;
    if (Math.abs(dx) > 40) show(dx < 0 ? i + 1 : i - 1);
  });
  window.addEventListener('resize', () => fit(slides[i]));
  window.addEventListener('hashchange', () => show(parseInt(location.hash.slice(1) || '1', 10) - 1));
  show(parseInt(location.hash.slice(1) || '1', 10) - 1);
})();
"""


def _slide(body: str, kind: str = "text", label: str = "") -> str:
    aria = f' aria-label="{pr.esc(label)}"' if label else ""
    return f'<section class="slide {kind}"{aria}>{body}</section>'


def deck_html(ch: pr.Chapter) -> str:
    """The deck of one chapter as one HTML page."""
    s = [_slide(f'<div class="kicker">Advanced Therapies · seminar</div><h1>{pr.esc(ch.title)}'
                f"</h1><p>{pr.esc(ch.facts_as_of)}</p>", "title", "Title"),
         _slide(f"<h2>Learning objectives</h2>{ch.objectives_html}", label="Learning objectives")]
    for f in ch.figures:
        s.append(_slide(f'<div class="kicker">{pr.esc(f.number)}</div>'
                        f'<img src="{pr.esc(f.src)}" alt="{pr.esc(f.alt)}">'
                        f'<div class="caption">{f.caption_html}</div>', "figure", f.number))
    n = len(ch.summary_items)
    for k, item in enumerate(ch.summary_items, start=1):
        s.append(_slide(f'<div class="kicker">Key point {k} of {n}</div><div class="big">{item}'
                        "</div>", label=f"Key point {k}"))
    for k, prompt in enumerate(ch.prompts, start=1):
        s.append(_slide(f'<div class="kicker">Discuss · {k} of {len(ch.prompts)}</div>'
                        f'<div class="big">{_question_only(prompt)}</div>',
                        label=f"Discussion {k}"))
    for k, item in enumerate(ch.misconceptions, start=1):
        s.append(_slide(f'<div class="kicker">Common misconception · {k} of '
                        f'{len(ch.misconceptions)}</div><details class="reveal big"><summary>'
                        f"{_claim(item)}</summary><div class='correction'>{_correction(item)}"
                        "</div></details>", label=f"Misconception {k}"))
    for k, q in enumerate(ch.quiz, start=1):
        # Options in an order fixed by the question (seeded), not the file's: a quiz file may
        # list the right answer first.
        shown = [a for a in q.get("answers", []) if "answer" in a]
        random.Random(q.get("question", "")).shuffle(shown)
        options = "".join(f"<li>{pr.esc(a['answer'])}</li>" for a in shown)
        right = pr.correct_answers(q)
        why = " ".join(a.get("feedback", "") for a in q.get("answers", []) if a.get("correct"))
        s.append(_slide(f'<div class="kicker">Quiz · {k} of {len(ch.quiz)}</div>'
                        f"<p class='big'>{pr.esc(q.get('question', ''))}</p>"
                        + (f'<ol class="options">{options}</ol>' if options else "")
                        + f'<details class="reveal"><summary>Answer</summary><p><b>'
                        f"{pr.esc('; '.join(right))}</b></p><p class='why'>{pr.esc(why)}</p>"
                        "</details>", label=f"Quiz question {k}"))
    s.append(_slide(f"<h2>Read on</h2><p>The chapter, with its models, exercises and sources: "
                    f'<a href="../notebooks/{ch.stem}.html">{pr.esc(ch.title)}</a>.</p>'
                    f'<p>Handout: <a href="../handouts/{ch.stem}.pdf">{ch.stem}.pdf</a></p>',
                    label="Read on"))
    mathjax = ('<script defer src="../_static/mathjax/tex-mml-chtml.js"></script>'
               if ch.has_math or any(".math" in x for x in s) else "")
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            '<link rel="icon" href="data:,">'
            f"<title>{pr.esc(ch.title)} — slides</title><style>{CSS}</style>{mathjax}</head>"
            f'<body><main>{"".join(s)}</main><div id="deck-title">{pr.esc(ch.title)}</div>'
            f'<div id="counter" aria-live="polite"></div><script>{JS}</script></body></html>')


def _question_only(prompt_html: str) -> str:
    """A discussion prompt's question (the guide's italic lead), without the model answer."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(prompt_html, "html.parser")
    em = soup.find("em")
    return str(em.decode_contents()) if em else prompt_html


def _claim(item_html: str) -> str:
    """A misconception as the guide quotes it (its first quoted sentence)."""
    from bs4 import BeautifulSoup

    text = " ".join(BeautifulSoup(item_html, "html.parser").get_text(" ").split())
    if text.startswith(("“", '"')):
        end = max(text.find("”", 1), text.find('"', 1))
        if end > 0:
            return pr.esc(text[: end + 1])
    return pr.esc(pr.first_sentence(text))


def _correction(item_html: str) -> str:
    from bs4 import BeautifulSoup

    text = " ".join(BeautifulSoup(item_html, "html.parser").get_text(" ").split())
    claim = BeautifulSoup(_claim(item_html), "html.parser").get_text()
    return pr.esc(text[len(claim):].strip())


def build(html_dir: Path, stems: list[str] | None = None, log=print) -> list[Path]:
    out = html_dir / "slides"
    out.mkdir(exist_ok=True)
    written = []
    for stem in stems or pr.chapters():
        ch = pr.read_chapter(html_dir, stem, target="slides/x.html")
        path = out / f"{stem}.html"
        deck = deck_html(ch)
        path.write_text(deck, encoding="utf-8")
        written.append(path)
        log(f"  slides/{stem}.html  {deck.count('<section class=')} slides")
    return written


def main(argv: list[str]) -> int:
    html_dir = Path(argv[0]) if argv else ROOT / "_build" / "html"
    if not (html_dir / "index.html").is_file():
        print(f"slides: {html_dir} has no built book; run `make book` first", file=sys.stderr)
        return 2
    try:
        build(html_dir)
    except FileNotFoundError as err:
        print(f"slides: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
