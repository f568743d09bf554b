"""Chapter *In vivo gene therapy with AAV* (``notebooks/aav-gene-therapy.ipynb``): the chapter contract.

The models (label arithmetic, episome dilution and loss, first-order decline of transgene
output) and their drawings are in :mod:`atmp.models.aav`; the chapter's data are
``data/aav-gene-therapy-vectors.csv``, ``…-durability.csv`` and ``…-trials.csv``.
"""

from __future__ import annotations

import math

import pandas as pd

from atmp import chapters, data, record, safety
from atmp.models import aav as model
from atmp.models import aav_episome as episome
from atmp.tables import evidence_value
from atmp.text import join_names, long_date, sci

CHAPTER = "aav-gene-therapy"
WIDGETS = (model.DOSE_WIDGET, episome.EPISOME_WIDGET, model.DURABILITY_WIDGET)
#: The dated safety findings and the newest evidence (``data/gene-therapy-*.csv``).
EVIDENCE = "gene-therapy-evidence-2025-26"
#: EMA's record of applications that ended without an authorisation (shared with the field chapters).
FAILED = "failed-applications"
#: Genomes per hepatocyte at dosing in the episome examples (illustrative, not measured).
EPISOME_C0 = 3.0
#: The patient of the worked dose example (kg) and the product it uses.
EXAMPLE_WEIGHT_KG, EXAMPLE_PRODUCT = 70.0, "Roctavian"


def products(atmps: pd.DataFrame) -> pd.DataFrame:
    """The in vivo AAV products of the dataset, oldest first."""
    return record.chapter_products(atmps, CHAPTER)


def format_dose(dose: float, basis: str) -> str:
    """A dose as "6 × 10¹³ vg/kg", "1.5 × 10¹¹ vg per eye" or "1.8 × 10¹¹ vg total".

    Examples
    --------
    >>> format_dose(6e13, "per kg").replace("\xa0", " "), format_dose(float("nan"), "")
    ('6 × 10¹³ vg/kg', 'not in table')
    """
    if dose is None or (isinstance(dose, float) and math.isnan(dose)):
        return "not in table"
    unit = {"per kg": "vg/kg", "per eye": "vg per eye", "total": "vg total"}[basis]
    return sci(dose, unit)


