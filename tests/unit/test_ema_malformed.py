"""atmp.ema on broken exports: exit 2, one line on stderr naming the file, no traceback, nothing written.

Each hand-made case runs the real command line in a subprocess with --apply against a temp copy of
the fixture dataset; a hypothesis property corrupts a valid export at random and checks the same
promise in-process (plus a few of its corruptions through the subprocess).
"""

import copy
import hashlib
import io
import json
import random
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from atmp import ema

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "ema"
EXPORT = FIXTURES / "export.json"
VALID = EXPORT.read_bytes()


def digest(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (hidden temp files included) with the hash of its bytes."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def dataset(tmp_path):
    shutil.copytree(FIXTURES / "dataset", tmp_path / "data")
    return tmp_path / "data"


def cli(export: Path, data_dir: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "atmp.ema", "reconcile", str(export), "--apply",
                           "--data-dir", str(data_dir)], capture_output=True, text=True, timeout=60)


def assert_refused(proc_or_tuple, name: str, before: dict, data_dir: Path, expect: str = ""):
    code, out, err = proc_or_tuple
    assert code == 2, (code, out, err)
    assert "Traceback" not in err and "Traceback" not in out
    lines = err.splitlines()
    assert len(lines) == 1 and err.endswith("\n"), err
    assert lines[0].startswith(f"atmp.ema: {name}: "), err
    assert expect.lower() in lines[0].lower(), err
    assert out == ""
    assert digest(data_dir) == before


def doc_with(change) -> bytes:
    doc = json.loads(VALID)
    change(doc)
    return json.dumps(doc).encode()


def _drop_key(doc):
    del doc["data"][5]["marketing_authorisation_date"]


def _bad_date(doc):
    doc["data"][0]["marketing_authorisation_date"] = "31/02/2020"


def _flag_as_number(doc):
    doc["data"][2]["orphan_medicine"] = 1


def _name_as_list(doc):
    doc["data"][1]["name_of_medicine"] = ["Strimvelis"]


def _not_a_flag(doc):
    doc["data"][1]["advanced_therapy"] = "Perhaps"


def _xlsx_bytes(rows) -> bytes:
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _zip_not_xlsx() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("hello.txt", "not a workbook")
    return buf.getvalue()


