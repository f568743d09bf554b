"""One table style: readable headers, "—" for missing values, dates and numbers as written."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from atmp import tables


@pytest.mark.parametrize("name, shown", [
    ("ec_decision_date", "EC decision date"),
    ("atmp_class", "ATMP class"),
    ("mechanism_family", "mechanism family"),
    ("inn", "INN"),
    ("status_reason", "reason"),
    ("crs_grade3_pct", "CRS grade3 %"),
    ("type at authorisation", "type at authorisation"),  # already a label: unchanged
])
def test_headers_are_labels_not_column_names(name, shown):
    assert tables.label(name) == shown


def test_data_package_titles_win_over_the_generic_label(monkeypatch):
    monkeypatch.setattr(tables, "_field_titles", lambda: {"status_date": "left the market on"})
    assert tables.label("status_date") == "left the market on"


def test_every_kind_of_missing_value_is_a_dash():
    df = pd.DataFrame({"date": pd.to_datetime(["2020-01-02", None]),
                       "text": ["a", None], "empty": ["", "x"], "number": [1.5, np.nan],
                       "nullable": pd.array([1, None], dtype="Int64")})
    shown = tables.static(df).data
    assert shown.iloc[1].tolist() == ["—", "—", "x", "—", "—"]
    assert shown.iloc[0, 2] == "—"
    html = tables.static(df).to_html()
    for raw in ("NaT", "NaN", "nan", "None", "&lt;NA&gt;"):
        assert raw not in html


def test_dates_are_iso_and_marked_not_to_wrap():
    df = pd.DataFrame({"when": [dt.date(2019, 5, 29), dt.date(2024, 2, 9)],
                       "stamp": pd.to_datetime(["2019-05-29 10:30", "2024-02-09 00:00"])})
    t = tables.static(df)
    assert t.kinds == ["date", "date"]
    assert t.data.iloc[:, 1].tolist() == ["2019-05-29", "2024-02-09"]
    assert t.to_html().count('<td class="atmp-date">') == 4


def test_numbers_keep_their_precision_and_group_thousands():
    df = pd.DataFrame({"n": [7, 12000], "share": [0.5, 0.25], "year": [2018.0, 2024.0]})
    t = tables.static(df)
    assert t.data["n"].tolist() == ["7", "12\u202f000"]
    assert t.data["share"].tolist() == ["0.50", "0.25"]  # one precision per column: aligned
    assert t.data["year"].tolist() == ["2018", "2024"]
    assert 'class="atmp-number"' in t.to_html()


def test_flags_read_yes_and_no():
    assert tables.static(pd.DataFrame({"orphan": [True, False]})).data["orphan"].tolist() == [
        "yes", "no"]


def test_named_index_becomes_a_column_and_row_numbers_are_dropped():
    named = pd.DataFrame({"products": [3, 4]}, index=pd.Index(["standard", "conditional"],
                                                                name="authorisation_type"))
    assert list(tables.static(named).data.columns) == ["authorisation type", "products"]
    filtered = pd.DataFrame({"product": ["A", "B", "C"]}).iloc[[2, 0]]
    assert list(tables.static(filtered).data.columns) == ["product"]


def test_crosstab_keeps_its_row_labels():
    df = pd.DataFrame({"authorisation_type": ["standard", "conditional", "standard"],
                       "atmp_class": ["gene therapy", "gene therapy", "tissue engineered"]})
    t = tables.static(pd.crosstab(df["authorisation_type"], df["atmp_class"]))
    assert list(t.data.columns) == ["authorisation type", "gene therapy", "tissue engineered"]


def test_html_is_escaped_wrapped_for_scrolling_and_classed():
    html = tables.static(pd.DataFrame({"note": ["<b>x</b> & y"]})).to_html()
    assert "&lt;b&gt;x&lt;/b&gt; &amp; y" in html
    assert html.startswith('<div class="atmp-table-wrap" tabindex="0"><table class="atmp-table">')
    assert '<th scope="col">note</th>' in html
