"""Chapter module of the somatic cell therapies: its tables and facts agree with the record."""

import pandas as pd
import pytest

from atmp import data
from atmp.chapters import somatic_cell_therapy as chapter


@pytest.fixture(scope="module")
def record_tables():
    return data.load_atmps(), data.load_events()


def test_facts_count_and_name_the_products_that_left(record_tables):
    atmps, events = record_tables
    facts = chapter.facts(atmps, events)
    mine = atmps[atmps["chapter"] == "somatic-cell-therapy"]
    gone = mine[mine["status"] != "authorised"]
    assert facts["somatic-cell-therapy-n"] == len(mine)
    assert facts["somatic-cell-therapy-n-gone"] == len(gone) > 0
    assert facts["somatic-cell-therapy-n"] == (facts["somatic-cell-therapy-n-gone"]
                                               + facts["somatic-cell-therapy-n-authorised"])
    for _, r in gone.iterrows():
        years = (r["status_date"] - r["ec_decision_date"]).days / 365.25
        key = f"somatic-cell-therapy-{r['product'].lower()}"
        assert facts[f"{key}-years"] == f"{years:.1f}"
        assert facts[f"{key}-reason"] == r["status_reason"]


def test_product_table_shortens_the_inn():
    assert chapter._short_inn("autologous peripheral-blood mononuclear cells (sipuleucel-T)") == (
        "sipuleucel-T")
    assert chapter._short_inn("darvadstrocel (expanded adipose stem cells)") == "darvadstrocel"


def test_trial_table_writes_units_and_leaves_single_arm_controls_blank():
    t = chapter.trial_table()
    trials = data.load("somatic-cell-therapy-trials")
    assert len(t) == len(trials)
    single_arm = trials["control_value"].isna()
    assert (t.loc[single_arm, "control"] == "").all()
    assert t.loc[~single_arm, "control"].str.match(r"^\d+(\.\d+)? (months|%)$").all()
    assert pd.api.types.is_integer_dtype(t["n"])


def test_evidence_facts_set_admire_cd_ii_beside_admire_cd_from_the_data():
    t = data.load("somatic-cell-therapy-trials").set_index("trial")
    f = chapter.evidence_facts()
    for key, trial in (("admire1", "ADMIRE-CD"), ("admire2", "ADMIRE-CD II")):
        assert f[f"somatic-cell-therapy-ev-{key}-n"] == f"{t.loc[trial, 'n']:.0f}"
        assert f[f"somatic-cell-therapy-ev-{key}-c"] == f"{t.loc[trial, 'control_value']:g}%"
    assert f["somatic-cell-therapy-ev-tk008-n"] == f"{t.loc['TK008', 'n']:.0f}"


def test_trial_row_refuses_an_ambiguous_lookup():
    t = data.load("somatic-cell-therapy-trials")
    with pytest.raises(ValueError, match="expected one row"):
        chapter._trial_row(t, "Zemcelpro", "pooled phase 2 studies (two single-arm)")


def test_safety_table_holds_only_the_chapter_products_with_their_denominators():
    atmps = data.load_atmps()
    table = chapter.safety_table(atmps)
    mine = set(chapter.products(atmps)["product"])
    assert len(table) and set(table["product"]) <= mine
    src = data.load("cell-therapy-safety")
    row = src[(src["product"] == "Zemcelpro") & (src["rate_pct"].notna())].iloc[0]
    zem = table[table["product"] == "Zemcelpro"].iloc[0]
    assert zem["rate"] == f"{row['rate_pct']:g}% of {row['denominator']:.0f}"
