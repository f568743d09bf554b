"""atmp.refresh: ``python -m atmp.ema reconcile EXPORT --apply`` on made-up exports.

Every case applies one of tests/fixtures/refresh/*.json (see make_exports.py there) to a COPY of
the real data/ in a temp folder and checks the events and ledger entries written, that the result
validates, and that a second apply changes no byte. Malformed exports and failed writes must
leave every file byte-identical.
"""

import csv
import datetime as dt
import io
import json
import shutil
from pathlib import Path

import pytest

from atmp import changelog, data, ema, record, refresh

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "refresh"
EXPORT_DAY = "2026-12-18"


@pytest.fixture
def dataset(tmp_path):
    shutil.copytree(data.DATA_DIR, tmp_path / "data")
    return tmp_path / "data"


def run(name, data_dir, *extra):
    out, err = io.StringIO(), io.StringIO()
    code = ema.main(["reconcile", str(FIXTURES / name), "--apply", "--data-dir", str(data_dir),
                     *extra], out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


def added_rows(before: dict[str, bytes], folder: Path, name: str) -> list[list[str]]:
    """The CSV rows appended to a file since ``before`` (the file must only have grown)."""
    old, new = before[name], (folder / name).read_bytes()
    assert new.startswith(old), f"{name} was rewritten, not appended to"
    return list(csv.reader(io.StringIO(new[len(old):].decode("utf-8"))))


def ledger_added(before, folder):
    cols = list(changelog.COLUMNS)
    return [dict(zip(cols, r, strict=True)) for r in added_rows(before, folder, "editions.csv")]


def product(folder, name):
    return next(r for r in data.read_rows("atmps", folder) if r["product"] == name)


def reconciled(day=EXPORT_DAY):
    return {"edition": day, "kind": "export reconciled", "product": "", "table": "", "chapter": "",
            "count": "1", "date": day, "detail": f"EMA medicines export {day}: 1 human ATMPs compared"}


def assert_second_apply_changes_nothing(name, folder):
    first = files(folder)
    code, out, err = run(name, folder)
    assert code == 0, err
    assert files(folder) == first
    assert "files written: none" in out


# ----------------------------------------------------------------------------- the cases


def test_withdrawal_writes_status_event_edition_and_nothing_else(dataset):
    before = files(dataset)
    code, out, err = run("withdrawal.json", dataset)
    assert code == 0 and err == ""
    events = added_rows(before, dataset, "events.csv")
    assert events == [["Kymriah", "2026-12-10", "withdrawn",
                       f"Marketing authorisation withdrawn (EMA medicines export {EXPORT_DAY})",
                       "https://www.ema.europa.eu/en/medicines/human/EPAR/kymriah"]]
    row = product(dataset, "Kymriah")
    assert (row["status"], row["status_date"], row["status_reason"]) == (
        "withdrawn", "2026-12-10", "see EMA")
    old_row = next(r for r in csv.DictReader(io.StringIO(before["atmps.csv"].decode()))
                   if r["product"] == "Kymriah")
    assert {c for c in row if row[c] != old_row[c]} == {"status", "status_date", "status_reason"}
    assert ledger_added(before, dataset) == [reconciled(), {
        "edition": EXPORT_DAY, "kind": "status change", "product": "Kymriah", "table": "events",
        "chapter": "car-t", "count": "1", "date": "2026-12-10", "detail": "withdrawn"}]
    assert data.data_as_of(dataset) == dt.date(2026, 12, 18)
    # every other line of atmps.csv is untouched, and no other table changed
    old = before["atmps.csv"].decode().splitlines()
    new = (dataset / "atmps.csv").read_text(encoding="utf-8").splitlines()
    assert [a for a, b in zip(old, new, strict=True) if a != b] == [
        next(ln for ln in old if ln.startswith("Kymriah,"))]
    changed = {n for n, b in files(dataset).items() if before.get(n) != b}
    assert changed == {"atmps.csv", "events.csv", "editions.csv", "datapackage.json"}
    assert data.validate(dataset) == []
    # the market-exit rule now sees Kymriah leave on the event's date
    exits = record.exit_dates(data.load_atmps(dataset), data.load_events(dataset))
    atmps = data.load_atmps(dataset)
    assert exits[atmps.index[atmps["product"] == "Kymriah"][0]] == dt.datetime(2026, 12, 10)
    assert_second_apply_changes_nothing("withdrawal.json", dataset)


def test_an_undated_withdrawal_writes_neither_event_nor_status(dataset):
    before = files(dataset)
    code, out, _ = run("withdrawal-undated.json", dataset)
    assert code == 0
    assert "Kymriah: withdrawn per EMA's export, which gives no date for it" in out
    assert (dataset / "events.csv").read_bytes() == before["events.csv"]
    assert (dataset / "atmps.csv").read_bytes() == before["atmps.csv"]
    assert ledger_added(before, dataset) == [reconciled()]  # the edition is still recorded
    assert data.validate(dataset) == []
    assert_second_apply_changes_nothing("withdrawal-undated.json", dataset)


def test_suspension_then_its_lifting(dataset):
    before = files(dataset)
    assert run("suspension.json", dataset)[0] == 0
    assert added_rows(before, dataset, "events.csv")[0][:3] == ["Yescarta", "2026-12-01", "suspended"]
    assert product(dataset, "Yescarta")["status"] == "suspended"
    assert data.validate(dataset) == []
    assert_second_apply_changes_nothing("suspension.json", dataset)

    middle = files(dataset)
    code, out, _ = run("suspension-lifted.json", dataset)
    assert code == 0
    assert [r[:3] for r in added_rows(middle, dataset, "events.csv")] == [
        ["Yescarta", "2027-01-12", "suspension lifted"]]
    row = product(dataset, "Yescarta")
    assert (row["status"], row["status_date"], row["status_reason"]) == ("authorised", "", "")
    kinds = [(e["edition"], e["kind"], e["detail"]) for e in ledger_added(middle, dataset)]
    assert kinds == [("2027-01-20", "export reconciled",
                      "EMA medicines export 2027-01-20: 1 human ATMPs compared"),
                     ("2027-01-20", "status change", "suspension lifted")]
    assert data.validate(dataset) == []
    lifted = record.suspensions_lifted(data.load_events(dataset))
    assert "Yescarta" in set(lifted["product"])
    assert_second_apply_changes_nothing("suspension-lifted.json", dataset)


def test_a_lifting_the_export_cannot_date_is_left_for_a_person(dataset):
    run("suspension.json", dataset)
    middle = files(dataset)
    # the same export again a month later: its latest EC decision (none) cannot date a lifting
    doc = (FIXTURES / "suspension.json").read_text(encoding="utf-8").replace(
        '"Suspended"', '"Authorised"').replace('"01/12/2026"', '""').replace(
        "2026-12-18T", "2027-01-20T")
    (dataset.parent / "lifted-undated.json").write_text(doc, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    code = ema.main(["reconcile", str(dataset.parent / "lifted-undated.json"), "--apply",
                     "--data-dir", str(dataset)], out=out, err=err)
    assert code == 0 and "Yescarta: suspension lifted per EMA's export" in out.getvalue()
    assert product(dataset, "Yescarta")["status"] == "suspended"
    assert (dataset / "events.csv").read_bytes() == middle["events.csv"]
    assert data.validate(dataset) == []


def test_conversion_is_dated_by_the_new_commission_decision(dataset):
    before = files(dataset)
    code, out, _ = run("conversion.json", dataset)
    assert code == 0
    events = added_rows(before, dataset, "events.csv")
    assert [r[:3] for r in events] == [["Tecartus", "2026-12-12", "converted to standard"]]
    assert "latest European Commission decision" in events[0][3]
    assert product(dataset, "Tecartus")["authorisation_type_now"] == "standard"
    assert [(e["kind"], e["product"], e["date"]) for e in ledger_added(before, dataset)][1:] == [
        ("conversion", "Tecartus", "2026-12-12")]
    assert data.validate(dataset) == []
    outcomes = record.conditional_outcomes(data.load_atmps(dataset), data.load_events(dataset))
    tecartus = outcomes[outcomes["product"] == "Tecartus"].iloc[0]
    assert tecartus["outcome"] == "converted to standard"
    assert_second_apply_changes_nothing("conversion.json", dataset)


def test_a_conversion_without_a_new_decision_date_writes_no_event(dataset):
    before = files(dataset)
    code, out, _ = run("conversion-undated.json", dataset)
    assert code == 0 and "Hemgenix: converted to a standard authorisation" in out
    assert (dataset / "events.csv").read_bytes() == before["events.csv"]
    assert product(dataset, "Hemgenix")["authorisation_type_now"] == "standard"
    outcomes = record.conditional_outcomes(data.load_atmps(dataset), data.load_events(dataset))
    assert outcomes.set_index("product").loc["Hemgenix", "outcome"] == "converted (date not seen)"
    assert data.validate(dataset) == []
    assert_second_apply_changes_nothing("conversion-undated.json", dataset)


def test_new_atmp_is_appended_with_its_authorised_event_for_curation(dataset):
    before = files(dataset)
    code, out, _ = run("new-atmp.json", dataset)
    assert code == 0
    row = product(dataset, "Novatherin")
    assert row["notes"].startswith("NEEDS CURATION") and row["chapter"] == ""
    assert (row["ec_decision_date"], row["authorisation_type"], row["status"]) == (
        "2026-12-04", "conditional", "authorised")
    assert [r[:3] for r in added_rows(before, dataset, "events.csv")] == [
        ["Novatherin", "2026-12-04", "authorised"]]
    assert [(e["kind"], e["product"], e["table"]) for e in ledger_added(before, dataset)][1:] == [
        ("product added", "Novatherin", "atmps")]
    problems = data.validate(dataset)
    assert problems and {p.product for p in problems} == {"Novatherin"}
    assert {p.rule for p in problems} <= {"curated", "schema:atmp_class"}
    assert_second_apply_changes_nothing("new-atmp.json", dataset)


def test_refused_application_is_appended_to_failed_applications(dataset):
    before = files(dataset)
    code, out, _ = run("refused.json", dataset)
    assert code == 0
    cols = data.columns("failed-applications", dataset)
    (added,) = added_rows(before, dataset, "failed-applications.csv")
    row = dict(zip(cols, added, strict=True))
    assert (row["product"], row["outcome"], row["opinion_date"], row["ec_decision_date"]) == (
        "Refusagene", "refused", "2026-10-16", "2026-12-08")
    assert row["notes"].startswith("NEEDS CURATION") and row["verified_on"] == ""
    assert (dataset / "events.csv").read_bytes() == before["events.csv"]
    assert (dataset / "atmps.csv").read_bytes() == before["atmps.csv"]
    assert [(e["kind"], e["product"], e["chapter"]) for e in ledger_added(before, dataset)][1:] == [
        ("failed application added", "Refusagene", "regulation")]
    assert data.validate(dataset) == []
    assert_second_apply_changes_nothing("refused.json", dataset)


def test_new_evidence_rows_are_counted_into_the_next_edition(dataset):
    path = dataset / "car-t-trials.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join([*lines, lines[-1]]), encoding="utf-8")  # one more row
    before = files(dataset)
    assert run("withdrawal.json", dataset)[0] == 0
    evidence = [e for e in ledger_added(before, dataset) if e["kind"] == "evidence added"]
    assert evidence == [{"edition": EXPORT_DAY, "kind": "evidence added", "product": "",
                         "table": "car-t-trials", "chapter": "car-t", "count": "1", "date": "",
                         "detail": ""}]


def test_the_what_changed_entries_of_the_applied_editions(dataset):
    for name in ("withdrawal.json", "conversion.json", "new-atmp.json", "refused.json"):
        assert run(name, dataset)[0] == 0
    before = [e.edition for e in changelog.editions(data.DATA_DIR)]
    eds = changelog.editions(dataset)
    assert [e.edition for e in eds] == [dt.date(2026, 12, 18), *before]
    newest = eds[0]
    assert [(e.product, e.detail) for e in newest.of("status change")] == [("Kymriah", "withdrawn")]
    assert [e.product for e in newest.of("conversion")] == ["Tecartus"]
    assert [e.product for e in newest.of("product added")] == ["Novatherin"]
    assert [e.product for e in newest.of("failed application added")] == ["Refusagene"]
    assert changelog.summary(newest).startswith(
        "1 product added; 1 status change; 1 conversion; 1 failed application recorded")
    assert newest.chapters() == ["car-t", "regulation"]  # Novatherin has no chapter yet


# ----------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("name", ["malformed-truncated.json", "malformed-wrong-columns.json",
                                  "malformed-not-a-workbook.xlsx"])
