"""Chapter *From bench to market* (``notebooks/regulation.ipynb``): the chapter contract.

Everything about products is computed from the product record (:mod:`atmp.record`):
initial authorisations per year and legal route (:func:`authorisation_counts`,
:func:`draw_authorisation_types`), the route at grant against the status today
(:func:`route_table`), each product's regulatory life, how long authorisations are held
(Kaplan–Meier, with still-authorised products censored at the data date), what became of
conditional authorisations and why authorisations were lost. The procedure-clock model is
:mod:`atmp.models.procedure`.

Examples
--------
>>> from atmp import data
>>> from atmp.chapters import regulation
>>> int(regulation.route_table(data.load_atmps()).loc["total", "products"]) > 0
True
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from atmp import chapters, data, plots, record
from atmp.models import procedure
from atmp.text import join_names, percent
from atmp.widgets import Interactive

CHAPTER = "regulation"
WIDGETS = (procedure.CLOCK,)

#: Date on which the legal sources of the chapter were last checked (see the chapter's
#: "Facts as of" section and the bibliography).
LEGAL_SOURCES_CHECKED = dt.date(2026, 11, 25)

#: One colour per legal route at initial authorisation (Okabe–Ito, colour-blind safe).
ROUTE_COLORS: dict[str, str] = {
    "standard": plots.OKABE_ITO["blue"],
    "conditional": plots.OKABE_ITO["orange"],
    "exceptional circumstances": plots.OKABE_ITO["reddish purple"],
    "not recorded": "#BBBBBB",
}
MISSING = "not recorded"


# ----------------------------------------------------------------------------- the contract

def products(atmps: pd.DataFrame) -> pd.DataFrame:
    """Every product with a Commission decision (this chapter is about all of them)."""
    return record.ever_authorised(atmps).sort_values(["ec_decision_date", "product"],
                                                     kind="stable")


def product_table(atmps: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """Each product with its legal route at grant, flags and status today."""
    t = products(atmps)
    return pd.DataFrame({
        "product": t["product"], "authorised": t["ec_decision_date"].dt.strftime("%Y-%m-%d"),
        "route at grant": _route(t), "orphan": t["orphan"].map({True: "yes", False: "no"}),
        "PRIME": t["prime"].map({True: "yes", False: "no"}),
        "status": t["status"].astype("object").fillna(MISSING)}).reset_index(drop=True)


def events_table(atmps: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """Every regulatory event of the record, by date."""
    return record.events_table(atmps, events)


def survival(atmps: pd.DataFrame, events: pd.DataFrame):
    """``(spans, kmf, km)``: authorisation spans, their Kaplan–Meier fit and its summary."""
    spans = record.authorisation_spans(atmps, events, data.data_as_of())
    kmf = record.fit_km(spans)
    return spans, kmf, record.km_summary(kmf, spans, at_years=(2, 5, 10))


def km_table(atmps: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """Probability the authorisation is still held at 2, 5 and 10 years, band and numbers at risk."""
    return survival(atmps, events)[2].reset_index()


def conditional_table(atmps: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """What the record shows for each conditional authorisation (dates as ISO text)."""
    cond = record.conditional_outcomes(atmps, events)
    return cond.assign(granted=cond["granted"].dt.strftime("%Y-%m-%d"),
                       outcome_date=cond["outcome_date"].dt.strftime("%Y-%m-%d").fillna("—"))


def exits_table(atmps: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """The authorisations that were lost: route, dates, years held, status and reason."""
    spans = record.authorisation_spans(atmps, events, data.data_as_of())
    gone = record.exits(spans)
    cols = ["product", "route", "start", "end", "years", "status", "status_reason"]
    return gone.assign(start=gone["start"].dt.strftime("%Y-%m-%d"),
                       end=gone["end"].dt.strftime("%Y-%m-%d"),
                       years=gone["years"].round(1))[cols]


def facts(atmps: pd.DataFrame, events: pd.DataFrame) -> dict:
    """Every value the chapter's prose pastes (keys ``regulation-…``)."""
    counts, routes = authorisation_counts(atmps), route_table(atmps)
    spans, kmf, km = survival(atmps, events)
    cond = record.conditional_outcomes(atmps, events)
    return {**chapters.common_facts(CHAPTER),
            "regulation-legal-checked": LEGAL_SOURCES_CHECKED,
            **product_facts(routes, counts), **clock_facts(), **km_facts(kmf, spans, km),
            **story_facts(cond, record.exits(spans))}


