"""Rows proposed for the cell-therapy chapters (data/proposed): valid, appendable, and about real products."""

import csv

import pytest

from atmp import data

PROPOSED = data.DATA_DIR / "proposed"


def _rows(name):
    with (PROPOSED / f"{name}.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_frictionless_agrees_the_proposed_package_is_valid():
    frictionless = pytest.importorskip("frictionless")
    report = frictionless.validate(str(PROPOSED / "datapackage.json"))
    errors = [f"{task.name}: {e.message}" for task in report.tasks for e in task.errors]
    assert report.valid, "\n".join(errors[:20])


@pytest.mark.parametrize("name", ["somatic-cell-therapy-trials", "tissue-engineering-trials"])
def test_proposed_rows_can_be_appended_to_the_table_they_extend(name):
    with (PROPOSED / f"{name}.csv").open(encoding="utf-8", newline="") as fh:
        header = next(csv.reader(fh))
    assert header == [f["name"] for f in data.fields(name)]
    products = {row["product"] for row in data.read_rows("atmps")}
    assert {row["product"] for row in _rows(name)} <= products


def test_class_statements_match_atmps_where_both_exist():
    classes = {row["product"]: row["atmp_class"] for row in data.read_rows("atmps")}
    for row in data.read_rows("atmp-class-statements"):
        assert row["class_in_atmps_csv"] == classes.get(row["product"], ""), row["product"]
