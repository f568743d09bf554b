"""Chapter *Oncolytic and HSV-based vectors* (``notebooks/oncolytic-virus.ipynb``): the chapter contract.

The virus–tumour model (Wodarz 2001), the construct schematic and the drawing of the pivotal
responses are in :mod:`atmp.models.oncolytic`; the chapter's data are
``data/oncolytic-virus-trials.csv``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from atmp import chapters, data, record, safety
from atmp.models import oncolytic as model
from atmp.tables import evidence_value
from atmp.text import join_names, sci

CHAPTER = "oncolytic-virus"
WIDGETS = (model.DYNAMICS_WIDGET,)
#: Infection rate constants of the numerical check of the threshold figure.
SCAN_B = np.linspace(0.1, 4.0, 14)
#: The dated safety findings and the newest evidence (``data/gene-therapy-*.csv``).
EVIDENCE = "gene-therapy-evidence-2025-26"
MASTERKEY = "MASTERKEY-265 (Chesney, J Clin Oncol 2022)"


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


def safety_rows() -> pd.DataFrame:
    """The oncolytic rows of the gene-therapy safety table, oldest first."""
    return safety.findings("oncolytic")


def safety_table() -> pd.DataFrame:
    """The reader's table of this family's dated safety findings and regulatory actions."""
    return safety.table("oncolytic")


def safety_facts() -> dict:
    """Glue values for *Safety and long-term follow-up* and the RP1 story."""
    s = safety_rows()
    iml = s[s["product"] == "Imlygic"]
    rp1 = s[s["product"].str.startswith("RP1")]
    return {"oncolytic-virus-smpc-year": safety.when(iml.iloc[0]),
            "oncolytic-virus-n-safety": len(s),
            "oncolytic-virus-rp1-crl1": safety.when(rp1.iloc[0]),
            "oncolytic-virus-rp1-crl2": safety.when(rp1.iloc[-1])}


def newest_facts() -> dict:
    """Glue values for MASTERKEY-265, RP1's IGNYTE cohort and Adstiladrin's durability."""
    ev = data.load(EVIDENCE)

    def v(study, outcome, fmt="{:g}"):
        return fmt.format(evidence_value(ev, study, outcome))

    ig = "IGNYTE anti-PD-1-failed melanoma cohort (basis of the US BLA)"
    a36 = "Phase 3 NCT02773849, 36-month follow-up (NEAUA 2024)"
    a5 = "Phase 3 NCT02773849, 5-year follow-up (Narayan, J Urol 2024)"
    hgrf36 = evidence_value(ev, a36, "CIS complete responders at month 3 still high-grade "
                                     "recurrence-free at month 36, of 55")
    responders = float(model.response_rates()["treated"].iloc[2])   # Adstiladrin CRs (CIS)
    return {
        "oncolytic-virus-mk-n": v(MASTERKEY, "patients randomised (T-VEC + pembrolizumab vs "
                                             "placebo + pembrolizumab, 1:1)"),
        "oncolytic-virus-mk-pfs-t": v(MASTERKEY, "median progression-free survival, T-VEC + "
                                                 "pembrolizumab"),
        "oncolytic-virus-mk-pfs-c": v(MASTERKEY, "median progression-free survival, placebo + "
                                                 "pembrolizumab"),
        "oncolytic-virus-mk-hr-pfs": v(MASTERKEY, "hazard ratio for progression-free survival "
                                                  "(95% CI 0.71-1.04; P = 0.13)", "{:.2f}"),
        "oncolytic-virus-mk-hr-os": v(MASTERKEY, "hazard ratio for overall survival (95% CI "
                                                 "0.76-1.22; P = 0.74)", "{:.2f}"),
        "oncolytic-virus-mk-orr-t": v(MASTERKEY, "objective response rate, T-VEC + "
                                                 "pembrolizumab"),
        "oncolytic-virus-mk-orr-c": v(MASTERKEY, "objective response rate, placebo + "
                                                 "pembrolizumab"),
        "oncolytic-virus-rp1-orr": v(ig, "confirmed objective response rate by independent "
                                         "central review (n = 140)"),
        "oncolytic-virus-rp1-cr": v(ig, "complete response rate by independent central review "
                                        "(n = 140)", "{:.1f}"),
        "oncolytic-virus-ad-hgrf36": f"{hgrf36:g}",
        "oncolytic-virus-ad-cr-n": f"{responders:g}",
        "oncolytic-virus-ad-hgrf36-pct": f"{100 * hgrf36 / responders:.1f}",
        "oncolytic-virus-ad-hgrf57-cis": v(a5, "Kaplan-Meier high-grade recurrence-free "
                                               "survival, CIS cohort"),
        "oncolytic-virus-ad-hgrf57-pap": v(a5, "Kaplan-Meier high-grade recurrence-free "
                                               "survival, Ta/T1 cohort"),
        "oncolytic-virus-ad-cfs60": v(a5, "cystectomy-free survival, all patients"),
    }


def facts(atmps: pd.DataFrame, events: pd.DataFrame) -> dict:
    """Every value the chapter's prose pastes (keys ``oncolytic-virus-…``)."""
    return {**chapters.common_facts(CHAPTER), **product_facts(atmps), **model_facts(),
            **trial_facts(), **safety_facts(), **newest_facts()}


def figures(atmps: pd.DataFrame, events: pd.DataFrame) -> dict:
    """The chapter's static figures, drawn when asked."""
    return {
        "oncolytic-virus-construct": model.draw_construct,
        "oncolytic-virus-threshold": model.draw_threshold,
        "oncolytic-virus-trials": lambda: model.draw_trials(),
    }
