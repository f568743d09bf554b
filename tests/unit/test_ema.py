"""atmp.ema: reading EMA's medicines export, reconciling it with atmps.csv, and --apply.

Everything runs on the fixture export (tests/fixtures/ema/export.json, EMA's JSON format) and a
six-row fixture dataset copied to a temp folder; nothing reads the real data/.
"""

import copy
import csv
import datetime as dt
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from atmp import data, ema, refresh

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "ema"
EXPORT = FIXTURES / "export.json"
TODAY = dt.date(2026, 11, 25)

# EMA's XLSX headers as published (checked against public readers of
# medicines-output-medicines-report_en.xlsx), deliberately typed out here rather than taken from
# atmp.ema, with the line breaks some of them carry.
XLSX_HEADERS = [
    "Category", "Name of medicine", "EMA product number", "Medicine status", "Opinion status",
    "Latest procedure affecting product information",
    "International non-proprietary name (INN) / common name", "Active substance",
    "Therapeutic area (MeSH)", "Species\n(veterinary)", "Patient safety", "ATC code (human)",
    "ATCvet code (veterinary)", "Pharmacotherapeutic group\n(human)",
    "Pharmacotherapeutic group\n(veterinary)", "Therapeutic indication", "Accelerated assessment",
    "Additional monitoring", "Advanced therapy", "Biosimilar", "Conditional approval",
    "Exceptional circumstances", "Generic", "Orphan medicine", "PRIME: priority medicine",
    "Marketing authorisation developer / applicant / holder", "European Commission decision date",
    "Start of rolling review date", "Start of evaluation date", "Opinion adopted date",
    "Withdrawal of application date", "Marketing authorisation date",
    "Refusal of marketing authorisation date",
    "Withdrawal / expiry / revocation / lapse of marketing authorisation date",
    "Suspension of marketing authorisation date", "Revision number", "First published date",
    "Last updated date", "Medicine URL",
]


def export_doc() -> dict:
    return json.loads(EXPORT.read_text(encoding="utf-8"))


def write_json(path: Path, doc) -> Path:
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def record(doc: dict, name: str) -> dict:
    hits = [r for r in doc["data"] if r["name_of_medicine"].strip() == name]
    assert len(hits) == 1, name
    return hits[0]


def write_xlsx(path: Path, records: list[dict], headers=XLSX_HEADERS, preamble: int = 8,
               real_dates: bool = True) -> Path:
    """An XLSX in EMA's layout: a preamble, a header row, one row per record."""
    keys = [k for k, _ in ema.FIELDS]
    wb = openpyxl.Workbook()
    ws = wb.active
    intro = [["Medicines output: medicines report"], [], ["Run date:", "20/11/2026"],
             ["Filters:", "none"], [], ["European Medicines Agency"], [], []]
    for i in range(preamble):
        ws.append(intro[i % len(intro)])
    ws.append(list(headers))
    for rec in records:
        row = []
        for key in keys:
            value = rec[key]
            if real_dates and key == "marketing_authorisation_date" and value:
                value = dt.datetime.strptime(value, "%d/%m/%Y")  # a real date cell
            row.append(value if value != "" else None)
        ws.append(row)
    ws.append([])
    wb.save(path)
    return path


@pytest.fixture
def dataset(tmp_path):
    shutil.copytree(FIXTURES / "dataset", tmp_path / "data")
    return tmp_path / "data"


