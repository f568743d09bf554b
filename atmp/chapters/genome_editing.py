"""Chapter *Genome editing* (``notebooks/genome-editing.ipynb``): the chapter contract.

The models (edited share → HbF in blood, HbF per cell against a protective threshold), the
exact intervals of the pivotal results and the locus schematic are in
:mod:`atmp.models.editing`; the chapter's data are ``data/genome-editing-evidence.csv``.
"""

from __future__ import annotations

import pandas as pd

from atmp import chapters, data, record, safety
from atmp.models import editing as model

CHAPTER = "genome-editing"
#: Newest efficacy numbers of the gene-therapy families (paediatric exa-cel, in vivo editing).
NEW_EVIDENCE = "gene-therapy-evidence-2025-26"
WIDGETS = (model.HBF, model.FCELL)
#: (HbF %, F-cells, CV) of the four spreads the prose compares: even and uneven, at 20% and 40%.
PROTECTION_CASES = [(20, 0.95, 0.3), (20, 0.4, 0.6), (40, 0.95, 0.2), (40, 0.4, 0.6)]


def products(atmps: pd.DataFrame) -> pd.DataFrame:
    """The genome-edited products of the dataset, oldest first."""
    return record.chapter_products(atmps, CHAPTER)


def product_table(atmps: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """Name, INN, how the cells are modified, the edited target, authorisation date and type,
    route of administration and status."""
    rows = products(atmps)
    return pd.DataFrame({
        "product": rows["product"], "INN": rows["inn"], "modification": rows["vector"],
        "target": rows["target"], "cells": rows["cell_source"],
        "authorised": rows["ec_decision_date"].dt.strftime("%Y-%m-%d"),
        "authorisation type": rows["authorisation_type"].astype(str),
        "route": rows["route"].astype(str), "status": rows["status"].astype(str),
    }).reset_index(drop=True)


def events_table(atmps: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """The regulatory events of the chapter's products, by date."""
    return record.events_table(atmps, events, CHAPTER)


def evidence_table() -> pd.DataFrame:
    """The published numbers of the pivotal trials for the page (sources stay in the CSV)."""
    ev = data.load(model.EVIDENCE)
    return ev.drop(columns=["product", "source"]).assign(value=ev["value"].map("{:g}".format))


def safety_table() -> pd.DataFrame:
    """The dated safety findings of genome editing, for *Safety and long-term follow-up*."""
    return safety.table("editing")


# ----------------------------------------------------------------------------- facts

def product_facts(atmps: pd.DataFrame, events: pd.DataFrame) -> dict:
    """Casgevy's authorisation, holder and number of recorded events."""
    cas = products(atmps).set_index("product").loc["Casgevy"]
    return {"genome-editing-cas-date": cas["ec_decision_date"],
            "genome-editing-cas-type": str(cas["authorisation_type"]),
            "genome-editing-cas-route": str(cas["route"]),
            "genome-editing-cas-status": str(cas["status"]),
            "genome-editing-cas-mah": cas["mah"], "genome-editing-cas-inn": cas["inn"],
            "genome-editing-cas-prime": "PRIME" if cas["prime"] else "no PRIME",
            "genome-editing-cas-n-events": int((events["product"] == "Casgevy").sum()),
            "genome-editing-cas-events-word":
                "event" if int((events["product"] == "Casgevy").sum()) == 1 else "events"}


def model_facts() -> dict:
    """The two models at the values the prose discusses."""
    out = {"genome-editing-hbf-half": f"{model.hbf_share(0.5, 40, 5, 120, 20):.0f}",
           "genome-editing-hbf-half-eq": f"{model.hbf_share(0.5, 40, 5, 1, 1):.1f}",
           "genome-editing-hbf-default": f"{model.hbf_share(**model.HBF.defaults):.0f}"}
    for i, case in enumerate(PROTECTION_CASES):
        out[f"genome-editing-prot-{i}"] = f"{model.protected_fraction(*case):.0%}"
    return out


def _one(rows: pd.DataFrame, column: str, text: str, nth: int = 0) -> pd.Series:
    """The ``nth`` row whose ``column`` contains ``text`` (a clear error if there is none)."""
    hit = rows[rows[column].astype(str).str.contains(text, regex=False)]
    if hit.empty:
        raise ValueError(f"no row with {text!r} in {column!r}")
    return hit.iloc[nth]


def safety_facts() -> dict:
    """Dates and counts of *Safety and long-term follow-up*, from the safety and the 2025-26
    evidence tables."""
    rows = safety.findings("editing")
    ev = data.load(NEW_EVIDENCE)
    mob = _one(rows, "finding_type", "mobilisation", -1)
    adcomm = _one(rows, "finding_type", "off-target editing")
    death = _one(rows, "finding_type", "conditioning toxicity")
    nexz_hold, nexz_death = _one(rows, "product", "nex-z"), _one(rows, "product", "nex-z", -1)
    thal_n = _one(ev, "study", "THAL-141")
    thal_ti = _one(ev, "outcome", "transfusion independent")
    scd_n = _one(ev, "study", "SCD-151")
    scd_free = _one(ev, "outcome", "free of severe vaso-occlusive")
    kabe = _one(ev, "product", "k-abe", -1)
    k = "genome-editing-"
    return {
        f"{k}mob-date": mob["date"],
        f"{k}adcomm-date": adcomm["date"],
        f"{k}peds-date": f"{thal_n['date']:%B %Y}",
        f"{k}thal141-n": int(thal_n["value"]), f"{k}thal141-ti": int(thal_ti["value"]),
        f"{k}scd151-n": int(scd_n["value"]), f"{k}scd151-free": int(scd_free["value"]),
        f"{k}peds-deaths": int(death["count"]),
        f"{k}nexz-hold-date": nexz_hold["date"], f"{k}nexz-death-date": nexz_death["date"],
        f"{k}kabe-date": kabe["date"], f"{k}kabe-months": int(kabe["value"]),
    }


def facts(atmps: pd.DataFrame, events: pd.DataFrame) -> dict:
    """Every value the chapter's prose pastes (keys ``genome-editing-…``)."""
    return {**chapters.common_facts(CHAPTER), **product_facts(atmps, events), **model_facts(),
            **safety_facts()}


def figures(atmps: pd.DataFrame, events: pd.DataFrame) -> dict:
    """The chapter's static figures, drawn when asked."""
    return {"genome-editing-locus": model.draw_locus,
            "genome-editing-primary": lambda: model.draw_primary_results()}
