"""Reconcile the course dataset with EMA's medicines export (docs/architecture.md §4).

EMA publishes every centrally authorised medicine daily, as JSON (``medicines-output-medicines_json-
report_en.json``) and as XLSX (the same fields under human-readable headers, after a preamble). This
module reads either file, keeps the human advanced therapy medicinal products (ATMPs) that were ever
authorised, and compares them with ``data/atmps.csv``:

* **new** — an ATMP in the export that the dataset lacks;
* **changed** — a field that differs (status, status date, initial decision date; and, for
  information only, the orphan / PRIME / accelerated-assessment flags and the holder, which EMA gives
  as of today while the dataset records them at the initial authorisation);
* **missing** — a product of the dataset absent from the export's ATMPs;
* **failed** — ATMP applications that did not end in an authorisation (refused, application
  withdrawn, negative opinion). EMA's ``advanced_therapy`` flag is not reliable for these (the
  refused Tacquell and the authorised Itvisma read "No" in the export of September 2026), so a
  record is found by its product number or name in ``failed-applications.csv`` or ``atmps.csv``
  first and by the flag last; the flag is reported as information, and dates the export leaves
  empty are reported as missing, never guessed (:func:`failed_applications`).

``--apply`` hands the report to :mod:`atmp.refresh`, which writes the new edition of the data: the
EMA-owned fields of existing rows with the dated event of each change, new ATMPs and failed
applications marked for curation, ``data_as_of`` and the edition ledger, all files or none. It
never deletes a row and never touches a curated column. This module only reads and compares.

Command line::

    python -m atmp.ema reconcile EXPORT [--json] [--apply] [--export-date YYYY-MM-DD] [--data-dir DIR]

Exit status 0 on success (differences are not errors), 2 when the export or the dataset cannot be
read or the edition cannot be written (one line on stderr naming the file and the problem;
nothing is written).

Examples
--------
>>> from atmp import ema
>>> ema.parse_date("23/08/2018")
datetime.date(2018, 8, 23)
>>> ema.clean_text(" Novartis&nbsp;Europharm Limited ")
'Novartis Europharm Limited'
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import html
import io
import json
import re
import sys
import warnings
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, TextIO

from atmp import data

PROG = "atmp.ema"
#: Where EMA publishes the JSON report (``make refresh-data`` downloads it).
JSON_URL = "https://www.ema.europa.eu/en/documents/report/medicines-output-medicines_json-report_en.json"
ZIP_MAGIC = b"PK\x03\x04"

#: The export's fields: JSON key and the XLSX header of the same column, in EMA's order.
FIELDS: tuple[tuple[str, str], ...] = (
    ("category", "Category"),
    ("name_of_medicine", "Name of medicine"),
    ("ema_product_number", "EMA product number"),
    ("medicine_status", "Medicine status"),
    ("opinion_status", "Opinion status"),
    ("latest_procedure_affecting_product_information", "Latest procedure affecting product information"),
    ("international_non_proprietary_name_common_name",
     "International non-proprietary name (INN) / common name"),
    ("active_substance", "Active substance"),
    ("therapeutic_area_mesh", "Therapeutic area (MeSH)"),
    ("species_veterinary", "Species (veterinary)"),
    ("patient_safety", "Patient safety"),
    ("atc_code_human", "ATC code (human)"),
    ("atcvet_code_veterinary", "ATCvet code (veterinary)"),
    ("pharmacotherapeutic_group_human", "Pharmacotherapeutic group (human)"),
    ("pharmacotherapeutic_group_veterinary", "Pharmacotherapeutic group (veterinary)"),
    ("therapeutic_indication", "Therapeutic indication"),
    ("accelerated_assessment", "Accelerated assessment"),
    ("additional_monitoring", "Additional monitoring"),
    ("advanced_therapy", "Advanced therapy"),
    ("biosimilar", "Biosimilar"),
    ("conditional_approval", "Conditional approval"),
    ("exceptional_circumstances", "Exceptional circumstances"),
    ("generic", "Generic"),
    ("orphan_medicine", "Orphan medicine"),
    ("prime_priority_medicine", "PRIME: priority medicine"),
    ("marketing_authorisation_developer_applicant_holder",
     "Marketing authorisation developer / applicant / holder"),
    ("european_commission_decision_date", "European Commission decision date"),
    ("start_of_rolling_review_date", "Start of rolling review date"),
    ("start_of_evaluation_date", "Start of evaluation date"),
    ("opinion_adopted_date", "Opinion adopted date"),
    ("withdrawal_of_application_date", "Withdrawal of application date"),
    ("marketing_authorisation_date", "Marketing authorisation date"),
    ("refusal_of_marketing_authorisation_date", "Refusal of marketing authorisation date"),
    ("withdrawal_expiry_revocation_lapse_of_marketing_authorisation_date",
     "Withdrawal / expiry / revocation / lapse of marketing authorisation date"),
    ("suspension_of_marketing_authorisation_date", "Suspension of marketing authorisation date"),
    ("revision_number", "Revision number"),
    ("first_published_date", "First published date"),
    ("last_updated_date", "Last updated date"),
    ("medicine_url", "Medicine URL"),
)
HEADER_OF = dict(FIELDS)
WITHDRAWAL_DATE = "withdrawal_expiry_revocation_lapse_of_marketing_authorisation_date"
SUSPENSION_DATE = "suspension_of_marketing_authorisation_date"
MAH = "marketing_authorisation_developer_applicant_holder"
INN = "international_non_proprietary_name_common_name"

#: Keys every record must carry (the ones this module reads).
REQUIRED: tuple[str, ...] = (
    "category", "name_of_medicine", "ema_product_number", "medicine_status", INN,
    "therapeutic_area_mesh", "therapeutic_indication", "accelerated_assessment", "advanced_therapy",
    "conditional_approval", "exceptional_circumstances", "orphan_medicine", "prime_priority_medicine",
    MAH, "marketing_authorisation_date", WITHDRAWAL_DATE, SUSPENSION_DATE, "medicine_url",
)
#: Yes/No fields (parsed to bool; "" to None).
FLAGS = frozenset({"patient_safety", "accelerated_assessment", "additional_monitoring", "advanced_therapy",
                   "biosimilar", "conditional_approval", "exceptional_circumstances", "generic",
                   "orphan_medicine", "prime_priority_medicine"})
#: DD/MM/YYYY fields (parsed to datetime.date; "" to None).
DATES = frozenset(k for k, _ in FIELDS if k.endswith("_date"))

#: Statuses of a product that was once authorised, and what each means in ``atmps.csv``.
STATUS_MAP = {"Authorised": "authorised", "Withdrawn": "withdrawn", "Suspended": "suspended",
              "Expired": "expired", "Lapsed": "expired", "Not renewed": "not renewed",
              "Revoked": "withdrawn"}
#: Flags: EMA gives today's value, the dataset the one at the initial authorisation.
INFORMATIONAL = {"orphan": "orphan_medicine", "prime": "prime_priority_medicine",
                 "accelerated_assessment": "accelerated_assessment"}
#: Columns ``--apply`` may write in an existing row (the product number only where ours is empty).
APPLIED = ("status", "status_date", "ec_decision_date", "mah", "ema_product_number")
#: Columns of ``atmps.csv`` this module needs.
OUR_COLUMNS = ("product", "inn", "ema_product_number", "ec_decision_date", "authorisation_type",
               "orphan", "prime", "accelerated_assessment", "status", "status_date", "status_reason",
               "mah", "therapeutic_area", "indication", "sources", "notes")
INDICATION_MAX = 200  # characters
#: The table of ATMP applications that did not end in an authorisation.
FAILED = "failed-applications"


class ExportError(ValueError):
    """The export cannot be read or breaks the expected structure (one-line message)."""


# ----------------------------------------------------------------------------- values


def clean_text(value: str) -> str:
    """Unescape HTML entities, turn non-breaking spaces into spaces and strip.

    Parameters
    ----------
    value : str
        A text cell of the export.

    Returns
    -------
    str
        The text with ``&nbsp;``, ``&lt;`` … resolved and no leading or trailing whitespace.
    """
    if "&" in value:
        value = html.unescape(value)
    return value.replace("\xa0", " ").strip()


_DMY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T ][\d:.]+)?")


def parse_date(value: str) -> dt.date | None:
    """Parse EMA's ``DD/MM/YYYY`` date (ISO ``YYYY-MM-DD`` is accepted too).

    Parameters
    ----------
    value : str
        The cleaned text of a date cell; ``""`` means no date.

    Returns
    -------
    datetime.date or None
        The calendar date, or None for an empty cell.

    Raises
    ------
    ValueError
        The text is not a date or names an impossible day (``31/02/2020``).
    """
    if value == "":
        return None
    return _parse_date(value)


@lru_cache(maxsize=32768)  # exports repeat the same few thousand dates; a miss costs ~2 µs
def _parse_date(value: str) -> dt.date:
    if m := _DMY.fullmatch(value):
        day, month, year = (int(g) for g in m.groups())
    elif m := _ISO.fullmatch(value):
        year, month, day = (int(g) for g in m.groups())
    else:
        raise ValueError(f"{value!r} is not a DD/MM/YYYY date")
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ValueError(f"{value!r} is not a valid date") from None


_FLAG_VALUES = {"yes": True, "no": False, "": None}


def parse_flag(value: str) -> bool | None:
    """Parse a ``Yes``/``No`` cell (case-insensitive) to True/False; ``""`` to None.

    Raises
    ------
    ValueError
        Any other text.
    """
    try:
        return _FLAG_VALUES[value.lower()]
    except KeyError:
        raise ValueError(f"{value!r} is not Yes or No") from None


def _kind(value: Any) -> str:
    return {dict: "an object", list: "a list", bool: "true/false", type(None): "null"}.get(
        type(value), type(value).__name__)


#: How each known field is read: "text", "date" or "flag".
_KIND_OF = {k: "date" if k in DATES else "flag" if k in FLAGS else "text" for k, _ in FIELDS}


def _normalise_value(kind: str, value: Any) -> Any:
    """A known field's value as text, bool (``flag``) or date (``date``); ValueError if impossible."""
    if isinstance(value, str):
        value = clean_text(value)
        if kind == "text":
            return value
        return parse_date(value) if kind == "date" else parse_flag(value)
    if value is None:
        return "" if kind == "text" else None
    if kind == "date" and isinstance(value, dt.date):
        return value.date() if isinstance(value, dt.datetime) else value
    if kind == "flag" and isinstance(value, bool):
        return value
    if kind == "text" and isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if kind == "text" and isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    raise ValueError(f"is {_kind(value)}, expected {'a date' if kind == 'date' else 'text'}")