def product_table(atmps: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """Every in vivo AAV product with capsid, genome, route, label dose, transgene and status."""
    df = products(atmps).merge(data.load(model.VECTORS), on="product", how="left")
    dose = [format_dose(d, b) for d, b in zip(df["dose"], df["dose_basis"], strict=True)]
    return pd.DataFrame({
        "product": df["product"], "INN": df["inn"], "capsid": df["capsid"],
        "genome": df["genome"], "transgene": df["transgene"], "route": df["route"],
        "label dose": dose,
        "authorised": df["ec_decision_date"].dt.strftime("%Y-%m-%d"),
        "type": df["authorisation_type"].astype(str), "status": df["status"].astype(str),
    }).reset_index(drop=True)


def regulatory_table(atmps: pd.DataFrame) -> pd.DataFrame:
    """Authorisation type, status and exit of each AAV product (dates as ISO dates)."""
    rows = products(atmps)
    cols = ["product", "ec_decision_date", "authorisation_type", "status", "status_date",
            "status_reason"]
    out = rows[cols].copy()
    for c in ("ec_decision_date", "status_date"):
        out[c] = out[c].dt.strftime("%Y-%m-%d").fillna("")
    return out.astype({"authorisation_type": str, "status": str}).reset_index(drop=True)


def events_table(atmps: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """The regulatory events of the AAV products, by date."""
    return record.events_table(atmps, events, CHAPTER)


# ----------------------------------------------------------------------------- facts

def product_facts(atmps: pd.DataFrame) -> dict:
    """Glue values for *The products*."""
    t = products(atmps)
    gone = t[t["status"] != "authorised"]
    vectors = data.load(model.VECTORS)
    return {
        "aav-gene-therapy-n": len(t), "aav-gene-therapy-n-all": len(atmps),
        "aav-gene-therapy-first": t.iloc[0]["product"],
        "aav-gene-therapy-first-date": t.iloc[0]["ec_decision_date"],
        "aav-gene-therapy-newest": t.iloc[-1]["product"],
        "aav-gene-therapy-newest-date": t.iloc[-1]["ec_decision_date"],
        "aav-gene-therapy-n-authorised": int((t["status"] == "authorised").sum()),
        "aav-gene-therapy-gone": join_names(gone["product"]),
        "aav-gene-therapy-capsids": join_names(sorted(vectors["capsid"].unique())),
    }


def dose_facts() -> dict:
    """Glue values for *Dose and volume*: the worked example and the range of liver doses."""
    v = data.load(model.VECTORS).set_index("product")
    ex = v.loc[EXAMPLE_PRODUCT]
    vol = float(model.dose_volume_ml(ex["dose"], ex["concentration_per_ml"], EXAMPLE_WEIGHT_KG))
    return {
        "aav-gene-therapy-vol70": f"{vol:.0f}",
        "aav-gene-therapy-vials70": model.vials_needed(vol, ex["vial_ml"]),
        "aav-gene-therapy-vg70": sci(model.total_genomes(ex['dose'], EXAMPLE_WEIGHT_KG)),
        "aav-gene-therapy-fold": f"{v.loc['Roctavian', 'dose'] / v.loc['Beqvez', 'dose']:.0f}",
    }


def durability_facts() -> dict:
    """Glue values for *Durability*: observed half-lives and the projected time to 5 IU/dL."""
    hl = model.observed_half_lives()
    d = data.load(model.DURABILITY)
    last_fviii = d[d["product"] == "Roctavian"].sort_values("weeks")["mean_iu_dl"].iloc[-1]
    weeks = model.time_to_threshold(last_fviii, 5.0, model.FVIII_HALF_LIFE_WEEKS)
    return {"aav-gene-therapy-hl-fviii": f"{hl['Roctavian']:.0f}",
            "aav-gene-therapy-hl-fix": f"{hl['Hemgenix'] / 52.18:.0f}",
            "aav-gene-therapy-t5": f"{weeks / 52.18:.1f}"}


def regulatory_facts(atmps: pd.DataFrame) -> dict:
    """Counts by authorisation type, orphan count and Beqvez's months on the market."""
    rows = products(atmps)
    kind = rows["authorisation_type"]
    beqvez = rows.set_index("product").loc["Beqvez"]
    months = (beqvez["status_date"] - beqvez["ec_decision_date"]).days / 30.44
    return {"aav-gene-therapy-n-cond": int((kind == "conditional").sum()),
            "aav-gene-therapy-n-exc": int((kind == "exceptional circumstances").sum()),
            "aav-gene-therapy-n-std": int((kind == "standard").sum()),
            "aav-gene-therapy-n-orphan": int(rows["orphan"].sum()),
            "aav-gene-therapy-beqvez-months": int(round(months))}


def episome_facts() -> dict:
    """Glue values for *Episome dilution and loss*: the exact formula, its bound, human limits."""
    c0, heinke = EPISOME_C0, episome.HEINKE_MEAN_HEPATOCYTE_AGE_YEARS
    bound = episome.HOPE_B_LIFETIME_BOUND_YEARS
    d = data.load(model.DURABILITY)
    f8 = d[d["product"] == "Roctavian"].set_index("weeks")["mean_iu_dl"]
    fviii = episome.implied_lifetime_years(f8.loc[52], f8.loc[104], 52 / episome.WEEKS_PER_YEAR)
    fix = episome.HOPE_B_FIX_IU_DL
    pct = lambda x: f"{100 * float(x):.0f}"  # noqa: E731
    return {
        "aav-gene-therapy-c0": f"{c0:g}",
        "aav-gene-therapy-heinke-age": f"{heinke:g}",
        "aav-gene-therapy-lifetime-bound": f"{bound:.0f}",
        "aav-gene-therapy-fix-kept": pct(fix[260] / fix[26]),
        "aav-gene-therapy-exact2": pct(episome.fraction_with_genome(2.0, c0, heinke)),
        "aav-gene-therapy-bound2": pct(episome.fraction_upper_bound(2.0, c0, heinke)),
        "aav-gene-therapy-left5-heinke": pct(episome.relative_expression(5.0, c0, heinke)),
        "aav-gene-therapy-left5-bound": pct(episome.relative_expression(5.0, c0, bound)),
        "aav-gene-therapy-fviii-lifetime": f"{fviii:.1f}",
    }


def safety_rows() -> pd.DataFrame:
    """The aav rows of the gene-therapy safety table, oldest first."""
    return safety.findings("aav")


def safety_table() -> pd.DataFrame:
    """The reader's table of this family's dated safety findings and regulatory actions."""
    return safety.table("aav")


def _safety(product: str, finding_type: str) -> pd.Series:
    s = safety_rows()
    hit = s[(s["product"] == product) & (s["finding_type"] == finding_type)]
    if hit.empty:
        raise KeyError(f"{product}: no {finding_type} row in {safety.TABLE}")
    return hit.iloc[0]


def safety_facts() -> dict:
    """Glue values for *Safety and long-term follow-up*: dates and counts from the safety table."""
    tma_dhpc, s = _safety("Zolgensma", "thrombotic microangiopathy"), safety_rows()
    tma = s[(s["product"] == "Zolgensma") & (s["finding_type"] == "thrombotic microangiopathy")
            & s["count"].notna()].iloc[0]
    zdeath, edeath = _safety("Zolgensma", "death"), _safety("Elevidys", "death")
    liver = s[(s["product"] == "Zolgensma") & (s["finding_type"] == "hepatotoxicity")].iloc[-1]
    elev_box = s[(s["product"] == "Elevidys") & (s["finding_type"] == "hepatotoxicity")].iloc[0]
    lt = _safety("scAAV2/8-LP1-hFIXco (investigational)", "long-term follow-up")
    return {
        "aav-gene-therapy-drg-hold": safety.when(_safety("Itvisma", "dorsal root ganglion toxicity")),
        "aav-gene-therapy-tma-dhpc": safety.when(tma_dhpc),
        "aav-gene-therapy-tma-n": int(tma["count"]), "aav-gene-therapy-tma-date": safety.when(tma),
        "aav-gene-therapy-zolg-deaths": int(zdeath["count"]),
        "aav-gene-therapy-zolg-deaths-date": safety.when(zdeath),
        "aav-gene-therapy-zolg-dhpc": safety.when(liver),
        "aav-gene-therapy-integration-date": safety.when(_safety("Zolgensma", "vector integration")),
        "aav-gene-therapy-hcc-date": safety.when(_safety("Hemgenix", "vector integration")),
        "aav-gene-therapy-elev-deaths": int(edeath["count"]),
        "aav-gene-therapy-elev-deaths-date": safety.when(edeath),
        "aav-gene-therapy-elev-chmp": safety.when(_safety("Elevidys", "benefit not shown")),
        "aav-gene-therapy-elev-box": safety.when(elev_box),
        "aav-gene-therapy-lt-cancers": int(lt["count"]),
        "aav-gene-therapy-lt-n": int(lt["denominator"]),
        "aav-gene-therapy-n-safety": len(s),
    }


def newest_facts() -> dict:
    """Glue values for the 2025-26 evidence: STEER, SPR1NT, GENEr8-1 year 3, HOPE-B (all and
    NAb-positive), Reiss."""
    ev = data.load(EVIDENCE)

    def v(study, outcome, fmt="{:g}"):
        return fmt.format(evidence_value(ev, study, outcome))

    steer, g3 = "STEER (Proud, MDA 2025)", "GENEr8-1 3-year update (Mahlangu, ISTH 2023)"
    hb, reiss = "HOPE-B end of study (Pipe, NEJM 2025)", "Long-term follow-up (Reiss, NEJM 2025)"
    p2, p3 = ("SPR1NT, 2 SMN2 copies (Strauss, Nat Med 2022)",
              "SPR1NT, 3 SMN2 copies (Strauss, Nat Med 2022)")
    pasi = "Phase 1/2 270-201 (Pasi 2021)"
    nab = "HOPE-B NAb-positive subgroup (Klamroth, RPTH 2026)"
    div = ev[ev["study"] == "BioMarin third-quarter 2025 results"].iloc[0]
    return {
        "aav-gene-therapy-steer-n": v(steer, "patients randomised (3:2, onasemnogene abeparvovec "
                                             "IT vs sham)"),
        "aav-gene-therapy-steer-t": v(steer, "patients given intrathecal onasemnogene abeparvovec"),
        "aav-gene-therapy-steer-c": v(steer, "patients given the sham procedure"),
        "aav-gene-therapy-steer-dt": v(steer, "mean change in HFMSE total score, treated arm"),
        "aav-gene-therapy-steer-dc": v(steer, "mean change in HFMSE total score, sham arm"),
        "aav-gene-therapy-steer-diff": v(steer, "difference in HFMSE change, treated minus sham "
                                                "(P = 0.0074)"),
        "aav-gene-therapy-spr2-n": v(p2, "presymptomatic infants treated at 6 weeks of age or "
                                         "younger"),
        "aav-gene-therapy-spr2-sat": v(p2, "sat independently for at least 30 s at any visit up "
                                           "to 18 months"),
        "aav-gene-therapy-spr3-n": v(p3, "presymptomatic infants treated at 6 weeks of age or "
                                         "younger"),
        "aav-gene-therapy-spr3-walk": v(p3, "walked independently"),
        "aav-gene-therapy-g3-low": v(g3, "modified ITT participants with FVIII <3 IU/dL "
                                         "(chromogenic)", "{:.1f}"),
        "aav-gene-therapy-g3-high": v(g3, "modified ITT participants with FVIII >=40 IU/dL "
                                          "(chromogenic)", "{:.1f}"),
        "aav-gene-therapy-pasi-kept": v(pasi, "participants with median FVIII >5 IU/dL "
                                              "(chromogenic), 6 × 10¹³ vg/kg cohort"),
        "aav-gene-therapy-pasi-n": v(pasi, "participants in the 6 × 10¹³ vg/kg cohort"),
        "aav-gene-therapy-divest-date": long_date(div["date"]),
        "aav-gene-therapy-divest-sales": f"{div['value']:g}",
        "aav-gene-therapy-hb5-abr0": v(hb, "adjusted annualised bleeding rate, all bleeds, "
                                           "lead-in on FIX prophylaxis"),
        "aav-gene-therapy-hb5-abr1": v(hb, "adjusted annualised bleeding rate, all bleeds, after "
                                           "gene therapy"),
        "aav-gene-therapy-hb5-cut": v(hb, "reduction in all-bleed ABR vs lead-in"),
        "aav-gene-therapy-reiss-fix": v(reiss, "mean FIX activity, high-dose group "
                                               "(2 × 10¹² vg/kg, n = 6)"),
        "aav-gene-therapy-reiss-abr0": v(reiss, "median annualised bleeding rate before gene "
                                                "therapy", "{:.1f}"),
        "aav-gene-therapy-reiss-abr1": v(reiss, "median annualised bleeding rate after gene "
                                                "therapy"),
        "aav-gene-therapy-reiss-off": v(reiss, "participants not on prophylaxis"),
        "aav-gene-therapy-nab-n": v(nab, "participants with pre-existing AAV5 neutralising "
                                         "antibodies at dosing"),
        "aav-gene-therapy-nab-date": ev.loc[ev["study"] == nab, "date"].iloc[0].strftime("%B %Y"),
    }


def elevidys_facts() -> dict:
    """How the EU application for Elevidys ended, from ``failed-applications``: the outcome and
    the refusal date EMA's medicines data give, and whether a re-examination was recorded."""
    rows = data.load(FAILED)
    hit = rows[rows["product"] == "Elevidys"]
    if hit.empty:
        raise ValueError(f"no Elevidys row in {FAILED}")
    row = hit.iloc[0]
    if row["outcome"] != "refused" or pd.isna(row["ec_decision_date"]):
        raise ValueError(f"{FAILED}: Elevidys is not recorded as refused with a decision date")
    return {"aav-gene-therapy-elev-refused": long_date(row["ec_decision_date"]),
            "aav-gene-therapy-elev-reexam": {"yes": "after a re-examination",
                                             "no": "without a re-examination"}.get(
                row["re_examination"], "with no re-examination recorded")}


def facts(atmps: pd.DataFrame, events: pd.DataFrame) -> dict:
    """Every value the chapter's prose pastes (keys ``aav-gene-therapy-…``)."""
    return {**chapters.common_facts(CHAPTER), **product_facts(atmps), **dose_facts(),
            **durability_facts(), **regulatory_facts(atmps), **episome_facts(),
            **safety_facts(), **newest_facts(), **elevidys_facts()}


def figures(atmps: pd.DataFrame, events: pd.DataFrame) -> dict:
    """The chapter's static figures, drawn when asked."""
    return {
        "aav-gene-therapy-genome-maps": lambda: model.draw_genome_maps(),
        "aav-gene-therapy-episomes-child": lambda: model.draw_episomes(
            c0=EPISOME_C0, lifetime_years=episome.HOPE_B_LIFETIME_BOUND_YEARS, growth_fold=5.0,
            years=15.0),
        "aav-gene-therapy-trials": lambda: model.draw_trials(),
    }
