"""Write a reconciliation with EMA's export into the dataset, as one new edition (docs/architecture.md §4).

:mod:`atmp.ema` reads the export and compares it with ``atmps.csv``; this module turns its
:class:`~atmp.ema.Report` into writes, all or none:

* ``atmps.csv`` — the EMA-owned fields of existing rows (status, status date, holder, the
  current authorisation type, a missing product number) and new ATMPs appended for curation;
  curated columns are never written;
* ``events.csv`` — the dated event of each status change (``withdrawn``, ``expired``, ``not
  renewed``, ``suspended``, ``suspension lifted``), each conversion (``converted to standard``)
  and the ``authorised`` event of each new ATMP, dated by the export, never by today; the source
  is the product's EPAR page from the export, and the detail names the export and its date;
* ``failed-applications.csv`` — ATMP applications EMA lists as refused, withdrawn or with a
  negative opinion that the table lacks, appended for curation;
* ``datapackage.json`` — ``data_as_of`` becomes the export's date when that is later;
* ``editions.csv`` — the new edition's entries (:func:`atmp.changelog.new_entries`).

**Dates.** A status change is dated by the export's date for it (withdrawal / expiry /
revocation / lapse date, suspension date). EMA's export has no field for a conversion or the
lifting of a suspension, so these are dated by its *European Commission decision date* (the date
of the product's latest Commission decision) only when that decision is newer than the previous
edition (``data_as_of`` before the refresh) and not before the authorisation or suspension; a
change the export does not date is **not written** (neither the event nor the status) and is
listed as needing curation, so the dataset stays valid. A conversion without a date still writes
``authorisation_type_now`` (EMA-owned; the record then says "converted (date not seen)").

**All or none.** The new files are computed in memory, written with the rest of the dataset to a
temporary folder and validated there (:func:`atmp.data.validate`: no problem may appear except
the curation a newly appended ATMP needs); only then is each file replaced (a temp file beside
it, ``os.replace``), and if one replacement fails the files already replaced are restored.
Applying the same export twice changes no byte.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from atmp import changelog, data, ema

#: Our statuses that end or suspend a product's authorisation, which are also event names.
LEAVING = ("withdrawn", "expired", "not renewed", "suspended")
ENDED = ("withdrawn", "expired", "not renewed")
EC_DECISION = "european_commission_decision_date"


class ApplyError(ValueError):
    """The export cannot be applied (one-line message; nothing was written)."""


# ----------------------------------------------------------------------------- CSV text


def _raw_records(text: str) -> tuple[list[str], list[list[str]]]:
    """Split CSV text into the exact text of each record and its parsed fields.

    Blank lines (which :class:`csv.DictReader` skips) stay attached to the record before them, so
    the records line up with :func:`atmp.data.read_rows` and joining them gives ``text`` back.
    """
    pieces: list[str] = []

    def lines():
        for line in io.StringIO(text, newline=""):
            pieces.append(line)
            yield line

    raws: list[str] = []
    parsed: list[list[str]] = []
    for fields in csv.reader(lines()):
        piece = "".join(pieces)
        pieces.clear()
        if not fields and raws:
            raws[-1] += piece
            continue
        raws.append(piece)
        parsed.append(fields)
    return raws, parsed


def render_csv(original: str, rows: list[dict[str, str]], edited: set[int]) -> str:
    """The new text of a table: unedited rows byte for byte, edited and new rows re-quoted.

    Edited and new rows are written with the csv module's minimal quoting and ``\\n`` line ends,
    the house format of the dataset.
    """
    raws, _ = _raw_records(original)
    header, body = raws[0], raws[1:]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    columns = next(csv.reader([header]))
    parts = [header]
    for i, row in enumerate(rows):
        if i < len(body) and i not in edited:
            parts.append(body[i])
            continue
        buf.seek(0)
        buf.truncate()
        writer.writerow([row.get(c, "") for c in columns])
        parts.append(buf.getvalue())
    for k in range(len(parts) - 1):  # a last line without its newline must not swallow the next
        if not parts[k].endswith(("\n", "\r")):
            parts[k] += "\n"
    return "".join(parts)


def _appended(original: str, rows: list[dict[str, str]], new: list[dict[str, str]]) -> str:
    return render_csv(original, [*rows, *new], set()) if new else original


def write_all(texts: dict[Path, str]) -> None:
    """Replace every file with its text, all or none.

    Each text goes to a temp file beside its file (flushed to disk) before any file is replaced;
    then the files are replaced one by one with :func:`os.replace`, and if one fails the files
    already replaced get their old bytes back. Temp files never outlive the call.
    """
    temps: dict[Path, str] = {}
    backups: dict[Path, str] = {}
    done: list[Path] = []
    try:
        for path, text in texts.items():
            temps[path] = _temp_beside(path, text.encode("utf-8"))
            if path.exists():
                backups[path] = _temp_beside(path, path.read_bytes())
        for path, tmp in temps.items():
            os.replace(tmp, path)
            done.append(path)
    except BaseException:
        for path in reversed(done):
            try:
                os.replace(backups[path], path)
            except (KeyError, OSError):
                pass
        raise
    finally:
        for tmp in [*temps.values(), *backups.values()]:
            Path(tmp).unlink(missing_ok=True)


def _temp_beside(path: Path, content: bytes) -> str:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(content)
            fh.flush()
            os.fsync(fh.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return tmp


# ----------------------------------------------------------------------------- the plan


def export_date(export: ema.Export, given: dt.date | None = None) -> dt.date:
    """The date of the export: ``given``, else the date of its ``meta.timestamp``.

    Raises
    ------
    ApplyError
        Neither gives a date (an XLSX export, or JSON without ``meta.timestamp``): the edition and
        the source of the events would be undated.
    """
    if given is not None:
        return given
    m = re.match(r"(\d{4}-\d{2}-\d{2})", export.label)
    if m:
        try:
            return dt.date.fromisoformat(m.group(1))
        except ValueError:
            pass
    raise ApplyError("the export carries no date (no meta.timestamp): give it with --export-date "
                     "YYYY-MM-DD")


@dataclass
class Plan:
    """Everything one ``--apply`` writes, computed before anything is written."""

    export_date: dt.date
    edition: dt.date
    atmps: list[dict[str, str]]
    edited: set[int]
    events: list[dict[str, str]] = field(default_factory=list)
    failed: list[dict[str, str]] = field(default_factory=list)
    new_products: list[str] = field(default_factory=list)
    #: what was written, one line each (for the report)
    done: list[str] = field(default_factory=list)
    #: what the export shows but could not be written, one line each (for a person)
    curation: list[str] = field(default_factory=list)


def _source_detail(text: str, when: dt.date) -> str:
    return f"{text} (EMA medicines export {when.isoformat()})"


def _event(product: str, date: str, event: str, detail: str, rec: dict[str, Any],
           when: dt.date) -> dict[str, str]:
    return {"product": product, "date": date, "event": event,
            "detail": _source_detail(detail, when), "source": rec["medicine_url"]}


def _decision_date(rec: dict[str, Any], after: dt.date, not_before: str, edition: dt.date
                   ) -> str | None:
    """The export's latest Commission decision date, if it can date a change of this edition."""
    d = rec.get(EC_DECISION)
    if not isinstance(d, dt.date) or d <= after or d > edition:
        return None
    if not_before and d.isoformat() < not_before:
        return None
    return d.isoformat()


