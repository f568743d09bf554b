"""Chapter *From bench to market* (``notebooks/regulation.ipynb``): the chapter contract.

Everything about products is computed from the product record (:mod:`atmp.record`):
initial authorisations per year and legal route (:func:`authorisation_counts`,
:func:`draw_authorisation_types`), the route at grant against the status today
(:func:`route_table`), each product's regulatory life, how long authorisations are held
(Kaplan–Meier, with still-authorised products censored at the data date), what became of
conditional authorisations and why authorisations were lost. The law of 2025–26 comes from
``data/legal-framework.csv`` (:func:`law_table`, :func:`acts_table`), the applications that did
not end in an authorisation from ``data/failed-applications.csv`` (:func:`failed_table`,
:func:`outcomes_per_year`), and the US decisions on products whose EU story went another way
from ``data/regulation-us-comparison.csv`` (:func:`us_table`). The procedure-clock model is
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
from atmp.text import join_names, long_date, percent
from atmp.widgets import Interactive

CHAPTER = "regulation"
WIDGETS = (procedure.CLOCK,)

#: Date on which the legal sources of the chapter were last checked (see the chapter's
#: "Facts as of" section and the bibliography).
LEGAL_SOURCES_CHECKED = dt.date(2026, 11, 30)

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
    """What the record shows for each conditional authorisation (dates as ISO text).

    The yearly renewals are not in the record, so no renewal count is shown (a 0 would read as
    "never renewed"; every conditional authorisation is renewed yearly while it lasts).
    """
    cond = record.conditional_outcomes(atmps, events).drop(columns=["renewals"], errors="ignore")
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
            **story_facts(cond, record.exits(spans)), **law_facts(), **failed_facts(atmps),
            **_story_dates(failed_applications(None), "Elevidys", "elevidys"),
            **us_facts(atmps)}


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
            "regulation-authorisation-held": held,
            "regulation-procedure-today-reform": procedure.draw_today_and_reform,
            "regulation-outcomes-per-year": lambda: draw_outcomes_per_year(
                outcomes_per_year(atmps))}


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
            "regulation-n-accelerated": int(routes.loc["total", "accelerated"]),
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

    dated = cond["outcome"] == "converted to standard"
    undated = cond["outcome"] == "converted (date not seen)"
    converted = dated | undated
    still = cond["outcome"] == "still conditional (EMA flag)"
    left = cond["outcome"].str.startswith("left")
    commercial = gone["status_reason"].map(is_commercial).astype(bool)
    return {"regulation-cond-n": len(cond), "regulation-cond-converted": int(converted.sum()),
            "regulation-cond-converted-names": names(cond.loc[converted, "product"]),
            "regulation-cond-left": int(left.sum()),
            "regulation-cond-left-names": names(cond.loc[left, "product"]),
            "regulation-cond-converted-undated": int(undated.sum()),
            "regulation-cond-converted-undated-names": names(cond.loc[undated, "product"]),
            "regulation-cond-still": int(still.sum()),
            "regulation-cond-unrecorded": int((cond["outcome"] == "no conversion recorded").sum()),
            "regulation-exits-n": len(gone), "regulation-exits-commercial": int(commercial.sum()),
            "regulation-exits-other-names": names(gone.loc[~commercial, "product"]),
            "regulation-exit-median-years": f"{gone['years'].median():.1f}" if len(gone) else "n/a"}


# ----------------------------------------------------------------------------- the law of 2025–26

#: Columns of ``data/legal-framework.csv`` shown side by side (today's law against the reform).
_LAW_COLUMNS = {"topic": "topic", "today_rule": "today (in force)",
                "today_act_article": "act and article today", "reform_rule": "the reform (agreed)",
                "reform_act_article": "act and article of the reform",
                "reform_article_check": "reform checked"}


def law_table(data_dir=None) -> pd.DataFrame:
    """Today's rule beside the pharmaceutical reform, topic by topic.

    From ``data/legal-framework.csv`` (rows of kind ``today vs reform``); the last column says
    how far the reform's wording was checked (``not verified`` where only reports were read).
    """
    t = data.load("legal-framework", data_dir)
    t = t[t["kind"] == "today vs reform"]
    return t[list(_LAW_COLUMNS)].rename(columns=_LAW_COLUMNS).reset_index(drop=True)


def acts_table(data_dir=None) -> pd.DataFrame:
    """The acts and guidelines in force (or adopted, applying later) beside the reform.

    From ``data/legal-framework.csv`` (kinds ``act in force`` and ``guideline``), in order of
    the date from which each applies.
    """
    t = data.load("legal-framework", data_dir)
    t = t[t["kind"].isin(["act in force", "guideline"])].sort_values("today_applies_from")
    return pd.DataFrame({"topic": t["topic"], "kind": t["kind"],
                         "applies from": t["today_applies_from"].dt.strftime("%Y-%m-%d"),
                         "act and article": t["today_act_article"].replace("", "— (guideline)"),
                         "what it says": t["today_rule"]}).reset_index(drop=True)


def law_facts(on=None, data_dir=None) -> dict:
    """Glue values for *The law of 2025–26*: the reform's status and the dates the acts apply.

    ``on`` is the date at which "applies" is judged (default: the legal-sources date);
    ``data_dir`` another data folder (tests).
    """
    t = data.load("legal-framework", data_dir).set_index("topic")
    on = pd.Timestamp(on or LEGAL_SOURCES_CHECKED)
    reform = t[t["kind"] == "today vs reform"]
    acts = t[t["kind"] == "act in force"]
    applies = acts["today_applies_from"]

    def date(topic: str) -> str:
        return long_date(t.loc[topic, "today_applies_from"])

    return {"regulation-reform-n-topics": len(reform),
            "regulation-reform-status": str(reform["reform_status"].mode().iloc[0]),
            "regulation-reform-n-unverified": int((reform["reform_article_check"]
                                                   == "not verified").sum()),
            "regulation-acts-applying": int((applies <= on).sum()),
            "regulation-acts-later": int((applies > on).sum()),
            "regulation-hta-from": date("EU joint clinical assessment (HTA) of ATMPs"),
            "regulation-ctr-from": date("Clinical trials: Regulation (EU) No 536/2014 the only regime"),
            "regulation-soho-from": date("Substances of human origin used as starting materials "
                                         "(SoHO Regulation)"),
            "regulation-fees-from": date("EMA fees"),
            "regulation-gmp-from": date("GMP for ATMPs and its revision"),
            "regulation-iatmp-from": date("Guideline on investigational ATMPs")}


# ----------------------------------------------------------------------------- what failed

#: Outcomes of applications that did not end in an authorisation, in the order drawn.
FAILED_OUTCOMES = ("refused", "withdrawn")
OUTCOME_COLORS = {"authorised": plots.OKABE_ITO["bluish green"],
                  "refused": plots.OKABE_ITO["vermillion"],
                  "withdrawn": plots.OKABE_ITO["orange"]}


def failed_applications(under_atmp_regulation: bool | None = True,
                        data_dir=None) -> pd.DataFrame:
    """Applications that ended without an authorisation, with the date they ended.

    ``ended`` is the Commission decision for a refusal and the withdrawal date for a withdrawn
    application (NaT where the record has no date: it is reported, not guessed). By default only
    applications under the ATMP Regulation (from 30 December 2008) are kept; ``None`` keeps all.
    """
    f = data.load("failed-applications", data_dir)
    if under_atmp_regulation is not None:
        f = f[f["under_atmp_regulation"].fillna(False).astype(bool) == under_atmp_regulation]
    ended = f["ec_decision_date"].where(f["outcome"] == "refused", f["withdrawal_date"])
    return f.assign(ended=ended).sort_values(["ended", "product"], kind="stable",
                                             na_position="last").reset_index(drop=True)


def failed_table(data_dir=None) -> pd.DataFrame:
    """Every ATMP application of the record that did not end in an authorisation."""
    f = failed_applications(None, data_dir)
    neg = f["opinion_date"].notna()
    return pd.DataFrame({
        "product": f["product"], "applicant": f["applicant"] + " (" +
        f["applicant_type"].astype("object").fillna(MISSING) + ")",
        "outcome": f["outcome"].astype("object"),
        "negative opinion": f["opinion_date"].dt.strftime("%Y-%m-%d").where(neg, "—"),
        "ended": f["ended"].dt.strftime("%Y-%m-%d").fillna("date not seen"),
        "reason as reported": f["reason_as_ema_states"].replace("", "not seen"),
    })


def outcomes_per_year(atmps: pd.DataFrame, data_dir=None) -> pd.DataFrame:
    """Initial authorisations, refusals and withdrawn applications per calendar year.

    Authorisations from the product record, failures from :func:`failed_applications` (under
    the ATMP Regulation, dated ones only; an undated one is counted by :func:`failed_facts`).

    Returns
    -------
    DataFrame
        Index ``year`` (every year from the first to the last with an event), columns
        ``authorised``, ``refused``, ``withdrawn`` (int).
    """
    years = {"authorised": _authorised(atmps)["ec_decision_date"].dt.year}
    f = failed_applications(data_dir=data_dir).dropna(subset=["ended"])
    for outcome in FAILED_OUTCOMES:
        years[outcome] = f.loc[f["outcome"] == outcome, "ended"].dt.year
    counts = pd.DataFrame({k: v.value_counts() for k, v in years.items()}).fillna(0)
    lo, hi = int(counts.index.min()), int(counts.index.max())
    counts = counts.reindex(range(lo, hi + 1), fill_value=0)[list(years)]
    counts.index.name = "year"
    return counts.astype(int)


def draw_outcomes_per_year(counts: pd.DataFrame) -> Figure:
    """Authorised applications above the axis, refused and withdrawn ones below it, per year."""
    fig, ax = plots.new_figure(width=7.5, height=4.2)
    years = counts.index.to_numpy()
    ax.bar(years, counts["authorised"], color=OUTCOME_COLORS["authorised"], width=0.8,
           label="authorised (initial Commission decision)",
           edgecolor=plots.edge(OUTCOME_COLORS["authorised"]), linewidth=0.5)
    bottom = np.zeros(len(counts))
    for outcome in FAILED_OUTCOMES:
        vals = counts[outcome].to_numpy()
        color = OUTCOME_COLORS[outcome]
        ax.bar(years, -vals, bottom=-bottom, color=color, width=0.8,
               label=f"{outcome} application", edgecolor=plots.edge(color), linewidth=0.5,
               hatch="//" if outcome == "refused" else None)
        bottom += vals
    ax.axhline(0, color=plots.REFERENCE_COLOR, lw=0.8)
    top = max(int(counts["authorised"].max()), int(bottom.max()), 1)
    ax.set_ylim(-top - 1, top + 1)
    ax.yaxis.set_major_formatter(lambda v, _pos: f"{abs(v):.0f}")
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.set_xticks(years[:: 2 if len(years) > 12 else 1])
    ax.set_xlabel("year (Commission decision, or withdrawal of the application)")
    ax.set_ylabel("applications (below the line: no authorisation)")
    ax.set_title("EU ATMP applications by year: authorised, refused, withdrawn")
    ax.legend(loc="upper left", fontsize=8)
    ax.grid(axis="x", visible=False)
    return fig


def failed_facts(atmps: pd.DataFrame, data_dir=None) -> dict:
    """Glue values for *What failed* (counts over applications under the ATMP Regulation)."""
    f = failed_applications(data_dir=data_dir)
    every = failed_applications(None, data_dir)
    by = f["outcome"].value_counts()
    after_negative = (f["outcome"] == "withdrawn") & (
        f["opinion_date"].notna() | (f["re_examination"].astype("object") == "yes"))
    academic = f["applicant_type"].astype("object") == "academic"
    per_year = outcomes_per_year(atmps, data_dir)
    since = per_year.loc[per_year.index >= 2025]
    return {"regulation-failed-n": len(f),
            "regulation-failed-refused": int(by.get("refused", 0)),
            "regulation-failed-withdrawn": int(by.get("withdrawn", 0)),
            "regulation-failed-after-negative": int(after_negative.sum()),
            "regulation-failed-after-negative-names": join_names(f.loc[after_negative, "product"])
            or "none",
            "regulation-failed-undated": join_names(f.loc[f["ended"].isna(), "product"]) or "none",
            "regulation-failed-before-regulation": len(every) - len(f),
            "regulation-failed-academic": join_names(f.loc[academic, "product"]) or "none",
            "regulation-failed-since-2025": int(since[list(FAILED_OUTCOMES)].to_numpy().sum()),
            "regulation-authorised-since-2025": int(since["authorised"].sum())}


def _story_dates(failed: pd.DataFrame, product: str, key: str) -> dict:
    """The opinion and end dates of one failed application told as a story (long dates)."""
    row = failed[failed["product"] == product].iloc[0]
    return {f"regulation-{key}-opinion": long_date(row["opinion_date"]),
            f"regulation-{key}-ended": long_date(row["ended"])}


# ----------------------------------------------------------------------------- the US beside the EU

def _eu_outcome(product: str, atmps: pd.DataFrame, failed: pd.DataFrame) -> str:
    """The product's EU story in one line, from the product record or the failed applications."""
    row = atmps[atmps["product"] == product]
    if len(row):
        r = row.iloc[0]
        text = (f"authorised {r['ec_decision_date']:%Y-%m-%d} "
                f"({str(r['authorisation_type'])})")
        if pd.notna(r["status_date"]) and str(r["status"]) != "authorised":
            text += f"; {r['status']} {r['status_date']:%Y-%m-%d}"
            if r["status_reason"]:
                text += f" ({r['status_reason']})"
        return text
    row = failed[failed["product"] == product]
    if len(row):
        r = row.iloc[0]
        what = "refused" if r["outcome"] == "refused" else "application withdrawn"
        when = f" {r['ended']:%Y-%m-%d}" if pd.notna(r["ended"]) else ""
        neg = (f" after a negative CHMP opinion ({r['opinion_date']:%Y-%m-%d})"
               if pd.notna(r["opinion_date"]) else "")
        return f"{what}{when}{neg}"
    return "no EU application in the record"


