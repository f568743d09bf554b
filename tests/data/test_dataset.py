"""The real dataset: valid against its schema and rules, complete, and typed on load."""

import datetime as dt

import pandas as pd
import pytest

from atmp import data


def test_dataset_has_no_problems():
    problems = data.validate()
    assert problems == [], "\n".join(map(str, problems))


def test_frictionless_agrees_the_package_is_valid():
    frictionless = pytest.importorskip("frictionless")
    report = frictionless.validate(str(data.DATA_DIR / data.DATAPACKAGE))
    errors = [e.message for task in report.tasks for e in task.errors]
    assert report.valid, "\n".join(errors[:20])


def test_loaded_types():
    atmps = data.load_atmps()
    assert pd.api.types.is_datetime64_any_dtype(atmps["ec_decision_date"])
    assert atmps["orphan"].dtype == "boolean"
    assert list(atmps["atmp_class"].cat.categories) == data.enum("atmps", "atmp_class")
    events = data.load_events()
    assert events["date"].is_monotonic_increasing


def test_the_first_eu_atmp_is_chondrocelect():
    # ChondroCelect (2009) is the first ATMP authorised in the EU; nothing may precede it.
    atmps = data.load_atmps().sort_values("ec_decision_date")
    assert atmps.iloc[0]["product"] == "ChondroCelect"
    assert atmps.iloc[0]["ec_decision_date"].year == 2009


def test_every_class_is_represented_and_withdrawals_are_kept():
    atmps = data.load_atmps()
    assert set(atmps["atmp_class"].dropna()) == set(data.enum("atmps", "atmp_class"))
    assert (atmps["status"] != "authorised").sum() >= 5


def test_data_date_is_not_in_the_future_of_the_rows():
    as_of = data.data_as_of()
    assert as_of <= dt.date.today()
    assert data.load_atmps()["verified_on"].max().date() <= as_of
