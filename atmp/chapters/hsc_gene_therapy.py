"""Chapter *Ex vivo gene therapy of haematopoietic stem cells* (``notebooks/hsc-gene-therapy.ipynb``).

The chapter contract (:mod:`atmp.chapters`). The models (vector copy number per cell, clonal
dynamics, insertional-oncogenesis risk) and the provirus schematic are in
:mod:`atmp.models.hsc`; the chapter's data are ``data/hsc-gene-therapy-evidence.csv`` and
``data/hsc-gene-therapy-eli-cel-cancers.csv``.
"""

from __future__ import annotations

import pandas as pd

from atmp import chapters, data, record, safety
from atmp.models import hsc as model
from atmp.tables import evidence_value
from atmp.text import join_names

CHAPTER = "hsc-gene-therapy"
WIDGETS = (model.VCN, model.CLONES, model.RISK)
EVIDENCE = "hsc-gene-therapy-evidence"
#: Newest efficacy numbers of the gene-therapy families (Waskyra's US approval dataset).
NEW_EVIDENCE = "gene-therapy-evidence-2025-26"
#: The study of the eli-cel cancers in ``hsc-gene-therapy-evidence``.
ELI_CEL_STUDY = "ALD-102 and ALD-104 with LTF-304 (Duncan 2024)"
#: Growth advantage (per year) of the worked clonal example; the clone numbers are the ends of
#: the published range :data:`atmp.models.hsc.ACTIVE_HSC_RANGE`.
CLONE_ADVANTAGE = 1.0


def products(atmps: pd.DataFrame) -> pd.DataFrame:
    """The ex vivo HSC gene therapies of the dataset, oldest first."""
    return record.chapter_products(atmps, CHAPTER)