def plan(report: ema.Report, ours: list[dict[str, str]], events: list[dict[str, str]],
         failed_columns: list[str] | None, as_of: dt.date, when: dt.date,
         edition: dt.date | None = None) -> Plan:
    """What applying ``report`` writes, as data (nothing is written here).

    Parameters
    ----------
    report : atmp.ema.Report
        The reconciliation (:func:`atmp.ema.reconcile`).
    ours, events : list of dict of str
        ``atmps.csv`` and ``events.csv`` as stored.
    failed_columns : list of str or None
        Columns of ``failed-applications.csv`` (None: the package has no such table).
    as_of : datetime.date
        The previous edition (:func:`previous_edition`): a Commission decision date can only date
        a conversion or a lifting if it is newer.
    when : datetime.date
        The export's date.
    edition : datetime.date, optional
        The edition being made (default: the later of ``as_of`` and ``when``).
    """
    p = Plan(when, edition or max(as_of, when), [dict(r) for r in ours], set())
    conversions = {e["product"] for e in events if e["event"] == changelog.CONVERSION}
    by_row: dict[int, dict[str, dict[str, Any]]] = {}
    for ch, i in zip(report.changed, report.changed_rows, strict=True):
        if ch["applies"]:
            by_row.setdefault(i, {})[ch["field"]] = ch
    for i, changes in by_row.items():
        row, rec = p.atmps[i], report.records_of_rows[i]
        if "status" in changes or "status_date" in changes:
            _status(p, row, rec, as_of)
        if "authorisation_type_now" in changes:
            _type_now(p, row, rec, changes["authorisation_type_now"]["theirs"], as_of,
                      row["product"] in conversions)
        for col in ("mah", "ema_product_number"):
            if col in changes:
                row[col] = changes[col]["theirs"]
                p.done.append(f"{row['product']}: {col} → {row[col]}")
        if row != ours[i]:
            p.edited.add(i)
    for row, rec in zip(report.new, report.new_records, strict=True):
        _new_product(p, dict(row), rec)
    if failed_columns is not None:
        for f, rec in zip(report.failed, report.failed_records, strict=True):
            if f["in_failed_applications"] == "no":
                p.failed.append(failed_row(f, rec, failed_columns, when))
                p.done.append(f"{f['product']}: {f['outcome']} application added to "
                              f"failed-applications.csv for curation")
    return p


