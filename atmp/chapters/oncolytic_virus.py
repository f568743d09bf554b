"""Chapter *Oncolytic and HSV-based vectors* (``notebooks/oncolytic-virus.ipynb``): the chapter contract.

The virus–tumour model (Wodarz 2001), the construct schematic and the drawing of the pivotal
responses are in :mod:`atmp.models.oncolytic`; the chapter's data are
``data/oncolytic-virus-trials.csv``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from atmp import chapters, record
from atmp.models import oncolytic as model
from atmp.text import join_names, sci

CHAPTER = "oncolytic-virus"
WIDGETS = (model.DYNAMICS_WIDGET,)
#: Infection rate constants of the numerical check of the threshold figure.
SCAN_B = np.linspace(0.1, 4.0, 14)


def products(atmps: pd.DataFrame) -> pd.DataFrame:
    """The chapter's products (oncolytic virus, HSV-1 vector, in vivo adenoviral), oldest first."""
    return record.chapter_products(atmps, CHAPTER)


def product_table(atmps: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """The chapter's products with family, vector, route and regulatory route, by date."""
    df = products(atmps)
    return pd.DataFrame({
        "product": df["product"], "INN": df["inn"], "family": df["mechanism_family"].astype(str),
        "vector": df["vector"], "route": df["route"], "indication": df["therapeutic_area"],
        "authorised": df["ec_decision_date"].dt.strftime("%Y-%m-%d"),
        "type": df["authorisation_type"].astype(str), "status": df["status"].astype(str),
    }).reset_index(drop=True)


def events_table(atmps: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """The regulatory events of the chapter's products, by date."""
    return record.events_table(atmps, events, CHAPTER)


def product_facts(atmps: pd.DataFrame) -> dict:
    """Glue values for *The products* and *Regulatory story*."""
    t = products(atmps)
    iml = t.set_index("product").loc["Imlygic"]
    return {
        "oncolytic-virus-n": len(t), "oncolytic-virus-names": join_names(t["product"]),
        "oncolytic-virus-imlygic-date": iml["ec_decision_date"],
        "oncolytic-virus-newest": t.iloc[-1]["product"],
        "oncolytic-virus-newest-date": t.iloc[-1]["ec_decision_date"],
        "oncolytic-virus-n-authorised": int((t["status"] == "authorised").sum()),
        "oncolytic-virus-n-cond": int((t["authorisation_type"] == "conditional").sum()),
        "oncolytic-virus-n-orphan": int(t["orphan"].sum()),
    }


def model_facts() -> dict:
    """The largest gap between the numerical and analytic equilibrium over the threshold scan."""
    scan = model.threshold_scan(SCAN_B)
    err = (scan["numeric_total"] - scan["analytic_total"]).abs().max()
    return {"oncolytic-virus-max-err": sci(err, digits=1)}


def trial_facts() -> dict:
    """Response proportions (%) of the pivotal trials, in the order of the data file."""
    r = model.response_rates().round(1)
    return {"oncolytic-virus-drr-t": r["treated_pct"].iloc[0],
            "oncolytic-virus-drr-c": r["control_pct"].iloc[0],
            "oncolytic-virus-drr-eu-t": r["treated_pct"].iloc[1],
            "oncolytic-virus-drr-eu-c": r["control_pct"].iloc[1],
            "oncolytic-virus-cr-ad": r["treated_pct"].iloc[2]}


def facts(atmps: pd.DataFrame, events: pd.DataFrame) -> dict:
    """Every value the chapter's prose pastes (keys ``oncolytic-virus-…``)."""
    return {**chapters.common_facts(CHAPTER), **product_facts(atmps), **model_facts(),
            **trial_facts()}


def figures(atmps: pd.DataFrame, events: pd.DataFrame) -> dict:
    """The chapter's static figures, drawn when asked."""
    return {
        "oncolytic-virus-construct": model.draw_construct,
        "oncolytic-virus-threshold": model.draw_threshold,
        "oncolytic-virus-trials": lambda: model.draw_trials(),
    }
