"""The scheduled refresh workflow (.github/workflows/refresh.yml): it cannot run here, so its
shape is checked: a monthly schedule and a manual trigger, the refresh with --apply, the tests,
and a pull request (never a push to main) whose body is the report the Makefile writes."""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / ".github" / "workflows" / "refresh.yml"


def load():
    doc = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    # YAML 1.1 reads the key "on" as True
    return doc, doc.get("on", doc.get(True))


def steps():
    doc, _ = load()
    (job,) = doc["jobs"].values()
    return job["steps"]


def test_runs_monthly_and_on_demand():
    _, on = load()
    assert "workflow_dispatch" in on
    (cron,) = [s["cron"] for s in on["schedule"]]
    minute, hour, day, month, weekday = cron.split()
    assert day.isdigit() and 1 <= int(day) <= 28 and month == "*" and weekday == "*"
    assert minute.isdigit() and hour.isdigit()


def test_refreshes_with_apply_then_tests():
    runs = [s.get("run", "") for s in steps()]
    refresh = next(i for i, r in enumerate(runs) if "make refresh" in r)
    assert re.search(r"\bAPPLY=1\b", runs[refresh])
    assert any("atmp.data" in r for r in runs[refresh + 1:])
    assert any(re.search(r"\bmake\b.*\b(test|unit)\b", r) for r in runs[refresh + 1:])
    assert "refresh:" in (ROOT / "Makefile").read_text(encoding="utf-8")


def test_opens_a_pull_request_with_the_report_as_body():
    (pr,) = [s for s in steps() if s.get("uses", "").startswith("peter-evans/create-pull-request@")]
    assert re.fullmatch(r"peter-evans/create-pull-request@v\d+\.\d+\.\d+", pr["uses"])  # pinned
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    report = re.search(r"^REFRESH_REPORT \?= (\S+)", makefile, re.M).group(1)
    assert pr["with"]["body-path"] == report
    assert pr["with"]["branch"] not in ("main", "master")
    doc, _ = load()
    assert doc["permissions"]["pull-requests"] == "write"