def product_table(atmps: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """Name, INN, vector, target gene, authorisation date and type, route of administration,
    status and exit date of each product.

    The column ``left the market`` is dropped when no product has left it.
    """
    rows = products(atmps)
    out = pd.DataFrame({
        "product": rows["product"],
        "INN": rows["inn"].where(~rows["inn"].str.contains("no INN"), "(no INN)"),
        "vector": rows["vector"],
        "gene / target": rows["target"],
        "authorised": rows["ec_decision_date"].dt.strftime("%Y-%m-%d"),
        "authorisation type": rows["authorisation_type"].astype(str),
        "route": rows["route"].astype(str),
        "status": rows["status"].astype(str),
        "left the market": record.exit_labels(atmps, events).loc[rows.index],
    })
    if (out["left the market"] == "").all():
        out = out.drop(columns="left the market")
    return out.reset_index(drop=True)


def events_table(atmps: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """The regulatory events of the chapter's products, by date."""
    return record.events_table(atmps, events, CHAPTER)


def evidence_table() -> pd.DataFrame:
    """The published numbers of the chapter for the page (the sources stay in the CSV)."""
    ev = data.load(EVIDENCE)
    return ev.drop(columns="source").assign(value=ev["value"].map("{:g}".format))


def safety_table() -> pd.DataFrame:
    """The dated safety findings of the family, for *Safety and long-term follow-up*."""
    return safety.table("hsc")


# ----------------------------------------------------------------------------- facts

def product_facts(atmps: pd.DataFrame, events: pd.DataFrame) -> dict:
    """Counts, names and dates of *The products* and *Regulatory story*."""
    rows = products(atmps)
    by = rows.set_index("product")
    gone = rows[rows["status"] != "authorised"]
    strim_mah = by.loc["Strimvelis", "mah"]
    transfer = events[(events["product"] == "Strimvelis") & (events["event"] == "transferred")]
    sky, zyn = by.loc["Skysona"], by.loc["Zynteglo"]
    k = "hsc-gene-therapy-"
    return {
        f"{k}n": len(rows), f"{k}n-authorised": int((rows["status"] == "authorised").sum()),
        f"{k}names": join_names(rows["product"]),
        f"{k}n-lenti": int(rows["vector"].str.startswith("lentiviral").sum()),
        f"{k}n-orphan": int(rows["orphan"].sum()),
        f"{k}first": rows.iloc[0]["product"], f"{k}first-date": rows.iloc[0]["ec_decision_date"],
        f"{k}newest": rows.iloc[-1]["product"],
        f"{k}newest-date": rows.iloc[-1]["ec_decision_date"],
        f"{k}gone": join_names(gone["product"]),
        f"{k}sky-date": sky["ec_decision_date"], f"{k}sky-out": sky["status_date"],
        f"{k}sky-days": (sky["status_date"] - sky["ec_decision_date"]).days,
        f"{k}zyn-date": zyn["ec_decision_date"], f"{k}zyn-out": zyn["status_date"],
        f"{k}strim-mah": strim_mah, f"{k}strim-transfer": transfer["date"].iloc[0],
        f"{k}wask-name": rows.loc[(rows["mah"] == strim_mah)
                                  & (rows["product"] != "Strimvelis"), "product"].iloc[-1],
    }


def model_facts() -> dict:
    """The models at the values the prose discusses: VCN 1, the clone range, and a worked eli-cel
    rate (the published counts over an *assumed* mean follow-up, since no person-years were in
    the sources read)."""
    pois, nb = model.vcn_summary(1.0), model.vcn_summary(1.0, 1.0)
    lo, hi = model.ACTIVE_HSC_RANGE
    ev = data.load(EVIDENCE)
    cancers = evidence_value(ev, ELI_CEL_STUDY, "haematological cancer")
    patients = evidence_value(ev, ELI_CEL_STUDY, "patients treated")
    # No person-years were in the sources we could read: the worked rate assumes a mean follow-up.
    person_years = patients * model.ASSUMED_MEAN_FOLLOW_UP_YEARS
    rate, rate_lo, rate_hi = model.poisson_rate_ci(int(cancers), person_years)
    k = "hsc-gene-therapy-"
    return {
        f"{k}vcn-p-trans": f"{pois['transduced']:.0%}", f"{k}vcn-nb-trans": f"{nb['transduced']:.0%}",
        f"{k}vcn-p-mean": f"{pois['mean_in_transduced']:.2f}",
        f"{k}vcn-nb-mean": f"{nb['mean_in_transduced']:.2f}",
        f"{k}vcn-p-high": f"{pois['high_copy']:.1%}", f"{k}vcn-nb-high": f"{nb['high_copy']:.1%}",
        f"{k}t50-lo": f"{model.time_to_share(0.5, lo, CLONE_ADVANTAGE):.1f}",
        f"{k}t50-hi": f"{model.time_to_share(0.5, hi, CLONE_ADVANTAGE):.1f}",
        f"{k}eli-fu": f"{model.ASSUMED_MEAN_FOLLOW_UP_YEARS:g}", f"{k}eli-py": f"{person_years:g}",
        f"{k}eli-rate": f"{rate:.1f}", f"{k}eli-lo": f"{rate_lo:.1f}", f"{k}eli-hi": f"{rate_hi:.1f}",
        f"{k}eli-15y": f"{model.risk_by_time(rate, 15):.0%}",
    }


def _finding(rows: pd.DataFrame, product: str, finding_type: str, nth: int = 0) -> pd.Series:
    """The ``nth`` (oldest first; -1 for the newest) safety finding of a product and type."""
    hit = rows[(rows["product"] == product) & (rows["finding_type"] == finding_type)]
    if hit.empty:
        raise ValueError(f"no {finding_type!r} finding for {product} in {model.SAFETY}")
    return hit.iloc[nth]


def safety_facts() -> dict:
    """Dates and counts of *Safety and long-term follow-up*, from the safety table."""
    rows = safety.findings("hsc")
    sky = model.malignancy_counts("Skysona")
    first_case = _finding(rows, "Skysona", "haematological malignancy")
    newest, at_us = sky.iloc[-1], sky.iloc[0]
    strim = rows[rows["product"] == "Strimvelis"]
    zyn_start = _finding(rows, "Zynteglo", "haematological malignancy")
    zyn_end = _finding(rows, "Zynteglo", "conditioning toxicity")
    scid = rows[rows["product"].str.startswith("gammaretroviral")].iloc[0]
    k = "hsc-gene-therapy-"
    return {
        f"{k}sky-first-case": first_case["date"],
        f"{k}sky-us-date": at_us["date"], f"{k}sky-us-n": int(at_us["count"]),
        f"{k}sky-2024-n": int(sky.iloc[-2]["count"]),
        f"{k}sky-latest-date": newest["date"], f"{k}sky-latest-n": int(newest["count"]),
        f"{k}sky-cohort": int(newest["denominator"]),
        f"{k}sky-latest-pct": f"{newest['count'] / newest['denominator']:.0%}",
        f"{k}strim-first-report": strim.iloc[0]["date"], f"{k}strim-dhpc": strim.iloc[1]["date"],
        f"{k}strim-paper": strim.iloc[-1]["date"].year,
        f"{k}zyn-review-start": zyn_start["date"], f"{k}zyn-review-end": zyn_end["date"],
        f"{k}zyn-aml-n": int(zyn_end["count"]),
        f"{k}scid-n": int(scid["count"]), f"{k}scid-of": int(scid["denominator"]),
        f"{k}scid-year": scid["date"].year,
        **_waskyra_fda_facts(),
    }


def _waskyra_fda_facts() -> dict:
    """The US approval dataset of Waskyra (``gene-therapy-evidence-2025-26``)."""
    ev = data.load(NEW_EVIDENCE)
    ev = ev[ev["product"] == "Waskyra"]

    def value(text: str) -> float:
        hit = ev[ev["outcome"].str.contains(text, regex=False)]
        if hit.empty:
            raise ValueError(f"no Waskyra row with {text!r} in {NEW_EVIDENCE}")
        return hit["value"].iloc[0]
    k = "hsc-gene-therapy-wask-fda-"
    return {f"{k}date": ev["date"].iloc[0], f"{k}n": int(value("patients")),
            f"{k}infections": f"{value('severe infections'):g}%",
            f"{k}bleeding": f"{value('bleeding'):g}%"}


def facts(atmps: pd.DataFrame, events: pd.DataFrame) -> dict:
    """Every value the chapter's prose pastes (keys ``hsc-gene-therapy-…``)."""
    return {**chapters.common_facts(CHAPTER), **product_facts(atmps, events), **model_facts(),
            **safety_facts()}


def figures(atmps: pd.DataFrame, events: pd.DataFrame) -> dict:
    """The chapter's static figures, drawn when asked."""
    sky = products(atmps).set_index("product").loc["Skysona"]
    first_case = _finding(safety.findings("hsc"), "Skysona", "haematological malignancy")

    def malignancies():
        return model.draw_malignancy_timeline(sky["ec_decision_date"], sky["status_date"],
                                              first_case["date"])
    return {"hsc-gene-therapy-vectors": model.draw_vectors,
            "hsc-gene-therapy-malignancies": malignancies}
