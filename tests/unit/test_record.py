"""The one analysis of the product record (atmp.record), on a made-up record that holds the
cases the real one does not yet: a suspension later lifted, a withdrawal that takes effect after
the decision EMA dates it by, a suspension never lifted before expiry, a status change with no
event, a conversion, a conversion known only from EMA's current type, and a conditional authorisation
with no recorded outcome."""

import ast
import shutil
from pathlib import Path

import pandas as pd
import pytest

from atmp import data, record

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "record"


@pytest.fixture(scope="module")
def rec(tmp_path_factory):
    d = tmp_path_factory.mktemp("record")
    for f in FIXTURE.glob("*.csv"):
        shutil.copy(f, d / f.name)
    shutil.copy(data.DATA_DIR / data.DATAPACKAGE, d / data.DATAPACKAGE)
    return data.load_atmps(d), data.load_events(d)


def _exit(rec, product):
    atmps, events = rec
    left = record.exit_dates(atmps, events)
    return left[atmps["product"] == product].iloc[0]


def test_a_lifted_suspension_is_not_an_exit(rec):
    assert pd.isna(_exit(rec, "Alpha"))


def test_a_product_is_off_the_market_while_suspended_and_back_after_the_lift(rec):
    atmps, events = rec
    alpha = atmps["product"] == "Alpha"
    assert not record.on_market(atmps, events, "2016-03-01")[alpha].iloc[0]
    assert record.on_market(atmps, events, "2016-07-01")[alpha].iloc[0]


def test_a_withdrawal_counts_from_the_day_it_takes_effect_not_the_decision(rec):
    # status_date (the decision EMA lists) is 2020-01-10; the withdrawal took effect 2020-03-01
    assert _exit(rec, "Beta") == pd.Timestamp("2020-03-01")


def test_a_suspension_never_lifted_is_the_exit_even_if_the_authorisation_expires_later(rec):
    assert _exit(rec, "Gamma") == pd.Timestamp("2015-05-01")


def test_the_authorisation_end_is_a_second_date_only_after_a_suspension_never_lifted(rec):
    atmps, events = rec
    ended = record.authorisation_end_dates(atmps, events).set_axis(atmps["product"])
    assert ended["Gamma"] == pd.Timestamp("2018-01-01")      # expired after the suspension
    assert ended["Beta"] == pd.Timestamp("2020-03-01")       # same as its exit
    assert pd.isna(ended["Alpha"]) and pd.isna(ended["Delta"])  # still authorised
    labels = record.exit_labels(atmps, events).set_axis(atmps["product"])
    assert labels["Gamma"] == "2015-05-01 (suspended; expired 2018-01-01)"
    assert labels["Beta"] == "2020-03-01" and labels["Alpha"] == ""
    spans = record.authorisation_spans(atmps, events, "2025-01-01").set_index("product")
    assert spans.loc["Gamma", "end"] == pd.Timestamp("2015-05-01")
    assert spans.loc["Gamma", "ended"] == pd.Timestamp("2018-01-01")
    assert spans["ended"].notna().sum() == 1


def test_a_status_change_without_an_event_exits_on_the_status_date(rec):
    assert _exit(rec, "Zeta") == pd.Timestamp("2019-05-05")


def test_market_counts_add_up_and_follow_the_rule(rec):
    atmps, events = rec
    table = record.market_by_date(atmps, events, ["2015-12-31", "2016-03-01", "2020-02-01",
                                                  "2020-03-01", "2026-01-01"])
    assert (table["ever authorised"] == table["on the market"] + table["left the market"]).all()
    # 2016-03-01: Gamma (suspended 2015) and Alpha (suspended, not yet lifted) are off
    assert table.loc["2016-03-01", "left the market"] == 2
    # Beta is still on the market between its withdrawal decision and the day it takes effect
    assert table.loc["2020-02-01", "left the market"] == 2  # Gamma and Zeta
    assert table.loc["2020-03-01", "left the market"] == 3
    assert table.loc["2026-01-01"].tolist() == [8, 5, 3]


def test_lifted_suspensions_are_listed(rec):
    _, events = rec
    lifted = record.suspensions_lifted(events)
    assert lifted["product"].tolist() == ["Alpha"]
    assert lifted["lifted"].iloc[0] == pd.Timestamp("2016-06-01")


def test_conditional_outcomes_never_infer_still_conditional(rec):
    atmps, events = rec
    out = record.conditional_outcomes(atmps, events).set_index("product")
    assert out.loc["Delta", "outcome"] == "converted to standard"
    assert out.loc["Delta", "outcome_date"] == pd.Timestamp("2021-02-01")
    assert out.loc["Gamma", "outcome"] == "left the market (expired)"
    assert out.loc["Gamma", "outcome_date"] == pd.Timestamp("2015-05-01")
    assert out.loc["Epsilon", "outcome"] == "no conversion recorded"
    assert "still conditional" not in set(out["outcome"])


def test_a_conversion_without_an_event_is_read_from_emas_current_type(rec):
    # Eta: first conditional, EMA's type today standard, no conversion event -> converted, but
    # the date is not invented; Theta: EMA's flag says conditional -> still conditional (EMA flag)
    atmps, events = rec
    out = record.conditional_outcomes(atmps, events).set_index("product")
    assert out.loc["Eta", "outcome"] == "converted (date not seen)"
    assert pd.isna(out.loc["Eta", "outcome_date"])
    assert out.loc["Theta", "outcome"] == "still conditional (EMA flag)"
    assert pd.isna(out.loc["Theta", "outcome_date"])
    # a dated event wins over the flag, and a missing flag stays "no conversion recorded"
    assert out.loc["Delta", "outcome"] == "converted to standard"
    assert out.loc["Epsilon", "outcome"] == "no conversion recorded"


def test_spans_measure_the_authorisation_and_censor_at_the_data_date(rec):
    atmps, events = rec
    spans = record.authorisation_spans(atmps, events, "2026-01-01").set_index("product")
    assert spans.loc["Beta", "lost"]
    assert spans.loc["Beta", "years"] == pytest.approx((pd.Timestamp("2020-03-01")
                                                        - pd.Timestamp("2012-01-01")).days / 365.25)
    assert not spans.loc["Alpha", "lost"]
    assert spans.loc["Alpha", "end"] == pd.Timestamp("2026-01-01")


def test_no_other_module_has_its_own_exit_rule():
    # One rule: nothing else in the package defines exit dates or a list of exit events.
    offenders = []
    for path in (ROOT / "atmp").rglob("*.py"):
        if path.name == "record.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and node.name in {"exit_dates", "time_on_market"}:
                offenders.append(f"{path.name}: def {node.name}")
            if isinstance(node, ast.Assign):
                for t in node.targets:
                    if isinstance(t, ast.Name) and t.id in {"EXIT_EVENTS", "EXIT_STATUSES"}:
                        offenders.append(f"{path.name}: {t.id}")
    assert offenders == []
