"""Chapter *In vivo gene therapy with AAV* (``notebooks/aav-gene-therapy.ipynb``): the chapter contract.

The models (label arithmetic, episome dilution and loss, first-order decline of transgene
output) and their drawings are in :mod:`atmp.models.aav`; the chapter's data are
``data/aav-gene-therapy-vectors.csv``, ``…-durability.csv`` and ``…-trials.csv``.
"""

from __future__ import annotations

import math

import pandas as pd

from atmp import chapters, data, record
from atmp.models import aav as model
from atmp.text import join_names, sci

CHAPTER = "aav-gene-therapy"
WIDGETS = (model.DOSE_WIDGET, model.EPISOME_WIDGET, model.DURABILITY_WIDGET)
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


def facts(atmps: pd.DataFrame, events: pd.DataFrame) -> dict:
    """Every value the chapter's prose pastes (keys ``aav-gene-therapy-…``)."""
    return {**chapters.common_facts(CHAPTER), **product_facts(atmps), **dose_facts(),
            **durability_facts(), **regulatory_facts(atmps)}


def figures(atmps: pd.DataFrame, events: pd.DataFrame) -> dict:
    """The chapter's static figures, drawn when asked."""
    return {
        "aav-gene-therapy-genome-maps": lambda: model.draw_genome_maps(),
        "aav-gene-therapy-episomes-child": lambda: model.draw_episomes(
            c0=3.0, lifetime_years=3.0, growth_fold=5.0, years=15.0),
        "aav-gene-therapy-trials": lambda: model.draw_trials(),
    }
