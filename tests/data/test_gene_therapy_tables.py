"""Cross-field rules for the gene-therapy safety and 2025-26 evidence tables (issue 15).

The data package schema checks types, enums and required cells; these tests check what a schema
cannot: counts within their denominators, dates that agree with their stated precision and the
data date, products that agree with the ATMP table, and prose-ready text (no e-notation).
"""

import datetime as dt
import re

import pandas as pd
import pytest

from atmp import data

TABLES = ("gene-therapy-safety", "gene-therapy-evidence-2025-26")
#: Chapter family of each mechanism family in atmps.csv that the gene-therapy chapters cover.
FAMILY_OF_MECHANISM = {
    "in vivo AAV": "aav",
    "ex vivo gammaretroviral HSC": "hsc",
    "ex vivo lentiviral HSC": "hsc",
    "ex vivo genome editing": "editing",
    "oncolytic virus": "oncolytic",
    "HSV-1 vector": "oncolytic",
    "in vivo adenoviral": "oncolytic",
}
E_NOTATION = re.compile(r"\d(\.\d+)?e[+-]?\d", re.IGNORECASE)


def _read(name: str) -> pd.DataFrame:
    path = data.DATA_DIR / data.resource(name)["path"]
    return pd.read_csv(path, keep_default_na=False, na_values=[""], dtype=str)


@pytest.mark.parametrize("name", TABLES)
def test_table_is_described_in_the_data_package_and_not_empty(name):
    assert [f["name"] for f in data.fields(name)] == list(_read(name).columns)
    assert len(_read(name)) >= 10


@pytest.mark.parametrize("name", TABLES)
def test_dates_agree_with_precision_and_are_not_after_the_data_date(name):
    t = _read(name)
    as_of = data.data_as_of()
    for i, row in t.iterrows():
        d = dt.date.fromisoformat(row["date"])
        assert d <= as_of, f"row {i + 1}: {d} is after data_as_of {as_of}"
        if row["date_precision"] == "month":
            assert d.day == 1, f"row {i + 1}: a month-precision date is the 1st"
        if row["date_precision"] == "year":
            assert (d.month, d.day) == (1, 1), f"row {i + 1}: a year-precision date is 1 January"
        assert dt.date.fromisoformat(row["verified_on"]) <= dt.date.today()


def test_counts_do_not_exceed_their_denominators():
    t = _read("gene-therapy-safety").dropna(subset=["count", "denominator"])
    assert len(t) >= 5
    bad = t[t["count"].astype(int) > t["denominator"].astype(int)]
    assert bad.empty, bad[["product", "date", "count", "denominator"]].to_string()


@pytest.mark.parametrize("name", TABLES)
def test_eu_products_sit_in_the_chapter_of_their_mechanism(name):
    atmps = data.load_atmps().set_index("product")
    for i, row in _read(name).iterrows():
        if row["product"] in atmps.index:
            mechanism = atmps.loc[row["product"], "mechanism_family"]
            assert FAMILY_OF_MECHANISM.get(mechanism) == row["family"], \
                f"row {i + 1}: {row['product']} is {mechanism}, not {row['family']}"


@pytest.mark.parametrize(("name", "column"), [("gene-therapy-safety", "finding"),
                                              ("gene-therapy-evidence-2025-26", "outcome")])
def test_text_is_prose_ready_without_e_notation(name, column):
    hits = [s for s in _read(name)[column] if E_NOTATION.search(s)]
    assert hits == []


def test_safety_table_covers_every_family_and_the_issue_topics():
    t = _read("gene-therapy-safety")
    assert set(t["family"]) == {"aav", "hsc", "editing", "oncolytic"}
    wanted = {"hepatotoxicity", "death", "thrombotic microangiopathy", "dorsal root ganglion toxicity",
              "vector integration", "insertional oncogenesis", "haematological malignancy",
              "conditioning toxicity", "mobilisation", "off-target editing", "benefit not shown"}
    assert wanted <= set(t["finding_type"])


def test_skysona_timeline_has_the_signal_before_the_eu_withdrawal():
    # review finding H2: MDS was public (Aug 2021) while the EU authorisation was still valid
    t = _read("gene-therapy-safety")
    sky = t[t["product"] == "Skysona"]
    first_cancer = sky[sky["finding_type"] == "haematological malignancy"]["date"].min()
    withdrawn = sky[sky["finding"].str.contains("withdrawn")]["date"].min()
    authorised = dt.date.fromisoformat(str(data.load_atmps().set_index("product")
                                          .loc["Skysona", "ec_decision_date"].date()))
    assert authorised < dt.date.fromisoformat(first_cancer) < dt.date.fromisoformat(withdrawn)
