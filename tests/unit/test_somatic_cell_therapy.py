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
