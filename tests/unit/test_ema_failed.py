"""``python -m atmp.ema reconcile`` on applications that did not end in an authorisation.

A made-up export holds: a refused ATMP that EMA does *not* flag as an advanced therapy but that
``failed-applications.csv`` lists (found by product number, flag reported as information), a refused
ATMP with no dates at all (reported with the dates missing, nothing guessed), an application
withdrawn that only EMA's flag identifies, a negative opinion found by name, and a refused
medicine that is no ATMP by any test (left out)."""

import copy
import csv
import io
import json
import shutil
from pathlib import Path

import pytest

from atmp import data, ema

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "ema"
SAMPLE = FIXTURES / "ema-medicines-sample.json"


def _refused_template() -> dict:
    doc = json.loads(SAMPLE.read_text(encoding="utf-8"))
    return next(r for r in doc["data"] if r["medicine_status"] == "Refused")


def _rec(name, number, status, flag, opinion="", refusal="", withdrawal="", opinion_status=""):
    r = copy.deepcopy(_refused_template())
    r.update({"name_of_medicine": name, "ema_product_number": number, "medicine_status": status,
              "advanced_therapy": flag, "opinion_adopted_date": opinion,
              "refusal_of_marketing_authorisation_date": refusal,
              "withdrawal_of_application_date": withdrawal, "opinion_status": opinion_status,
              "medicine_url": f"https://example.org/{name}"})
    return r


EXPORT_RECORDS = [
    _rec("Madeupcel", "EMEA/H/C/090001", "Refused", "No", "25/06/2026", "14/09/2026",
         opinion_status="Negative"),
    _rec("Nodatecel", "EMEA/H/C/090002", "Refused", "Yes"),
    _rec("Quitcel", "EMEA/H/C/090003", "Application withdrawn", "Yes", withdrawal="02/02/2025"),
    _rec("Namedcel", "EMEA/H/C/090004", "Opinion", "No", "01/03/2026", opinion_status="Negative"),
    _rec("Plainpill", "EMEA/H/C/090005", "Refused", "No", "01/01/2026", "01/03/2026"),
]

FAILED_CSV = [
    {"product": "Madeupcel", "ema_product_number": "EMEA/H/C/090001"},
    {"product": "Namedcel", "ema_product_number": ""},
]


@pytest.fixture
def dataset(tmp_path):
    """The EMA fixture dataset plus a made-up failed-applications table (schema from the real one)."""
    d = tmp_path / "data"
    shutil.copytree(FIXTURES / "dataset", d)
    real = data.resource("failed-applications")
    cols = [f["name"] for f in real["schema"]["fields"]]
    with (d / real["path"]).open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=cols, lineterminator="\n")
        w.writeheader()
        w.writerows({c: row.get(c, "") for c in cols} for row in FAILED_CSV)
    pkg = json.loads((d / data.DATAPACKAGE).read_text(encoding="utf-8"))
    pkg["resources"].append(real)
    (d / data.DATAPACKAGE).write_text(json.dumps(pkg, indent=2), encoding="utf-8")
    return d


@pytest.fixture
def export(tmp_path):
    doc = {"meta": {"total_records": len(EXPORT_RECORDS), "timestamp": "2026-11-20T06:00:00Z"},
           "data": EXPORT_RECORDS}
    path = tmp_path / "export.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def run(args, data_dir):
    out, err = io.StringIO(), io.StringIO()
    code = ema.main([*map(str, args), "--data-dir", str(data_dir)], out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def _failed(export, dataset):
    code, out, err = run(["reconcile", export, "--json"], dataset)
    assert code == 0, err
    return {f["product"]: f for f in json.loads(out)["failed"]}


def test_a_refused_atmp_that_ema_does_not_flag_is_found_by_product_number(export, dataset):
    f = _failed(export, dataset)["Madeupcel"]
    assert f["outcome"] == "refused"
    assert (f["opinion_date"], f["refusal_date"]) == ("2026-06-25", "2026-09-14")
    assert f["ema_advanced_therapy_flag"] == "No"
    assert f["found_by"] == "product number in failed-applications.csv"
    assert f["in_failed_applications"] == "yes" and f["missing_dates"] == ""


def test_missing_dates_are_reported_not_guessed(export, dataset):
    f = _failed(export, dataset)["Nodatecel"]
    assert f["outcome"] == "refused"
    assert f["opinion_date"] == f["refusal_date"] == f["withdrawal_of_application_date"] == ""
    assert f["missing_dates"] == "opinion_date;refusal_date"
    assert f["found_by"] == "EMA's advanced_therapy flag"
    assert f["in_failed_applications"] == "no"


def test_withdrawn_application_negative_opinion_and_non_atmp(export, dataset):
    failed = _failed(export, dataset)
    assert failed["Quitcel"]["outcome"] == "application withdrawn"
    assert failed["Quitcel"]["withdrawal_of_application_date"] == "2025-02-02"
    assert failed["Namedcel"]["outcome"] == "negative opinion"
    assert failed["Namedcel"]["found_by"] == "name in failed-applications.csv"
    assert "Plainpill" not in failed  # refused, but no ATMP by number, name or flag


def test_the_text_report_names_the_gaps_and_the_flag(export, dataset):
    code, out, _ = run(["reconcile", export], dataset)
    assert code == 0
    line = next(x for x in out.splitlines() if x.strip().startswith("Nodatecel"))
    assert "not given in the export: opinion_date, refusal_date" in line
    assert "NOT in failed-applications.csv" in line
    line = next(x for x in out.splitlines() if x.strip().startswith("Madeupcel"))
    assert "EMA advanced_therapy flag No" in line


def test_a_broken_failed_applications_table_exits_2_with_one_line_and_writes_nothing(
        export, dataset):
    path = dataset / data.resource("failed-applications", dataset)["path"]
    path.write_text(path.read_text(encoding="utf-8") + "Extra,too,many,fields," + "x," * 40 + "\n",
                    encoding="utf-8")
    before = {p.name: p.read_bytes() for p in dataset.iterdir()}
    code, out, err = run(["reconcile", export, "--apply"], dataset)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert {p.name: p.read_bytes() for p in dataset.iterdir()} == before
