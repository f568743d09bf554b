"""Chapter *Genome editing* (``notebooks/genome-editing.ipynb``): the chapter contract.

The models (edited share → HbF in blood, HbF per cell against a protective threshold), the
exact intervals of the pivotal results and the locus schematic are in
:mod:`atmp.models.editing`; the chapter's data are ``data/genome-editing-evidence.csv``.
"""

from __future__ import annotations

import pandas as pd

from atmp import chapters, data, record
from atmp.models import editing as model

CHAPTER = "genome-editing"
WIDGETS = (model.HBF, model.FCELL)
#: (HbF %, F-cells, CV) of the four spreads the prose compares: even and uneven, at 20% and 40%.
PROTECTION_CASES = [(20, 0.95, 0.3), (20, 0.4, 0.6), (40, 0.95, 0.2), (40, 0.4, 0.6)]


def products(atmps: pd.DataFrame) -> pd.DataFrame:
    """The genome-edited products of the dataset, oldest first."""
    return record.chapter_products(atmps, CHAPTER)


def product_table(atmps: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """Name, INN, how the cells are modified, the edited target, authorisation and status."""
    rows = products(atmps)
    return pd.DataFrame({
        "product": rows["product"], "INN": rows["inn"], "modification": rows["vector"],
        "target": rows["target"], "cells": rows["cell_source"],
        "authorised": rows["ec_decision_date"].dt.strftime("%Y-%m-%d"),
        "type": rows["authorisation_type"].astype(str), "status": rows["status"].astype(str),
    }).reset_index(drop=True)


def events_table(atmps: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """The regulatory events of the chapter's products, by date."""
    return record.events_table(atmps, events, CHAPTER)


def evidence_table() -> pd.DataFrame:
    """The published numbers of the pivotal trials for the page (sources stay in the CSV)."""
    ev = data.load(model.EVIDENCE)
    return ev.drop(columns=["product", "source"]).assign(value=ev["value"].map("{:g}".format))


# ----------------------------------------------------------------------------- facts

def product_facts(atmps: pd.DataFrame, events: pd.DataFrame) -> dict:
    """Casgevy's authorisation, holder and number of recorded events."""
    cas = products(atmps).set_index("product").loc["Casgevy"]
    return {"genome-editing-cas-date": cas["ec_decision_date"],
            "genome-editing-cas-route": str(cas["authorisation_type"]),
            "genome-editing-cas-status": str(cas["status"]),
            "genome-editing-cas-mah": cas["mah"], "genome-editing-cas-inn": cas["inn"],
            "genome-editing-cas-prime": "PRIME" if cas["prime"] else "no PRIME",
            "genome-editing-cas-n-events": int((events["product"] == "Casgevy").sum())}


def model_facts() -> dict:
    """The two models at the values the prose discusses."""
    out = {"genome-editing-hbf-half": f"{model.hbf_share(0.5, 40, 5, 120, 20):.0f}",
           "genome-editing-hbf-half-eq": f"{model.hbf_share(0.5, 40, 5, 1, 1):.1f}",
           "genome-editing-hbf-default": f"{model.hbf_share(**model.HBF.defaults):.0f}"}
    for i, case in enumerate(PROTECTION_CASES):
        out[f"genome-editing-prot-{i}"] = f"{model.protected_fraction(*case):.0%}"
    return out


def facts(atmps: pd.DataFrame, events: pd.DataFrame) -> dict:
    """Every value the chapter's prose pastes (keys ``genome-editing-…``)."""
    return {**chapters.common_facts(CHAPTER), **product_facts(atmps, events), **model_facts()}


def figures(atmps: pd.DataFrame, events: pd.DataFrame) -> dict:
    """The chapter's static figures, drawn when asked."""
    return {"genome-editing-locus": model.draw_locus,
            "genome-editing-primary": lambda: model.draw_primary_results()}
