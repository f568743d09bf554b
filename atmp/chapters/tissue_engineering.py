"""Chapter *Tissue-engineered and combined products* (``notebooks/tissue-engineering.ipynb``).

The chapter contract. The culture arithmetic (doublings, stem-cell dilution, dose per area),
its widgets and the schematics are in :mod:`atmp.models.tissue`; the chapter's data are
``data/tissue-engineering-trials.csv`` (published pivotal results, one number per row).
"""

from __future__ import annotations

import pandas as pd

from atmp import chapters, data, plots, record
from atmp.models import tissue as model
from atmp.models.tissue import DOSE, EXPANSION
from atmp.text import join_names, long_date

CHAPTER = "tissue-engineering"
WIDGETS = (EXPANSION, DOSE)
TRIALS = "tissue-engineering-trials"
#: The widget's default culture (:func:`atmp.models.tissue.draw_expansion`), which the renewal
#: table and the prose refer to: 10,000 cells to 1.2 million, 10% stem cells at seeding.
BIOPSY_CELLS, GRAFT_CELLS, STEM_START = 1e4, 1.2e6, 0.10


def products(atmps: pd.DataFrame) -> pd.DataFrame:
    """The tissue-engineered and combined products of the dataset, oldest first."""
    return record.chapter_products(atmps, CHAPTER)