def test_malformed_export_exits_2_with_one_line_and_writes_nothing(name, dataset):
    before = files(dataset)
    code, out, err = run(name, dataset)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith(f"atmp.ema: {name}: ") and "Traceback" not in err
    assert files(dataset) == before


def test_an_export_without_a_date_is_refused_unless_given_one(dataset, tmp_path):
    doc = (FIXTURES / "withdrawal.json").read_text(encoding="utf-8").replace(
        '"timestamp": "2026-12-18T06:02:29Z"', '"timestamp": ""')
    export = tmp_path / "undated.json"
    export.write_text(doc, encoding="utf-8")
    before = files(dataset)
    out, err = io.StringIO(), io.StringIO()
    code = ema.main(["reconcile", str(export), "--apply", "--data-dir", str(dataset)], out=out,
                    err=err)
    assert code == 2 and err.getvalue().count("\n") == 1 and "--export-date" in err.getvalue()
    assert files(dataset) == before
    code = ema.main(["reconcile", str(export), "--apply", "--data-dir", str(dataset),
                     "--export-date", "2026-12-18"], out=io.StringIO(), err=io.StringIO())
    assert code == 0 and product(dataset, "Kymriah")["status"] == "withdrawn"


def test_a_result_that_breaks_the_data_contract_is_not_written(dataset, monkeypatch):
    real = refresh._event

    def bad_event(*args):
        return real(*args) | {"event": "vanished"}  # not in the events vocabulary

    monkeypatch.setattr(refresh, "_event", bad_event)
    before = files(dataset)
    code, out, err = run("withdrawal.json", dataset)
    assert code == 2 and err.count("\n") == 1 and "schema:event" in err
    assert files(dataset) == before


