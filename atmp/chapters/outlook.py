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
* :func:`price_table` and :func:`draw_prices` — published list prices
  (``data/outlook-prices.csv``, every row with its source).

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
PRICES = "outlook-prices"

#: The controlled exit reasons of ``atmps.csv`` (``status_reason``), in the schema's order.
REASONS = tuple(r for r in data.enum("atmps", "status_reason") if r != "see EMA")


def products(atmps: pd.DataFrame) -> pd.DataFrame:
    """Every product ever authorised, oldest Commission decision first (a field chapter)."""
    return record.ever_authorised(atmps).sort_values(["ec_decision_date", "product"],
                                                     kind="stable")


def source_group(atmps: pd.DataFrame) -> pd.Series:
    """Where each product's active material comes from, from the ``cell_source`` column.

    Returns
    -------
    Series of str
        ``autologous cells``, ``allogeneic cells`` or ``in vivo (no cells)`` (empty
        ``cell_source``: a vector or virus given to the patient).
    """
    src = atmps["cell_source"].astype(object).fillna("").astype(str).str.strip().str.lower()
    out = pd.Series("in vivo (no cells)", index=atmps.index, dtype=object)
    out[src.str.startswith("autologous")] = "autologous cells"
    out[src.str.startswith("allogeneic")] = "allogeneic cells"
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
        lost, by the exit rule of :mod:`atmp.record`), ``share left`` (0-1), ``median years to
        exit`` (among those that left; NaN if none).
    """
    spans = _spans(atmps, events)
    rows = {}
    for name, g in [*((grp, spans[spans["group"] == grp]) for grp in GROUPS), ("all", spans)]:
        left = g[g["lost"]]
        rows[name] = {"products": len(g), "left the market": len(left),
                      "share left": len(left) / len(g) if len(g) else float("nan"),
                      "median years to exit": float(left["years"].median()) if len(left)
                      else float("nan")}
    return pd.DataFrame(rows).T.astype({"products": int, "left the market": int})


def attrition_view(atmps: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """:func:`attrition_table` for the page: shares in %, years to one decimal, a group column."""
    att = attrition_table(atmps, events)
    shown = att.assign(**{"share left": att["share left"].map("{:.0%}".format),
                          "median years to exit": att["median years to exit"].map("{:.1f}".format)})
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
                               title="How long authorisations are held, by source of the product")


# ----------------------------------------------------------------------------- prices


def price_table() -> pd.DataFrame:
    """Published list prices for the page: product, country, price, currency, basis, what."""
    prices = data.load(PRICES)
    return prices[["product", "country", "price", "currency", "basis", "what"]].astype(
        {"price": int, "currency": str})


def draw_prices(prices: pd.DataFrame, atmps: pd.DataFrame) -> Figure:
    """Horizontal bars of list prices (log scale), coloured by ATMP class.

    Parameters
    ----------
    prices : DataFrame
        ``data.load("outlook-prices")``.
    atmps : DataFrame
        From :func:`atmp.data.load_atmps` (for each product's class).
    """
    cls = dict(zip(atmps["product"], atmps["atmp_class"].astype(str), strict=True))
    p = prices.sort_values("price")
    fig, ax = plots.new_figure(width=7.0, height=0.6 * len(p) + 1.4)
    colors = [plots.class_color(cls[x]) for x in p["product"]]
    ax.barh(p["product"], p["price"], color=colors)
    for y, (v, cur) in enumerate(zip(p["price"], p["currency"].astype(str), strict=True)):
        ax.text(v * 1.1, y, f"{'£' if cur == 'GBP' else cur + ' '}{v:,.0f}", va="center",
                fontsize=9)
    ax.set_xscale("log")
    plots.log_axis(ax.xaxis)
    ax.set_xlim(p["price"].min() / 2, p["price"].max() * 8)
    ax.set_xlabel(f"list price ({p['currency'].astype(str).iloc[0]}, log scale)")
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
        "outlook-n-allo": int((grp == "allogeneic cells").sum()),
        "outlook-n-invivo": int((grp == "in vivo (no cells)").sum()),
        "outlook-share-left-auto": _pct(att.loc["autologous cells", "share left"]),
        "outlook-share-left-allo": _pct(att.loc["allogeneic cells", "share left"]),
        "outlook-share-left-invivo": _pct(att.loc["in vivo (no cells)", "share left"]),
        "outlook-median-exit": f"{att.loc['all', 'median years to exit']:.1f}",
        "outlook-n-commercial": int(counts.get("commercial", 0)),
        "outlook-n-manufacturing": int(counts.get("manufacturing or site", 0)),
        "outlook-n-efficacy": int(counts.get("confirmatory evidence failed", 0)),
        "outlook-n-not-renewed": int(counts.get("not renewed", 0)),
        "outlook-n-safety": int(counts.get("safety", 0)),
    }


def price_facts() -> dict:
    """The lowest and highest published list price, with their products."""
    prices = data.load(PRICES)
    lo, hi = prices.loc[prices["price"].idxmin()], prices.loc[prices["price"].idxmax()]
    return {"outlook-price-lo": f"£{lo['price']:,.0f}", "outlook-price-lo-product": lo["product"],
            "outlook-price-hi": f"£{hi['price']:,.0f}", "outlook-price-hi-product": hi["product"]}


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