CASES = {
    "empty": ("export.json", b"", "empty file"),
    "blank": ("export.json", b"  \n\t\n", "empty file"),
    "truncated": ("export.json", VALID[: len(VALID) // 2], "truncated or invalid JSON at line"),
    "dict-without-data": ("export.json", b'{"meta": {"total_records": 0}, "records": []}', "'data'"),
    "list-of-strings": ("export.json", b'["Kymriah", "Glybera"]', "record 1 is str"),
    "data-is-a-dict": ("export.json", b'{"data": {"category": "Human"}}', "'data' is an object"),
    "data-is-null": ("export.json", b'{"data": null}', "'data' is null"),
    "top-level-number": ("export.json", b"42", "expected a list"),
    "no-records": ("export.json", b'{"data": []}', "no records"),
    "missing-required-key": ("export.json", doc_with(_drop_key), "lacks required key(s): marketing_auth"),
    "impossible-date": ("export.json", doc_with(_bad_date), "'31/02/2020' is not a valid date"),
    "flag-as-number": ("export.json", doc_with(_flag_as_number), "orphan_medicine is int"),
    "name-as-list": ("export.json", doc_with(_name_as_list), "name_of_medicine is a list"),
    "not-yes-or-no": ("export.json", doc_with(_not_a_flag), "'Perhaps' is not Yes or No"),
    "duplicate-atmp": ("export.json",
                       doc_with(lambda d: d["data"].append(copy.deepcopy(d["data"][0]))), "appears twice"),
    "non-utf8": ("export.json", VALID[:200] + b"\xff\xfe\xfa" + VALID[200:], "not UTF-8"),
    "latin1": ("export.json", VALID.decode().replace("β", "b").encode().replace(b"Europharm", b"Europ\xe4rm"),
               "not UTF-8"),
    "deep-nesting": ("export.json", b"[" * 100000 + b"]" * 100000, "JSON"),
    "text-claiming-xlsx": ("medicines.xlsx", b"Name of medicine,EMA product number\nKymriah,x\n",
                           "not an XLSX workbook"),
    "zip-not-xlsx": ("medicines.xlsx", _zip_not_xlsx(), "not a readable XLSX workbook"),
    "truncated-xlsx": ("medicines.xlsx", _xlsx_bytes([["a", "b"]] * 50)[:400], "not a readable XLSX"),
    "xlsx-without-header": ("medicines.xlsx", _xlsx_bytes([["Medicines output"], [], ["Kymriah", "Human"]]),
                            "no header row"),
    "xlsx-incomplete-header": ("medicines.xlsx",
                               _xlsx_bytes([["intro"], ["Category", "Name of medicine", "EMA product number",
                                                        "Medicine status"], ["Human", "Kymriah"]]),
                               "row 2 lacks 'International non-proprietary name (INN) / common name'"),
}


@pytest.mark.parametrize("case", CASES)
def test_malformed_export_is_refused_with_one_line(case, dataset, tmp_path):
    name, content, expect = CASES[case]
    export = tmp_path / name
    export.write_bytes(content)
    before = digest(dataset)
    proc = cli(export, dataset)
    assert_refused((proc.returncode, proc.stdout, proc.stderr), name, before, dataset, expect)


def test_missing_export_file(dataset, tmp_path):
    before = digest(dataset)
    proc = cli(tmp_path / "nope.json", dataset)
    assert_refused((proc.returncode, proc.stdout, proc.stderr), "nope.json", before, dataset,
                   "no such file")


def test_directory_as_export(dataset, tmp_path):
    (tmp_path / "adir").mkdir()
    before = digest(dataset)
    proc = cli(tmp_path / "adir", dataset)
    assert_refused((proc.returncode, proc.stdout, proc.stderr), "adir", before, dataset, "cannot read")


def test_the_valid_export_passes_the_same_harness(dataset):
    # the harness above can tell success from failure: the untouched export exits 0 and writes
    proc = cli(EXPORT, dataset)
    assert proc.returncode == 0 and proc.stderr == ""
    assert "Casgevy" in (dataset / "atmps.csv").read_text(encoding="utf-8")


# ----------------------------------------------------------------------------- random corruption

KEYS = [k for k, _ in ema.FIELDS]
ODD_VALUES = [None, 0, 1.5, True, [], {}, ["x"], {"a": 1}, "", "Yes", "31/02/2020", "&nbsp;", "\x00",
              "EMEA/H/C/004090", "Authorised", "Withdrawn", "32/13/2020", "2020-01-01", "x" * 300]


@st.composite
def corrupted(draw) -> bytes:
    """A valid export damaged at the byte level or in its structure."""
    kind = draw(st.sampled_from(["truncate", "flip", "insert", "delete", "drop-key", "change-type",
                                 "reshape"]))
    raw = VALID
    if kind == "truncate":
        return raw[: draw(st.integers(0, len(raw) - 1))]
    if kind in ("flip", "insert", "delete"):
        pos = draw(st.integers(0, len(raw) - 1))
        if kind == "flip":
            return raw[:pos] + bytes([raw[pos] ^ draw(st.integers(1, 255))]) + raw[pos + 1:]
        if kind == "insert":
            return raw[:pos] + draw(st.binary(min_size=1, max_size=8)) + raw[pos:]
        return raw[:pos] + raw[pos + draw(st.integers(1, 64)):]
    doc = json.loads(raw)
    recs = doc["data"]
    i = draw(st.integers(0, len(recs) - 1))
    key = draw(st.sampled_from(KEYS))
    if kind == "drop-key":
        recs[i].pop(key, None)
    elif kind == "change-type":
        recs[i][key] = draw(st.sampled_from(ODD_VALUES))
    else:
        shape = draw(st.sampled_from(["data-dict", "record-str", "record-list", "meta-odd", "no-data",
                                      "bare-list", "record-null"]))
        if shape == "data-dict":
            doc["data"] = recs[i]
        elif shape == "record-str":
            recs[i] = recs[i]["name_of_medicine"]
        elif shape == "record-list":
            recs[i] = list(recs[i].values())
        elif shape == "record-null":
            recs[i] = None
        elif shape == "meta-odd":
            doc["meta"] = draw(st.sampled_from(ODD_VALUES))
        elif shape == "no-data":
            del doc["data"]
        else:
            doc = recs
    return json.dumps(doc).encode()


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    base = tmp_path_factory.mktemp("ema-property")
    pristine = base / "pristine"
    shutil.copytree(FIXTURES / "dataset", pristine)
    return base, pristine


def run_inprocess(export: Path, data_dir: Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = ema.main(["reconcile", str(export), "--apply", "--json", "--data-dir", str(data_dir)],
                    out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=corrupted())
def test_random_corruption_never_crashes(scratch, content):
    base, pristine = scratch
    work = base / "data"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(pristine, work)
    export = base / "export.json"
    export.write_bytes(content)
    before = digest(work)
    code, out, err = run_inprocess(export, work)  # an exception here is the traceback we rule out
    assert code in (0, 2)
    if code == 2:
        assert_refused((code, out, err), "export.json", before, work)
    else:
        assert err == "" and set(json.loads(out)) >= {"new", "changed", "missing"}


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_random_corruption_through_the_real_command_line(seed, dataset, tmp_path):
    rng = random.Random(seed)
    raw = bytearray(VALID)
    for _ in range(rng.randint(1, 6)):  # a few byte-level wounds
        pos = rng.randrange(len(raw))
        if rng.random() < 0.5:
            raw[pos] ^= rng.randrange(1, 256)
        else:
            del raw[pos: pos + rng.randint(1, 40)]
    export = tmp_path / f"corrupt-{seed}.json"
    export.write_bytes(bytes(raw))
    before = digest(dataset)
    proc = cli(export, dataset)
    assert proc.returncode in (0, 2) and "Traceback" not in proc.stderr
    if proc.returncode == 2:
        assert_refused((proc.returncode, proc.stdout, proc.stderr), export.name, before, dataset)
