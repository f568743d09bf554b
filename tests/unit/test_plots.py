"""The house style: palette, opaque figures, alt-text rule."""

import io

import numpy as np
import pytest
from PIL import Image

from atmp import plots


def test_every_atmp_class_has_its_own_colour():
    assert set(plots.CLASS_COLORS) == {"gene therapy", "somatic cell therapy",
                                       "tissue engineered", "combined"}
    assert len(set(plots.CLASS_COLORS.values())) == 4


def test_class_colours_are_from_the_colour_blind_safe_palette():
    assert set(plots.CLASS_COLORS.values()) <= set(plots.OKABE_ITO.values())


def test_contrast_ratio_matches_wcag_reference_values():
    assert plots.contrast_ratio("#000000") == pytest.approx(21.0)
    assert plots.contrast_ratio("#FFFFFF") == pytest.approx(1.0)
    assert plots.contrast_ratio("#767676") == pytest.approx(4.54, abs=0.01)  # WCAG's AA grey


PALETTE = {**{f"class {k}": v for k, v in plots.CLASS_COLORS.items()},
           **{f"family {k}": v for k, v in plots.FAMILY_COLORS.items()},
           **{f"status {k}": v for k, v in plots.STATUS_COLORS.items()}}


@pytest.mark.parametrize("name", sorted(PALETTE))
def test_every_palette_colour_is_visible_on_white_or_gets_a_dark_edge(name):
    # WCAG 2.1 SC 1.4.11: graphical objects need 3:1 against white. Okabe-Ito orange (2.25:1),
    # sky blue and yellow do not reach it, so shapes filled with them get the dark EDGE, which does.
    color = PALETTE[name]
    if plots.contrast_ratio(color) >= plots.MIN_CONTRAST:
        assert plots.edge(color) == "white"
    else:
        assert plots.edge(color) == plots.EDGE
    assert plots.contrast_ratio(plots.EDGE) >= plots.MIN_CONTRAST


def test_every_family_of_the_schema_has_its_own_colour():
    from atmp import data

    families = data.enum("atmps", "mechanism_family")
    assert set(families) == set(plots.FAMILY_COLORS), "a family would silently turn grey"
    assert set(data.enum("atmps", "status")) == set(plots.STATUS_COLORS)
    assert set(data.enum("atmps", "atmp_class")) == set(plots.CLASS_COLORS)


def _pale_shapes_without_an_edge(fig):
    from matplotlib.colors import to_hex
    from matplotlib.patches import Rectangle

    bad = []
    for ax in fig.axes:
        for p in ax.patches:
            if (not isinstance(p, Rectangle) or p.get_width() == 0 or p.get_height() == 0
                    or p.get_gid() == plots.BACKGROUND_GID):
                continue
            face = p.get_facecolor()
            if face[3] < 0.5 or to_hex(face[:3]) == "#ffffff":
                continue   # transparent or white fills (hatched bars are drawn by their edge)
            if plots.contrast_ratio(to_hex(face[:3])) >= plots.MIN_CONTRAST:
                continue
            edge = p.get_edgecolor()
            if p.get_linewidth() == 0 or plots.contrast_ratio(to_hex(edge[:3])) < plots.MIN_CONTRAST:
                bad.append(to_hex(face[:3]))
    return bad


def test_the_edge_check_bites_on_a_pale_bar():
    fig, ax = plots.new_figure()
    ax.bar([0, 1], [1, 2], color=plots.OKABE_ITO["yellow"], edgecolor="white")
    assert _pale_shapes_without_an_edge(fig) == [plots.OKABE_ITO["yellow"].lower()] * 2


def _chapter_figures():
    from atmp import book, chapters, data

    atmps, events = data.load_atmps(), data.load_events()
    for stem in book.chapters():
        yield from chapters.load(stem).figures(atmps, events).items()


@pytest.mark.parametrize("name,draw", list(_chapter_figures()), ids=lambda x: x
                         if isinstance(x, str) else "")
def test_no_chapter_figure_has_a_pale_bar_without_a_dark_edge(name, draw):
    assert _pale_shapes_without_an_edge(draw()) == []


def test_unknown_class_names_the_known_ones():
    with pytest.raises(KeyError, match="gene therapy"):
        plots.class_color("gene-therapy")


def test_figures_render_fully_opaque():
    fig, ax = plots.new_figure()
    ax.plot(np.arange(3), np.arange(3))
    img = Image.open(io.BytesIO(plots.png_bytes(fig))).convert("RGBA")
    alpha = np.asarray(img)[..., 3]
    assert alpha.min() == 255, "a transparent pixel would show the dark theme through the figure"


@pytest.mark.parametrize("alt", ["", "a plot", "Figure 1", "   "])
def test_alt_text_that_describes_nothing_is_refused(alt):
    with pytest.raises(ValueError):
        plots.check_alt_text(alt)


def test_alt_text_is_normalised():
    assert plots.check_alt_text("Bar chart of   authorisations\nper year by class") == (
        "Bar chart of authorisations per year by class")


def test_published_figures_are_twice_the_column_width():
    # A 7-inch figure fills the ~700 CSS px column: 2x pixels keep it sharp on phones,
    # high-density screens and projectors; live redraws stay light.
    fig, ax = plots.new_figure(width=7.0, height=4.0)
    ax.plot([0, 1], [0, 1])
    published = Image.open(io.BytesIO(plots.png_bytes(fig)))
    live = Image.open(io.BytesIO(plots.png_bytes(fig, fast=True)))
    assert published.width >= 1400
    assert live.width < published.width
