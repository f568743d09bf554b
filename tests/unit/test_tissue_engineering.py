"""Chapter module of the tissue-engineered and combined products: tables and facts agree with
the record, and the claims the prose makes about the products hold in the data."""

import pytest

from atmp import data, plots, record
from atmp.chapters import tissue_engineering as chapter
from atmp.models import tissue


@pytest.fixture(scope="module")
def record_tables():
    return data.load_atmps(), data.load_events()


def test_product_table_and_facts_come_from_the_data(record_tables):
    atmps, events = record_tables
    rows = atmps[atmps["chapter"] == "tissue-engineering"]
    table = chapter.product_table(atmps, events)
    assert list(table["product"]) == list(rows.sort_values("ec_decision_date")["product"])
    facts = chapter.facts(atmps, events)
    assert facts["tissue-engineering-n"] == len(rows)
    assert (facts["tissue-engineering-n-authorised"] + facts["tissue-engineering-n-gone"]
            == facts["tissue-engineering-n"])


def test_the_prose_claims_about_the_products_hold(record_tables):
    """"all of them made from the patient's own cells"; "Only MACI is a combined ATMP";
    ChondroCelect "was the first ATMP authorised in the EU"."""
    atmps, events = record_tables
    facts = chapter.facts(atmps, events)
    assert facts["tissue-engineering-n-autologous"] == facts["tissue-engineering-n"]
    mine = chapter.products(atmps)
    assert list(mine.loc[mine["atmp_class"] == "combined", "product"]) == ["MACI"]
    first = record.ever_authorised(atmps).sort_values("ec_decision_date").iloc[0]
    assert facts["tissue-engineering-first"] == first["product"] == "ChondroCelect"


def test_event_dates_come_from_the_events(record_tables):
    atmps, events = record_tables
    facts = chapter.facts(atmps, events)
    for key in ("maci-suspended", "maci-expired", "cc-withdrawn", "holo-converted"):
        assert facts[f"tissue-engineering-{key}"], key
    maci = events[(events["product"] == "MACI") & (events["event"] == "expired")]
    assert facts["tissue-engineering-maci-expired"] == (
        f"{maci['date'].iloc[0].day} {maci['date'].iloc[0]:%B %Y}")


def test_holoclar_label_facts_are_the_smpc_range():
    facts = chapter.label_facts()
    lo = int(facts["tissue-engineering-holo-lo"].replace(",", ""))
    hi = int(facts["tissue-engineering-holo-hi"].replace(",", ""))
    assert lo == pytest.approx(tissue.HOLOCLAR_CELLS_PER_CM2[0], rel=0.005)
    assert hi == pytest.approx(tissue.HOLOCLAR_CELLS_PER_CM2[1], rel=0.005)


def test_renewal_table_agrees_with_the_stem_fraction():
    t = chapter.renewal_table()
    needed = tissue.population_doublings(chapter.GRAFT_CELLS, chapter.BIOPSY_CELLS)
    for _, row in t.iterrows():
        r = float(row["net self-renewal r"])
        passes = tissue.passes_potency(100 * tissue.stem_fraction(needed, chapter.STEM_START, r))
        assert (row["graft at or above 3%"] == "yes") == passes, r
    assert list(t["graft at or above 3%"]) == ["no", "no", "yes", "yes", "yes"]


def test_timeline_has_one_bar_per_product_and_the_chapter_title(record_tables):
    atmps, events = record_tables
    ax = chapter.draw_timeline(atmps, events).axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == list(chapter.products(atmps)["product"])
    solid = [p for p in ax.patches if not p.get_hatch()]
    assert len(solid) == len(chapter.products(atmps))
    # MACI: suspended 2014-11-19, never reinstated, expired 2018-07-01 — the suspended years are
    # drawn hatched up to the expiry (referee finding T7), not cut off at the suspension.
    maci = events[events["product"] == "MACI"].set_index("event")["date"]
    hatched = [p for p in ax.patches if p.get_hatch()]
    assert len(hatched) == 1
    assert hatched[0].get_x() == pytest.approx(plots.decimal_year(maci["suspended"]))
    assert hatched[0].get_x() + hatched[0].get_width() == pytest.approx(
        plots.decimal_year(maci["expired"]))
    assert ax.get_title() == "Regulatory life of the tissue-engineered and combined products"


def test_evidence_facts_come_from_the_spherox_phase_iii_rows():
    ev = data.load("tissue-engineering-trials")
    p3 = ev[ev["study"] == chapter.PHASE3]
    f = chapter.evidence_facts()
    n = p3[p3["outcome"] == "randomised"].set_index("arm")["value"]
    assert f["tissue-engineering-ev-p3-n-sph"] == f"{n['Spherox']:.0f}"
    assert f["tissue-engineering-ev-p3-n-mf"] == f"{n['microfracture']:.0f}"


def test_safety_table_holds_the_safety_outcomes_with_their_randomised_numbers():
    t = chapter.safety_table()
    assert len(t) and set(t["finding"]) <= set(chapter.SAFETY_OUTCOMES)
    assert (t["randomised"] != "").all()


def test_value_refuses_a_missing_number():
    ev = data.load("tissue-engineering-trials")
    with pytest.raises(ValueError, match="expected one value .* found 0"):
        chapter._value(ev, chapter.PHASE3, "placebo", "randomised")
