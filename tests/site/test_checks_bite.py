"""The site checks catch what they claim to: run them on a deliberately broken page.

``broken_site/index.html`` has a console error, an uncaught exception, a missing stylesheet, a
request to another host, images without meaningful alt text, a figure without a caption and on
a transparent background, broken links and anchors, and an unnamed button (axe-core). Each check
must report its defect there, and nothing on the clean ``other.html``.
"""

import shutil
from pathlib import Path

import pytest
import sitecheck

pytestmark = pytest.mark.site

BROKEN = Path(__file__).parent / "broken_site"


@pytest.fixture(scope="module")
def broken_url(tmp_path_factory):
    from PIL import Image

    root = tmp_path_factory.mktemp("broken_site")
    shutil.copytree(BROKEN, root, dirs_exist_ok=True)
    Image.new("RGB", (40, 20), (200, 60, 60)).save(root / "opaque.png")
    im = Image.new("RGBA", (40, 20), (0, 0, 0, 0))
    im.paste((30, 90, 200, 255), (0, 0, 20, 20))
    im.save(root / "transparent.png")
    server, url = sitecheck.serve(root)
    yield url
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def broken(browser, broken_url, axe):
    context = sitecheck.new_context(browser, dark=True)
    try:
        yield sitecheck.visit(context, broken_url + "index.html", axe=axe)
    finally:
        context.close()


@pytest.fixture(scope="module")
def clean(browser, broken_url, axe):
    context = sitecheck.new_context(browser)
    try:
        yield sitecheck.visit(context, broken_url + "other.html", axe=axe)
    finally:
        context.close()


def _joined(problems):
    return "\n".join(problems)


def test_console_error_is_reported(broken):
    assert "deliberate console error" in _joined(sitecheck.check_console(broken))


def test_uncaught_exception_is_reported(broken):
    assert "undefinedFunctionCall" in _joined(sitecheck.check_page_errors(broken))


def test_failed_request_is_reported(broken):
    assert "missing.css (HTTP 404)" in _joined(sitecheck.check_requests(broken))


def test_request_to_another_host_is_reported_and_blocked(broken):
    problems = sitecheck.check_offline(broken)
    assert problems == ["request to another host: https://example.org/tracker.png"]


def test_missing_and_meaningless_alt_text_is_reported(broken):
    problems = _joined(sitecheck.check_alt_text(broken))
    for why in ["no alt attribute", "empty alt text", "placeholder alt text 'image'",
                "alt text is a file name '../_images/figure_1.png'",
                "alt text shorter than three words 'two words'"]:
        assert why in problems
    assert "authorisations per year" not in problems
    assert len(sitecheck.check_alt_text(broken)) == 5


def test_figure_without_caption_is_reported(broken):
    problems = sitecheck.check_figure_captions(broken)
    assert len(problems) == 1 and "transparent-figure" in problems[0]


def test_broken_links_and_anchors_are_reported(broken, broken_url):
    problems = _joined(sitecheck.check_internal_links(broken))
    assert f"broken link {broken_url}nowhere.html: HTTP 404" in problems
    assert f"broken anchor {broken_url}other.html#absent" in problems
    assert f"broken anchor {broken_url}index.html#also-absent" in problems
    assert "#present" not in problems and "example.org" not in problems
    assert len(sitecheck.check_internal_links(broken)) == 3


def test_accessibility_violation_is_reported(broken):
    assert "button-name" in _joined(sitecheck.check_axe(broken))


def test_transparent_png_is_reported(broken, broken_url):
    problems = sitecheck.check_png_opaque(broken)
    assert len(problems) == 1 and "transparent.png" in problems[0]
    assert "400 of 800 pixels are transparent" in problems[0]


def test_transparent_figure_is_reported(broken):
    problems = sitecheck.check_figures_opaque(broken)
    assert len(problems) == 1 and "transparent-figure" in problems[0]


def test_a_clean_page_passes_every_check(clean):
    problems = [p for check in sitecheck.ALL_CHECKS.values() for p in check(clean)]
    problems += sitecheck.check_png_opaque(clean) + sitecheck.check_figures_opaque(clean)
    assert problems == []


@pytest.mark.parametrize("alt, bad", [
    ("Bar chart of EU ATMP authorisations per year", False),
    ("Kaplan–Meier curve of time on market", False),
    (None, True), ("", True), ("   ", True), ("image", True), ("PNG", True),
    ("figure.png", True), ("../_images/abc123.png", True),
    ("<Figure size 640x480 with 1 Axes>", True), ("CAR-T kinetics", True),
])
def test_alt_text_rule(alt, bad):
    assert (sitecheck.alt_text_problem(alt) is not None) == bad


def test_toc_parsing_follows_parts_chapters_and_sections(tmp_path):
    toc = tmp_path / "_toc.yml"
    toc.write_text("format: jb-book\nroot: book/intro\nparts:\n"
                   "  - caption: A\n    chapters:\n      - file: notebooks/one.ipynb\n"
                   "        sections:\n          - file: notebooks/one-a\n"
                   "  - caption: B\n    chapters:\n      - file: book/two.md\n")
    assert sitecheck.toc_docnames(toc) == ["book/intro", "notebooks/one", "notebooks/one-a",
                                          "book/two"]


# The checks below read what visit() collected; fed a bad page's data, each must say what is wrong.
def _table(**bad):
    good = {"index": 0, "styled": True, "searchable": False, "headers": ["product", "EC decision"],
            "missingShownAs": [], "wrappedDates": [], "wider": False, "scrolls": True,
            "color": "rgb(20, 20, 20)", "background": "rgb(255, 255, 255)"}
    return {**good, **bad}


@pytest.mark.parametrize("bad, expect", [
    ({"styled": False}, "not made by atmp.tables"),
    ({"headers": ["product", "ec_decision_date"]}, "raw column names"),
    ({"missingShownAs": ["NaT", "nan"]}, "missing values shown as"),
    ({"wrappedDates": ["2009-10-05"]}, "dates wrap"),
    ({"wider": True, "scrolls": False}, "clipped"),
    ({"color": "rgb(230, 230, 230)", "background": "rgb(206, 214, 221)"}, "contrast"),
])
def test_table_check_catches(bad, expect):
    visit = sitecheck.PageVisit("x", tables=[_table(**bad)])
    problems = sitecheck.check_tables(visit)
    assert len(problems) == 1 and expect in problems[0], problems
    assert sitecheck.check_tables(sitecheck.PageVisit("x", tables=[_table()])) == []


def test_figure_sharpness_check_catches_a_1x_figure():
    fig = {"id": "f", "img": "a.png", "naturalWidth": 770, "shownWidth": 690}
    assert sitecheck.check_figures_sharp(sitecheck.PageVisit("x", figures=[fig]))
    fig2 = {**fig, "naturalWidth": 1400, "shownWidth": 700}
    assert not sitecheck.check_figures_sharp(sitecheck.PageVisit("x", figures=[fig2]))


def test_sideways_scroll_check_catches_a_page_wider_than_the_phone():
    assert sitecheck.check_no_sideways_scroll(
        sitecheck.PageVisit("x", viewport_width=390, page_width=973))
    assert not sitecheck.check_no_sideways_scroll(
        sitecheck.PageVisit("x", viewport_width=390, page_width=390))
