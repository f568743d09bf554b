"""One-off: record the editions already in the git history in ``data/editions.csv``.

Run once, in a full clone (not a shallow one), when the ledger was introduced::

    .venv/bin/python tools/backfill_editions.py [--write]

It walks ``git log -p data/datapackage.json`` oldest first, reads the ``data_as_of`` of every
commit that touched ``data/``, and takes each edition's last commit (the newest edition: the
working tree). For each edition in turn it records what that state holds beyond the ledger so
far (:func:`atmp.changelog.new_entries`). Without ``--write`` it prints the entries. It refuses
to overwrite a ledger that already has rows. After this, ``python -m atmp.ema reconcile EXPORT
--apply`` appends each new edition itself, in the same transaction as the data.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from atmp import changelog, data, refresh  # noqa: E402


def git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, check=True, capture_output=True,
                          text=True).stdout


def editions_in_history() -> list[tuple[str, str]]:
    """(edition, last commit of it) oldest first, from the commits that touched ``data/``."""
    commits = git("log", "--reverse", "--format=%H", "--", "data/").split()
    last: dict[str, str] = {}
    order: list[str] = []
    for c in commits:
        try:
            pkg = json.loads(git("show", f"{c}:data/datapackage.json"))
        except (subprocess.CalledProcessError, json.JSONDecodeError):
            continue
        ed = pkg.get("data_as_of")
        if not ed:
            continue
        if ed not in last:
            order.append(ed)
        last[ed] = c
    return [(ed, last[ed]) for ed in order]


def checkout_data(commit: str, into: Path) -> Path:
    """The ``data/`` folder of a commit, extracted into ``into``."""
    target = into / commit[:12]
    target.mkdir(parents=True)
    for name in git("ls-tree", "--name-only", commit, "data/").split():
        if name.endswith((".csv", ".json")):
            (target / Path(name).name).write_bytes(subprocess.run(
                ["git", "show", f"{commit}:{name}"], cwd=ROOT, check=True,
                capture_output=True).stdout)
    return target


def backfill() -> list[dict[str, str]]:
    """The ledger rows of every edition in the history (the newest from the working tree)."""
    history = editions_in_history()
    ledger: list[dict[str, str]] = []
    readers = refresh.first_readers(data.DATA_DIR)
    with tempfile.TemporaryDirectory() as tmp:
        for k, (_ed, commit) in enumerate(history):
            newest = k == len(history) - 1
            folder = data.DATA_DIR if newest else checkout_data(commit, Path(tmp))
            snap = changelog.snapshot(folder)
            ledger += changelog.new_entries(snap, ledger, data.data_as_of(folder), readers)
    return ledger


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="write data/editions.csv")
    args = parser.parse_args(argv)
    path = data.DATA_DIR / "editions.csv"
    if path.exists() and data.read_rows(changelog.LEDGER):
        print(f"{path} already has rows: the backfill runs once", file=sys.stderr)
        return 1
    rows = backfill()
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=changelog.COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    if args.write:
        refresh.write_all({path: buf.getvalue()})
        print(f"{path}: {len(rows)} entries in {len({r['edition'] for r in rows})} edition(s)")
    else:
        print(buf.getvalue(), end="")
    return 0


if __name__ == "__main__":
    shutil.which("git") or sys.exit("git is needed")
    raise SystemExit(main())
