"""Phones and tablets: the navigation drawers open, figures enlarge on a tap."""

import pytest
import sitecheck

pytestmark = pytest.mark.site

CHAPTER = "notebooks/car-t"
VIEWPORTS = {"phone": sitecheck.web.PHONE, "tablet": sitecheck.web.TABLET}


@pytest.fixture(params=list(VIEWPORTS), ids=list(VIEWPORTS))
def small_page(request, browser, site_url):
    context = sitecheck.new_context(browser, viewport=VIEWPORTS[request.param])
    page = context.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"{e} {(e.stack or '')[:300]}"))
    page.goto(sitecheck.page_url(site_url, CHAPTER), wait_until="load")
    page.evaluate("async () => { if (window.MathJax && MathJax.startup) await MathJax.startup.promise; }")
    # Errors while the page loads are test_site_pages' business; these tests count the errors
    # their own taps cause. (jupyterquiz's 500 ms MathJax timer can fire before MathJax loads
    # on a busy machine: a load-time race reported separately.)
    page.wait_for_timeout(600)
    errors.clear()
    page.errors = errors
    yield page
    context.close()


@pytest.mark.parametrize("toggle, dialog, inside", [
    (".primary-toggle", "#pst-primary-sidebar-modal", "a[href$='landscape.html']"),
    (".secondary-toggle", "#pst-secondary-sidebar-modal", "a[href='#learning-objectives']"),
], ids=["site navigation", "page contents"])
def test_sidebar_toggle_opens_its_drawer(small_page, toggle, dialog, inside):
    """pydata-sphinx-theme#2451: the visible toggle must open the drawer."""
    button = small_page.locator(f"{toggle}:visible").first
    assert button.count() == 1, f"no visible {toggle} on a small screen"
    button.click()
    drawer = small_page.locator(f"dialog{dialog}[open]")
    drawer.wait_for(state="visible", timeout=5000)
    assert drawer.locator(inside).first.is_visible(), f"{dialog} opened without its links"
    small_page.keyboard.press("Escape")
    small_page.wait_for_timeout(200)
    assert small_page.locator(f"dialog{dialog}[open]").count() == 0, "Escape did not close it"
    assert not small_page.errors


def test_figure_enlarges_on_tap_at_full_resolution(small_page):
    img = small_page.locator("article figure img").first
    shown = img.bounding_box()["width"]
    img.scroll_into_view_if_needed()
    img.click()
    big = small_page.locator("dialog.atmp-lightbox[open] img")
    big.wait_for(state="visible", timeout=5000)
    natural = big.evaluate("i => i.complete ? i.naturalWidth"
                           " : new Promise(r => { i.onload = () => r(i.naturalWidth); })")
    assert natural >= 2 * shown, f"enlarged image has {natural} px for a figure shown {shown:.0f} px wide"
    assert big.bounding_box()["width"] > shown, "the enlarged figure is not larger than the page's"
    small_page.keyboard.press("Escape")
    small_page.wait_for_timeout(200)
    assert small_page.locator("dialog.atmp-lightbox[open]").count() == 0
    assert not small_page.errors
