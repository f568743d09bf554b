"""Validation names the row and the rule for each kind of broken data."""

import csv
import shutil
from pathlib import Path

import pytest

from atmp import data

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "dataset"


@pytest.fixture
def dataset(tmp_path):
    shutil.copytree(FIXTURE, tmp_path / "data")
    shutil.copy(data.DATA_DIR / data.DATAPACKAGE, tmp_path / "data" / data.DATAPACKAGE)
    return tmp_path / "data"


def edit(path: Path, table: str, name: str, where_event: str | None = None, **changes):
    file = path / f"{table}.csv"
    with file.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    hit = [r for r in rows if r["product"] == name and where_event in (None, r.get("event"))]
    assert hit, name
    for r in hit[:1]:
        r.update(changes)
    with file.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def rules(path):
    return {(p.product, p.rule) for p in data.validate(path)}


def test_fixture_is_valid(dataset):
    assert data.validate(dataset) == []


@pytest.mark.parametrize("table,product,changes,expected", [
    ("atmps", "Glybera", {"status_date": "2011-01-01"}, ("Glybera", "status-after-decision")),
    ("atmps", "Kymriah", {"status_date": "2020-01-01"}, ("Kymriah", "authorised-has-no-status-date")),
    ("atmps", "Glybera", {"status_date": ""}, ("Glybera", "status-date-required")),
    ("atmps", "Kymriah", {"sources": "https://example.org/x"}, ("Kymriah", "sourced")),
    ("atmps", "Kymriah", {"sources": ""}, ("Kymriah", "schema:sources")),
    ("atmps", "Kymriah", {"ec_decision_date": "2018-02-30"}, ("Kymriah", "schema:ec_decision_date")),
    ("atmps", "Kymriah", {"atmp_class": "cell therapy"}, ("Kymriah", "schema:atmp_class")),
    ("atmps", "Kymriah", {"orphan": "yes"}, ("Kymriah", "schema:orphan")),
    ("atmps", "Kymriah", {"ema_product_number": "EMEA/H/C/000878"}, ("Kymriah", "unique:ema_product_number")),
    ("atmps", "Kymriah", {"mechanism_family": ""}, ("Kymriah", "curated")),
    ("atmps", "Kymriah", {"verified_on": "2999-01-01"}, ("Kymriah", "not-after-data-date")),
    ("events", "Kymriah", {"product": "Kymria"}, ("Kymria", "foreign-key")),
    ("events", "Kymriah", {"date": "2018-08-24"}, ("Kymriah", "authorised-date")),
    ("events", "Glybera", {"event": "expired", "date": "2017-10-25"}, ("Glybera", "has-authorised-event")),
])
def test_each_broken_rule_is_named(dataset, table, product, changes, expected):
    edit(dataset, table, product, **changes)
    assert expected in rules(dataset)


def test_status_without_its_event_is_named(dataset):
    file = dataset / "events.csv"
    file.write_text(file.read_text(encoding="utf-8").replace(",not renewed,", ",expired,"),
                    encoding="utf-8")
    assert ("Glybera", "status-has-event") in rules(dataset)


def test_problem_message_names_row_and_rule(dataset):
    edit(dataset, "atmps", "Glybera", status_date="2011-01-01")
    (p,) = [p for p in data.validate(dataset) if p.rule == "status-after-decision"]
    assert str(p).startswith("atmps.csv row ") and "(Glybera)" in str(p)


def test_header_mismatch_is_reported_once(dataset):
    file = dataset / "atmps.csv"
    lines = file.read_text(encoding="utf-8").splitlines(True)
    file.write_text(lines[0].replace("inn,", "inn_name,", 1) + "".join(lines[1:]), encoding="utf-8")
    problems = data.validate(dataset)
    assert [p.rule for p in problems] == ["columns"]


def test_check_raises_with_every_problem(dataset):
    edit(dataset, "atmps", "Glybera", status_date="2011-01-01")
    with pytest.raises(data.DataError, match="status-after-decision"):
        data.check(dataset)


def test_cli_exit_codes(dataset, capsys):
    assert data.main([str(dataset)]) == 0
    edit(dataset, "atmps", "Glybera", status_date="2011-01-01")
    assert data.main([str(dataset)]) == 1
    assert "status-after-decision" in capsys.readouterr().err
    assert data.main([str(dataset / "nowhere")]) == 2
