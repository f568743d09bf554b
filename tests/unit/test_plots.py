"""The house style: palette, opaque figures, alt-text rule."""

import io

import numpy as np
import pytest
from matplotlib.colors import to_rgb
from PIL import Image

from atmp import plots


def _luminance(hex_color):
    def lin(c):
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (lin(c) for c in to_rgb(hex_color))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def test_every_atmp_class_has_its_own_colour():
    assert set(plots.CLASS_COLORS) == {"gene therapy", "somatic cell therapy",
                                       "tissue engineered", "combined"}
    assert len(set(plots.CLASS_COLORS.values())) == 4


def test_class_colours_are_from_the_colour_blind_safe_palette():
    assert set(plots.CLASS_COLORS.values()) <= set(plots.OKABE_ITO.values())


@pytest.mark.parametrize("color", list(plots.CLASS_COLORS.values()))
def test_class_colours_contrast_with_the_white_figure_background(color):
    # WCAG contrast ratio for graphical objects is 3:1; bars and lines must be visible on white.
    ratio = (1.05) / (_luminance(color) + 0.05)
    assert ratio >= 2.0, f"{color} is too pale on white ({ratio:.2f}:1)"


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