def run(args, data_dir):
    out, err = io.StringIO(), io.StringIO()
    code = ema.main([*map(str, args), "--data-dir", str(data_dir)], out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def rows(data_dir):
    return data.read_rows("atmps", data_dir)


def by_product(data_dir):
    return {r["product"]: r for r in rows(data_dir)}


def test_fixture_dataset_is_valid(dataset):
    assert data.validate(dataset) == []


# ----------------------------------------------------------------------------- parsing


def test_json_values_are_normalised():
    recs = {r["name_of_medicine"]: r for r in ema.read_export(EXPORT)}
    kym = recs["Kymriah"]  # "Kymriah " in the file
    assert kym["marketing_authorisation_developer_applicant_holder"] == "Novartis Europharm Limited"
    assert kym["therapeutic_indication"] == "Kymriah is indicated for <25-year-olds with B-cell ALL."
    assert kym["marketing_authorisation_date"] == dt.date(2018, 8, 23)
    assert kym["european_commission_decision_date"] == dt.date(2026, 9, 1)
    assert kym["withdrawal_expiry_revocation_lapse_of_marketing_authorisation_date"] is None
    assert kym["orphan_medicine"] is True and kym["accelerated_assessment"] is False
    assert "&" not in recs["Casgevy"]["therapeutic_indication"]
    assert "β-thalassemia" in recs["Casgevy"]["therapeutic_indication"]


def test_the_real_sample_records_parse():
    # five records excerpted from EMA's real JSON export (26 Sep 2026)
    recs = ema.read_export(FIXTURES / "ema-medicines-sample.json")
    assert len(recs) == 5
    assert [r["category"] for r in recs].count("Veterinary") == 1
    tac = next(r for r in recs if r["name_of_medicine"] == "Tacquell")
    assert not tac["therapeutic_indication"].endswith(("&nbsp;", " ", "\xa0"))


def test_xlsx_reads_like_json(tmp_path):
    doc = export_doc()
    xlsx = write_xlsx(tmp_path / "medicines.xlsx", doc["data"])
    assert ema.read_export(xlsx) == ema.read_export(EXPORT)


def test_format_is_decided_by_content_not_extension(tmp_path):
    doc = export_doc()
    xlsx_named_json = write_xlsx(tmp_path / "export.json", doc["data"])
    json_named_xlsx = write_json(tmp_path / "export.xlsx", doc)
    assert ema.read_export(xlsx_named_json) == ema.read_export(json_named_xlsx) == ema.read_export(EXPORT)


def test_xlsx_header_found_wherever_it_is_and_whatever_its_case(tmp_path):
    doc = export_doc()
    shouty = ["  " + h.upper().replace(" ", "  ") + " " for h in XLSX_HEADERS]
    for preamble in (0, 3, 12):
        path = write_xlsx(tmp_path / f"p{preamble}.xlsx", doc["data"], headers=shouty, preamble=preamble,
                          real_dates=False)
        assert ema.read_export(path) == ema.read_export(EXPORT)


def test_xlsx_unknown_extra_column_is_kept(tmp_path):
    doc = export_doc()
    path = write_xlsx(tmp_path / "x.xlsx", doc["data"], headers=XLSX_HEADERS[:-1] + ["Medicine URL"])
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    ws.cell(row=9, column=len(XLSX_HEADERS) + 1, value="Brand new column")
    ws.cell(row=10, column=len(XLSX_HEADERS) + 1, value="x")
    wb.save(path)
    recs = ema.read_export(path)
    assert recs[0]["brand_new_column"] == "x"


def test_bare_list_and_extra_keys_are_accepted(tmp_path):
    doc = export_doc()
    for r in doc["data"]:
        r["something_new"] = {"nested": True}
    recs = ema.read_export(write_json(tmp_path / "bare.json", doc["data"]))
    assert len(recs) == len(doc["data"])
    assert recs[0]["something_new"] == {"nested": True}


def test_missing_required_key_is_an_error(tmp_path):
    doc = export_doc()
    del record(doc, "Bimzelx")["advanced_therapy"]
    expected = r"record 7 \(Bimzelx\) lacks required key\(s\): advanced_therapy"
    with pytest.raises(ema.ExportError, match=expected):
        ema.read_export(write_json(tmp_path / "e.json", doc))


@pytest.mark.parametrize("text,expected", [
    ("23/08/2018", dt.date(2018, 8, 23)), ("1/2/2020", dt.date(2020, 2, 1)),
    ("2020-02-29", dt.date(2020, 2, 29)), ("", None),
])
def test_parse_date(text, expected):
    assert ema.parse_date(text) == expected


@pytest.mark.parametrize("text", ["31/02/2020", "2020-13-01", "23.08.2018", "yesterday", "23/08/18"])
def test_parse_date_rejects(text):
    with pytest.raises(ValueError):
        ema.parse_date(text)


@pytest.mark.parametrize("text,expected", [("Yes", True), ("no", False), ("", None)])
def test_parse_flag(text, expected):
    assert ema.parse_flag(text) is expected


def test_parse_flag_rejects_other_text():
    with pytest.raises(ValueError):
        ema.parse_flag("Maybe")


def test_clean_text():
    assert ema.clean_text(" a&nbsp;b &lt;c&gt; &amp; d\xa0 ") == "a b <c> & d"


# ----------------------------------------------------------------------------- selection


def test_selection_keeps_human_atmps_ever_authorised():
    chosen, ignored = ema.select_atmps(ema.read_export(EXPORT))
    assert [r["name_of_medicine"] for r in chosen] == [
        "Kymriah", "Strimvelis", "Zolgensma", "Holoclar", "IMLYGIC", "Casgevy"]
    assert ignored == 2  # Tacquell (refused), Neverland (application withdrawn)
    # the veterinary record is flagged Yes in the fixture on purpose, and still left out
    assert any(r["category"] == "Veterinary" and r["advanced_therapy"] for r in ema.read_export(EXPORT))


def test_a_status_alone_counts_as_ever_authorised(tmp_path):
    doc = export_doc()
    rec = record(doc, "Neverland")
    rec["medicine_status"] = "Lapsed"
    chosen, ignored = ema.select_atmps(ema.read_export(write_json(tmp_path / "e.json", doc)))
    assert "Neverland" in [r["name_of_medicine"] for r in chosen] and ignored == 1


# ----------------------------------------------------------------------------- reconcile


def reconcile_fixture(dataset, doc=None, tmp_path=None):
    path = EXPORT if doc is None else write_json(tmp_path / "export.json", doc)
    return ema.reconcile(ema.load_export(path), rows(dataset), today=TODAY)


def changes(report):
    return {(c["product"], c["field"], c["ours"], c["theirs"], c["applies"]) for c in report.changed}


def test_reconcile_reports_new_changed_missing(dataset):
    report = reconcile_fixture(dataset)
    assert [r["product"] for r in report.new] == ["Casgevy"]
    assert changes(report) == {
        ("Strimvelis", "status", "authorised", "withdrawn", True),
        ("Strimvelis", "status_date", "", "2026-03-01", True),
        # the initial decision date is the verified one of the 'authorised' event: reported only
        ("Holoclar", "ec_decision_date", "2015-02-17", "2015-02-18", False),
        ("Zolgensma", "accelerated_assessment", "false", "true", False),
        ("Zolgensma", "mah", "AveXis EU Limited", "Novartis Europharm Limited", True),
        ("Imlygic", "ema_product_number", "EMEA/H/C/002771", "EMEA/H/C/002777", False),
    }
    assert report.missing == [{"product": "Glybera", "ema_product_number": "EMEA/H/C/002145",
                               "reason": "not in the export"}]
    assert report.ignored == 2 and report.compared == 6


def test_ec_decision_date_is_the_initial_authorisation_not_the_latest_decision(dataset):
    # Kymriah's latest Commission decision (01/09/2026) differs from its initial MA (23/08/2018)
    report = reconcile_fixture(dataset)
    assert not [c for c in report.changed if c["product"] == "Kymriah"]


def test_name_fallback_is_case_insensitive(dataset, tmp_path):
    doc = export_doc()
    rec = record(doc, "IMLYGIC")
    report = reconcile_fixture(dataset, doc, tmp_path)
    assert "IMLYGIC" not in [r["product"] for r in report.new]
    rec["name_of_medicine"] = "Imlygix"  # neither number nor name matches: new, and ours is missing
    report = reconcile_fixture(dataset, doc, tmp_path)
    assert "Imlygix" in [r["product"] for r in report.new]
    assert "Imlygic" in [m["product"] for m in report.missing]


@pytest.mark.parametrize("ema_status,date_key,expected_status", [
    ("Withdrawn", "withdrawal_expiry_revocation_lapse_of_marketing_authorisation_date", "withdrawn"),
    ("Revoked", "withdrawal_expiry_revocation_lapse_of_marketing_authorisation_date", "withdrawn"),
    ("Expired", "withdrawal_expiry_revocation_lapse_of_marketing_authorisation_date", "expired"),
    ("Lapsed", "withdrawal_expiry_revocation_lapse_of_marketing_authorisation_date", "expired"),
    ("Not renewed", "withdrawal_expiry_revocation_lapse_of_marketing_authorisation_date", "not renewed"),
    ("Suspended", "suspension_of_marketing_authorisation_date", "suspended"),
])
def test_status_mapping_and_its_date(dataset, tmp_path, ema_status, date_key, expected_status):
    doc = export_doc()
    rec = record(doc, "Kymriah")
    rec["medicine_status"] = ema_status
    rec[date_key] = "02/10/2026"
    got = {(c["field"], c["theirs"]) for c in reconcile_fixture(dataset, doc, tmp_path).changed
           if c["product"] == "Kymriah"}
    assert got == {("status", expected_status), ("status_date", "2026-10-02")}


def test_unmappable_status_is_reported_raw_and_not_applied(dataset, tmp_path):
    doc = export_doc()
    record(doc, "Kymriah")["medicine_status"] = "Opinion under re-examination"
    kym = [c for c in reconcile_fixture(dataset, doc, tmp_path).changed if c["product"] == "Kymriah"]
    assert kym == [{"product": "Kymriah", "field": "status", "ours": "authorised",
                    "theirs": "Opinion under re-examination", "applies": False}]


def test_our_atmp_that_ema_does_not_flag_is_missing_with_the_reason(dataset, tmp_path):
    doc = export_doc()
    record(doc, "Holoclar")["advanced_therapy"] = "No"
    missing = {m["product"]: m["reason"] for m in reconcile_fixture(dataset, doc, tmp_path).missing}
    assert "does not flag it as an advanced therapy" in missing["Holoclar"]


def test_duplicate_product_number_among_atmps_is_an_error(dataset, tmp_path):
    doc = export_doc()
    doc["data"].append(copy.deepcopy(record(doc, "Holoclar")))
    with pytest.raises(ema.ExportError, match="appears twice"):
        reconcile_fixture(dataset, doc, tmp_path)


def test_new_row_is_filled_from_ema_and_marked_for_curation(dataset):
    (row,) = reconcile_fixture(dataset).new
    assert list(row) == data.columns("atmps", dataset)
    assert row["product"] == "Casgevy" and row["inn"] == "exagamglogene autotemcel"
    assert row["ema_product_number"] == "EMEA/H/C/005763" and row["ec_decision_date"] == "2024-02-09"
    assert row["authorisation_type"] == "conditional"
    assert (row["orphan"], row["prime"], row["accelerated_assessment"]) == ("true", "true", "false")
    assert row["status"] == "authorised" and row["status_date"] == row["status_reason"] == ""
    assert row["mah"] == "Vertex Pharmaceuticals (Ireland) Limited"
    assert row["therapeutic_area"] == "Anemia, Sickle Cell; beta-Thalassemia"
    assert 100 < len(row["indication"]) <= 200 and row["indication"].endswith("…")
    assert row["sources"] == "https://www.ema.europa.eu/en/medicines/human/EPAR/casgevy"
    assert row["notes"] == "NEEDS CURATION: added from EMA export 2026-11-20T06:02:29Z on 2026-11-25"
    for col in ("atmp_class", "mechanism_family", "vector", "target", "cell_source", "route", "chapter",
                "verified_on"):
        assert row[col] == "", col


def test_shorten():
    assert ema.shorten("a  b\n c") == "a b c"
    long = "word " * 100
    assert len(ema.shorten(long)) <= 200 and ema.shorten(long).endswith("word…")
    assert len(ema.shorten("x" * 500)) == 200


# ----------------------------------------------------------------------------- CLI output


def test_text_report(dataset):
    code, out, err = run(["reconcile", EXPORT], dataset)
    assert code == 0 and err == ""
    first = out.splitlines()[0]
    assert "6 human ATMPs" in first and "1 new" in first and "6 changed" in first and "1 missing" in first
    assert "Strimvelis: status authorised → withdrawn" in out
    assert "Zolgensma: mah AveXis EU Limited → Novartis Europharm Limited" in out
    assert ("Zolgensma: accelerated_assessment false → true  "
            "(EMA today; ours at initial MA — not applied)") in out
    assert "Casgevy (EMEA/H/C/005763)" in out and "Glybera (EMEA/H/C/002145): not in the export" in out
    assert "no differences" not in out


def test_text_report_without_differences(tmp_path):
    shutil.copytree(FIXTURES / "dataset", tmp_path / "data")
    path = tmp_path / "data" / "atmps.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text(lines[0] + next(ln for ln in lines if ln.startswith("Kymriah,")), encoding="utf-8")
    doc = export_doc()
    doc["data"] = [r for r in doc["data"] if r["name_of_medicine"].strip() != "Kymriah"
                   and r["advanced_therapy"] == "No"] + [record(doc, "Kymriah")]
    code, out, _ = run(["reconcile", write_json(tmp_path / "e.json", doc)], tmp_path / "data")
    assert code == 0 and "1 human ATMPs" in out and out.strip().endswith("no differences")


def test_json_report(dataset):
    code, out, err = run(["reconcile", EXPORT, "--json"], dataset)
    assert code == 0 and err == ""
    doc = json.loads(out)
    assert {"new", "changed", "missing"} <= set(doc)
    assert all(isinstance(doc[k], list) for k in ("new", "changed", "missing"))
    assert all(set(c) == {"product", "field", "ours", "theirs", "applies"} for c in doc["changed"])
    assert {c["field"] for c in doc["changed"] if not c["applies"]} == {
        "accelerated_assessment", "ema_product_number", "ec_decision_date"}
    assert [n["product"] for n in doc["new"]] == ["Casgevy"]
    assert [m["product"] for m in doc["missing"]] == ["Glybera"]


def test_reporting_never_writes(dataset):
    before = {p.name: p.read_bytes() for p in dataset.iterdir()}
    run(["reconcile", EXPORT], dataset)
    run(["reconcile", EXPORT, "--json"], dataset)
    assert {p.name: p.read_bytes() for p in dataset.iterdir()} == before


def test_help_documents_the_command():
    out = subprocess.run([sys.executable, "-m", "atmp.ema", "reconcile", "--help"], capture_output=True,
                         text=True, check=True).stdout
    for word in ("EXPORT", "--json", "--apply", "--data-dir"):
        assert word in out
    top = subprocess.run([sys.executable, "-m", "atmp.ema", "--help"], capture_output=True, text=True,
                         check=True).stdout
    assert "reconcile" in top and "Exit status" in top


def test_cli_subprocess_reads_xlsx(dataset, tmp_path):
    xlsx = write_xlsx(tmp_path / "medicines-output-medicines-report_en.xlsx", export_doc()["data"])
    proc = subprocess.run([sys.executable, "-m", "atmp.ema", "reconcile", str(xlsx), "--json",
                           "--data-dir", str(dataset)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert [n["product"] for n in doc["new"]] == ["Casgevy"] and len(doc["changed"]) == 6


# ----------------------------------------------------------------------------- --apply

CURATED = ("atmp_class", "mechanism_family", "vector", "target", "cell_source", "route", "chapter",
           "sources", "verified_on", "notes")


def test_apply_writes_ema_fields_and_appends_new_rows(dataset, monkeypatch):
    monkeypatch.setattr(ema, "_today", lambda: dt.date(2026, 11, 20))
    before = by_product(dataset)
    code, out, _ = run(["reconcile", EXPORT, "--apply"], dataset)
    assert code == 0 and "applied:" in out
    after = by_product(dataset)
    assert list(after) == [*before, "Casgevy"]  # order kept, new row appended
    assert after["Strimvelis"]["status"] == "withdrawn"
    assert after["Strimvelis"]["status_date"] == "2026-03-01"
    assert after["Strimvelis"]["status_reason"] == "see EMA"
    assert after["Holoclar"]["ec_decision_date"] == "2015-02-17"  # reported, not written
    # the holder is EMA's; informational differences are not written
    assert after["Zolgensma"]["mah"] == "Novartis Europharm Limited"
    assert after["Zolgensma"]["accelerated_assessment"] == "false"
    assert after["Imlygic"]["ema_product_number"] == "EMEA/H/C/002771"
    for name, row in before.items():
        for col in CURATED:
            assert after[name][col] == row[col], (name, col)
        untouched = set(row) - {"status", "status_date", "status_reason", "ec_decision_date", "mah",
                                "ema_product_number"}
        assert {c: after[name][c] for c in untouched} == {c: row[c] for c in untouched}
    assert after["Casgevy"]["notes"] == ("NEEDS CURATION: added from EMA export 2026-11-20T06:02:29Z on "
                                         "2026-11-20")
    assert data.columns("atmps", dataset) == list(rows(dataset)[0])


def test_apply_keeps_unedited_rows_byte_for_byte(dataset):
    original = (dataset / "atmps.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    run(["reconcile", EXPORT, "--apply"], dataset)
    new = (dataset / "atmps.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    edited = ("Strimvelis,", "Zolgensma,")
    assert [ln for ln in new[:len(original)] if not ln.startswith(edited)] == [
        ln for ln in original if not ln.startswith(edited)]
    assert '"Melanoma"' in "".join(new)  # Imlygic's superfluous quotes survive: the line was not rewritten
    assert len(new) == len(original) + 1 and new[-1].startswith("Casgevy,") and new[-1].endswith("\n")
    # edited rows are written the house way: csv module, minimal quoting, \n
    buf = io.StringIO()
    strimvelis = next(r for r in rows(dataset) if r["product"] == "Strimvelis")
    csv.writer(buf, lineterminator="\n").writerow(strimvelis.values())
    assert buf.getvalue() in new


def test_apply_twice_changes_nothing_the_second_time(dataset):
    run(["reconcile", EXPORT, "--apply"], dataset)
    first = {p.name: p.read_bytes() for p in dataset.iterdir()}
    code, out, _ = run(["reconcile", EXPORT, "--apply", "--json"], dataset)
    assert code == 0
    assert {p.name: p.read_bytes() for p in dataset.iterdir()} == first
    doc = json.loads(out)
    assert doc["new"] == [] and not [c for c in doc["changed"] if c["applies"]] and doc["applied"] == 0


def test_apply_appends_the_dated_events_and_leaves_the_rest_alone(dataset):
    # the export (20 Nov) is older than the fixture's data_as_of (25 Nov): the package stays
    before = {n: (dataset / n).read_bytes() for n in ("events.csv", "datapackage.json")}
    run(["reconcile", EXPORT, "--apply"], dataset)
    assert (dataset / "datapackage.json").read_bytes() == before["datapackage.json"]
    events = (dataset / "events.csv").read_bytes()
    assert events.startswith(before["events.csv"])
    added = list(csv.reader(io.StringIO(events[len(before["events.csv"]):].decode())))
    assert [(r[0], r[1], r[2]) for r in added] == [("Strimvelis", "2026-03-01", "withdrawn"),
                                                   ("Casgevy", "2024-02-09", "authorised")]
    assert all("EMA medicines export 2026-11-20" in r[3] and r[4].startswith(data.EPAR_PREFIX)
               for r in added)
    assert sorted(p.name for p in dataset.iterdir()) == ["atmps.csv", "datapackage.json", "events.csv"]


def test_an_ended_product_listed_as_authorised_is_left_for_a_person(dataset, tmp_path):
    # no event of the vocabulary says "authorised again": nothing is written for it
    doc = export_doc()
    glybera = copy.deepcopy(record(doc, "Holoclar"))
    glybera.update(name_of_medicine="Glybera", ema_product_number="EMEA/H/C/002145",
                   marketing_authorisation_date="25/10/2012", medicine_status="Authorised")
    doc["data"].append(glybera)
    code, out, _ = run(["reconcile", write_json(tmp_path / "e.json", doc), "--apply"], dataset)
    row = by_product(dataset)["Glybera"]
    assert (row["status"], row["status_date"]) == ("not renewed", "2017-10-25")
    assert code == 0 and "Glybera: not renewed here, 'authorised' in EMA's export" in out


def test_leaving_the_market_keeps_an_existing_reason(dataset, tmp_path):
    # Kymriah made suspended (with a reason and its event) in the fixture; EMA says withdrawn
    path = dataset / "atmps.csv"
    path.write_text(_suspend_kymriah(path.read_text(encoding="utf-8")), encoding="utf-8")
    with (dataset / "events.csv").open("a", encoding="utf-8") as fh:
        fh.write("Kymriah,2026-01-05,suspended,test,https://www.ema.europa.eu/en/medicines/human/EPAR/kymriah\n")
    assert data.validate(dataset) == []
    doc = export_doc()
    record(doc, "Kymriah").update(
        medicine_status="Withdrawn",
        withdrawal_expiry_revocation_lapse_of_marketing_authorisation_date="01/11/2026")
    run(["reconcile", write_json(tmp_path / "e.json", doc), "--apply"], dataset)
    row = by_product(dataset)["Kymriah"]
    assert (row["status"], row["status_date"], row["status_reason"]) == (
        "withdrawn", "2026-11-01", "safety")
    # only the new ATMP of the export (Casgevy) awaits curation
    assert {p.product for p in data.validate(dataset)} == {"Casgevy"}


def _suspend_kymriah(text: str) -> str:
    lines = text.splitlines(keepends=True)
    i = next(k for k, ln in enumerate(lines) if ln.startswith("Kymriah,"))
    row = next(csv.reader([lines[i]]))
    cols = next(csv.reader([lines[0]]))
    row[cols.index("status")], row[cols.index("status_date")] = "suspended", "2026-01-05"
    row[cols.index("status_reason")] = "safety"
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(row)
    lines[i] = buf.getvalue()
    return "".join(lines)


def test_apply_is_atomic_when_the_rename_fails(dataset, monkeypatch):
    before = (dataset / "atmps.csv").read_bytes()

    def boom(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(refresh.os, "replace", boom)
    code, _, err = run(["reconcile", EXPORT, "--apply"], dataset)
    assert code == 2 and err.count("\n") == 1 and "No space left" in err
    assert (dataset / "atmps.csv").read_bytes() == before
    assert sorted(p.name for p in dataset.iterdir()) == ["atmps.csv", "datapackage.json", "events.csv"]


def test_render_csv_round_trips_blank_lines_and_missing_final_newline():
    text = "a,b\n1,2\n\n\"3\",\"x\ny\"\n4,5"
    raws, parsed = refresh._raw_records(text)
    assert "".join(raws) == text and parsed == [["a", "b"], ["1", "2"], ["3", "x\ny"], ["4", "5"]]
    rows_ = [{"a": "1", "b": "2"}, {"a": "3", "b": "x\ny"}, {"a": "4", "b": "5"}, {"a": "6", "b": "7"}]
    assert refresh.render_csv(text, rows_, set()) == text + "\n6,7\n"
    assert refresh.render_csv(text, rows_[:3], set()) == text


def test_unreadable_data_dir_exits_2_with_one_line(tmp_path):
    code, out, err = run(["reconcile", EXPORT, "--apply"], tmp_path / "nowhere")
    assert code == 2 and out == "" and err.count("\n") == 1 and "cannot read the dataset" in err


def test_data_dir_with_wrong_columns_exits_2(dataset):
    path = dataset / "atmps.csv"
    text = path.read_text(encoding="utf-8").replace("ema_product_number", "ema_number", 1)
    path.write_text(text, encoding="utf-8")
    code, _, err = run(["reconcile", EXPORT, "--apply"], dataset)
    assert code == 2 and "ema_product_number" in err and err.count("\n") == 1
    assert path.read_text(encoding="utf-8") == text


def test_apply_fills_a_missing_product_number_matched_by_name(dataset):
    file = dataset / "atmps.csv"
    text = file.read_text(encoding="utf-8")
    assert "EMEA/H/C/004090" in text  # Kymriah's number in the fixture
    file.write_text(text.replace("EMEA/H/C/004090", ""), encoding="utf-8")
    code, out, _ = run(["reconcile", EXPORT, "--json"], dataset)
    change = [c for c in json.loads(out)["changed"]
              if c["product"] == "Kymriah" and c["field"] == "ema_product_number"]
    assert change == [{"product": "Kymriah", "field": "ema_product_number", "ours": "",
                       "theirs": "EMEA/H/C/004090", "applies": True}]
    run(["reconcile", EXPORT, "--apply"], dataset)
    assert by_product(dataset)["Kymriah"]["ema_product_number"] == "EMEA/H/C/004090"
