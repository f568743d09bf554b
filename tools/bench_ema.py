"""Time ``atmp.ema`` on an export the size of a pessimistic future EMA file (not a unit test).

Builds a synthetic JSON export of 20,000 medicines (EMA's real one holds about 2,600), 48 of them
human ATMPs, writes it to a temp folder beside a copy of the fixture dataset, and times parsing
plus reconciling, in-process and through the command line. Target: under 2 s in-process.

    .venv/bin/python tools/bench_ema.py [N_MEDICINES]
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from atmp import data, ema

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_DATASET = ROOT / "tests" / "fixtures" / "ema" / "dataset"
N_ATMPS = 48
TARGET_S = 2.0


def synthetic_record(i: int, rng: random.Random, atmp: bool) -> dict[str, str]:
    """One plausible record with all 39 fields, EMA-style values (DD/MM/YYYY, Yes/No, entities)."""
    day = lambda: f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.randint(1996, 2026)}"  # noqa: E731
    yes_no = lambda p=0.1: "Yes" if rng.random() < p else "No"  # noqa: E731
    status = rng.choice(["Authorised"] * 6 + ["Withdrawn", "Refused", "Expired", "Lapsed", "Opinion"])
    authorised = status not in ("Refused", "Opinion")
    rec = {k: "" for k, _ in ema.FIELDS}
    rec.update(
        category="Human" if rng.random() < 0.85 else "Veterinary",
        name_of_medicine=f"Medicine {i} ", ema_product_number=f"EMEA/H/C/{100000 + i:06d}",
        medicine_status=status, international_non_proprietary_name_common_name=f"substance {i}",
        active_substance=f"substance {i}", therapeutic_area_mesh="Neoplasms;Lymphoma, Large B-Cell, Diffuse",
        therapeutic_indication=("Treatment of adults with a long and detailed indication&nbsp;"
                                "that mentions &lt;18 years " * 8),
        patient_safety=yes_no(), accelerated_assessment=yes_no(), additional_monitoring=yes_no(0.3),
        advanced_therapy="Yes" if atmp else "No", biosimilar=yes_no(), conditional_approval=yes_no(),
        exceptional_circumstances=yes_no(0.05), generic=yes_no(0.2), orphan_medicine=yes_no(0.15),
        prime_priority_medicine=yes_no(0.05),
        marketing_authorisation_developer_applicant_holder="Example Pharma B.V. ",
        european_commission_decision_date=day(), opinion_adopted_date=day(),
        marketing_authorisation_date=day() if authorised else "",
        withdrawal_expiry_revocation_lapse_of_marketing_authorisation_date=day()
        if status in ("Withdrawn", "Expired", "Lapsed") else "",
        revision_number=str(rng.randint(0, 40)), first_published_date=day(), last_updated_date=day(),
        medicine_url=f"https://www.ema.europa.eu/en/medicines/human/EPAR/medicine-{i}",
    )
    if rec["category"] == "Veterinary":
        rec["ema_product_number"] = rec["ema_product_number"].replace("/H/", "/V/")
    return rec


def build_export(path: Path, n: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    atmp_ids = set(rng.sample(range(n), N_ATMPS))
    records = [synthetic_record(i, rng, i in atmp_ids) for i in range(n)]
    path.write_text(json.dumps({"meta": {"total_records": n, "timestamp": "2026-11-25T06:00:00Z"},
                                "data": records}), encoding="utf-8")


def main(argv: list[str]) -> int:
    n = int(argv[0]) if argv else 20_000
    with tempfile.TemporaryDirectory() as tmp:
        export, data_dir = Path(tmp) / "export.json", Path(tmp) / "data"
        shutil.copytree(FIXTURE_DATASET, data_dir)
        build_export(export, n)
        size_mb = export.stat().st_size / 1e6
        best = best_cpu = float("inf")
        for _ in range(3):
            t0, c0 = time.perf_counter(), time.process_time()
            report = ema.reconcile(ema.load_export(export), data.read_rows("atmps", data_dir))
            best = min(best, time.perf_counter() - t0)
            best_cpu = min(best_cpu, time.process_time() - c0)
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "atmp.ema", "reconcile", str(export), "--json",
                               "--data-dir", str(data_dir)], capture_output=True, text=True)
        cli_s = time.perf_counter() - t0
    print(f"export: {n} medicines, {size_mb:.1f} MB; {report.compared} human ATMPs compared, "
          f"{len(report.new)} new, {len(report.missing)} missing")
    print(f"parse + reconcile (in-process, best of 3): {best:.2f} s wall, {best_cpu:.2f} s CPU  "
          f"(target < {TARGET_S:.0f} s; load average {os.getloadavg()[0]:.1f})")
    print(f"whole command line incl. interpreter start (exit {proc.returncode}): {cli_s:.2f} s")
    return 0 if best < TARGET_S and proc.returncode == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