def normalise_record(raw: Any, index: int) -> dict[str, Any]:
    """Check one export record and return it with typed values.

    Parameters
    ----------
    raw : Any
        The record as read (a dict from JSON or built from an XLSX row).
    index : int
        Its 1-based position in the export, for messages.

    Returns
    -------
    dict
        Every key of the record: known text fields stripped and unescaped, flags as bool/None,
        dates as ``datetime.date``/None; unknown keys kept (text cleaned).

    Raises
    ------
    ExportError
        Not an object, a required key missing, or a known field of the wrong type or value.
    """
    if not isinstance(raw, dict):
        raise ExportError(f"record {index} is {_kind(raw)}, expected an object")
    missing = [k for k in REQUIRED if k not in raw]
    if missing:
        raise ExportError(f"record {index}{_label(raw)} lacks required key(s): {', '.join(missing)}")
    out: dict[str, Any] = {}
    kind_of, unescape = _KIND_OF, html.unescape
    for key, value in raw.items():
        kind = kind_of.get(key)
        try:
            if type(value) is str:  # inlined clean_text: this loop runs ~800,000 times on a big export
                if "&" in value:
                    value = unescape(value)
                if "\xa0" in value:
                    value = value.replace("\xa0", " ")
                value = value.strip()
                if kind == "date":
                    value = parse_date(value)
                elif kind == "flag":
                    value = parse_flag(value)
                out[key] = value
            elif kind is None:
                out[key] = value  # an unknown key: kept as it is
            else:
                out[key] = _normalise_value(kind, value)
        except ValueError as exc:
            raise ExportError(f"record {index}{_label(raw)}: {key} {exc}") from None
    return out