def _status(p: Plan, row: dict[str, str], rec: dict[str, Any], as_of: dt.date) -> None:
    """A status change with its dated event, or a line for a person when the export cannot date it."""
    name, ours = row["product"], row["status"]
    theirs, date = ema.their_status(rec)
    if ours == theirs:
        p.curation.append(f"{name}: status date {row['status_date'] or '(empty)'} here, {date} in "
                          f"EMA's export; the {ours!r} event carries ours: check both by hand")
        return
    if ours in ENDED:
        p.curation.append(f"{name}: {ours} here, {theirs!r} in EMA's export; no event can say "
                          "that: check by hand")
        return
    if theirs == "authorised":  # ours is suspended: the suspension was lifted
        date = _decision_date(rec, as_of, row["status_date"], p.edition)
        if date is None:
            p.curation.append(f"{name}: suspension lifted per EMA's export, which gives no "
                              "Commission decision date newer than the last edition: add the "
                              "'suspension lifted' event and the status by hand")
            return
        p.events.append(_event(name, date, "suspension lifted", "Suspension lifted; dated by the "
                               "latest European Commission decision", rec, p.export_date))
        row["status"], row["status_date"], row["status_reason"] = "authorised", "", ""
        p.done.append(f"{name}: suspension lifted on {date}")
        return
    if not date or date > p.edition.isoformat() or date < row["ec_decision_date"]:
        why = "gives no date for it" if not date else f"dates it {date}, outside the record"
        p.curation.append(f"{name}: {theirs} per EMA's export, which {why}: add the event and "
                          "the status by hand")
        return
    label = {"withdrawn": "Marketing authorisation withdrawn", "expired": "Marketing authorisation "
             "expired", "not renewed": "Marketing authorisation not renewed",
             "suspended": "Marketing authorisation suspended"}[theirs]
    p.events.append(_event(name, date, theirs, label, rec, p.export_date))
    row["status"], row["status_date"] = theirs, date
    if not row["status_reason"]:
        row["status_reason"] = "see EMA"
    p.done.append(f"{name}: {ours} → {theirs} on {date}")


def _type_now(p: Plan, row: dict[str, str], rec: dict[str, Any], theirs: str, as_of: dt.date,
              converted: bool) -> None:
    """EMA's current authorisation type, with the conversion event when it converts and is dated."""
    name = row["product"]
    known = row["authorisation_type_now"] or row["authorisation_type"]
    row["authorisation_type_now"] = theirs
    if not (known == "conditional" and theirs == "standard") or converted:
        p.done.append(f"{name}: authorisation_type_now → {theirs}")
        return
    date = _decision_date(rec, as_of, row["ec_decision_date"], p.edition)
    if date is None:
        p.done.append(f"{name}: authorisation_type_now → {theirs} (conversion not dated)")
        p.curation.append(f"{name}: converted to a standard authorisation per EMA's export, which "
                          "gives no Commission decision date newer than the last edition: "
                          "authorisation_type_now written; add the dated 'converted to standard' "
                          "event by hand")
        return
    p.events.append(_event(name, date, changelog.CONVERSION, "Conditional marketing authorisation "
                           "converted to standard; dated by the latest European Commission "
                           "decision", rec, p.export_date))
    p.done.append(f"{name}: converted to standard on {date}")


