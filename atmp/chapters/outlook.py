"""Chapter *Precision medicine and what comes next* (``notebooks/outlook.ipynb``).

The chapter contract for a chapter about the whole record: its products are every product
ever authorised. Everything about products is computed from ``data/atmps.csv`` and
``data/events.csv`` through :mod:`atmp.record`:

* :func:`source_group` sorts products by where the therapeutic material comes from (the groups
  of :mod:`atmp.models.cost`, which also holds the cost model, its widget and the routes
  schematic);
* :func:`attrition_table` and :func:`exit_reasons` — how many of each group lost their
  authorisation, how soon and why (the controlled reasons of ``status_reason``);
  :func:`fit_by_group` — Kaplan–Meier estimates of how long
  the authorisation is held, by group;
* :func:`price_table`, :func:`draw_prices` and :func:`access_table` — published EU prices
  (``data/outlook-eu-prices.csv``) and reimbursement by country (``data/outlook-access.csv``),
  every row with its source.

Examples
--------
>>> from atmp import data
>>> from atmp.chapters import outlook
>>> atmps = data.load_atmps()
>>> set(outlook.source_group(atmps)) <= set(outlook.GROUPS)
True
"""

from __future__ import annotations

import math

import pandas as pd
from matplotlib.figure import Figure

from atmp import chapters, data, plots, record
from atmp.models import cost as model
from atmp.models.cost import COST, GROUP_COLORS, GROUPS

CHAPTER = "outlook"
WIDGETS = (COST,)
PRICES = "outlook-eu-prices"
ACCESS = "outlook-access"
#: The column of :func:`attrition_table` that holds a median over the products that left only.
MEDIAN = "median years among those that left"
#: Italy, data cut-off December 2023 (Rivetti di Val Cervo et al. 2024, doi
#: 10.1007/s40259-024-00683-0): ATMPs authorised in the EU, reimbursed by the national health
#: service, and actually used.
ITALY_2023 = {"authorised": 18, "reimbursed": 9, "used": 6}

#: The controlled exit reasons of ``atmps.csv`` (``status_reason``), in the schema's order.
REASONS = tuple(r for r in data.enum("atmps", "status_reason") if r != "see EMA")


def products(atmps: pd.DataFrame) -> pd.DataFrame:
    """Every product ever authorised, oldest Commission decision first (a field chapter)."""
    return record.ever_authorised(atmps).sort_values(["ec_decision_date", "product"],
                                                     kind="stable")


#: Donor-cell (allogeneic) products made for one recipient, with the source that says so.
ONE_PATIENT_DONOR = {
    "Zalmoxis": "https://genetherapynet.com/zalmoxis.html",  # T cells of the HSCT donor
    "Zemcelpro": "https://www.ema.europa.eu/en/medicines/human/EPAR/zemcelpro",  # "made
    # specifically for each patient" from one cord-blood unit
}
#: Donor-cell products made in batches that treat many patients.
BANKED_DONOR = {
    "Alofisel": "https://www.ema.europa.eu/en/medicines/human/EPAR/alofisel",
    "Ebvallo": "https://www.ema.europa.eu/en/medicines/human/EPAR/ebvallo",
}


def source_group(atmps: pd.DataFrame) -> pd.Series:
    """What each product is, from the ``cell_source`` column and, for donor cells, whether one
    manufacturing run serves one patient (:data:`ONE_PATIENT_DONOR`) or many (:data:`BANKED_DONOR`).

    Returns
    -------
    Series of str
        ``autologous cells``, ``donor cells, one patient``, ``donor cells, banked`` or
        ``in vivo (no cells)`` (empty ``cell_source``: a vector or virus given to the patient).

    Raises
    ------
    ValueError
        A donor-cell product is in neither list (a new product must be classified by a source).
    """
    src = atmps["cell_source"].astype(object).fillna("").astype(str).str.strip().str.lower()
    out = pd.Series("in vivo (no cells)", index=atmps.index, dtype=object)
    out[src.str.startswith("autologous")] = "autologous cells"
    donor = src.str.startswith("allogeneic")
    unknown = sorted(set(atmps.loc[donor, "product"]) - set(ONE_PATIENT_DONOR) - set(BANKED_DONOR))
    if unknown:
        raise ValueError(f"donor-cell product(s) not classified as one-patient or banked: {unknown}")
    out[donor & atmps["product"].isin(list(ONE_PATIENT_DONOR))] = "donor cells, one patient"
    out[donor & atmps["product"].isin(list(BANKED_DONOR))] = "donor cells, banked"
    return out