def product_table(atmps: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """The chapter's products, oldest first: name, class, dates, status and what each is made of.

    Parameters
    ----------
    atmps : DataFrame
        From :func:`atmp.data.load_atmps`.
    """
    rows = products(atmps)
    out = pd.DataFrame({
        "product": rows["product"],
        "class": rows["atmp_class"].astype(str),
        "authorised": rows["ec_decision_date"].dt.strftime("%Y-%m-%d"),
        "route at grant": rows["authorisation_type"].astype(str),
        "status": rows["status"].astype(str),
        "since": rows["status_date"].dt.strftime("%Y-%m-%d").fillna(""),
        "cells": rows["cell_source"].astype(str),
        "treats": rows["therapeutic_area"],
    })
    return out.reset_index(drop=True)


def events_table(atmps: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """The regulatory events of the chapter's products, by date."""
    return record.events_table(atmps, events, CHAPTER)


def renewal_table(renewals=(0.5, 0.6, 0.7, 0.8, 0.9), threshold: float = 0.03) -> pd.DataFrame:
    """For each net self-renewal, the doublings before the stem-cell share falls to ``threshold``
    (from the widget's default 10% at seeding) and whether the default graft stays at or above
    it. The 3% is the clinical association of the academic series (Rama 2010), not a product's
    release specification.

    Returns
    -------
    DataFrame
        ``net self-renewal r``, ``doublings to 3%`` (one decimal), ``graft at or above 3%``
        (yes/no), all as text for the page.
    """
    needed = model.population_doublings(GRAFT_CELLS, BIOPSY_CELLS)
    to_threshold = [round(model.doublings_to_threshold(STEM_START, r, threshold), 1)
                    for r in renewals]
    return pd.DataFrame({
        "net self-renewal r": [f"{r:g}" for r in renewals],
        "doublings to 3%": [f"{n:.1f}" for n in to_threshold],
        "graft at or above 3%": ["yes" if n >= needed else "no" for n in to_threshold],
    })


def _event_date(ev: pd.DataFrame, product: str, event: str) -> str:
    """The first date of one event of one product, as prose ("" if the record has none)."""
    hit = ev[(ev["product"] == product) & (ev["event"].astype("object") == event)]
    return long_date(hit["date"].min()) if len(hit) else ""


def product_facts(atmps: pd.DataFrame, events: pd.DataFrame) -> dict:
    """Counts, names and dates of the chapter's products and their events (from the data)."""
    rows = products(atmps)
    status = rows["status"].astype(str)
    first = rows.iloc[0]
    dated = dict(zip(rows["product"], rows["ec_decision_date"], strict=True))
    ev = record.chapter_events(atmps, events, CHAPTER)
    k = f"{CHAPTER}-"
    return {
        f"{k}n": len(rows),
        f"{k}names": join_names(rows["product"]),
        f"{k}n-authorised": int((status == "authorised").sum()),
        f"{k}n-gone": int((status != "authorised").sum()),
        f"{k}first": first["product"],
        f"{k}first-date": long_date(first["ec_decision_date"]),
        f"{k}n-combined": int((rows["atmp_class"].astype(str) == "combined").sum()),
        f"{k}n-autologous": int((rows["cell_source"] == "autologous").sum()),
        f"{k}holoclar-date": long_date(dated.get("Holoclar")),
        f"{k}spherox-date": long_date(dated.get("Spherox")),
        f"{k}maci-date": long_date(dated.get("MACI")),
        f"{k}maci-suspended": _event_date(ev, "MACI", "suspended"),
        f"{k}maci-expired": _event_date(ev, "MACI", "expired"),
        f"{k}cc-withdrawn": _event_date(ev, "ChondroCelect", "withdrawn"),
        f"{k}holo-converted": _event_date(ev, "Holoclar", "converted to standard"),
    }


PHASE3 = "phase III vs microfracture"
#: Outcomes of ``tissue-engineering-trials`` that are safety findings (the chapter's safety table).
SAFETY_OUTCOMES = ("adverse events", "reoperation (treatment failure)")


def _value(ev: pd.DataFrame, study: str, arm: str, outcome: str, timepoint: str | None = None):
    """The one published number of a study, arm, outcome (and time point)."""
    hit = ev[(ev["study"] == study) & (ev["arm"] == arm) & (ev["outcome"] == outcome)]
    if timepoint is not None:
        hit = hit[hit["timepoint"] == timepoint]
    if len(hit) != 1:
        raise ValueError(f"{TRIALS}: expected one value for {study} / {arm} / {outcome}, "
                         f"found {len(hit)}")
    return float(hit["value"].iloc[0])


def evidence_facts() -> dict:
    """Glue values for *Evidence* and *Safety*: the Spherox phase III trial against microfracture,
    the phase II dose study's size and the Rama 2010 series (``tissue-engineering-trials``)."""
    ev = data.load(TRIALS)
    k = f"{CHAPTER}-ev-"
    out = {}
    for arm, tag in (("Spherox", "sph"), ("microfracture", "mf")):
        out[f"{k}p3-n-{tag}"] = f"{_value(ev, PHASE3, arm, 'randomised'):.0f}"
        out[f"{k}p3-ae-{tag}"] = f"{_value(ev, PHASE3, arm, 'adverse events'):g}%"
        out[f"{k}p3-redo-{tag}"] = f"{_value(ev, PHASE3, arm, SAFETY_OUTCOMES[1]):.0f}"
        out[f"{k}p3-5y-{tag}"] = f"{_value(ev, PHASE3, arm, 'observed cases', '5 years'):.0f}"
    out[f"{k}p2-n"] = f"{_value(ev, 'phase II dose study (EMA summary)', 'all dose groups', 'treated'):.0f}"
    rama = "Rama 2010 (academic series behind Holoclar)"
    arm = "cultured autologous limbal stem cells on fibrin"
    out[f"{k}rama-n"] = f"{_value(ev, rama, arm, 'treated'):.0f}"
    out[f"{k}rama-success"] = (
        f"{_value(ev, rama, arm, 'permanent restoration of a transparent corneal epithelium'):g}%")
    return out


def safety_table() -> pd.DataFrame:
    """The safety findings of ``tissue-engineering-trials`` (adverse events, reoperations), with
    the number randomised to each arm beside them."""
    ev = data.load(TRIALS)
    rows = ev[ev["outcome"].isin(SAFETY_OUTCOMES)]
    n = {(r["study"], r["arm"]): r["value"] for _, r in ev[ev["outcome"] == "randomised"].iterrows()}
    return pd.DataFrame({
        "product": rows["product"], "study": rows["study"], "arm": rows["arm"],
        "finding": rows["outcome"], "when": rows["timepoint"],
        "value": [f"{v:g}%" if u.startswith('%') else f"{v:g} {u}" for v, u in
                  zip(rows["value"], rows["unit"], strict=True)],
        "randomised": [f"{n[(s, a)]:.0f}" if (s, a) in n else "" for s, a in
                       zip(rows["study"], rows["arm"], strict=True)],
    }).reset_index(drop=True)


def label_facts() -> dict:
    """Holoclar's label range as cells per cm² of its disc (from the SmPC's cell numbers)."""
    lo, hi = (model.cells_per_area(c, model.HOLOCLAR_DISC_DIAMETER_CM)
              for c in model.HOLOCLAR_CELLS)
    return {f"{CHAPTER}-holo-lo": f"{lo:,.0f}", f"{CHAPTER}-holo-hi": f"{hi:,.0f}"}


def facts(atmps: pd.DataFrame, events: pd.DataFrame) -> dict:
    """Every value the chapter's prose pastes (keys ``tissue-engineering-…``)."""
    return {**chapters.common_facts(CHAPTER), **product_facts(atmps, events), **label_facts(),
            **evidence_facts(), **model_facts()}


def model_facts() -> dict:
    """Glue values for the assumptions of the dilution model: the default graft's stem share when
    stem cells cycle at half the speed of the culture (:func:`atmp.models.tissue.stem_fraction`)."""
    n = model.population_doublings(GRAFT_CELLS, BIOPSY_CELLS)
    base = 100 * float(model.stem_fraction(n, STEM_START, 0.7))
    slow = 100 * float(model.stem_fraction(n, STEM_START, 0.7, stem_cycle=0.5))
    return {f"{CHAPTER}-m-share": f"{base:.1f}%", f"{CHAPTER}-m-share-slow": f"{slow:.1f}%"}


def draw_timeline(atmps: pd.DataFrame, events: pd.DataFrame):
    """The regulatory lives of the chapter's products (:func:`atmp.plots.draw_life_timeline`)."""
    as_of = data.data_as_of()
    spans, marks = record.life_timeline(products(atmps), events, as_of)
    return plots.draw_life_timeline(
        spans, marks, as_of, title="Regulatory life of the tissue-engineered and combined products")


def figures(atmps: pd.DataFrame, events: pd.DataFrame) -> dict:
    """The chapter's static figures, drawn when asked."""
    classes = dict(zip(atmps["product"], atmps["atmp_class"].astype(str), strict=True))
    return {
        f"{CHAPTER}-products": lambda: model.draw_products(classes),
        f"{CHAPTER}-hierarchy": model.draw_hierarchy,
        f"{CHAPTER}-evidence": lambda: model.draw_evidence(data.load(TRIALS)),
        f"{CHAPTER}-timeline": lambda: draw_timeline(atmps, events),
    }