def _label(raw: dict) -> str:
    name = raw.get("name_of_medicine")
    return f" ({clean_text(name)[:60]})" if isinstance(name, str) and name.strip() else ""


# ----------------------------------------------------------------------------- reading


@dataclass
class Export:
    """A parsed export: the records and a label saying which export it was."""

    records: list[dict[str, Any]]
    label: str  # EMA's meta timestamp, or the file name


def read_export(path: Path | str) -> list[dict[str, Any]]:
    """Read EMA's medicines report, JSON or XLSX, as a list of normalised records.

    Parameters
    ----------
    path : pathlib.Path or str
        The export file. Its content decides the format: a zip archive (``PK`` magic bytes) is
        read as XLSX, anything else as JSON (a top-level object with a ``data`` list, or a bare
        list of records).

    Returns
    -------
    list of dict
        One dict per medicine, keyed by EMA's snake_case JSON keys; see :func:`normalise_record`.

    Raises
    ------
    ExportError
        The file is not JSON or XLSX, is truncated, has the wrong structure, lacks a required key
        or holds a bad date or flag. The message is one line and does not repeat the file name.
    OSError
        The file cannot be opened.
    """
    return load_export(path).records


def load_export(path: Path | str) -> Export:
    """Like :func:`read_export`, keeping the export's label (``meta.timestamp`` or file name)."""
    path = Path(path)
    raw = path.read_bytes()
    if raw.startswith(ZIP_MAGIC):
        rows, label = _xlsx_records(raw), path.name
    else:
        rows, label = _json_records(raw, path)
    return Export([normalise_record(r, i) for i, r in enumerate(rows, start=1)], label)


def _json_records(raw: bytes, path: Path) -> tuple[list, str]:
    """The raw records and label of a JSON export."""
    if path.suffix.lower() in (".xlsx", ".xlsm", ".xls") and raw.lstrip()[:1] not in (b"{", b"["):
        raise ExportError("not an XLSX workbook (no zip signature) and not JSON")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ExportError(f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start})") from None
    if not text.strip():
        raise ExportError("empty file")
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ExportError(f"truncated or invalid JSON at line {exc.lineno} column {exc.colno}"
                          f" ({exc.msg})") from None
    except (ValueError, RecursionError) as exc:  # e.g. an over-long integer, absurd nesting
        raise ExportError(f"unreadable JSON ({type(exc).__name__})") from None
    label = path.name
    if isinstance(doc, dict):
        if "data" not in doc:
            raise ExportError("JSON object has no 'data' list of records")
        meta = doc.get("meta")
        if isinstance(meta, dict) and isinstance(meta.get("timestamp"), str) and meta["timestamp"].strip():
            label = meta["timestamp"].strip()
        doc = doc["data"]
    if not isinstance(doc, list):
        raise ExportError(f"'data' is {_kind(doc)}, expected a list of records")
    if not doc:
        raise ExportError("no records")
    return doc, label


def header_key(header: str) -> str:
    """A header reduced to lower-case letters and digits, so case, spacing and punctuation do not matter.

    ``"PRIME: priority medicine"`` and ``"prime_priority_medicine"`` both give
    ``"primeprioritymedicine"``.
    """
    return re.sub(r"[^a-z0-9]", "", header.lower())


#: Header (or JSON key) in the tolerant form of :func:`header_key` → JSON key.
_KEY_OF_HEADER = {header_key(h): k for k, h in FIELDS} | {header_key(k): k for k, _ in FIELDS}
HEADER_SEARCH_ROWS = 100


