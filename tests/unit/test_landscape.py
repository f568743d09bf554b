"""Landscape counts and figures, checked on a three-product fixture computed by hand."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from atmp import data
from atmp import record as product_record
from atmp.chapters import landscape

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "dataset"


@pytest.fixture
def record(tmp_path):
    import shutil

    shutil.copytree(FIXTURE, tmp_path / "data")
    shutil.copy(data.DATA_DIR / data.DATAPACKAGE, tmp_path / "data" / data.DATAPACKAGE)
    return data.load_atmps(tmp_path / "data"), data.load_events(tmp_path / "data")


def test_exit_dates_follow_the_one_rule_of_atmp_record(record):
    atmps, events = record
    exits = dict(zip(atmps["product"], product_record.exit_dates(atmps, events), strict=True))
    assert exits["ChondroCelect"] == pd.Timestamp("2016-11-30")
    assert exits["Glybera"] == pd.Timestamp("2017-10-25")
    assert pd.isna(exits["Kymriah"])


def test_a_suspension_counts_as_leaving_the_market(record):
    atmps, events = record
    extra = pd.DataFrame({"product": ["Glybera"], "date": [pd.Timestamp("2015-01-15")],
                          "event": ["suspended"], "detail": [""], "source": [""]})
    exits = product_record.exit_dates(atmps, pd.concat([events, extra], ignore_index=True))
    assert exits[atmps["product"] == "Glybera"].iloc[0] == pd.Timestamp("2015-01-15")


def test_on_market_by_year_by_hand(record):
    atmps, events = record
    y = landscape.on_market_by_year(atmps, events, as_of=pd.Timestamp("2020-06-30"))
    expected = {2009: (1, 1, 0), 2011: (1, 1, 0), 2012: (2, 2, 0), 2016: (2, 1, 1),
                2017: (2, 0, 2), 2018: (3, 1, 2), 2020: (3, 1, 2)}
    for year, row in expected.items():
        assert tuple(y.loc[year]) == row, year
    assert (y["ever authorised"] == y["on the market"] + y["left the market"]).all()
    assert y.index.max() == 2020


def test_per_year_counts_every_product_once(record):
    atmps, _ = record
    table = landscape.per_year(atmps, last_year=2019)
    assert table.values.sum() == len(atmps)
    assert table.loc[2009, "tissue engineered"] == 1 and table.loc[2018, "gene therapy"] == 1
    assert list(table.index) == list(range(2009, 2020))
    assert list(table.columns) == data.enum("atmps", "atmp_class")


def test_status_and_family_tables(record):
    atmps, _ = record
    status = landscape.status_table(atmps).set_index("status")
    assert status.loc["withdrawn", "names"] == "ChondroCelect"
    assert status["products"].sum() == len(atmps)
    fam = landscape.family_table(atmps)
    assert fam["products"].sum() == len(atmps)
    assert fam.loc[fam["mechanism_family"] == "CAR-T", "authorised"].item() == 1


def test_class_examples_are_the_first_of_each_class(record):
    atmps, _ = record
    ex = landscape.class_examples(atmps)
    assert ex.loc["gene therapy", "first authorised"] == "Glybera"
    assert ex.loc["gene therapy", "products in class"] == 2


def test_product_table_is_sorted_and_complete(record):
    atmps, events = record
    table = landscape.product_table(atmps, events)
    assert list(table["Product"]) == ["ChondroCelect", "Glybera", "Kymriah"]
    assert table.loc[2, "Left market"] == ""


def test_per_year_figure_stacks_one_bar_per_year_and_class(record):
    atmps, _ = record
    table = landscape.per_year(atmps)
    ax = landscape.draw_per_year(atmps).axes[0]
    heights = [p.get_height() for p in ax.patches]
    assert sum(heights) == len(atmps) == table.to_numpy().sum()
    assert ax.get_ylabel() and ax.get_xlabel()


def test_status_figure_has_one_row_per_status_present(record):
    atmps, _ = record
    ax = landscape.draw_status(atmps).axes[0]
    present = atmps["status"].astype(str).unique()
    assert sorted(t.get_text() for t in ax.get_yticklabels()) == sorted(present)
    assert sum(p.get_width() for p in ax.patches) == len(atmps)


def test_families_figure_bars_add_up_to_the_products(record):
    atmps, _ = record
    ax = landscape.draw_families(atmps).axes[0]
    assert np.isclose(sum(p.get_width() for p in ax.patches), len(atmps))
    assert len(ax.get_yticklabels()) == atmps["mechanism_family"].nunique()


def test_explorer_shows_an_empty_selection_honestly():
    empty = landscape.draw_explorer(classes=["combined"], statuses=["authorised"])
    assert empty.axes[0].get_title().startswith("0 products ·")


def test_explorer_filters(record):
    atmps, events = record
    fig = landscape.draw_explorer(statuses=["authorised"], atmps=atmps, events=events)
    assert fig.axes[0].get_title().startswith("1 product ·")


def test_authorisations_sharing_an_active_substance_are_named():
    import pandas as pd

    from atmp.chapters.landscape import _shared_substances

    t = pd.DataFrame({"product": ["Zolgensma", "Kymriah", "Itvisma", "A", "B"],
                      "inn": ["onasemnogene abeparvovec", "tisagenlecleucel",
                              "onasemnogene abeparvovec", "x", "x"]})
    assert _shared_substances(t) == ("Zolgensma and Itvisma (onasemnogene abeparvovec); "
                                     "A and B (x)")
    assert _shared_substances(t.iloc[:2]) == "none"


def test_product_table_marks_the_classes_no_ema_page_states():
    atmps = data.load_atmps()
    statements = data.load("atmp-class-statements")
    unstated = set(statements.loc[statements["class_as_ema_states"].isna(), "product"])
    stated = set(statements.loc[statements["class_as_ema_states"].notna(), "product"])
    table = landscape.product_table(atmps, data.load_events()).set_index("Product")
    assert unstated and stated
    for product in unstated & set(table.index):
        assert table.loc[product, "Class"].endswith(product_record.COURSE_CLASS), product
    for product in stated & set(table.index):
        assert table.loc[product, "Class"] == atmps.set_index("product").loc[product, "atmp_class"]
    facts = landscape.facts(atmps, data.load_events())
    assert all(p in facts["landscape-class-unstated"] for p in unstated & set(table.index))
