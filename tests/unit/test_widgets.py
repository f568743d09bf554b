"""The widget contract: one drawing function, live controls, a static twin, a registry."""

import pytest
from matplotlib.figure import Figure

from atmp import plots, widgets
from atmp.widgets import Choice, Interactive, Range, Slider


def _draw(k=1.0, kind="line", years=(2009, 2026)):
    fig, ax = plots.new_figure()
    x = list(range(years[0], years[1] + 1))
    y = [k * (i - years[0]) for i in x]
    (ax.plot if kind == "line" else ax.bar)(x, y)
    return fig


@pytest.fixture
def widget():
    return Interactive("test-widget", _draw, {
        "k": Slider(1.0, 0.1, 3.0, 0.1, "slope (1/yr)"),
        "kind": Choice("line", ["line", "bar"], "kind"),
        "years": Range((2009, 2026), 2009, 2026, "years"),
    })


def test_defaults_come_from_the_controls(widget):
    assert widget.defaults == {"k": 1.0, "kind": "line", "years": (2009, 2026)}


def test_figure_at_defaults_and_every_edge_case_draws(widget):
    cases = widget.edge_cases()
    assert len(cases) == 1 + 2 + 2 + 2
    for params in cases:
        assert isinstance(widget.draw(**params), Figure)


def test_unknown_parameter_is_refused(widget):
    with pytest.raises(TypeError, match="unknown parameters"):
        widget.figure(slope=2)


def test_widget_registers_itself(widget):
    assert widgets.registry(load=False)["test-widget"] is widget


def test_live_box_has_one_control_per_parameter(widget):
    box = widget.live()
    controls, out = box.children
    assert len(controls.children) == 3
    assert [c.description for c in controls.children] == ["slope (1/yr)", "kind", "years"]


def test_show_glues_the_static_twin_and_points_to_the_live_notebook_in_the_book(widget,
                                                                               monkeypatch):
    glued, shown = [], []
    monkeypatch.setattr("myst_nb.glue", lambda name, value, display=True: glued.append(name))
    monkeypatch.setattr("IPython.display.display", lambda *objs, **kw: shown.extend(objs))
    monkeypatch.setenv(widgets.BOOK_BUILD_ENV, "1")
    widget.show()
    assert glued == ["test-widget"]
    assert [o.data for o in shown] == [widgets.LIVE_NOTE]   # the pointer, no live controls
    glued.clear(), shown.clear()
    monkeypatch.setenv(widgets.BOOK_BUILD_ENV, "0")
    widget.show()
    assert glued == ["test-widget"]
    assert type(shown[-1]).__name__ == "VBox"               # live controls in a kernel
    assert widgets.LIVE_NOTE not in [getattr(o, "data", None) for o in shown]


def test_redraw_timing_reports_percentiles(widget):
    t = widget.time_redraw(n=5, cpu=True)
    assert 0 < t["p50_ms"] <= t["p95_ms"]


@pytest.mark.parametrize("bad", [
    lambda: Slider(5.0, 0.0, 1.0, 0.1, "x"),
    lambda: Slider(1.0, 0.0, 2.0, 0.1, "x", log=True),
    lambda: Choice("c", ["a", "b"], "x"),
    lambda: Range((2000, 2030), 2009, 2026, "x"),
    lambda: Interactive("has space", _draw),
])
def test_inconsistent_controls_are_refused(bad):
    with pytest.raises(ValueError):
        bad()


def test_registry_loads_every_package_module():
    # Importing the whole package must work (widgets defined at module level register then).
    reg = widgets.registry(load=True)
    assert all(isinstance(w, Interactive) for w in reg.values())


REGISTERED = sorted(widgets.registry(load=True).items())
COURSE_WIDGETS = [w for name, w in REGISTERED if not name.startswith(("test-", "doc-"))]


def test_every_chapter_has_a_widget():
    from atmp import book

    # Widget names start with their chapter's first word (aav-..., car-t-..., tissue-...).
    names = {w.name for w in COURSE_WIDGETS}
    for chapter in book.chapters():
        assert any(n.startswith(chapter.split("-")[0] + "-") for n in names), chapter


@pytest.mark.parametrize("widget", COURSE_WIDGETS, ids=lambda w: w.name)
def test_every_registered_widget_draws_its_static_twin_and_edges(widget):
    # The static twin is the figure at the defaults; the edges are each control's extremes.
    for params in widget.edge_cases():
        fig = widget.draw(**params)
        assert isinstance(fig, Figure) and fig.axes
    png = plots.png_bytes(widget.figure())
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("widget", COURSE_WIDGETS, ids=lambda w: w.name)
def test_every_registered_widget_redraws_within_the_test_guard(widget):
    assert widget.time_redraw(n=9, cpu=True)["p50_ms"] < widgets.REDRAW_TEST_LIMIT_MS
