"""atmp.chapters.outlook: source groups, attrition computed from the record, prices."""

import pytest

from atmp import data, record
from atmp.chapters import outlook
from atmp.models import cost


@pytest.fixture(scope="module")
def dataset():
    return data.load_atmps(), data.load_events()


def test_source_groups_cover_every_product(dataset):
    atmps, _ = dataset
    groups = outlook.source_group(atmps)
    assert set(groups) <= set(outlook.GROUPS)
    assert (groups == "autologous cells").sum() == (atmps["cell_source"] == "autologous").sum()
    assert (groups == "in vivo (no cells)").sum() == atmps["cell_source"].isna().sum()


def test_attrition_table_adds_up_and_uses_the_record_exit_rule(dataset):
    atmps, events = dataset
    att = outlook.attrition_table(atmps, events)
    groups = att.loc[list(outlook.GROUPS)]
    ever = record.ever_authorised(atmps)
    assert groups["products"].sum() == att.loc["all", "products"] == len(ever)
    assert groups["left the market"].sum() == att.loc["all", "left the market"]
    lost = record.exit_dates(atmps, events).loc[ever.index].notna().sum()
    assert att.loc["all", "left the market"] == lost


def test_exit_reasons_use_the_controlled_vocabulary():
    assert set(outlook.REASONS) == {"commercial", "confirmatory evidence failed",
                                    "manufacturing or site", "safety", "not renewed"}


def test_exit_reasons_match_the_record(dataset):
    atmps, events = dataset
    gone = outlook.exit_reasons(atmps, events)
    spans = record.authorisation_spans(atmps, events, data.data_as_of())
    assert list(gone["product"]) == list(record.exits(spans)["product"])
    assert set(gone["reason"]) <= set(outlook.REASONS), "every exit has a controlled reason"
    facts = outlook.facts(atmps, events)
    assert (facts["outlook-n-commercial"] + facts["outlook-n-manufacturing"]
            + facts["outlook-n-efficacy"] + facts["outlook-n-not-renewed"]
            + facts["outlook-n-safety"] == len(gone) == facts["outlook-n-left"])


def test_group_counts_add_up_to_the_record(dataset):
    atmps, events = dataset
    facts = outlook.facts(atmps, events)
    assert (facts["outlook-n-auto"] + facts["outlook-n-allo"] + facts["outlook-n-invivo"]
            == facts["outlook-n"] == len(record.ever_authorised(atmps)))


def test_route_table_counts_every_product_once(dataset):
    atmps, _ = dataset
    t = outlook.route_table(atmps).set_index("group")
    assert t.to_numpy().sum() == len(record.ever_authorised(atmps))
    assert set(t.columns) == set(atmps["authorisation_type"].astype(str))


def test_eu_prices_and_access_are_sourced_and_refer_to_products(dataset):
    atmps, _ = dataset
    prices = data.load("outlook-eu-prices")
    assert set(prices["product"]) <= set(atmps["product"])
    assert prices["source"].str.match(r"https?://").all()
    assert (prices["price"] > 0).all() and set(prices["currency"].astype(str)) == {"EUR"}
    assert "United Kingdom" not in set(prices["country"])
    access = outlook.access_table()
    assert set(access["product"]) <= set(atmps["product"])
    assert access["source"].str.match(r"https?://").all()


def test_price_figure_has_one_bar_per_price_coloured_by_class(dataset):
    atmps, _ = dataset
    prices = data.load("outlook-eu-prices")
    ax = outlook.draw_prices(prices, atmps).axes[0]
    assert len(ax.patches) == len(prices)
    assert [t.get_text() for t in ax.get_yticklabels()] == list(
        prices.sort_values("price")["product"])
    assert "EUR" in ax.get_xlabel()


def test_donor_cell_products_are_grouped_by_doses_per_run(dataset):
    atmps, _ = dataset
    group = dict(zip(atmps["product"], outlook.source_group(atmps), strict=True))
    assert group["Zalmoxis"] == group["Zemcelpro"] == "donor cells, one patient"
    assert group["Alofisel"] == group["Ebvallo"] == "donor cells, banked"
    new = atmps.iloc[[0]].assign(product="Newcel", cell_source="allogeneic")
    with pytest.raises(ValueError, match="Newcel"):
        outlook.source_group(new)


def test_time_on_market_figure_has_one_curve_per_group(dataset):
    atmps, events = dataset
    fits = outlook.fit_by_group(atmps, events)
    ax = outlook.draw_time_on_market(atmps, events).axes[0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert [lab.split(":")[0] for lab in labels[:len(fits)]] == list(fits)
    assert "years" in ax.get_xlabel()
    assert set(fits) <= set(cost.GROUP_COLORS)


def test_exercise_solutions(dataset):
    """The numbers the chapter's exercise solutions state."""
    atmps, events = dataset
    access = outlook.access_table()
    italy = access[(access["country"] == "Italy") & (access["status"] != "reimbursed")]
    assert set(italy["product"]) == {"Spherox", "Alofisel", "Abecma", "Carvykti", "Breyanzi",
                                     "Roctavian", "Hemgenix", "Ebvallo"}
    gone = outlook.exit_reasons(atmps, events)
    assert set(gone[gone["reason"] == "confirmatory evidence failed"]["product"]) == {
        "Zalmoxis", "Alofisel"}