def us_table(atmps: pd.DataFrame, data_dir=None) -> pd.DataFrame:
    """FDA actions beside the EU outcome of the same product, by date of the FDA action.

    The US side is ``data/regulation-us-comparison.csv``; the EU side is read from the product
    record and :func:`failed_applications` (so an EU fact is stated once, in its own table).
    """
    us = data.load("regulation-us-comparison", data_dir).sort_values(["us_date", "product"],
                                                                      kind="stable")
    failed = failed_applications(None, data_dir)
    return pd.DataFrame({
        "product": us["product"], "FDA action": us["us_action"].astype("object"),
        "FDA date": us["us_date"].dt.strftime("%Y-%m-%d"),
        "US indication (abridged)": us["us_indication"],
        "EU outcome": [_eu_outcome(p, atmps, failed) for p in us["product"]],
    }).reset_index(drop=True)


def us_facts(atmps: pd.DataFrame, data_dir=None) -> dict:
    """Glue values for the US comparison: how many products, how many FDA accelerated approvals."""
    us = data.load("regulation-us-comparison", data_dir)
    accelerated = us.loc[us["us_action"] == "accelerated approval", "product"].unique()
    return {"regulation-us-n": int(us["product"].nunique()),
            "regulation-us-accelerated": len(accelerated),
            "regulation-us-accelerated-names": join_names(sorted(accelerated)) or "none"}