def _new_product(p: Plan, row: dict[str, str], rec: dict[str, Any]) -> None:
    name = row["product"]
    p.atmps.append(row)
    p.new_products.append(name)
    p.done.append(f"{name}: new ATMP appended (NEEDS CURATION)")
    granted = row["ec_decision_date"]
    if granted and granted <= p.edition.isoformat():
        kind = {"conditional": "Initial conditional marketing authorisation",
                "exceptional circumstances": "Initial marketing authorisation under exceptional "
                                             "circumstances"}.get(row["authorisation_type"],
                                                                  "Initial marketing authorisation")
        p.events.append(_event(name, granted, "authorised", kind, rec, p.export_date))
    else:
        p.curation.append(f"{name}: no marketing authorisation date in EMA's export: add the "
                          "'authorised' event by hand")
    if row["status"] in LEAVING:
        if row["status_date"] and granted and granted <= row["status_date"] <= p.edition.isoformat():
            p.events.append(_event(name, row["status_date"], row["status"],
                                   f"Status {row['status']} in EMA's export", rec, p.export_date))
        else:
            p.curation.append(f"{name}: {row['status']} per EMA's export, undated: add the event "
                              "by hand")


def failed_row(f: dict[str, str], rec: dict[str, Any], columns: list[str], when: dt.date
               ) -> dict[str, str]:
    """The row appended to ``failed-applications.csv`` for an application the table lacks.

    What the export gives is filled in (dates it omits stay empty); what it cannot give
    (applicant type, class, whether the ATMP Regulation applied, EMA's reasons, the check date)
    is left for curation and ``notes`` says so.
    """
    flag = f["ema_advanced_therapy_flag"]
    values = {
        "product": f["product"], "active_substance": rec.get(ema.INN) or rec.get("active_substance") or "",
        "ema_product_number": f["ema_product_number"], "applicant": rec.get(ema.MAH) or "",
        "indication": ema.shorten(rec.get("therapeutic_indication") or ""),
        "outcome": {"application withdrawn": "withdrawn"}.get(f["outcome"], f["outcome"]),
        "opinion_date": f["opinion_date"], "withdrawal_date": f["withdrawal_of_application_date"],
        "ec_decision_date": f["refusal_date"], "ema_advanced_therapy_flag": flag,
        "source_url": rec.get("medicine_url") or "",
        "notes": f"NEEDS CURATION: added from EMA medicines export {when.isoformat()}",
    }
    return {c: values.get(c, "") for c in columns}


# ----------------------------------------------------------------------------- writing


@dataclass
class Result:
    """What an ``--apply`` did."""

    plan: Plan
    written: list[str]  # file names replaced
    ledger: list[dict[str, str]]  # the edition's new ledger entries


def _problem_key(p: data.Problem) -> tuple:
    return (p.table, p.product, p.rule, p.message)