def test_a_failed_rename_restores_every_file(dataset, monkeypatch):
    real, calls = refresh.os.replace, []

    def flaky(src, dst):
        calls.append(dst)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real(src, dst)

    monkeypatch.setattr(refresh.os, "replace", flaky)
    before = files(dataset)
    code, _, err = run("withdrawal.json", dataset)
    assert code == 2 and err.count("\n") == 1 and "No space left" in err
    assert len(calls) > 2  # the first file was replaced, then put back
    assert files(dataset) == before  # byte-identical, and no temp file left behind


def test_a_hand_made_edition_is_recorded_by_the_changelog_command(dataset):
    pkg = dataset / "datapackage.json"
    # read the date from the file: data.package() caches the descriptor of a folder per process
    today = dt.date.fromisoformat(json.loads(pkg.read_text(encoding="utf-8"))["data_as_of"])
    later = today + dt.timedelta(days=3)
    pkg.write_text(pkg.read_text(encoding="utf-8").replace(
        f'"data_as_of": "{today}"', f'"data_as_of": "{later}"'), encoding="utf-8")
    assert data.data_as_of(dataset) == later
    problems = data.validate(dataset)
    assert [p.rule for p in problems] == ["current-edition"]  # the ledger must follow
    assert changelog.main(["record", str(dataset)]) == 0
    assert data.validate(dataset) == []
    before = files(dataset)
    assert changelog.main(["record", str(dataset)]) == 0 and files(dataset) == before
