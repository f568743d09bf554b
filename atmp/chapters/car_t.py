"""Chapter *CAR-T cells* (``notebooks/car-t.ipynb``): the chapter contract.

The models (Stein 2019 kinetics, the León-Triana 2021 CAR-T–tumour model) and the drawings of
the constructs and trials are in :mod:`atmp.models.car_t`; the chapter's data are
``data/car-t-constructs.csv`` and ``data/car-t-trials.csv``.
"""

from __future__ import annotations

import pandas as pd

from atmp import chapters, data, record
from atmp.models import car_t as model
from atmp.models.car_t import KINETICS, TUMOUR
from atmp.text import join_names, long_date

CHAPTER = "car-t"
WIDGETS = (KINETICS, TUMOUR)


def products(atmps: pd.DataFrame) -> pd.DataFrame:
    """The CAR-T products of the dataset, oldest first."""
    return record.chapter_products(atmps, CHAPTER)


def product_table(atmps: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """The chapter's products with their CAR (from the data) in decision-date order."""
    cons = data.load("car-t-constructs")[["product", "binder", "costimulatory"]]
    t = products(atmps).merge(cons, on="product", how="left")
    out = pd.DataFrame({
        "product": t["product"], "INN": t["inn"], "target": t["target"].str.split(" ").str[0],
        "costimulation": t["costimulatory"],
        "vector": t["vector"], "authorised": t["ec_decision_date"].dt.strftime("%Y-%m-%d"),
        "type at authorisation": t["authorisation_type"], "status": t["status"]})
    return out.reset_index(drop=True)


def events_table(atmps: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """The regulatory events of the CAR-T products, by date."""
    return record.events_table(atmps, events, CHAPTER)


def trial_table() -> pd.DataFrame:
    """A compact view of ``car-t-trials`` for the page (percentages; blank = not verified)."""
    trials = data.load("car-t-trials")
    t = trials.rename(columns={"indication_short": "disease", "n_response": "n",
                               "response_pct": "response %", "crs_grade3_pct": "CRS ≥3 %",
                               "neuro_grade3_pct": "neurotox. ≥3 %"})
    cols = ["product", "trial", "disease", "n", "response %", "CRS ≥3 %", "neurotox. ≥3 %"]
    out = t[cols].astype({"n": int}).astype(object)
    for c in ["response %", "CRS ≥3 %", "neurotox. ≥3 %"]:
        out[c] = ["" if pd.isna(v) else f"{v:g}" for v in t[c]]
    return out


def product_facts(atmps: pd.DataFrame) -> dict:
    """Glue values for *The products*."""
    t = products(atmps)
    cons = data.load("car-t-constructs")
    trials = data.load("car-t-trials")
    first = t.iloc[0]
    cond = t[t["authorisation_type"] == "conditional"]
    cd28 = cons[cons["costimulatory"] == "CD28"]
    bb = cons[cons["costimulatory"] == "4-1BB"]
    return {
        "car-t-n": len(t), "car-t-n-authorised": int((t["status"] == "authorised").sum()),
        "car-t-names": join_names(t["product"]),
        "car-t-first-date": long_date(first["ec_decision_date"]),
        "car-t-first-names": join_names(t.loc[t["ec_decision_date"] == first["ec_decision_date"],
                                              "product"]),
        "car-t-newest": t.iloc[-1]["product"],
        "car-t-newest-date": long_date(t.iloc[-1]["ec_decision_date"]),
        "car-t-n-cd19": int(t["target"].str.startswith("CD19").sum()),
        "car-t-n-bcma": int(t["target"].str.startswith("BCMA").sum()),
        "car-t-n-41bb": len(bb), "car-t-41bb-names": join_names(bb["product"]),
        "car-t-n-cd28": len(cd28), "car-t-cd28-names": join_names(cd28["product"]),
        "car-t-n-lenti": int((t["vector"] == "lentiviral").sum()),
        "car-t-n-gamma": int((t["vector"] == "gammaretroviral").sum()),
        "car-t-n-conditional": len(cond), "car-t-conditional-names": join_names(cond["product"]),
        "car-t-n-orphan": int(t["orphan"].sum()), "car-t-n-prime": int(t["prime"].sum()),
        "car-t-n-trials": len(trials), "car-t-trial-names": join_names(trials["trial"]),
    }


def facts(atmps: pd.DataFrame, events: pd.DataFrame) -> dict:
    """Every value the chapter's prose pastes (keys ``car-t-…``)."""
    return {**chapters.common_facts(CHAPTER), **product_facts(atmps),
            **model.kinetics_facts(), **model.tumour_facts()}


def figures(atmps: pd.DataFrame, events: pd.DataFrame) -> dict:
    """The chapter's static figures, drawn when asked."""
    return {
        "car-t-constructs": lambda: model.draw_constructs(data.load("car-t-constructs")),
        "car-t-trials": lambda: model.draw_trials(data.load("car-t-trials")),
    }
