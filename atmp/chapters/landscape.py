"""Chapter *The ATMP landscape* (``notebooks/landscape.ipynb``): the chapter contract.

Everything is computed from ``data/atmps.csv`` and ``data/events.csv``: authorisations per year
by class, the number ever authorised against the number still on the market over time, status
today with the reasons products left, and mechanism families. When a product left the market is
decided by the one rule of :mod:`atmp.record`.

Examples
--------
>>> from atmp import data
>>> from atmp.chapters import landscape
>>> atmps, events = data.load_atmps(), data.load_events()
>>> yearly = landscape.on_market_by_year(atmps, events)
>>> bool((yearly["ever authorised"] >= yearly["on the market"]).all())
True
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from atmp import chapters, data, plots, record, text
from atmp.widgets import Choice, Interactive, Range

CHAPTER = "landscape"
FIRST_YEAR = 2009  # ChondroCelect, the first EU ATMP, was authorised in 2009


def per_year(atmps: pd.DataFrame, last_year: int | None = None) -> pd.DataFrame:
    """Initial authorisations per calendar year and ATMP class.

    Returns
    -------
    DataFrame
        Index: every year from 2009 to ``last_year`` (default: the data year), including years
        with none; columns: the four classes in schema order; values: counts.
    """
    last_year = last_year or data.data_as_of().year
    years = atmps["ec_decision_date"].dt.year
    table = pd.crosstab(years, atmps["atmp_class"], dropna=False)
    table = table.reindex(index=range(FIRST_YEAR, last_year + 1),
                          columns=atmps["atmp_class"].cat.categories, fill_value=0)
    table.index.name, table.columns.name = "year", "atmp_class"
    return table.astype(int)


def on_market_by_year(atmps: pd.DataFrame, events: pd.DataFrame,
                      as_of: pd.Timestamp | None = None) -> pd.DataFrame:
    """Products ever authorised and products still on the market, at the end of each year.

    Parameters
    ----------
    as_of : Timestamp, optional
        The data date (default ``data_as_of``); the current year is counted up to this date.

    Returns
    -------
    DataFrame
        Index: year; columns ``ever authorised``, ``on the market``, ``left the market``
        (counts of products, cumulative to 31 December or to ``as_of``).
    """
    as_of = pd.Timestamp(as_of or data.data_as_of())
    years = range(FIRST_YEAR, as_of.year + 1)
    ends = [min(pd.Timestamp(year=y, month=12, day=31), as_of) for y in years]
    table = record.market_by_date(atmps, events, ends)
    table.index = pd.Index(list(years), name="year")
    return table


def status_table(atmps: pd.DataFrame) -> pd.DataFrame:
    """Products by status today, with the names and the reasons for leaving.

    Returns
    -------
    DataFrame
        One row per status in schema order that occurs: ``status``, ``products`` (count),
        ``names`` (comma-separated), ``reasons`` (distinct reasons, ";"-separated).
    """
    rows = []
    for status in atmps["status"].cat.categories:
        sub = atmps[atmps["status"] == status].sort_values("ec_decision_date")
        if len(sub):
            reasons = "; ".join(dict.fromkeys(str(r) for r in sub["status_reason"].dropna()))
            rows.append((status, len(sub), ", ".join(display_names(sub)), reasons))
    return pd.DataFrame(rows, columns=["status", "products", "names", "reasons"])


def family_table(atmps: pd.DataFrame) -> pd.DataFrame:
    """Products per mechanism family and class, with how many are still authorised."""
    g = atmps.groupby(["mechanism_family", "atmp_class"], observed=True)
    out = g.agg(products=("product", "size"),
                authorised=("status", lambda s: int((s == "authorised").sum())),
                examples=("product", lambda s: ", ".join(s)))
    return out.reset_index().sort_values(["products", "mechanism_family"], ascending=[False, True],
                                         ignore_index=True)


def class_examples(atmps: pd.DataFrame) -> pd.DataFrame:
    """The first product authorised in each ATMP class (a teaching example per class)."""
    first = (atmps.dropna(subset=["ec_decision_date"]).sort_values("ec_decision_date")
             .groupby("atmp_class", observed=True).head(1).set_index("atmp_class"))
    counts = atmps["atmp_class"].value_counts()
    return pd.DataFrame({
        "products in class": counts.reindex(first.index),
        "first authorised": first["product"],
        "EC decision": first["ec_decision_date"].dt.strftime("%Y-%m-%d"),
        "active substance (INN)": first["inn"],
    }).rename_axis("ATMP class")


def display_names(atmps: pd.DataFrame) -> pd.Series:
    """Each product's name as EMA lists it today, with the name it was first authorised under
    where that differs (``authorised_as``): "Beqvez (authorised as Durveqtix)"."""
    was = atmps.get("authorised_as", pd.Series("", index=atmps.index)).fillna("").astype(str)
    return atmps["product"].where(was == "", atmps["product"] + " (authorised as " + was + ")")


def product_table(atmps: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """The searchable product table of the book: one row per product, short readable columns."""
    t = products(atmps)
    left = record.exit_labels(atmps, events).loc[t.index]
    return pd.DataFrame({
        "Product": display_names(t),
        "Class": record.class_labels(t),
        "Mechanism family": t["mechanism_family"].astype(str),
        "EC decision": t["ec_decision_date"].dt.strftime("%Y-%m-%d"),
        "Authorisation": t["authorisation_type"].astype(str).replace("exceptional circumstances",
                                                                     "exceptional"),
        "Orphan": t["orphan"].map({True: "yes", False: "no"}).fillna("?"),
        "Status": t["status"].astype(str),
        "Left market": left,
        "Therapeutic area": t["therapeutic_area"],
    }).reset_index(drop=True)


# ----------------------------------------------------------------------------- figures

def draw_per_year(atmps: pd.DataFrame) -> Figure:
    """Stacked bars of initial EU authorisations per year, coloured by ATMP class."""
    table = per_year(atmps)
    fig, ax = plots.new_figure(width=7.5, height=3.8)
    bottom = np.zeros(len(table))
    for cls in table.columns:
        vals = table[cls].to_numpy()
        if vals.any():
            ax.bar(table.index, vals, bottom=bottom, color=plots.class_color(cls), label=cls,
                   edgecolor=plots.edge(plots.class_color(cls)), linewidth=0.6)
        bottom += vals
    plots.label_bars(ax, bottom, table.index)
    ax.set_ylim(0, max(bottom.max(), 1) * 1.18)
    ax.set_xlabel("year of the European Commission decision")
    ax.set_ylabel("new authorisations (products)")
    ax.set_xticks(table.index[::2])
    ax.grid(axis="x", visible=False)
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.legend(title="ATMP class", loc="upper left")
    ax.set_title("EU authorisations of advanced therapies per year")
    return fig


def draw_on_market(atmps: pd.DataFrame, events: pd.DataFrame) -> Figure:
    """Step lines: products ever authorised vs still on the market, at each year end."""
    yearly = on_market_by_year(atmps, events)
    fig, ax = plots.new_figure(width=7.5, height=3.8)
    x = yearly.index
    ax.step(x, yearly["ever authorised"], where="post", color=plots.OKABE_ITO["black"],
            label="ever authorised", linewidth=2)
    ax.step(x, yearly["on the market"], where="post", color=plots.STATUS_COLORS["authorised"],
            label="still on the market", linewidth=2)
    ax.fill_between(x, yearly["on the market"], yearly["ever authorised"], step="post",
                    color=plots.STATUS_COLORS["withdrawn"], alpha=0.25,
                    label="left the market (withdrawn, suspended, expired, not renewed)")
    ax.set_xlabel("year (counted at 31 December; the last year up to the data date)")
    ax.set_ylabel("products")
    ax.set_xticks(x[::2])
    ax.legend(loc="upper left")
    ax.set_title("Ever authorised vs still on the market")
    return fig


def draw_status(atmps: pd.DataFrame) -> Figure:
    """Horizontal bars: products by status today, split by ATMP class."""
    table = pd.crosstab(atmps["status"], atmps["atmp_class"], dropna=False)
    table = table.loc[table.sum(axis=1) > 0]
    fig, ax = plots.new_figure(width=7.0, height=0.6 * len(table) + 1.4)
    left = np.zeros(len(table))
    y = np.arange(len(table))[::-1]
    for cls in table.columns:
        vals = table[cls].to_numpy()
        if vals.any():
            ax.barh(y, vals, left=left, color=plots.class_color(cls), label=cls,
                    edgecolor=plots.edge(plots.class_color(cls)))
        left += vals
    for yi, total in zip(y, left, strict=True):
        ax.annotate(f"{int(total)}", (total, yi), xytext=(3, 0), textcoords="offset points",
                    va="center", fontsize=9)
    ax.set_yticks(y, table.index.astype(str))
    ax.set_xlabel("products")
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.grid(axis="y", visible=False)
    ax.legend(title="ATMP class", loc="lower right")
    ax.set_title("Status today")
    return fig


def draw_families(atmps: pd.DataFrame) -> Figure:
    """Horizontal bars: products per mechanism family; hatched part = no longer authorised."""
    fam = atmps.groupby("mechanism_family", observed=True).agg(
        products=("product", "size"),
        authorised=("status", lambda s: int((s == "authorised").sum())))
    fam = fam.sort_values("products")
    fig, ax = plots.new_figure(width=7.0, height=0.45 * len(fam) + 1.4)
    y = np.arange(len(fam))
    colors = [plots.family_color(f) for f in fam.index]
    ax.barh(y, fam["authorised"], color=colors, edgecolor="black", linewidth=0.4)
    ax.barh(y, fam["products"] - fam["authorised"], left=fam["authorised"], color="white",
            edgecolor=[plots.edge(c, otherwise=c) for c in colors], hatch="///", linewidth=0.8)


    ax.legend(handles=[Patch(facecolor=plots.OKABE_ITO["grey"], edgecolor="black",
                             label="authorised today"),
                       Patch(facecolor="white", edgecolor=plots.OKABE_ITO["grey"], hatch="///",
                             label="left the market")], loc="lower right")
    ax.set_yticks(y, fam.index.astype(str))
    ax.set_xlabel("products")
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.grid(axis="y", visible=False)
    ax.set_title("Mechanism families")
    return fig


@functools.cache
def _record() -> pd.DataFrame:
    """The products with their exit dates, computed once per session for the explorer."""
    atmps, events = data.load_atmps(), data.load_events()
    return atmps.assign(exit=record.exit_dates(atmps, events))


def draw_explorer(classes=None, statuses=None, years=None, atmps=None, events=None) -> Figure:
    """Timeline of products: a dot at authorisation, a line to the exit (or to the data date).

    Parameters
    ----------
    classes, statuses : sequence of str, optional
        Keep products of these ATMP classes / statuses (default: all).
    years : (int, int), optional
        Keep products first authorised in this span of years (inclusive).
    atmps, events : DataFrame, optional
        The data (default: loaded once from ``data/``).
    """
    sel = (_record() if atmps is None or events is None
           else atmps.assign(exit=record.exit_dates(atmps, events)))
    as_of = pd.Timestamp(data.data_as_of())
    if classes is not None:
        sel = sel[sel["atmp_class"].astype(str).isin(classes)]
    if statuses is not None:
        sel = sel[sel["status"].astype(str).isin(statuses)]
    if years is not None:
        y = sel["ec_decision_date"].dt.year
        sel = sel[(y >= years[0]) & (y <= years[1])]
    sel = sel.sort_values("ec_decision_date", ascending=False).reset_index(drop=True)
    height = max(2.2, 0.24 * len(sel) + 1.3)
    fig, ax = plots.new_figure(width=7.5, height=height, layout=None)
    fig.subplots_adjust(left=0.2, right=0.97, top=1 - 0.45 / height, bottom=0.75 / height)
    now = plots.decimal_year(as_of)
    start = plots.decimal_year(sel["ec_decision_date"])
    gone = sel["exit"].notna().to_numpy()
    end = np.where(gone, plots.decimal_year(sel["exit"].fillna(as_of)), now)
    colors = [plots.class_color(str(c)) for c in sel["atmp_class"]]
    rows = np.arange(len(sel))
    for mask, style in ((~gone, "solid"), (gone, (0, (2, 1.5)))):
        segs = [[(s, r), (e, r)] for s, e, r, m in zip(start, end, rows, mask, strict=True) if m]
        ax.add_collection(LineCollection(segs, colors=[c for c, m in zip(colors, mask, strict=True) if m],
                                         linewidths=2.2, linestyles=style))
    ax.scatter(start, rows, c=colors, s=25, zorder=3)
    ax.scatter(end[gone], rows[gone], marker="x", c=plots.OKABE_ITO["black"], s=36, zorder=3)
    # Product names as plain texts beside the axis: y tick labels would cost three Line2D
    # artists per product and make a redraw about twice as slow.
    ax.set_yticks([])
    names = ax.get_yaxis_transform()
    for r, name in zip(rows, sel["product"], strict=True):
        ax.text(-0.01, r, name, transform=names, ha="right", va="center", fontsize=8)
    ax.set_ylim(-0.8, max(len(sel), 1) - 0.2)
    ax.set_xlim(FIRST_YEAR - 0.5, now + 0.35)
    ax.set_xticks(range(FIRST_YEAR + 1, as_of.year + 1, 4))  # every 4 years: fewer labels, faster redraw
    ax.set_xlabel("year")
    ax.grid(axis="y", visible=False)
    handles = [Line2D([], [], marker="o", color=plots.class_color(c), label=c)
               for c in plots.CLASS_COLORS if classes is None or c in classes]
    ax.legend(handles=handles, loc="lower left", fontsize=8)
    ax.set_title(f"{len(sel)} product{'' if len(sel) == 1 else 's'} · dot: authorised · "
                 "x: left the market", fontsize=10)
    if sel.empty:
        ax.text(0.5, 0.5, "no product matches this selection", transform=ax.transAxes,
                ha="center", va="center")
    return fig


def _explorer() -> Interactive:
    classes = list(plots.CLASS_COLORS)
    statuses = data.enum("atmps", "status")
    last = data.data_as_of().year
    return Interactive("landscape-explorer", draw_explorer, {
        "classes": Choice(tuple(classes), classes, "ATMP classes", multiple=True),
        "statuses": Choice(tuple(statuses), statuses, "status today", multiple=True),
        "years": Range((FIRST_YEAR, last), FIRST_YEAR, last, "first authorised in"),
    })


#: The chapter's widget: filter the product timeline by class, status and years.
EXPLORER = _explorer()
WIDGETS = (EXPLORER,)


# ----------------------------------------------------------------------------- the contract

def products(atmps: pd.DataFrame) -> pd.DataFrame:
    """Every product with a Commission decision (this chapter is about all of them)."""
    return record.ever_authorised(atmps).sort_values(["ec_decision_date", "product"],
                                                     kind="stable")


def events_table(atmps: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """Every regulatory event of the record, by date."""
    return record.events_table(atmps, events)


def route_class_table(atmps: pd.DataFrame) -> pd.DataFrame:
    """Products by authorisation type at grant (rows) and ATMP class (columns)."""
    t = pd.crosstab(atmps["authorisation_type"], atmps["atmp_class"])
    t.index.name, t.columns.name = "authorisation type at grant", None
    return t.reset_index()


def facts(atmps: pd.DataFrame, events: pd.DataFrame) -> dict:
    """Every value the chapter's prose pastes (keys ``landscape-…``)."""
    t = products(atmps)
    counts = t["atmp_class"].value_counts()
    first, newest = t.iloc[0], t.iloc[-1]
    peak = per_year(t).sum(axis=1)
    yearly = on_market_by_year(t, events)
    kind = t["authorisation_type"].astype("object")
    return {
        **chapters.common_facts(CHAPTER),
        "landscape-n-products": len(t),
        "landscape-n-substances": int(t["inn"].nunique()),
        "landscape-shared-substance": _shared_substances(t),
        "landscape-class-unstated": text.join_names(
            t.loc[record.class_labels(t).str.endswith(record.COURSE_CLASS), "product"]) or "none",
        "landscape-n-authorised": int((t["status"] == "authorised").sum()),
        "landscape-n-left": int((t["status"] != "authorised").sum()),
        "landscape-n-gene": int(counts["gene therapy"]),
        "landscape-n-cell": int(counts["somatic cell therapy"]),
        "landscape-n-tissue": int(counts["tissue engineered"]),
        "landscape-n-combined": int(counts["combined"]),
        "landscape-first-product": first["product"], "landscape-first-date": first["ec_decision_date"],
        "landscape-newest-product": newest["product"],
        "landscape-newest-date": newest["ec_decision_date"],
        "landscape-peak-year": int(peak.idxmax()), "landscape-peak-n": int(peak.max()),
        "landscape-n-since-2018": int(peak.loc[2018:].sum()),
        "landscape-share-left": text.percent(yearly["left the market"].iloc[-1],
                                             yearly["ever authorised"].iloc[-1]),
        "landscape-n-conditional": int((kind == "conditional").sum()),
        "landscape-n-exceptional": int((kind == "exceptional circumstances").sum()),
        "landscape-n-orphan": int(t["orphan"].sum()),
        **reason_facts(t),
    }


def reason_facts(atmps: pd.DataFrame) -> dict:
    """How many products left for each controlled exit reason (keys ``landscape-n-reason-…``)."""
    counts = atmps["status_reason"].value_counts()
    return {f"landscape-n-reason-{r.replace(' ', '-')}": int(counts.get(r, 0))
            for r in data.enum("atmps", "status_reason") if r != "see EMA"}


def figures(atmps: pd.DataFrame, events: pd.DataFrame) -> dict:
    """The chapter's static figures, drawn when asked."""
    return {"landscape-per-year": lambda: draw_per_year(atmps),
            "landscape-on-market": lambda: draw_on_market(atmps, events),
            "landscape-status": lambda: draw_status(atmps),
            "landscape-families": lambda: draw_families(atmps)}


def _shared_substances(t: pd.DataFrame) -> str:
    """Products that share an active substance (INN) with another authorisation, named per INN:
    "Zolgensma and Itvisma (onasemnogene abeparvovec)"; "none" if every INN is used once."""
    dup = t[t["inn"].duplicated(keep=False)]
    parts = [f"{text.join_names(g['product'])} ({inn})"
             for inn, g in dup.groupby("inn", sort=True, observed=True)]
    return "; ".join(parts) or "none"