def apply_report(report: ema.Report, data_dir: Path, when: dt.date | None = None,
                 export: ema.Export | None = None) -> Result:
    """Apply the report to the dataset in ``data_dir``: every file or none.

    Parameters
    ----------
    report : atmp.ema.Report
        The reconciliation.
    data_dir : pathlib.Path
        The dataset folder.
    when : datetime.date, optional
        The export's date (default: from ``export``'s ``meta.timestamp``).
    export : atmp.ema.Export, optional
        The export, for its date.

    Raises
    ------
    ApplyError
        The export has no date, or the result would break a rule of the data contract (the
        message names the first problem); nothing was written.
    OSError
        A file could not be written; the files are as they were.
    """
    data_dir = Path(data_dir)
    when = export_date(export or ema.Export([], report.label), when)
    names = data.names(data_dir)
    paths = {n: data_dir / data.resource(n, data_dir)["path"] for n in names}
    texts = {n: paths[n].read_text(encoding="utf-8") for n in ("atmps", "events")}
    ours, events = data.read_rows("atmps", data_dir), data.read_rows("events", data_dir)
    has_failed = changelog.FAILED in names
    failed_columns = data.columns(changelog.FAILED, data_dir) if has_failed else None
    as_of = data.data_as_of(data_dir)
    edition = max(as_of, when)
    p = plan(report, ours, events, failed_columns, previous_edition(data_dir, edition), when, edition)

    new = {paths["atmps"]: render_csv(texts["atmps"], p.atmps, p.edited),
           paths["events"]: _appended(texts["events"], events, p.events)}
    if has_failed:
        failed_text = paths[changelog.FAILED].read_text(encoding="utf-8")
        new[paths[changelog.FAILED]] = _appended(
            failed_text, data.read_rows(changelog.FAILED, data_dir), p.failed)
    pkg_path = data_dir / data.DATAPACKAGE
    pkg_text = pkg_path.read_text(encoding="utf-8")
    if p.edition != as_of:
        pkg_new, n = re.subn(r'("data_as_of"\s*:\s*")\d{4}-\d{2}-\d{2}(")',
                             rf"\g<1>{p.edition.isoformat()}\g<2>", pkg_text, count=1)
        if n != 1:
            raise ApplyError(f"{data.DATAPACKAGE} has no data_as_of to update")
        new[pkg_path] = pkg_new

    ledger_new: list[dict[str, str]] = []
    with tempfile.TemporaryDirectory(prefix="atmp-refresh-") as tmp:
        scratch = Path(tmp) / "data"
        shutil.copytree(data_dir, scratch, ignore=shutil.ignore_patterns(".*"))
        for path, text in new.items():
            (scratch / path.name).write_text(text, encoding="utf-8", newline="")
        if changelog.has_ledger(scratch):
            ledger_path = paths[changelog.LEDGER]
            ledger_rows = changelog.read(scratch)
            ledger_new = changelog.new_entries(changelog.snapshot(scratch), ledger_rows, p.edition,
                                               first_readers(scratch))
            if p.edition != as_of or ledger_new:
                reconciled = _reconciled(p, report, ledger_rows)
                ledger_new = reconciled + ledger_new
            text = _appended(ledger_path.read_text(encoding="utf-8"), ledger_rows, ledger_new)
            new[ledger_path] = text
            (scratch / ledger_path.name).write_text(text, encoding="utf-8", newline="")
        _check(data_dir, scratch, set(p.new_products))

    changed = {path: text for path, text in new.items()
               if text != path.read_text(encoding="utf-8")}
    if changed:
        write_all(changed)
        data._package.cache_clear()  # the descriptor and tables of data_dir were read before
        data._load_cached.cache_clear()
    return Result(p, sorted(path.name for path in changed), ledger_new)


def previous_edition(data_dir: Path, edition: dt.date) -> dt.date:
    """The edition before ``edition``: the newest older one in the ledger, else ``data_as_of``.

    A change dated by the Commission decision date must be newer than this; applying a second
    export of the same day compares with the same previous edition as the first did.
    """
    older = [dt.date.fromisoformat(r["edition"]) for r in changelog.read(data_dir)]
    older = [d for d in older if d < edition]
    return max(older) if older else min(data.data_as_of(data_dir), edition)


def _reconciled(p: Plan, report: ema.Report, ledger: list[dict[str, str]]) -> list[dict[str, str]]:
    """The ``export reconciled`` entry of the edition (none if the ledger holds it already)."""
    detail = (f"EMA medicines export {p.export_date.isoformat()}: {report.compared} human ATMPs "
              "compared")
    ed = p.edition.isoformat()
    if any(e["edition"] == ed and e["kind"] == "export reconciled" and e["detail"] == detail
           for e in ledger):
        return []
    return [{"edition": ed, "kind": "export reconciled", "product": "", "table": "", "chapter": "",
             "count": "1", "date": p.export_date.isoformat(), "detail": detail}]


def first_readers(data_dir: Path) -> dict[str, str]:
    """Each table's first reading chapter (for the ledger's links)."""
    from atmp import staleness  # reads the chapter modules' source: only when a ledger is written

    return {t: cs[0] for t, cs in staleness.table_chapters(data_dir).items() if cs}


def _check(before_dir: Path, after_dir: Path, new_products: set[str]) -> None:
    """Refuse a result with a problem that was not there before, except the curation a newly
    appended ATMP needs."""
    before = {_problem_key(p) for p in data.validate(before_dir)}
    for problem in data.validate(after_dir):
        if _problem_key(problem) in before or problem.product in new_products:
            continue
        raise ApplyError(f"the result would break the data contract, so nothing was written: "
                         f"{problem}")