def figures(atmps: pd.DataFrame, events: pd.DataFrame) -> dict:
    """The chapter's static figures, drawn when asked."""
    as_of = data.data_as_of()

    def life():
        return plots.draw_life_timeline(*record.life_timeline(atmps, events, as_of), as_of)

    def held():
        spans, kmf, _ = survival(atmps, events)
        return plots.draw_survival({"all ATMPs": (kmf, spans)})

    return {"regulation-routes-per-year": lambda: draw_authorisation_types(
                authorisation_counts(atmps)),
            "regulation-life-timeline": life,
            "regulation-time-on-market": held}


# ----------------------------------------------------------------------------- routes

def _authorised(atmps: pd.DataFrame) -> pd.DataFrame:
    """Rows with a Commission decision date (rows still being curated have none)."""
    return record.ever_authorised(atmps).copy()


def _route(atmps: pd.DataFrame) -> pd.Series:
    return atmps["authorisation_type"].astype("object").fillna(MISSING)


def route_order(atmps: pd.DataFrame) -> list[str]:
    """Legal routes present in the data, in the schema's order (``not recorded`` last)."""
    present = set(_route(atmps))
    order = [r for r in ROUTE_COLORS if r in present]
    return order + sorted(present - set(order))


def authorisation_counts(atmps: pd.DataFrame, first_year: int | None = None,
                         last_year: int | None = None) -> pd.DataFrame:
    """Initial marketing authorisations per calendar year and legal route.

    Parameters
    ----------
    atmps : DataFrame
        The product table (:func:`atmp.data.load_atmps`).
    first_year, last_year : int, optional
        Span of years (default: first and last year with a decision); years without any
        authorisation are rows of zeros.

    Returns
    -------
    DataFrame
        Index ``year`` (int), one column per route in :func:`route_order`, counts (int).
    """
    df = _authorised(atmps)
    df["year"] = df["ec_decision_date"].dt.year
    df["route"] = _route(df)
    table = pd.crosstab(df["year"], df["route"])
    lo = first_year if first_year is not None else int(table.index.min())
    hi = last_year if last_year is not None else int(table.index.max())
    table = table.reindex(range(lo, hi + 1), fill_value=0)
    table = table.reindex(columns=route_order(df), fill_value=0)
    table.index.name, table.columns.name = "year", None
    return table.astype(int)


def route_table(atmps: pd.DataFrame) -> pd.DataFrame:
    """Legal route at grant against status today, with the orphan and PRIME flags.

    Returns
    -------
    DataFrame
        One row per route; columns: number of products, one column per status present, and
        the number flagged orphan, PRIME and accelerated assessment at initial MA; a ``total``
        row last.
    """
    df = _authorised(atmps)
    df["route"] = pd.Categorical(_route(df), categories=route_order(df))
    status = df["status"].astype("object").fillna(MISSING)
    out = pd.crosstab(df["route"], status)
    out = out.reindex(columns=[s for s in [*plots.STATUS_COLORS, MISSING] if s in out.columns])
    out.insert(0, "products", out.sum(axis=1))
    for flag, label in (("orphan", "orphan"), ("prime", "PRIME"),
                        ("accelerated_assessment", "accelerated")):
        out[label] = df.groupby("route", observed=False)[flag].apply(
            lambda s: int(s.fillna(False).astype(bool).sum()))
    out.loc["total"] = out.sum(axis=0)
    out.index.name, out.columns.name = "route at initial MA", None
    return out.astype(int)


def is_commercial(reason: str) -> bool:
    """True if a recorded exit reason mentions a commercial decision (text match, lower case)."""
    return "commercial" in str(reason).lower()


# ----------------------------------------------------------------------------- figures

def draw_authorisation_types(counts: pd.DataFrame) -> Figure:
    """Stacked bars of initial ATMP marketing authorisations per year, by legal route.

    Parameters
    ----------
    counts : DataFrame
        Output of :func:`authorisation_counts`.
    """
    fig, ax = plots.new_figure(width=7.5, height=3.8)
    bottom = np.zeros(len(counts))
    years = counts.index.to_numpy()
    for route in counts.columns:
        vals = counts[route].to_numpy()
        color = ROUTE_COLORS.get(route, "#BBBBBB")
        ax.bar(years, vals, bottom=bottom, color=color, label=route, width=0.8,
               edgecolor=plots.edge(color), linewidth=0.5)
        bottom += vals
    plots.label_bars(ax, bottom, years)
    ax.set_xlabel("year of the initial Commission decision")
    ax.set_ylabel("initial authorisations (products)")
    ax.set_title("EU ATMP authorisations per year, by legal route at grant")
    ax.set_xticks(years[:: 2 if len(years) > 12 else 1])
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.set_ylim(0, max(bottom.max(), 1) * 1.2)
    ax.legend(title="route at initial MA", loc="upper left")
    ax.grid(axis="x", visible=False)
    return fig