def _xlsx_rows(raw: bytes) -> list[tuple]:
    """All rows of the workbook's first sheet, as tuples of cell values."""
    import openpyxl  # imported here: JSON users need not pay for it

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wb = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
            try:
                return [tuple(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
            finally:
                wb.close()
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many types on a damaged file
        detail = str(exc).splitlines()[0][:120] if str(exc) else ""
        raise ExportError(f"not a readable XLSX workbook ({type(exc).__name__}"
                          + (f": {detail})" if detail else ")")) from None


def _find_header(rows: list[tuple]) -> tuple[int, list[str | None]]:
    """Index of the header row (the first with every required header) and the key of each column."""
    best: tuple[int, int, set[str]] = (-1, -1, set(REQUIRED))
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        keys = [_KEY_OF_HEADER.get(header_key(c)) if isinstance(c, str) else None for c in row]
        lacking = set(REQUIRED) - set(keys)
        if not lacking:
            dup = {k for k in keys if k and keys.count(k) > 1}
            if dup:
                raise ExportError(f"header row {i + 1} repeats column(s): "
                                  + ", ".join(HEADER_OF[k] for k in sorted(dup)))
            extra = [(_slug(c) if isinstance(c, str) and c.strip() else None) for c in row]
            return i, [k or x for k, x in zip(keys, extra, strict=True)]
        if len(REQUIRED) - len(lacking) > best[1]:
            best = (i, len(REQUIRED) - len(lacking), lacking)
    if best[1] <= 0:
        raise ExportError(f"no header row in the first {HEADER_SEARCH_ROWS} rows of the workbook")
    names = ", ".join(repr(HEADER_OF[k]) for k in REQUIRED if k in best[2])
    raise ExportError(f"no complete header row (row {best[0] + 1} lacks {names})")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def _xlsx_records(raw: bytes) -> list[dict[str, Any]]:
    """The raw records of an XLSX export: rows below the detected header, keyed by JSON key."""
    rows = _xlsx_rows(raw)
    start, keys = _find_header(rows)
    records = []
    for row in rows[start + 1:]:
        if all(c is None or (isinstance(c, str) and not c.strip()) for c in row):
            continue
        rec = {k: None for k in keys if k}
        for key, cell in zip(keys, row, strict=False):
            if key:
                rec[key] = cell
        records.append(rec)
    if not records:
        raise ExportError("no records below the header row")
    return records


# ----------------------------------------------------------------------------- selection


def is_human_atmp(rec: dict[str, Any]) -> bool:
    """True for a human medicine (``EMEA/H/C/…``) that EMA flags as an advanced therapy."""
    return (rec["category"].lower() == "human" and rec["ema_product_number"].startswith("EMEA/H/C/")
            and rec["advanced_therapy"] is True)


def ever_authorised(rec: dict[str, Any]) -> bool:
    """True if the medicine holds or held a marketing authorisation (a date or such a status)."""
    return rec["marketing_authorisation_date"] is not None or rec["medicine_status"] in STATUS_MAP


def select_atmps(records: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], int]:
    """The human ATMPs ever authorised, and how many human ATMP applications were left out.

    Parameters
    ----------
    records : list of dict
        Normalised records (:func:`read_export`).

    Returns
    -------
    (list of dict, int)
        The selected records in export order, and the count of human ATMP records never
        authorised (refused, withdrawn applications, pending opinions).

    Raises
    ------
    ExportError
        Two selected records share a product number.
    """
    chosen, ignored, seen = [], 0, set()
    for rec in records:
        if not is_human_atmp(rec):
            continue
        if not ever_authorised(rec):
            ignored += 1
            continue
        if rec["ema_product_number"] in seen:
            raise ExportError(f"product number {rec['ema_product_number']} appears twice among the ATMPs")
        seen.add(rec["ema_product_number"])
        chosen.append(rec)
    return chosen, ignored


# ----------------------------------------------------------------------------- reconcile


@dataclass
class Report:
    """What differs between the export and ``atmps.csv``.

    ``new`` holds the rows ``--apply`` would append (dicts of our columns); ``changed`` one dict per
    field (``product``, ``field``, ``ours``, ``theirs``, ``applies``); ``missing`` one dict per row
    of ours absent from the export's ATMPs (``product``, ``ema_product_number``, ``reason``).
    """

    new: list[dict[str, str]] = field(default_factory=list)
    changed: list[dict[str, Any]] = field(default_factory=list)
    missing: list[dict[str, str]] = field(default_factory=list)
    #: applications that did not end in an authorisation (:func:`failed_applications`)
    failed: list[dict[str, str]] = field(default_factory=list)
    ignored: int = 0
    compared: int = 0
    label: str = ""
    #: index in ``atmps.csv`` of the row each ``changed`` item is about (aligned with ``changed``)
    changed_rows: list[int] = field(default_factory=list, repr=False)
    #: the export record each matched row of ``atmps.csv`` was compared with, by row index
    records_of_rows: dict[int, dict[str, Any]] = field(default_factory=dict, repr=False)
    #: the export records behind ``new`` (aligned with ``new``)
    new_records: list[dict[str, Any]] = field(default_factory=list, repr=False)
    #: the export records behind ``failed`` (aligned with ``failed``)
    failed_records: list[dict[str, Any]] = field(default_factory=list, repr=False)

    def as_json(self) -> dict[str, Any]:
        """The report as a JSON-ready dict (keys ``new``, ``changed``, ``missing``, ``failed``,
        ``ignored``)."""
        new = [{k: row[k] for k in ("product", "inn", "ema_product_number", "ec_decision_date", "status",
                                    "status_date", "sources")} for row in self.new]
        return {"export": self.label, "compared": self.compared, "new": new, "changed": self.changed,
                "missing": self.missing, "failed": self.failed, "ignored": self.ignored}


def _iso(d: dt.date | None) -> str:
    return d.isoformat() if d else ""


def _tf(flag: bool) -> str:
    return "true" if flag else "false"


def _squash(text: str) -> str:
    return " ".join(text.split())


def their_status(rec: dict[str, Any]) -> tuple[str | None, str | None]:
    """Our status for an EMA record and the date it took effect.

    Returns
    -------
    (str or None, str or None)
        Status as in ``atmps.csv`` (None if EMA's status has no equivalent) and the ISO date it took
        effect: ``""`` when authorised, None when EMA gives no date.
    """
    status = STATUS_MAP.get(rec["medicine_status"])
    if status is None:
        return None, None
    if status == "authorised":
        return status, ""
    when = rec[SUSPENSION_DATE] if status == "suspended" else rec[WITHDRAWAL_DATE]
    return status, _iso(when) or None


def their_type(rec: dict[str, Any]) -> str:
    """The authorisation type EMA's flags give today: conditional, exceptional circumstances or
    standard."""
    if rec["conditional_approval"]:
        return "conditional"
    return "exceptional circumstances" if rec["exceptional_circumstances"] else "standard"


def compare(ours: dict[str, str], rec: dict[str, Any]) -> list[dict[str, Any]]:
    """The field differences between one row of ``atmps.csv`` and its EMA record.

    Parameters
    ----------
    ours : dict of str
        The row as stored (strings; ISO dates; ``true``/``false`` flags).
    rec : dict
        The matching normalised EMA record.

    Returns
    -------
    list of dict
        ``{product, field, ours, theirs, applies}`` per differing field; ``applies`` is False for
        informational differences (flags and holder, product name or number, unmappable status).
    """
    out: list[dict[str, Any]] = []

    def diff(col: str, theirs: str, applies: bool) -> None:
        if ours[col] != theirs:
            out.append({"product": ours["product"], "field": col, "ours": ours[col], "theirs": theirs,
                        "applies": applies})

    status, status_date = their_status(rec)
    if status is None:
        diff("status", rec["medicine_status"], False)
    else:
        diff("status", status, True)
        if status_date is not None:
            diff("status_date", status_date, True)
    if rec["marketing_authorisation_date"] is not None:
        # the dataset's date is the verified Commission decision its ``authorised`` event carries:
        # a disagreement is for a person to settle (docs/architecture.md §4)
        diff("ec_decision_date", _iso(rec["marketing_authorisation_date"]), False)
    if "authorisation_type_now" in ours and status == "authorised":
        now = their_type(rec)
        known = ours["authorisation_type_now"] or ours["authorisation_type"]
        # EMA-owned: filled in where unread, and a conditional MA EMA now lists as standard was
        # converted (atmp.refresh writes its dated event); any other disagreement is for a person
        diff("authorisation_type_now", now,
             now == known or (known == "conditional" and now == "standard"))
    for col, key in INFORMATIONAL.items():
        diff(col, _tf(rec[key]), False)
    if rec[MAH] and _squash(rec[MAH]) != _squash(ours["mah"]):
        diff("mah", rec[MAH], True)
    if rec["name_of_medicine"].casefold() != ours["product"].casefold():
        diff("product", rec["name_of_medicine"], False)
    # A product number we lack is filled in; one that disagrees needs a person to look.
    diff("ema_product_number", rec["ema_product_number"], not ours["ema_product_number"])
    return out


def shorten(text: str, limit: int = INDICATION_MAX) -> str:
    """Collapse whitespace and cut to at most ``limit`` characters at a word boundary (with "…")."""
    text = _squash(text)
    if len(text) <= limit:
        return text
    cut = text[:limit - 1]
    if " " in cut:
        cut = cut[:cut.rindex(" ")]
    return cut.rstrip(" ,;:.") + "…"


def _today() -> dt.date:
    """The date written into new rows (a function, so tests can fix it)."""
    return dt.date.today()


def new_row(rec: dict[str, Any], columns: list[str], label: str, today: dt.date) -> dict[str, str]:
    """The row ``--apply`` appends for an ATMP the dataset lacks, marked for curation.

    EMA's fields are filled (flags and authorisation type as EMA gives them today); the curated
    columns stay empty and ``notes`` says the row needs curation.
    """
    status, status_date = their_status(rec)
    status = status or rec["medicine_status"]
    auth = their_type(rec)
    values = {
        "product": rec["name_of_medicine"], "inn": rec[INN] or rec.get("active_substance") or "",
        "ema_product_number": rec["ema_product_number"],
        "ec_decision_date": _iso(rec["marketing_authorisation_date"]), "authorisation_type": auth,
        "authorisation_type_now": auth if status == "authorised" else "",
        "orphan": _tf(bool(rec["orphan_medicine"])), "prime": _tf(bool(rec["prime_priority_medicine"])),
        "accelerated_assessment": _tf(bool(rec["accelerated_assessment"])),
        "status": status, "status_date": status_date or "",
        "status_reason": "" if status == "authorised" else "see EMA",
        "mah": rec[MAH], "therapeutic_area": "; ".join(p.strip() for p in
                                                     rec["therapeutic_area_mesh"].split(";") if p.strip()),
        "indication": shorten(rec["therapeutic_indication"]), "sources": rec["medicine_url"],
        "notes": f"NEEDS CURATION: added from EMA export {label} on {today.isoformat()}",
    }
    return {c: values.get(c, "") for c in columns}


def reconcile(export: Export, ours: list[dict[str, str]], columns: list[str] | None = None,
              today: dt.date | None = None,
              failed_rows: list[dict[str, str]] | None = None) -> Report:
    """Compare the export's human ATMPs with the rows of ``atmps.csv``.

    Records match by ``ema_product_number``, then by product name (case-insensitive).

    Parameters
    ----------
    export : Export
        The parsed export (:func:`load_export`).
    ours : list of dict of str
        The rows of ``atmps.csv`` as stored (:func:`atmp.data.read_rows`).
    columns : list of str, optional
        Column order for new rows (default: the keys of the first row, or :data:`OUR_COLUMNS`).
    today : datetime.date, optional
        Date written into the notes of new rows (default: today).
    failed_rows : list of dict of str, optional
        The rows of ``failed-applications.csv``, used to recognise failed ATMP applications
        that EMA does not flag as advanced therapies (:func:`failed_applications`).

    Returns
    -------
    Report
    """
    columns = columns or (list(ours[0]) if ours else list(OUR_COLUMNS))
    today = today or _today()
    chosen, ignored = select_atmps(export.records)
    report = Report(ignored=ignored, compared=len(chosen), label=export.label)
    by_number = {r["ema_product_number"]: i for i, r in enumerate(ours)}
    by_name = {r["product"].casefold(): i for i, r in enumerate(ours)}
    chosen_numbers = {rec["ema_product_number"] for rec in chosen}
    matched: set[int] = set()
    for rec in chosen:
        i = by_number.get(rec["ema_product_number"])
        if i is None:
            j = by_name.get(rec["name_of_medicine"].casefold())
            # a name match only counts if that row's own number is not in the export's ATMPs
            i = j if j is not None and ours[j]["ema_product_number"] not in chosen_numbers else None
        if i is None or i in matched:
            report.new.append(new_row(rec, columns, export.label, today))
            report.new_records.append(rec)
            continue
        matched.add(i)
        report.records_of_rows[i] = rec
        diffs = compare(ours[i], rec)
        report.changed.extend(diffs)
        report.changed_rows.extend([i] * len(diffs))
    report.missing = _missing([r for i, r in enumerate(ours) if i not in matched], export.records)
    report.failed = failed_applications(export.records, failed_rows or [], ours)
    by_key = {(r["ema_product_number"], r["name_of_medicine"]): r for r in export.records}
    report.failed_records = [by_key[(f["ema_product_number"], f["product"])] for f in report.failed]
    return report


def _missing(rows: list[dict[str, str]], records: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Our rows absent from the export's ATMPs, each with what the export says about it."""
    numbers = {r["ema_product_number"]: r for r in records if isinstance(r.get("ema_product_number"), str)}
    out = []
    for row in rows:
        rec = numbers.get(row["ema_product_number"])
        if rec is None:
            reason = "not in the export"
        elif rec["advanced_therapy"] is not True:
            reason = "in the export, but EMA does not flag it as an advanced therapy"
        else:
            status = rec["medicine_status"] or "(none)"
            reason = f"in the export with status {status} and no authorisation date"
        out.append({"product": row["product"], "ema_product_number": row["ema_product_number"],
                    "reason": reason})
    return out


#: EMA statuses of an application that did not end in an authorisation, and our outcome words.
FAILED_STATUSES = {"refused": "refused", "application withdrawn": "application withdrawn",
                   "withdrawn application": "application withdrawn"}


def _failed_outcome(rec: dict[str, Any]) -> str | None:
    """``refused``, ``application withdrawn`` or ``negative opinion`` for a human record that
    never held an authorisation; None for any other record."""
    if rec["category"].lower() != "human" or ever_authorised(rec):
        return None
    status = FAILED_STATUSES.get(rec["medicine_status"].strip().lower())
    if status:
        return status
    if str(rec.get("opinion_status") or "").strip().lower() == "negative":
        return "negative opinion"
    return None


def failed_applications(records: list[dict[str, Any]], failed_rows: list[dict[str, str]],
                        ours: list[dict[str, str]]) -> list[dict[str, str]]:
    """ATMP applications in the export that did not end in an authorisation.

    EMA's ``advanced_therapy`` flag is not reliable for this (in the export of September 2026
    the refused ATMP Tacquell and the authorised ATMP Itvisma read "No"), so a human record that
    was refused, whose application was withdrawn, or that has a negative opinion and no
    authorisation counts as an ATMP application if **any** of these holds, tried in this order:
    its product number is in ``failed-applications.csv`` or ``atmps.csv``; its name is a product
    there (case-insensitive); EMA flags it as an advanced therapy. EMA's flag is reported as
    information. Dates the export leaves empty stay empty: they are reported, never guessed.

    Returns
    -------
    list of dict of str
        ``product``, ``ema_product_number``, ``outcome``, ``ema_status``, ``opinion_date``,
        ``refusal_date``, ``withdrawal_of_application_date``, ``ema_advanced_therapy_flag``
        (``Yes``/``No``/``""``), ``found_by``, ``in_failed_applications`` (``yes``/``no``) and
        ``missing_dates`` (the outcome's dates the export does not give, ``;``-separated).
    """
    known = {"failed-applications.csv": failed_rows, "atmps.csv": ours}
    numbers = {r["ema_product_number"]: f for f, rows in known.items() for r in rows
               if r.get("ema_product_number")}
    names = {r["product"].casefold(): f for f, rows in known.items() for r in rows}
    failed_numbers = {r["ema_product_number"] for r in failed_rows if r.get("ema_product_number")}
    failed_names = {r["product"].casefold() for r in failed_rows}
    out = []
    for rec in records:
        outcome = _failed_outcome(rec)
        if outcome is None:
            continue
        number, name = rec["ema_product_number"], rec["name_of_medicine"]
        if number in numbers:
            found = f"product number in {numbers[number]}"
        elif name.casefold() in names:
            found = f"name in {names[name.casefold()]}"
        elif rec["advanced_therapy"] is True:
            found = "EMA's advanced_therapy flag"
        else:
            continue
        flag = {True: "Yes", False: "No"}.get(rec["advanced_therapy"], "")
        dates = {"opinion_date": _iso(rec.get("opinion_adopted_date")),
                 "refusal_date": _iso(rec.get("refusal_of_marketing_authorisation_date")),
                 "withdrawal_of_application_date": _iso(rec.get("withdrawal_of_application_date"))}
        needed = {"refused": ("opinion_date", "refusal_date"),
                  "application withdrawn": ("withdrawal_of_application_date",),
                  "negative opinion": ("opinion_date",)}[outcome]
        out.append({"product": name, "ema_product_number": number, "outcome": outcome,
                    "ema_status": rec["medicine_status"], **dates,
                    "ema_advanced_therapy_flag": flag, "found_by": found,
                    "in_failed_applications": "yes" if (number in failed_numbers
                                                        or name.casefold() in failed_names) else "no",
                    "missing_dates": ";".join(k for k in needed if not dates[k])})
    return out


# ----------------------------------------------------------------------------- report and CLI


def format_text(report: Report, source: str) -> str:
    """The report for a person: a header line with counts, then the sections (or "no differences")."""
    applying = sum(c["applies"] for c in report.changed)
    lines = [f"EMA export {source} ({report.label}): {report.compared} human ATMPs ever authorised; "
             f"{len(report.new)} new, {len(report.changed)} changed field(s) "
             f"({len(report.changed) - applying} informational), {len(report.missing)} missing"
             + (f"; {len(report.failed)} application(s) not authorised" if report.failed else "")]
    if report.ignored:
        lines.append(f"(not compared: {report.ignored} ATMP application(s) never authorised)")
    if not (report.new or report.changed or report.missing):
        lines.append("no differences")
    if report.failed:
        lines += ["", "Applications that did not end in an authorisation (found by product number or "
                      "name in our tables, or by EMA's flag; EMA's flag shown as information):"]
        for f in report.failed:
            dates = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in f.items()
                              if k.endswith("_date") and v) or "no dates in the export"
            gap = f"; not given in the export: {f['missing_dates'].replace(';', ', ')}" \
                if f["missing_dates"] else ""
            listed = "" if f["in_failed_applications"] == "yes" else "; NOT in failed-applications.csv"
            lines.append(f"  {f['product']} ({f['ema_product_number'] or 'no number'}): {f['outcome']}; "
                         f"{dates}{gap}; EMA advanced_therapy flag {f['ema_advanced_therapy_flag'] or '?'}; "
                         f"found by {f['found_by']}{listed}")
    if not (report.new or report.changed or report.missing):
        return "\n".join(lines)
    if report.new:
        lines += ["", "New (ATMPs in the export, not in atmps.csv):"]
        lines += [f"  {r['product']} ({r['ema_product_number']}): status {r['status'] or '?'}, "
                  f"initial MA {r['ec_decision_date'] or '?'}" for r in report.new]
    if report.changed:
        lines += ["", "Changed (ours → EMA):"]
        for c in report.changed:
            note = ""
            if not c["applies"]:
                note = ("  (EMA today; ours at initial MA — not applied)" if c["field"] in INFORMATIONAL
                        else "  (not applied: check by hand)")
            lines.append(f"  {c['product']}: {c['field']} {c['ours'] or '(empty)'} → "
                         f"{c['theirs'] or '(empty)'}{note}")
    if report.missing:
        lines += ["", "Missing (in atmps.csv, not among the export's ATMPs):"]
        lines += [f"  {m['product']} ({m['ema_product_number']}): {m['reason']}" for m in report.missing]
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    """The ``python -m atmp.ema`` argument parser."""
    parser = argparse.ArgumentParser(
        prog=f"python -m {PROG}",
        description="Compare the course dataset with EMA's medicines export (docs/architecture.md §4).",
        epilog=f"EMA's JSON export: {JSON_URL}. Exit status: 0 success (differences are not "
               "errors), 2 unreadable or malformed export or dataset (one line on stderr, nothing "
               "written).")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    rec = sub.add_parser(
        "reconcile", help="report new, changed and missing ATMPs against data/atmps.csv",
        description="Compare the human ATMPs (advanced_therapy = Yes) ever authorised in EXPORT with "
                    "atmps.csv, matched by EMA product number, then by product name. Reports new "
                    "products, changed fields (status, status_date, ec_decision_date; and, "
                    "mah, ema_product_number where ours is empty; and, informational only, "
                    "orphan/prime/accelerated_assessment, which EMA gives "
                    "as of today) and missing products. Also lists the ATMP applications that "
                    "did not end in an authorisation (refused, application withdrawn, negative "
                    "opinion), found by product number or name in failed-applications.csv and "
                    "atmps.csv or by EMA's advanced_therapy flag, which is shown as information "
                    "because it is not reliable; dates the export omits are reported as missing.")
    rec.add_argument("export", metavar="EXPORT", type=Path,
                     help="EMA medicines report, JSON or XLSX (format detected from the content)")
    rec.add_argument("--json", action="store_true",
                     help="print one JSON object with keys new, changed, missing, failed (and ignored)")
    rec.add_argument("--apply", action="store_true",
                     help="write the EMA-owned fields (status, status_date, holder, current "
                          "authorisation type) with the dated events of each change, append new "
                          "ATMPs and failed applications marked NEEDS CURATION, record the edition "
                          "in editions.csv; all files or none; never deletes rows or edits curated "
                          "columns (atmp.refresh)")
    rec.add_argument("--export-date", metavar="YYYY-MM-DD", type=dt.date.fromisoformat,
                     help="the export's date, for an export without meta.timestamp (XLSX); it "
                          "dates the edition and names the export in the events written")
    rec.add_argument("--data-dir", metavar="DIR", type=Path, default=data.DATA_DIR,
                     help=f"dataset folder (default: {data.DATA_DIR})")
    return parser


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _read_ours(data_dir: Path) -> list[dict[str, str]]:
    """The rows of ``atmps.csv``; ValueError if a column this module needs is missing."""
    rows = data.read_rows("atmps", data_dir)
    path = data_dir / data.resource("atmps", data_dir)["path"]
    with path.open(encoding="utf-8", newline="") as fh:
        header = next(csv.reader(fh), [])
    lacking = [c for c in OUR_COLUMNS if c not in header]
    if lacking:
        raise ValueError(f"atmps.csv lacks column(s) {', '.join(lacking)}")
    if any(None in r or None in r.values() for r in rows):
        raise ValueError("atmps.csv has a row with the wrong number of fields")
    return rows


def _read_failed(data_dir: Path) -> list[dict[str, str]]:
    """The rows of ``failed-applications.csv`` ([] if the package has no such table)."""
    if not any(r["name"] == FAILED for r in data.package(data_dir)["resources"]):
        return []
    rows = data.read_rows(FAILED, data_dir)
    if any(None in r or None in r.values() for r in rows):
        raise ValueError(f"{FAILED}.csv has a row with the wrong number of fields")
    return rows


def reconcile_command(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Run ``reconcile``: parse everything, report, then apply if asked. Returns the exit status."""
    try:
        export = load_export(args.export)
    except ExportError as exc:
        print(f"{PROG}: {args.export.name}: {_one_line(exc)}", file=err)
        return 2
    except OSError as exc:
        print(f"{PROG}: {args.export.name}: cannot read: {_one_line(exc.strerror or exc)}", file=err)
        return 2
    data_dir = Path(args.data_dir)
    try:
        ours = _read_ours(data_dir)
        report = reconcile(export, ours, failed_rows=_read_failed(data_dir))
    except ExportError as exc:
        print(f"{PROG}: {args.export.name}: {_one_line(exc)}", file=err)
        return 2
    except (OSError, ValueError, KeyError, TypeError, csv.Error) as exc:
        print(f"{PROG}: {data_dir}: cannot read the dataset: {_one_line(exc)}", file=err)
        return 2
    result = None
    if args.apply:
        from atmp import refresh  # the writing side (docs/architecture.md §4)

        try:
            result = refresh.apply_report(report, data_dir, args.export_date, export)
        except refresh.ApplyError as exc:
            print(f"{PROG}: {args.export.name}: {_one_line(exc)}", file=err)
            return 2
        except (OSError, ValueError, KeyError, csv.Error) as exc:
            print(f"{PROG}: {data_dir}: cannot write the dataset: {_one_line(exc)}", file=err)
            return 2
    if args.json:
        doc = report.as_json()
        if result is not None:
            doc |= {"applied": len(result.plan.done), "done": result.plan.done,
                    "needs_curation": result.plan.curation, "written": result.written,
                    "edition": result.plan.edition.isoformat(),
                    "events": result.plan.events, "ledger": result.ledger}
        print(json.dumps(doc, ensure_ascii=False, indent=1), file=out)
    else:
        print(format_text(report, args.export.name), file=out)
        if result is not None:
            print("\n" + format_applied(result, data_dir), file=out)
    return 0


def format_applied(result, data_dir: Path) -> str:
    """What ``--apply`` wrote and what it left for a person (the refresh report's second half)."""
    p = result.plan
    lines = [f"applied: {len(p.done)} change(s) for the edition of {p.edition.isoformat()} "
             f"(EMA medicines export {p.export_date.isoformat()}); files written: "
             f"{', '.join(result.written) or 'none (nothing to change)'}"]
    lines += [f"  {d}" for d in p.done]
    if p.events:
        lines += ["", "Events written to events.csv:"]
        lines += [f"  {e['product']}, {e['date']}, {e['event']}" for e in p.events]
    if result.ledger:
        lines += ["", f"Edition ledger: {len(result.ledger)} entr(y/ies) appended to editions.csv"]
    if p.curation:
        lines += ["", "Needs curation (nothing written for these):"]
        lines += [f"  {c}" for c in p.curation]
    if p.new_products or p.failed:
        lines += ["", f"New rows say NEEDS CURATION in notes; python -m atmp.data {data_dir} lists "
                      "what they lack."]
    return "\n".join(lines)


    return 0


def main(argv: list[str] | None = None, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Entry point of ``python -m atmp.ema``; returns the exit status (argparse errors exit 2)."""
    args = build_parser().parse_args(argv)
    out, err = out or sys.stdout, err or sys.stderr
    return reconcile_command(args, out, err)


if __name__ == "__main__":
    raise SystemExit(main())
