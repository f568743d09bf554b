"""The status page's staleness table and the What-changed page, rendered from an applied copy.

A tiny Sphinx project with the book's own extension (book/_ext/atmp_book.py) and one stub page
per chapter renders ``{data-changes}`` and ``{data-staleness}`` from a copy of data/ after
``--apply`` of a made-up withdrawal, with warnings as errors, as the book is built. (The full
book build with such a copy was checked by hand; it takes minutes.)
"""

import datetime as dt
import io
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from atmp import book, data, ema, staleness

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "refresh"

CONF = """
import sys
sys.path.insert(0, {ext!r})
extensions = ["myst_parser", "atmp_book"]
atmp_data_dir = {data!r}
atmp_stale_after_days = 100000
html_theme = "basic"
exclude_patterns = ["_build"]
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """Build the tiny project once from a copy of data/ with Kymriah's withdrawal applied."""
    tmp = tmp_path_factory.mktemp("pages")
    folder = tmp / "data"
    shutil.copytree(data.DATA_DIR, folder)
    code = ema.main(["reconcile", str(FIXTURES / "withdrawal.json"), "--apply", "--data-dir",
                     str(folder)], out=io.StringIO(), err=io.StringIO())
    assert code == 0
    # a correction is written by hand (row counts cannot show it); it must reach the page
    with (folder / "editions.csv").open("a", encoding="utf-8") as fh:
        fh.write('2026-12-18,correction,Kymriah,car-t-trials,car-t,1,,"made-up correction, '
                 'for the test"\n')
    src = tmp / "src"
    (src / "notebooks").mkdir(parents=True)
    (src / "conf.py").write_text(CONF.format(ext=str(ROOT / "book" / "_ext"), data=str(folder)))
    stems = book.chapters()
    for stem in stems:
        (src / "notebooks" / f"{stem}.md").write_text(f"# Chapter {stem}\n")
    (src / "changes.md").write_text("# What changed\n\n```{data-changes}\n```\n")
    (src / "status.md").write_text("# Status\n\n```{data-staleness}\n```\n")
    toc = "\n".join(["changes", "status", *(f"notebooks/{s}" for s in stems)])
    (src / "index.md").write_text(f"# Test\n\n```{{toctree}}\n{toc}\n```\n")

    def build(*extra):
        out = tmp / ("html" + "".join(extra).replace("=", "-"))
        proc = subprocess.run([sys.executable, "-m", "sphinx", "-b", "html", "-W", "-n", "-E",
                               *extra, str(src), str(out)], capture_output=True, text=True)
        return proc, out

    return build


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_what_changed_lists_the_new_edition_first_with_links(site):
    proc, out = site()
    assert proc.returncode == 0, proc.stderr
    html = (out / "changes.html").read_text(encoding="utf-8")
    text = text_of(html)
    assert text.index("Edition of 2026-12-18") < text.index("Edition of 2026-11-25")
    newest = text[text.index("Edition of 2026-12-18"):text.index("Edition of 2026-11-25")]
    assert "Kymriah withdrawn on 2026-12-10" in newest
    assert "Reconciled with EMA medicines export 2026-12-18" in newest
    assert "1 status change" in newest and "0 product" not in newest
    assert "1 correction" in newest
    assert "Corrections: Chapter car-t : Kymriah: made-up correction, for the test" in newest
    # the entry and "chapters touched" link to the chapters as {doc} does (titled by the page)
    section = html[html.index("Edition of 2026-12-18"):html.index("Edition of 2026-11-25")]
    assert 'href="notebooks/car-t.html"' in section and "Chapter car-t" in section
    touched = newest[newest.index("Chapters touched"):]
    assert "Chapter car-t" in touched and "Chapter landscape" in touched
    # the configured limit (100000 days here) flags nothing, and the build says nothing
    assert "STALE FACTS" not in proc.stdout
    status = text_of((out / "status.html").read_text(encoding="utf-8"))
    assert "STALE" not in status and "Chapter car-t 2026-11-25" in status and " ok " in status


def test_status_page_flags_stale_chapters_and_the_build_only_prints_it(site):
    proc, out = site("-D", "atmp_stale_after_days=0")
    # -W: a stale fact is printed, never a warning, so the strict build still passes
    assert proc.returncode == 0, proc.stderr
    assert "STALE FACTS (warning, not an error): car-t: facts last checked 2026-11-25" in proc.stdout
    text = text_of((out / "status.html").read_text(encoding="utf-8"))
    assert "STALE" in text and "Chapter car-t 2026-11-25" in text


def test_staleness_takes_the_oldest_check_of_the_rows_a_chapter_uses(tmp_path):
    folder = tmp_path / "data"
    shutil.copytree(data.DATA_DIR, folder)
    path = folder / "atmps.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    k = next(i for i, ln in enumerate(lines) if ln.startswith("Kymriah,"))
    assert ",2026-11-25," in lines[k]
    lines[k] = lines[k].replace(",2026-11-25,", ",2026-01-02,")
    path.write_text("".join(lines), encoding="utf-8")
    checks = {c.chapter: c for c in staleness.check(folder)}
    assert checks["car-t"].last_checked == dt.date(2026, 1, 2)
    assert checks["landscape"].last_checked == dt.date(2026, 1, 2)  # it reads every product
    assert checks["tissue-engineering"].last_checked == dt.date(2026, 11, 25)
    today = dt.date(2026, 12, 1)
    flagged = staleness.stale_lines(list(checks.values()), today, 120)
    assert sorted(line.split(":")[0] for line in flagged) == ["car-t", "landscape", "outlook",
                                                              "regulation"]
    # a table with no verified_on column is named, never given a date
    assert "car-t-trials" in checks["car-t"].undated
    assert "car-t-randomised-trials" not in checks["car-t"].undated
