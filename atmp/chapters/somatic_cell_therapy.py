"""Chapter *Somatic cell therapies* (``notebooks/somatic-cell-therapy.ipynb``): the chapter contract.

The models (ganciclovir suicide switch, effector–target killing, exponential survival and the
hazard ratio) and their drawings are in :mod:`atmp.models.cell`; the chapter's data are
``data/somatic-cell-therapy-trials.csv`` (the published pivotal results).
"""

from __future__ import annotations

import pandas as pd

from atmp import chapters, data, record
from atmp.models import cell as model
from atmp.models.cell import KILLING, SURVIVAL, SWITCH
from atmp.text import join_names, long_date

CHAPTER = "somatic-cell-therapy"
WIDGETS = (SWITCH, KILLING, SURVIVAL)
TRIALS = "somatic-cell-therapy-trials"


def products(atmps: pd.DataFrame) -> pd.DataFrame:
    """The somatic cell therapies of the dataset, oldest first."""
    return record.chapter_products(atmps, CHAPTER)


def _short_inn(inn: str) -> str:
    """``"autologous … (sipuleucel-T)"`` → ``"sipuleucel-T"``; otherwise the INN before any
    bracket or slash."""
    if inn.startswith("autologous"):
        return inn[inn.rfind("(") + 1:-1]
    return inn.split(" (")[0].split(" /")[0]


def product_table(atmps: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """The chapter's products, their mechanism annotation and their regulatory status."""
    t = products(atmps)
    return pd.DataFrame({
        "product": t["product"], "INN (short)": [_short_inn(s) for s in t["inn"]],
        "cells": t["cell_source"], "target or action": t["target"],
        "area": t["therapeutic_area"],
        "authorised": t["ec_decision_date"].dt.strftime("%Y-%m-%d"),
        "type at authorisation": t["authorisation_type"], "status": t["status"],
        "status date": t["status_date"].dt.strftime("%Y-%m-%d").fillna(""),
    }).reset_index(drop=True)


def events_table(atmps: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """The regulatory events of the chapter's products, by date."""
    return record.events_table(atmps, events, CHAPTER)


def trial_table() -> pd.DataFrame:
    """A compact, formatted view of the pivotal results (``somatic-cell-therapy-trials``)."""
    trials = data.load(TRIALS)

    def fmt(v, unit):
        return "" if pd.isna(v) else f"{v:g} {'months' if unit == 'months' else '%'}"

    return pd.DataFrame({
        "product": trials["product"], "trial": trials["trial"],
        "n": trials["n"].astype(int), "endpoint": trials["endpoint"],
        "cell therapy": [fmt(v, u) for v, u in zip(trials["treated_value"], trials["unit"],
                                                   strict=True)],
        "control": [fmt(v, u) for v, u in zip(trials["control_value"], trials["unit"],
                                              strict=True)],
        "effect": trials["effect"]})


def product_facts(atmps: pd.DataFrame) -> dict:
    """Glue values for *The products* and the *Regulatory story*.

    Per product (key ``somatic-cell-therapy-<product>-…``): decision date, type and status, and
    for a product no longer authorised the date of the Commission decision that ended the
    authorisation (``status_date``), the years between the two and the recorded reason.
    """
    t = products(atmps)
    k = f"{CHAPTER}-"
    authorised = t[t["status"] == "authorised"]
    gone = t[t["status"] != "authorised"]
    years = (gone["status_date"] - gone["ec_decision_date"]).dt.days / 365.25
    out = {f"{k}n": len(t), f"{k}names": join_names(t["product"]),
           f"{k}n-authorised": len(authorised),
           f"{k}authorised-names": join_names(authorised["product"]),
           f"{k}n-gone": len(gone), f"{k}gone-names": join_names(gone["product"])}
    for i, r in t.iterrows():
        p = f"{k}{r['product'].lower()}-"
        out[f"{p}date"] = long_date(r["ec_decision_date"])
        out[f"{p}type"] = r["authorisation_type"]
        out[f"{p}status"] = r["status"]
        if r["status"] != "authorised":
            out[f"{p}gone-date"] = long_date(r["status_date"])
            out[f"{p}years"] = f"{years[i]:.1f}"
            out[f"{p}reason"] = r["status_reason"]
    return out


def facts(atmps: pd.DataFrame, events: pd.DataFrame) -> dict:
    """Every value the chapter's prose pastes (keys ``somatic-cell-therapy-…``)."""
    return {**chapters.common_facts(CHAPTER), **product_facts(atmps), **model.model_facts()}


def figures(atmps: pd.DataFrame, events: pd.DataFrame) -> dict:
    """The chapter's static figures, drawn when asked."""
    return {f"{CHAPTER}-pivotal": lambda: model.draw_pivotal(data.load(TRIALS))}
