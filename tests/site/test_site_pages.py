"""Every page of the table of contents, in headless Chromium (docs/architecture.md §9)."""

import sys
from pathlib import Path

import pytest
import sitecheck

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))
import bench  # noqa: E402  (the page-weight budget and its measure, shared with make bench)

pytestmark = pytest.mark.site


def _assert_none(problems, what):
    assert not problems, f"{len(problems)} {what}:\n  " + "\n  ".join(problems)


def test_page_loads(light):
    _assert_none(sitecheck.check_status(light), "load problems")


def test_no_console_errors(light):
    _assert_none(sitecheck.check_console(light), "console errors")


def test_no_page_errors(light):
    _assert_none(sitecheck.check_page_errors(light), "uncaught page errors")


def test_no_failed_requests(light):
    _assert_none(sitecheck.check_requests(light), "failed requests")


def test_no_request_leaves_the_site(light):
    _assert_none(sitecheck.check_offline(light), "requests to other hosts")


def test_images_have_meaningful_alt_text(light):
    _assert_none(sitecheck.check_alt_text(light), "images without meaningful alt text")


def test_figures_have_captions(light):
    _assert_none(sitecheck.check_figure_captions(light), "figures without a caption")


def test_internal_links_resolve(light):
    _assert_none(sitecheck.check_internal_links(light), "broken internal links")


def test_no_serious_accessibility_violations(light):
    _assert_none(sitecheck.check_axe(light), "serious or critical axe-core violations")


def test_dark_mode_pngs_are_opaque(dark):
    _assert_none(sitecheck.check_png_opaque(dark), "transparent PNG images")


def test_dark_mode_figures_keep_an_opaque_background(dark):
    _assert_none(sitecheck.check_figures_opaque(dark), "figures that are not opaque")


def test_dark_mode_page_is_dark_and_clean(dark):
    """The stored theme applies, and dark mode adds no errors of its own."""
    problems = (sitecheck.check_console(dark) + sitecheck.check_page_errors(dark)
                + sitecheck.check_requests(dark) + sitecheck.check_offline(dark))
    if dark.theme != "dark":
        problems.append(f"data-theme is {dark.theme!r}, not 'dark'")
    _assert_none(problems, "problems in dark mode")


def test_dark_mode_tables_have_the_house_style(dark):
    _assert_none(sitecheck.check_tables(dark), "table problems in dark mode")


def test_tables_have_the_house_style(light):
    _assert_none(sitecheck.check_tables(light), "table problems at 1280 px")


def test_figures_are_sharp(light):
    """Figures carry twice the pixels they are shown at (phones, high-density screens)."""
    _assert_none(sitecheck.check_figures_sharp(light), "figures below 2x resolution")


def test_page_weight_within_budget(site_dir, docname):
    """The HTML with its images stays within the budget make bench holds pages to."""
    weight = bench.page_weight(site_dir, docname)
    assert weight["page_bytes"] <= bench.BUDGETS["page_mb"] * 1e6, (
        f"{docname}: {weight['page_bytes'] / 1e6:.2f} MB (HTML {weight['html_bytes'] / 1e6:.2f} "
        f"+ images {weight['image_bytes'] / 1e6:.2f}) > {bench.BUDGETS['page_mb']} MB")


def test_phone_page_is_clean(phone):
    """At 390 px: no errors, nothing leaves the site, no sideways scrolling of the page."""
    problems = (sitecheck.check_status(phone) + sitecheck.check_console(phone)
                + sitecheck.check_page_errors(phone) + sitecheck.check_requests(phone)
                + sitecheck.check_offline(phone) + sitecheck.check_no_sideways_scroll(phone)
                + sitecheck.check_tables(phone))
    _assert_none(problems, "problems on a phone screen")