def product_table(atmps: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """Every product with its source group, class, family, decision date and status, by group."""
    t = products(atmps)
    df = pd.DataFrame({
        "group": source_group(t),
        "product": t["product"],
        "class": t["atmp_class"].astype(str),
        "family": t["mechanism_family"].astype(str),
        "authorised": t["ec_decision_date"].dt.strftime("%Y-%m-%d"),
        "status": t["status"].astype(str),
    })
    df["group"] = pd.Categorical(df["group"], categories=GROUPS)
    return df.sort_values(["group", "authorised"], ignore_index=True)


def events_table(atmps: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """The regulatory events of every product ever authorised, by date."""
    return record.events_table(atmps, events)


def _spans(atmps: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """:func:`atmp.record.authorisation_spans` (censored at the data date) with each product's
    source group."""
    spans = record.authorisation_spans(atmps, events, data.data_as_of())
    group = dict(zip(atmps["product"], source_group(atmps), strict=True))
    return spans.assign(group=spans["product"].map(group))


def attrition_table(atmps: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """Products, lost authorisations and years held, by source group (and in total).

    Parameters
    ----------
    atmps, events : DataFrame
        From :func:`atmp.data.load_atmps` and :func:`atmp.data.load_events`; products still
        authorised are followed until the data date.

    Returns
    -------
    DataFrame
        Index: the groups and ``all``; columns ``products``, ``left the market`` (authorisation
        lost, by the exit rule of :mod:`atmp.record`), ``share left`` (0-1), :data:`MEDIAN` (a median
        conditioned on leaving, not a median time on the market; NaN if none).
    """
    spans = _spans(atmps, events)
    rows = {}
    for name, g in [*((grp, spans[spans["group"] == grp]) for grp in GROUPS), ("all", spans)]:
        left = g[g["lost"]]
        rows[name] = {"products": len(g), "left the market": len(left),
                      "share left": len(left) / len(g) if len(g) else float("nan"),
                      MEDIAN: float(left["years"].median()) if len(left)
                      else float("nan")}
    return pd.DataFrame(rows).T.astype({"products": int, "left the market": int})


def attrition_view(atmps: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """:func:`attrition_table` for the page: shares in %, years to one decimal, a group column."""
    att = attrition_table(atmps, events)
    shown = att.assign(**{"share left": att["share left"].map("{:.0%}".format),
                          MEDIAN: att[MEDIAN].map("{:.1f}".format)})
    return shown.reset_index(names="group")


def exit_reasons(atmps: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """Products that lost their authorisation, with group, status, exit date and the controlled
    exit reason of ``atmps.csv`` (the reason in the holder's words is in its ``notes``).

    The exit date is :func:`atmp.record.exit_dates` (for a suspension never lifted, the start of
    the suspension).
    """
    gone = record.exits(_spans(atmps, events))
    group = dict(zip(atmps["product"], source_group(atmps), strict=True))
    return pd.DataFrame({
        "product": gone["product"],
        "group": gone["product"].map(group),
        "status": gone["status"],
        "left": gone["end"].dt.strftime("%Y-%m-%d"),
        "reason": gone["status_reason"].astype(str),
    })


def route_table(atmps: pd.DataFrame) -> pd.DataFrame:
    """Products by source group (rows) and type of authorisation at grant (columns)."""
    t = products(atmps)
    return pd.crosstab(source_group(t).rename("group"),
                       t["authorisation_type"].astype(str).rename("route at grant")
                       ).reset_index()


def fit_by_group(atmps: pd.DataFrame, events: pd.DataFrame) -> dict:
    """Kaplan–Meier fits of holding the authorisation, one per source group present.

    Returns
    -------
    dict
        Group → ``(kmf, spans)``, as :func:`atmp.plots.draw_survival` takes them.
    """
    spans = _spans(atmps, events)
    return {g: (record.fit_km(spans[spans["group"] == g], label=g), spans[spans["group"] == g])
            for g in GROUPS if (spans["group"] == g).any()}


def draw_time_on_market(atmps: pd.DataFrame, events: pd.DataFrame) -> Figure:
    """Kaplan–Meier curves of still holding the authorisation, by source group."""
    return plots.draw_survival(fit_by_group(atmps, events), colors=GROUP_COLORS,
                               title="Time until the authorisation is lost, by what the product is")


# ----------------------------------------------------------------------------- prices


def price_table() -> pd.DataFrame:
    """Published EU prices for the page: product, country, price, currency, basis, what."""
    prices = data.load(PRICES)
    return prices[["product", "country", "price", "currency", "basis", "what"]].astype(
        {"price": int, "currency": str})


def draw_prices(prices: pd.DataFrame, atmps: pd.DataFrame) -> Figure:
    """Horizontal bars of published prices, coloured by ATMP class.

    Parameters
    ----------
    prices : DataFrame
        ``data.load("outlook-eu-prices")``.
    atmps : DataFrame
        From :func:`atmp.data.load_atmps` (for each product's class).
    """
    cls = dict(zip(atmps["product"], atmps["atmp_class"].astype(str), strict=True))
    p = prices.sort_values("price")
    fig, ax = plots.new_figure(width=7.0, height=0.6 * len(p) + 1.4)
    colors = [plots.class_color(cls[x]) for x in p["product"]]
    ax.barh(p["product"], p["price"], color=colors)
    for y, (v, cur) in enumerate(zip(p["price"], p["currency"].astype(str), strict=True)):
        ax.text(v * 1.02, y, f"{'£' if cur == 'GBP' else cur + ' '}{v:,.0f}", va="center",
                fontsize=9)
    ax.set_xlim(0, p["price"].max() * 1.45)
    ax.set_xlabel(f"price per patient before confidential rebates ({p['currency'].astype(str).iloc[0]})")
    ax.grid(axis="y", visible=False)
    return fig


# ----------------------------------------------------------------------------- contract


def _pct(x: float) -> str:
    return "n/a" if math.isnan(x) else f"{100 * x:.0f}%"


def record_facts(atmps: pd.DataFrame, events: pd.DataFrame) -> dict:
    """Counts, shares and exit reasons of the whole record (keys ``outlook-…``)."""
    att = attrition_table(atmps, events)
    counts = exit_reasons(atmps, events)["reason"].value_counts()
    grp = source_group(products(atmps))
    return {
        "outlook-n": int(att.loc["all", "products"]),
        "outlook-n-left": int(att.loc["all", "left the market"]),
        "outlook-share-left": _pct(att.loc["all", "share left"]),
        "outlook-n-auto": int((grp == "autologous cells").sum()),
        "outlook-n-allo": int(grp.isin(["donor cells, one patient", "donor cells, banked"]).sum()),
        "outlook-n-allo-one": int((grp == "donor cells, one patient").sum()),
        "outlook-n-allo-banked": int((grp == "donor cells, banked").sum()),
        "outlook-n-one-patient": int(grp.isin(["autologous cells",
                                               "donor cells, one patient"]).sum()),
        "outlook-n-invivo": int((grp == "in vivo (no cells)").sum()),
        "outlook-share-left-auto": _pct(att.loc["autologous cells", "share left"]),
        "outlook-share-left-allo-one": _pct(att.loc["donor cells, one patient", "share left"]),
        "outlook-share-left-allo-banked": _pct(att.loc["donor cells, banked", "share left"]),
        "outlook-share-left-invivo": _pct(att.loc["in vivo (no cells)", "share left"]),
        "outlook-median-exit": f"{att.loc['all', MEDIAN]:.1f}",
        "outlook-n-commercial": int(counts.get("commercial", 0)),
        "outlook-n-manufacturing": int(counts.get("manufacturing or site", 0)),
        "outlook-n-efficacy": int(counts.get("confirmatory evidence failed", 0)),
        "outlook-n-not-renewed": int(counts.get("not renewed", 0)),
        "outlook-n-safety": int(counts.get("safety", 0)),
    }


def price_facts() -> dict:
    """The lowest and highest published EU price, with their products and countries, and the
    Italian access figures (keys ``outlook-price-…``, ``outlook-italy-…``)."""
    prices = data.load(PRICES)
    lo, hi = prices.loc[prices["price"].idxmin()], prices.loc[prices["price"].idxmax()]
    access = access_table()
    it = access[access["country"] == "Italy"]
    return {"outlook-price-lo": f"€{lo['price']:,.0f}", "outlook-price-lo-product": lo["product"],
            "outlook-price-hi": f"€{hi['price']:,.0f}", "outlook-price-hi-product": hi["product"],
            "outlook-price-n": len(prices),
            "outlook-italy-authorised": ITALY_2023["authorised"],
            "outlook-italy-reimbursed": ITALY_2023["reimbursed"],
            "outlook-italy-used": ITALY_2023["used"],
            "outlook-italy-not-reimbursed": int((it["status"] == "not reimbursed").sum()),
            "outlook-italy-under-evaluation": int((it["status"] == "under evaluation").sum())}


def access_table() -> pd.DataFrame:
    """Reimbursement status of ATMPs by country, as dated sources report it
    (``data/outlook-access.csv``): product, country, status, as of, source."""
    return data.load(ACCESS)[["product", "country", "status", "as_of", "source"]]


def facts(atmps: pd.DataFrame, events: pd.DataFrame) -> dict:
    """Every value the chapter's prose pastes (keys ``outlook-…``)."""
    return {**chapters.common_facts(CHAPTER), **record_facts(atmps, events), **price_facts()}


def figures(atmps: pd.DataFrame, events: pd.DataFrame) -> dict:
    """The chapter's static figures, drawn when asked."""
    return {
        "outlook-routes": model.draw_routes,
        "outlook-time-on-market": lambda: draw_time_on_market(atmps, events),
        "outlook-prices": lambda: draw_prices(data.load(PRICES), atmps),
    }

