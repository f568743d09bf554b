"""Chapter *Somatic cell therapies* (``notebooks/somatic-cell-therapy.ipynb``): the chapter contract.

The models (ganciclovir suicide switch, effector–target killing, exponential survival and the
hazard ratio) and their drawings are in :mod:`atmp.models.cell`; the chapter's data are
``data/somatic-cell-therapy-trials.csv`` (the published pivotal and confirmatory results) and
the chapter's rows of ``data/cell-therapy-safety.csv`` (safety findings with their denominators).
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
SAFETY = "cell-therapy-safety"


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


def _trial_row(trials: pd.DataFrame, product: str, trial: str, endpoint: str | None = None):
    """The one row of ``trials`` for a product, trial and (optionally) endpoint."""
    hit = trials[(trials["product"] == product) & (trials["trial"] == trial)]
    if endpoint is not None:
        hit = hit[hit["endpoint"] == endpoint]
    if len(hit) != 1:
        raise ValueError(f"{TRIALS}: expected one row for {product} {trial} {endpoint or ''}, "
                         f"found {len(hit)}")
    return hit.iloc[0]


def evidence_facts() -> dict:
    """Glue values for *Evidence*: ADMIRE-CD beside ADMIRE-CD II, TK008 and Zemcelpro's pooled
    single-arm studies, all from ``somatic-cell-therapy-trials``."""
    t = data.load(TRIALS)
    k = f"{CHAPTER}-ev-"
    a1 = _trial_row(t, "Alofisel", "ADMIRE-CD")
    a2 = _trial_row(t, "Alofisel", "ADMIRE-CD II")
    tk = _trial_row(t, "Zalmoxis", "TK008")
    zem = "pooled phase 2 studies (two single-arm)"
    neut = _trial_row(t, "Zemcelpro", zem, "neutrophil engraftment")
    plt = _trial_row(t, "Zemcelpro", zem, "platelet engraftment")
    return {
        f"{k}admire1-n": f"{a1['n']:.0f}", f"{k}admire1-t": f"{a1['treated_value']:g}%",
        f"{k}admire1-c": f"{a1['control_value']:g}%",
        f"{k}admire2-n": f"{a2['n']:.0f}", f"{k}admire2-t": f"{a2['treated_value']:g}%",
        f"{k}admire2-c": f"{a2['control_value']:g}%",
        f"{k}admire1-effect": a1["effect"], f"{k}admire2-effect": a2["effect"],
        f"{k}tk008-n": f"{tk['n']:.0f}",
        f"{k}zem-n": f"{neut['n']:.0f}", f"{k}zem-neutrophil": f"{neut['treated_value']:g}%",
        f"{k}zem-platelet": f"{plt['treated_value']:g}%",
    }


def safety_rows(atmps: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``cell-therapy-safety`` about this chapter's products, by date."""
    s = data.load(SAFETY)
    mine = s[s["product"].isin(set(products(atmps)["product"]))]
    return mine.sort_values(["date", "product"]).reset_index(drop=True)


def safety_table(atmps: pd.DataFrame) -> pd.DataFrame:
    """The chapter's safety findings with their dates, kinds of source and denominators."""
    s = safety_rows(atmps)

    def rate(r):
        if pd.isna(r["rate_pct"]):
            return ""
        of = f" of {r['denominator']:.0f}" if pd.notna(r["denominator"]) else ""
        return f"{r['rate_pct']:g}%{of}"

    return pd.DataFrame({
        "date": s["date"], "product": s["product"], "source": s["source_type"].astype(str),
        "finding": s["finding"], "rate": [rate(r) for _, r in s.iterrows()],
        "denominator (who)": [
            f"{r['denominator']:.0f} ({r['population']})" if pd.notna(r["denominator"]) else
            r["population"] for _, r in s.iterrows()],
    })


def safety_facts(atmps: pd.DataFrame) -> dict:
    """Glue values for *Safety and long-term follow-up* (Zemcelpro's GvHD rate and pool)."""
    s = safety_rows(atmps)
    gvhd = s[(s["product"] == "Zemcelpro") & (s["finding_type"] == "graft-versus-host disease")]
    if len(gvhd) != 1:
        raise ValueError(f"{SAFETY}: expected one Zemcelpro GvHD row, found {len(gvhd)}")
    g = gvhd.iloc[0]
    k = f"{CHAPTER}-safety-"
    return {f"{k}n-rows": len(s), f"{k}zem-gvhd": f"{g['rate_pct']:g}%",
            f"{k}zem-pool": f"{g['denominator']:.0f}"}


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
    return {**chapters.common_facts(CHAPTER), **product_facts(atmps), **model.model_facts(),
            **evidence_facts(), **safety_facts(atmps)}


def figures(atmps: pd.DataFrame, events: pd.DataFrame) -> dict:
    """The chapter's static figures, drawn when asked."""
    return {f"{CHAPTER}-pivotal": lambda: model.draw_pivotal(data.load(TRIALS))}
