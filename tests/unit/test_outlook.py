"""atmp.outlook: source groups, attrition computed from the data, prices, the cost model."""

import pytest

from atmp import data, outlook


@pytest.fixture(scope="module")
def dataset():
    return data.load_atmps(), data.load_events(), data.data_as_of()


def test_cost_per_patient_closed_form():
    assert outlook.cost_per_patient(100, 1, 0.0, 5) == pytest.approx(105)
    assert outlook.cost_per_patient(100, 100, 0.0, 5) == pytest.approx(6)
    # a 50% failure rate doubles the batch share of the cost
    assert outlook.cost_per_patient(100, 1, 0.5, 0) == pytest.approx(200)
    with pytest.raises(ValueError):
        outlook.cost_per_patient(100, 0.5, 0.0, 5)
    with pytest.raises(ValueError):
        outlook.cost_per_patient(100, 1, 1.0, 5)


def test_cost_falls_towards_the_per_dose_floor():
    costs = [outlook.cost_per_patient(100, d, 0.1, 5) for d in (1, 10, 100, 1e6)]
    assert costs == sorted(costs, reverse=True)
    assert costs[-1] == pytest.approx(5, abs=1e-3)


def test_source_groups_cover_every_product(dataset):
    atmps, _, _ = dataset
    groups = outlook.source_group(atmps)
    assert set(groups) <= set(outlook.GROUPS)
    assert (groups == "autologous cells").sum() == (atmps["cell_source"] == "autologous").sum()
    assert (groups == "in vivo (no cells)").sum() == atmps["cell_source"].isna().sum()


def test_attrition_table_adds_up(dataset):
    atmps, events, as_of = dataset
    att = outlook.attrition_table(atmps, events, as_of)
    groups = att.loc[list(outlook.GROUPS)]
    assert groups["products"].sum() == att.loc["all", "products"] == len(atmps)
    assert groups["left the market"].sum() == att.loc["all", "left the market"]
    assert att.loc["all", "left the market"] == (atmps["status"].astype(str) != "authorised").sum()


def test_reason_categories():
    assert outlook.reason_category("commercial (low demand)") == "commercial"
    assert outlook.reason_category("manufacturing site closed; not renewed") == "manufacturing"
    assert outlook.reason_category("confirmatory trial failed (ADMIRE-CD II)").startswith("efficacy")
    assert outlook.reason_category("") == "other"


def test_exit_reasons_match_the_data(dataset):
    atmps, events, as_of = dataset
    gone = outlook.exit_reasons(atmps)
    assert len(gone) == (atmps["status"].astype(str) != "authorised").sum()
    assert "other" not in set(gone["category"]), "every recorded reason should be categorised"
    facts = outlook.outlook_facts(atmps, events, as_of)
    assert facts["ol_n_commercial"] + facts["ol_n_manufacturing"] + facts["ol_n_efficacy"] == len(gone)


def test_prices_are_sourced_and_refer_to_products(dataset):
    atmps, _, _ = dataset
    prices = outlook.load_prices()
    assert set(prices["product"]) <= set(atmps["product"])
    assert prices["source"].str.match(r"https?://").all()
    assert (prices["price"] > 0).all()
    # NICE TA467 and HST15 list prices
    by = prices.set_index("product")["price"]
    assert by["Holoclar"] == 80_000 and by["Zolgensma"] == 1_795_000


def test_figures_draw(dataset):
    atmps, events, as_of = dataset
    assert outlook.draw_time_on_market(outlook.fit_by_group(atmps, events, as_of)).axes
    assert outlook.draw_prices(outlook.load_prices(), atmps).axes
    assert outlook.draw_routes().axes


def test_exercise_solutions(dataset):
    """The numbers the chapter's exercise solutions state."""
    atmps, _, _ = dataset
    assert outlook.cost_per_patient(100, 1, 0.2, 5) == pytest.approx(130)
    assert outlook.cost_per_patient(100, 100, 0.2, 5) == pytest.approx(6.25)
    prices = outlook.load_prices()
    assert prices["price"].max() / prices["price"].min() == pytest.approx(280)
    gone = outlook.exit_reasons(atmps)
    assert set(gone[gone["category"] != "commercial"]["product"]) == {"MACI", "Alofisel"}
