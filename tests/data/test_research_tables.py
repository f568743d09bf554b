"""Cross-field rules for the research tables the schema cannot express (failed applications, law)."""

import datetime as dt

from atmp import data

ATMP_REGULATION_APPLIES = dt.date(2008, 12, 30)  # Regulation (EC) No 1394/2007, Art. 30


def _date(value):
    return dt.date.fromisoformat(value) if value else None


def test_failed_application_dates_are_in_order_and_not_after_the_data_date():
    as_of = data.data_as_of()
    for row in data.read_rows("failed-applications"):
        steps = [_date(row[c]) for c in ("opinion_date", "final_opinion_date", "ec_decision_date")]
        known = [d for d in steps if d]
        assert known == sorted(known), row["product"]
        for col in ("opinion_date", "final_opinion_date", "withdrawal_date", "ec_decision_date"):
            d = _date(row[col])
            assert d is None or d <= as_of, (row["product"], col)


def test_each_outcome_carries_its_own_date_or_says_it_was_not_seen():
    for row in data.read_rows("failed-applications"):
        own = {"refused": "ec_decision_date", "withdrawn": "withdrawal_date",
               "negative opinion": "opinion_date"}[row["outcome"]]
        assert row[own] or "not seen" in row["notes"], (row["product"], own)
        if row["re_examination"] == "yes" and row["outcome"] == "refused":
            assert row["final_opinion_date"], row["product"]


def test_under_atmp_regulation_matches_the_end_date():
    for row in data.read_rows("failed-applications"):
        ends = [_date(row[c]) for c in ("withdrawal_date", "ec_decision_date",
                                         "final_opinion_date", "opinion_date")]
        ends = [d for d in ends if d]
        if not ends:
            continue
        expected = max(ends) >= ATMP_REGULATION_APPLIES
        assert (row["under_atmp_regulation"] == "true") == expected, row["product"]


def test_later_authorisations_point_at_products_in_the_dataset():
    products = {r["product"] for r in data.read_rows("atmps")}
    for row in data.read_rows("failed-applications"):
        if row["later_authorised_as"]:
            assert row["later_authorised_as"] in products, row["product"]


def test_reform_rows_have_a_status_and_acts_in_force_have_a_date():
    for row in data.read_rows("legal-framework"):
        if row["kind"] == "today vs reform":
            assert row["reform_status"], row["topic"]
        else:
            assert not row["reform_status"], row["topic"]
            assert row["today_applies_from"], row["topic"]
