"""Chapter *CAR-T cells* (``notebooks/car-t.ipynb``): the chapter contract.

The models (Stein 2019 kinetics, the León-Triana 2021 CAR-T–tumour model) and the drawings of
the constructs and trials are in :mod:`atmp.models.car_t`; the chapter's data are
``data/car-t-constructs.csv``, ``data/car-t-trials.csv``, ``data/car-t-randomised-trials.csv``,
``data/car-t-model-checks.csv``, ``data/car-t-frontiers.csv``, ``data/car-t-durability.csv`` and
the CAR-T rows of
``data/cell-therapy-safety.csv``.
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


NOT_VERIFIED = "not verified"


def _hr(hr, lo, hi) -> str:
    return NOT_VERIFIED if pd.isna(hr) else f"{hr:.2f} ({lo:.2f}–{hi:.2f})"


def randomised_table() -> pd.DataFrame:
    """The randomised trials behind the EU extensions, one row per trial ("not verified" where
    no source read gives the value)."""
    t = data.load("car-t-randomised-trials")

    def num(v, fmt="{:g}"):
        return NOT_VERIFIED if pd.isna(v) else fmt.format(v)

    return pd.DataFrame({
        "trial": t["trial"], "product": t["product"],
        "randomised (CAR-T : control)": [f"{int(a)} : {int(b)}" for a, b in
                                         zip(t["n_car_t"], t["n_control"], strict=True)],
        "CAR-T arm infused": [num(v, "{:.0f}") for v in t["n_car_t_infused"]],
        "primary endpoint": t["primary_endpoint"].str.split(" [(]").str[0],
        "HR (95% CI)": [_hr(*v) for v in zip(t["primary_hr"], t["primary_hr_low"],
                                              t["primary_hr_high"], strict=True)],
        "median, months (CAR-T vs control)": [f"{num(a)} vs {num(b)}" for a, b in
                                              zip(t["median_car_t_months"],
                                                  t["median_control_months"], strict=True)],
        "met": ["yes" if v else "no" for v in t["primary_met"]],
        "control later given CAR-T": [NOT_VERIFIED if pd.isna(p) else f"{p:.0f}% ({c})"
                                      for p, c in zip(t["control_received_car_t_pct"],
                                                      t["crossover"], strict=True)],
        "OS HR (95% CI)": [_hr(*v) for v in zip(t["os_hr"], t["os_hr_low"], t["os_hr_high"],
                                                 strict=True)],
    })


def _is_car_t(name: str, names) -> bool:
    return name in set(names) or name.startswith(("CAR-T", "CD19 CAR-T"))


def safety_rows(atmps: pd.DataFrame) -> pd.DataFrame:
    """The CAR-T rows of ``cell-therapy-safety`` (class-wide findings and the chapter's products)."""
    s = data.load("cell-therapy-safety")
    names = products(atmps)["product"]
    return s[[_is_car_t(p, names) for p in s["product"]]].reset_index(drop=True)


def safety_table(atmps: pd.DataFrame) -> pd.DataFrame:
    """The reader's safety table: every rate with its denominator, as the source states it."""
    s = safety_rows(atmps)

    def rate(r):
        if pd.isna(r["rate_pct"]) and pd.isna(r["count"]):
            return "—"
        if pd.isna(r["rate_pct"]):
            return f"{int(r['count'])}"
        return f"{r['rate_pct']:g}%"

    def denom(r):
        return "not given" if pd.isna(r["denominator"]) else f"{int(r['denominator']):,}"

    return pd.DataFrame({
        "product": s["product"], "date": s["date"], "source": s["source_type"].astype(str),
        "finding": s["finding_type"].astype(str), "grade": s["grade"].astype(str),
        "rate or count": [rate(r) for _, r in s.iterrows()],
        "of (denominator)": [denom(r) for _, r in s.iterrows()],
        "population": s["population"].fillna(""),
    })


def durability_table() -> pd.DataFrame:
    """One long-term number per pivotal trial, with its follow-up and denominator."""
    d = data.load("car-t-durability")
    units = d["unit"].map({"%": "%", "months": " months"})
    return pd.DataFrame({
        "product": d["product"], "trial": d["trial"], "measure": d["measure"],
        "value": [f"{v:g}{u}" for v, u in zip(d["value"], units, strict=True)],
        "of (n)": d["n"].astype(int), "median follow-up (months)": d["median_follow_up_months"],
    })


def durability_facts() -> dict:
    """Glue values for the durability table (``car-t-dur-<trial>-…``)."""
    d = data.load("car-t-durability")
    out = {"car-t-n-dur": len(d), "car-t-dur-names": join_names(d["product"].unique())}
    for _, r in d.iterrows():
        k = "car-t-dur-" + r["trial"].lower().replace(" ", "-")
        out[f"{k}-value"] = f"{r['value']:g}"
        out[f"{k}-n"] = int(r["n"])
        out[f"{k}-fu"] = f"{r['median_follow_up_months']:g}"
        if not pd.isna(r["count"]):
            out[f"{k}-count"] = int(r["count"])
    return out


def frontiers_table() -> pd.DataFrame:
    """Dated events beyond the EU-authorised CAR-T products, oldest first."""
    f = data.load("car-t-frontiers").sort_values("date", kind="stable")
    return f[["date", "product", "jurisdiction", "event"]].reset_index(drop=True)


def evidence_facts() -> dict:
    """Glue values for the randomised trials (``car-t-rct-<trial>-…``)."""
    t = data.load("car-t-randomised-trials").set_index("trial")
    out = {"car-t-n-rct": len(t), "car-t-rct-names": join_names(t.index),
           "car-t-n-rct-positive": int(t["primary_met"].sum()),
           "car-t-n-rct-os-significant": int(t["os_significant"].fillna(False).sum())}
    for trial, r in t.iterrows():
        k = "car-t-rct-" + trial.lower().replace(" ", "-")
        for what, col in [("n", None), ("hr", "primary_hr"), ("os-hr", "os_hr"),
                          ("crossover", "control_received_car_t_pct"),
                          ("infused", "n_car_t_infused")]:
            if what == "n":
                out[f"{k}-n"] = int(r["n_car_t"] + r["n_control"])
            elif not pd.isna(r[col]):
                out[f"{k}-{what}"] = f"{r[col]:.0f}" if what in ("crossover", "infused") \
                    else f"{r[col]:.2f}"
        if not pd.isna(r["primary_hr"]):
            out[f"{k}-ci"] = f"{r['primary_hr_low']:.2f}–{r['primary_hr_high']:.2f}"
        if not pd.isna(r["os_hr"]):
            out[f"{k}-os-ci"] = f"{r['os_hr_low']:.2f}–{r['os_hr_high']:.2f}"
        if not pd.isna(r["median_control_months"]):
            out[f"{k}-median-control"] = f"{r['median_control_months']:g}"
        if not pd.isna(r["median_car_t_months"]):
            out[f"{k}-median-car-t"] = f"{r['median_car_t_months']:g}"
        if not pd.isna(r["eu_extension_reported"]):
            out[f"{k}-eu-reported"] = long_date(r["eu_extension_reported"])
        if not pd.isna(r["n_car_t_infused"]):
            out[f"{k}-infused-pct"] = f"{100 * r['n_car_t_infused'] / r['n_car_t']:.0f}"
            out[f"{k}-n-car-t"] = int(r["n_car_t"])
    return out


def safety_facts(atmps: pd.DataFrame) -> dict:
    """Glue values for *Safety and long-term follow-up*."""
    s = safety_rows(atmps)
    prac = s[(s["source_type"] == "regulator") & s["finding"].str.startswith("PRAC review")].iloc[0]
    construct = s[s["finding"].str.contains("CAR construct was detected")].iloc[0]
    pei = s[s["source"].str.contains("pei.de")].iloc[0]

    def one(product, finding_type, grade=None, text=None):
        m = (s["product"] == product) & (s["finding_type"] == finding_type)
        if grade:
            m &= s["grade"] == grade
        if text:
            m &= s["finding"].str.contains(text, regex=False)
        r = s[m].iloc[0]
        return r

    jc = one("Kymriah", "prolonged cytopenia", "grade 3-4")
    ji = one("Kymriah", "infection", "grade 3-4")
    zc = one("Tecartus", "prolonged cytopenia")
    zi = one("Tecartus", "infection")
    kc = one("Abecma", "prolonged cytopenia", "grade 3-4")
    kr = one("Abecma", "prolonged cytopenia", "not graded")
    km = one("Abecma", "haemophagocytic lymphohistiocytosis")
    cm = one("Carvykti", "movement and neurocognitive toxicity")
    c4i = one("Carvykti", "neurotoxicity (ICANS or neurological events)", "any", "CARTITUDE-4")
    nrm_de = s[(s["finding_type"] == "non-relapse mortality") & (s["denominator"] == 356)].iloc[0]
    nrm_us = s[(s["finding_type"] == "non-relapse mortality") & (s["denominator"] == 475)].iloc[0]
    rw = s[(s["source_type"] == "real-world study") & (s["product"] == "Kymriah")]
    auto = s[s["product"].str.startswith("CD19 CAR-T")].iloc[0]
    rwc = s[(s["source_type"] == "real-world study") & (s["product"] == "Carvykti")]
    rwc_delayed = rwc[rwc["finding_type"] == "movement and neurocognitive toxicity"].iloc[0]
    rwc_nrm = rwc[rwc["finding_type"] == "non-relapse mortality"].iloc[0]
    hypo = one("Kymriah", "hypogammaglobulinaemia")

    def pct(r):
        return f"{r['rate_pct']:g}"

    return {
        "car-t-prac-date": long_date(prac["date"]), "car-t-prac-cases": int(prac["count"]),
        "car-t-prac-treated": f"{int(prac['denominator']):,}",
        "car-t-prac-rate": f"{100 * prac['count'] / prac['denominator']:.2f}",
        "car-t-prac-construct": int(construct["count"]),
        "car-t-pei-date": long_date(pei["date"]),
        "car-t-juliet-cytopenia": pct(jc), "car-t-juliet-n": int(jc["denominator"]),
        "car-t-juliet-infection": pct(ji),
        "car-t-zuma2-cytopenia": pct(zc), "car-t-zuma2-infection": pct(zi),
        "car-t-zuma2-n": int(zc["denominator"]),
        "car-t-karmma-neutropenia": pct(kc), "car-t-karmma-n": int(kc["denominator"]),
        "car-t-karmma-rescue": int(kr["count"]), "car-t-karmma-rescue-n": int(kr["denominator"]),
        "car-t-karmma-hlh": pct(km),
        "car-t-c1-movement": pct(cm), "car-t-c1-n": int(cm["denominator"]),
        "car-t-c4-icans": pct(c4i), "car-t-c4-n": int(c4i["denominator"]),
        "car-t-nrm-de": pct(nrm_de), "car-t-nrm-de-n": int(nrm_de["denominator"]),
        "car-t-nrm-us-infection": pct(nrm_us), "car-t-nrm-us-n": int(nrm_us["denominator"]),
        "car-t-rw-crs3": pct(rw.iloc[0]), "car-t-rw-neuro3": pct(rw.iloc[1]),
        "car-t-rw-n": int(rw.iloc[0]["denominator"]),
        "car-t-auto-n": int(auto["denominator"]), "car-t-auto-crs": int(auto["count"]),
        "car-t-rwc-n": int(rwc_delayed["denominator"]), "car-t-rwc-delayed": pct(rwc_delayed),
        "car-t-rwc-nrm": pct(rwc_nrm),
        "car-t-hypo-kymriah": pct(hypo), "car-t-hypo-kymriah-n": int(hypo["denominator"]),
    }


def frontiers_facts() -> dict:
    """Glue values for *Beyond the authorised products*: the date of each product's first
    dated event (``car-t-fr-<product>-date``, full dates only)."""
    f = data.load("car-t-frontiers")
    out = {}
    for product, g in f.groupby("product", sort=False):
        full = g[g["date"].str.len() == 10]
        if len(full):
            slug = product.split(" (")[0].lower().replace(" ", "-")
            out[f"car-t-fr-{slug}-date"] = long_date(full["date"].min())
    return out


def model_check_facts() -> dict:
    """Glue values for where the models meet the evidence (relapse phenotypes, dose groups)."""
    m = data.load("car-t-model-checks")
    rel = m[m["topic"] == "relapse phenotype"].set_index("measure")
    dose = m[m["topic"] == "dose response"].reset_index(drop=True)
    esc = model.relapse_times(f_neg=1e-4, tau_c=14.0)
    esc_long = model.relapse_times(f_neg=1e-4, tau_c=200.0)
    return {
        "car-t-relapse-treated": int(rel.loc["relapsed", "denominator"]),
        "car-t-relapse-n": int(rel.loc["relapsed", "count"]),
        "car-t-relapse-pos": f"{rel.loc['CD19-positive relapse', 'value_pct']:g}",
        "car-t-relapse-neg": f"{rel.loc['CD19-negative relapse', 'value_pct']:g}",
        "car-t-relapse-switch": f"{rel.loc['lineage switch', 'value_pct']:g}",
        "car-t-karmma-dose-low": f"{dose.loc[0, 'value_pct']:g}",
        "car-t-karmma-dose-high": f"{dose.loc[len(dose) - 1, 'value_pct']:g}",
        "car-t-esc-pos-day": f"{esc['cd19_positive']:.0f}",
        "car-t-esc-neg-day": f"{esc['cd19_negative']:.0f}",
        "car-t-esc-long-neg-day": f"{esc_long['cd19_negative']:.0f}",
    }


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
            **model.kinetics_facts(), **model.tumour_facts(), **evidence_facts(),
            **safety_facts(atmps), **model_check_facts(), **frontiers_facts(),
            **durability_facts()}


def figures(atmps: pd.DataFrame, events: pd.DataFrame) -> dict:
    """The chapter's static figures, drawn when asked."""
    return {
        "car-t-constructs": lambda: model.draw_constructs(data.load("car-t-constructs")),
        "car-t-trials": lambda: model.draw_trials(data.load("car-t-trials")),
        "car-t-randomised": lambda: model.draw_randomised(data.load("car-t-randomised-trials")),
    }