# ----------------------------------------------------------------------------- numbers for prose

def product_facts(routes: pd.DataFrame, counts: pd.DataFrame) -> dict:
    """Glue values for the chapter's *The products* section (keys ``reg-…``).

    Parameters
    ----------
    routes, counts : DataFrame
        Outputs of :func:`route_table` and :func:`authorisation_counts`.
    """
    by = routes["products"]
    n = int(routes.loc["total", "products"])
    special = int(by.get("conditional", 0) + by.get("exceptional circumstances", 0))
    return {"regulation-n-products": n, "regulation-first-year": int(counts.index.min()),
            "regulation-n-standard": int(by.get("standard", 0)),
            "regulation-n-conditional": int(by.get("conditional", 0)),
            "regulation-n-exceptional": int(by.get("exceptional circumstances", 0)),
            "regulation-share-special": percent(special, n),
            "regulation-n-orphan": int(routes.loc["total", "orphan"]),
            "regulation-n-prime": int(routes.loc["total", "PRIME"]),
            "regulation-share-since-2018": percent(counts.loc[counts.index >= 2018].to_numpy().sum(), n)}


def clock_facts(widget: Interactive | None = None) -> dict:
    """Glue values for the *Model* section: the clock at the widget's defaults and the published
    assessment times (days)."""
    d = (widget or procedure.CLOCK).defaults
    clock, pub = procedure.procedure_clock(**d), procedure.published_summary()
    return {"regulation-clock-stop1": d["stop_1"], "regulation-clock-stop2": d["stop_2"],
            "regulation-clock-opinion": clock.opinion_day, "regulation-clock-decision": clock.decision_day,
            "regulation-clock-nostop": procedure.procedure_clock("standard", 0, 0).decision_day,
            "regulation-pub-n": pub["n"], "regulation-pub-median": round(pub["median"]),
            "regulation-pub-min": round(pub["min"]), "regulation-pub-max": round(pub["max"]),
            "regulation-pub-q1": round(pub["q1"]), "regulation-pub-q3": round(pub["q3"]),
            "regulation-pub-implied": round(procedure.implied_clock_stops(pub["median"]))}


def km_facts(kmf, tom: pd.DataFrame, km: pd.DataFrame) -> dict:
    """Glue values for the Kaplan–Meier paragraph (``km`` from :func:`atmp.record.km_summary`
    at 2, 5 and 10 years)."""
    med = record.median_years(kmf)
    n_left = int(tom["lost"].sum())
    return {"regulation-n-left": n_left, "regulation-n-censored": int(len(tom) - n_left),
            "regulation-naive-share": percent(n_left, len(tom)),
            "regulation-km-2": percent(km.loc[2.0, "still authorised (KM)"], 1),
            "regulation-km-5": percent(km.loc[5.0, "still authorised (KM)"], 1),
            "regulation-km-5-lo": percent(km.loc[5.0, "lower 95%"], 1),
            "regulation-km-5-hi": percent(km.loc[5.0, "upper 95%"], 1),
            "regulation-km-10": percent(km.loc[10.0, "still authorised (KM)"], 1),
            "regulation-km-10-risk": int(km.loc[10.0, "at risk"]),
            "regulation-km-median": "not reached" if np.isinf(med) else f"{med:.1f} years",
            "regulation-exits-within-3": int((tom["lost"] & (tom["years"] < 3)).sum())}


def story_facts(cond: pd.DataFrame, gone: pd.DataFrame) -> dict:
    """Glue values for the *Regulatory story* (outputs of :func:`atmp.record.conditional_outcomes`
    and :func:`atmp.record.exits`); lists of names read "none" when empty."""

    def names(s) -> str:
        return join_names(s) or "none"

    converted = cond["outcome"] == "converted to standard"
    left = cond["outcome"].str.startswith("left")
    commercial = gone["status_reason"].map(is_commercial).astype(bool)
    return {"regulation-cond-n": len(cond), "regulation-cond-converted": int(converted.sum()),
            "regulation-cond-converted-names": names(cond.loc[converted, "product"]),
            "regulation-cond-left": int(left.sum()),
            "regulation-cond-left-names": names(cond.loc[left, "product"]),
            "regulation-cond-unrecorded": int((cond["outcome"] == "no conversion recorded").sum()),
            "regulation-exits-n": len(gone), "regulation-exits-commercial": int(commercial.sum()),
            "regulation-exits-other-names": names(gone.loc[~commercial, "product"]),
            "regulation-exit-median-years": f"{gone['years'].median():.1f}" if len(gone) else "n/a"}
