"""From bench to market: the EU legal route of ATMPs as numbers (chapter ``regulation``).

Everything about products is computed from ``data/atmps.csv`` and ``data/events.csv``:

* :func:`authorisation_counts` — initial marketing authorisations per year and legal route
  (standard, conditional, exceptional circumstances), drawn by :func:`draw_authorisation_types`;
* :func:`route_table` — the legal route at grant against the status today;
* :func:`life_timeline` and :func:`draw_life_timeline` — each product's regulatory life;
* :func:`time_on_market` and :func:`fit_time_on_market` — Kaplan–Meier estimate (lifelines) of the
  time from the initial Commission decision to leaving the market, with products still authorised
  censored at ``data_as_of``; drawn by :func:`draw_time_on_market`;
* :func:`conditional_outcomes` and :func:`exits` — what happened to conditional authorisations
  and why products left the market.

The procedure-clock model (:func:`procedure_clock`, :func:`draw_procedure_clock` and the widget
:data:`CLOCK`) uses only constants of the law and of EMA's published procedure, and compares the
result with published ATMP assessment durations (:data:`PUBLISHED_EMA_ASSESSMENT_DAYS`).

Examples
--------
>>> from atmp import regulation
>>> regulation.procedure_clock("standard", 90, 30, 67).decision_day
397
>>> regulation.procedure_clock("accelerated", 30, 0, 67).opinion_day
180
"""

from __future__ import annotations

import datetime as dt
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from atmp import plots
from atmp.widgets import Choice, Interactive, Slider

# ----------------------------------------------------------------------------- legal constants

#: Date on which the legal sources of the chapter were last checked (see the chapter's
#: "Facts as of" section and the bibliography).
LEGAL_SOURCES_CHECKED = dt.date(2026, 11, 25)

#: Maximum active (clock-running) days from a valid application to the CHMP opinion under the
#: standard centralised procedure (Regulation (EC) No 726/2004, Art. 6(3)).
STANDARD_ACTIVE_DAYS = 210
#: Active days when the CHMP grants accelerated assessment (Regulation (EC) No 726/2004, Art. 14(9)).
ACCELERATED_ACTIVE_DAYS = 150
#: Days within which EMA says the Commission issues its decision after the opinion (an
#: administrative timeline described by EMA and the Commission, not a number in the Regulation).
COMMISSION_DECISION_DAYS = 67
#: Active day after which the model places the first clock stop (the Day-120 list of questions);
#: the accelerated timetable also has its one clock stop here in this model.
FIRST_STOP_DAY = 120
#: Active day after which the model places the second clock stop (Day-180 outstanding issues);
#: standard timetable only.
SECOND_STOP_DAY = 180

TIMETABLES: dict[str, int] = {"standard": STANDARD_ACTIVE_DAYS,
                              "accelerated": ACCELERATED_ACTIVE_DAYS}

#: "EMA assessment time" (days) of 17 ATMPs, from Table 2 of Rivetti di Val Cervo et al.,
#: BioDrugs 2024;38(6):831-844, doi:10.1007/s40259-024-00683-0 (bibliography key ``rivetti2024``).
#: Published values, used only as a reference distribution beside the model; the paper's
#: reported median is 405 days and mean 547 days (n = 17).
PUBLISHED_EMA_ASSESSMENT_DAYS: dict[str, int] = {
    "Holoclar": 692, "Strimvelis": 364, "Spherox": 1656, "Kymriah": 273, "Yescarta": 371,
    "Luxturna": 462, "Alofisel": 729, "Zolgensma": 564, "Tecartus": 321, "Libmeldy": 385,
    "Abecma": 454, "Upstaza": 902, "Carvykti": 370, "Breyanzi": 627, "Roctavian": 405,
    "Hemgenix": 333, "Ebvallo": 386,
}
PUBLISHED_SOURCE_KEY = "rivetti2024"

# ----------------------------------------------------------------------------- palettes

#: One colour per legal route at initial authorisation (Okabe–Ito, colour-blind safe).
ROUTE_COLORS: dict[str, str] = {
    "standard": plots.OKABE_ITO["blue"],
    "conditional": plots.OKABE_ITO["orange"],
    "exceptional circumstances": plots.OKABE_ITO["reddish purple"],
    "not recorded": "#BBBBBB",
}
#: Statuses that mean the product is no longer on the market.
EXIT_STATUSES = ("withdrawn", "suspended", "expired", "not renewed")
#: Markers of the events drawn on the life timeline (event → (marker, colour, label)).
EVENT_MARKERS: dict[str, tuple[str, str, str]] = {
    "conditional renewed": ("|", plots.OKABE_ITO["black"], "conditional MA renewed"),
    "converted to standard": ("D", plots.OKABE_ITO["blue"], "converted to standard MA"),
    "indication extended": ("^", plots.OKABE_ITO["black"], "indication extended"),
    "transferred": ("o", "#FFFFFF", "MA transferred to a new holder"),
    "suspended": ("s", plots.STATUS_COLORS["suspended"], "suspended"),
    "suspension lifted": ("s", "#FFFFFF", "suspension lifted"),
}
MISSING = "not recorded"


# ----------------------------------------------------------------------------- the model

@dataclass(frozen=True)
class ProcedureClock:
    """Calendar milestones of one centralised procedure, in days after its start (Day 0).

    Attributes
    ----------
    timetable : str
        ``"standard"`` or ``"accelerated"``.
    active_days : int
        Clock-running assessment days (210 or 150).
    stops : tuple of int
        Lengths of the clock stops actually applied (days).
    opinion_day : int
        Calendar days from the start to the CHMP opinion = active days + clock stops.
    decision_day : int
        Calendar days from the start to the Commission decision = opinion + decision phase.
    segments : tuple of (str, float, float)
        ``(phase, start_day, end_day)`` with phase ``"active"``, ``"clock stop"`` or
        ``"Commission decision"``, in calendar order.
    """

    timetable: str
    active_days: int
    stops: tuple[int, ...]
    opinion_day: int
    decision_day: int
    segments: tuple[tuple[str, float, float], ...]

    @property
    def clock_stop_days(self) -> int:
        """Total clock-stop days."""
        return int(sum(self.stops))


def procedure_clock(timetable: str = "standard", stop_1: float = 90, stop_2: float = 30,
                    decision_days: float = COMMISSION_DECISION_DAYS) -> ProcedureClock:
    """Elapsed calendar time of a centralised procedure: active days, clock stops, decision.

    .. math:: T_\\mathrm{opinion} = D_\\mathrm{active} + \\sum_i s_i, \\qquad
              T_\\mathrm{decision} = T_\\mathrm{opinion} + D_\\mathrm{EC}

    Parameters
    ----------
    timetable : {"standard", "accelerated"}
        Standard (210 active days) or accelerated assessment (150 active days).
    stop_1 : float
        Clock stop after active Day 120 (days); applies to both timetables in this model.
    stop_2 : float
        Clock stop after active Day 180 (days); standard timetable only (ignored, and reported
        as not applied, for the accelerated timetable, whose 150 days end before Day 180).
    decision_days : float
        Days from the CHMP opinion to the Commission decision (EMA describes 67).

    Returns
    -------
    ProcedureClock
        Milestones in days after the start of the procedure (Day 0).

    Raises
    ------
    ValueError
        For an unknown timetable or a negative duration.
    """
    if timetable not in TIMETABLES:
        raise ValueError(f"timetable must be one of {list(TIMETABLES)}, got {timetable!r}")
    if min(stop_1, stop_2, decision_days) < 0:
        raise ValueError("clock stops and the decision phase cannot be negative")
    active = TIMETABLES[timetable]
    stops_at = [(FIRST_STOP_DAY, stop_1)]
    if SECOND_STOP_DAY < active:
        stops_at.append((SECOND_STOP_DAY, stop_2))
    segments, t, done = [], 0.0, 0
    for day, length in stops_at:
        segments.append(("active", t, t + day - done))
        t += day - done
        done = day
        if length > 0:
            segments.append(("clock stop", t, t + length))
            t += length
    segments.append(("active", t, t + active - done))
    t += active - done
    opinion = t
    segments.append(("Commission decision", t, t + decision_days))
    stops = tuple(int(round(length)) for _, length in stops_at)
    return ProcedureClock(timetable, active, stops, int(round(opinion)),
                          int(round(opinion + decision_days)), tuple(segments))


def time_to_decision(active_days: float, clock_stops=(), decision_days: float =
                     COMMISSION_DECISION_DAYS) -> float:
    """Calendar days from the start of a procedure to the Commission decision.

    Parameters
    ----------
    active_days : float
        Clock-running assessment days (210 standard, 150 accelerated).
    clock_stops : iterable of float
        Length of each clock stop (days).
    decision_days : float
        Days from the CHMP opinion to the Commission decision.

    Returns
    -------
    float
        ``active_days + sum(clock_stops) + decision_days`` (days).
    """
    stops = [float(s) for s in clock_stops]
    if min([active_days, decision_days, *stops]) < 0:
        raise ValueError("durations cannot be negative")
    return float(active_days) + sum(stops) + float(decision_days)


def implied_clock_stops(total_days: float, active_days: float = STANDARD_ACTIVE_DAYS,
                        decision_days: float = COMMISSION_DECISION_DAYS) -> float:
    """Clock-stop days that would explain an observed total, inverting :func:`time_to_decision`.

    Parameters
    ----------
    total_days : float
        Observed calendar days from the start of the procedure to the Commission decision.
    active_days, decision_days : float
        Assumed active days and decision phase (days).

    Returns
    -------
    float
        ``total_days - active_days - decision_days`` (days); negative means the observed total is
        shorter than the timetable without any clock stop (a different start or end point).
    """
    return float(total_days) - float(active_days) - float(decision_days)


def published_summary() -> dict[str, float]:
    """Median, mean, quartiles and count of :data:`PUBLISHED_EMA_ASSESSMENT_DAYS` (days)."""
    v = np.array(list(PUBLISHED_EMA_ASSESSMENT_DAYS.values()), dtype=float)
    q1, q3 = np.percentile(v, [25, 75])
    return {"n": len(v), "median": float(np.median(v)), "mean": float(v.mean()),
            "q1": float(q1), "q3": float(q3), "min": float(v.min()), "max": float(v.max())}


# ----------------------------------------------------------------------------- data

def _authorised(atmps: pd.DataFrame) -> pd.DataFrame:
    """Rows with a Commission decision date (rows still being curated have none)."""
    return atmps[atmps["ec_decision_date"].notna()].copy()


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


def exit_dates(atmps: pd.DataFrame, events: pd.DataFrame) -> pd.Series:
    """Date each product left the market (NaT while it is still authorised).

    A product whose status is ``withdrawn``, ``suspended``, ``expired`` or ``not renewed`` left
    the market on its ``status_date`` — or earlier, on a suspension that was never lifted
    (a suspended product cannot be supplied even if the authorisation formally ends later).

    Returns
    -------
    Series
        Indexed like ``atmps``, ``datetime64``.
    """
    out = pd.Series(pd.NaT, index=atmps.index, dtype="datetime64[ns]")
    by_product = {p: g.sort_values("date") for p, g in events.groupby("product", observed=True)}
    for i, row in atmps.iterrows():
        if row["status"] not in EXIT_STATUSES:
            continue
        off_since = None
        for _, ev in by_product.get(row["product"], events.iloc[0:0]).iterrows():
            if ev["event"] == "suspended" and off_since is None:
                off_since = ev["date"]
            elif ev["event"] == "suspension lifted":
                off_since = None
        exit_on = row["status_date"]
        if off_since is not None and (pd.isna(exit_on) or off_since < exit_on):
            exit_on = off_since
        out[i] = exit_on
    return out


def time_on_market(atmps: pd.DataFrame, events: pd.DataFrame, as_of) -> pd.DataFrame:
    """Time from the initial Commission decision to leaving the market, or to ``as_of``.

    Parameters
    ----------
    atmps, events : DataFrame
        The two tables of the dataset.
    as_of : date-like
        The data date; products still authorised are censored here.

    Returns
    -------
    DataFrame
        ``product``, ``atmp_class``, ``route``, ``start`` (decision date), ``end`` (exit date or
        ``as_of``), ``years`` (float, 365.25-day years), ``left_market`` (bool: True = observed
        exit, False = censored), ``status``, ``status_reason``; sorted by ``start``.
    """
    df = _authorised(atmps)
    ends = exit_dates(atmps, events).loc[df.index]
    as_of = pd.Timestamp(as_of)
    out = pd.DataFrame({
        "product": df["product"],
        "atmp_class": df["atmp_class"].astype("object").fillna(MISSING),
        "route": _route(df),
        "start": df["ec_decision_date"],
        "end": ends.fillna(as_of),
        "left_market": ends.notna(),
        "status": df["status"].astype("object").fillna(MISSING),
        "status_reason": df["status_reason"],
    })
    out["years"] = (out["end"] - out["start"]).dt.days / 365.25
    cols = ["product", "atmp_class", "route", "start", "end", "years", "left_market", "status",
            "status_reason"]
    return out[cols].sort_values("start", kind="stable", ignore_index=True)


def fit_time_on_market(tom: pd.DataFrame, label: str = "all ATMPs"):
    """Kaplan–Meier estimate of the probability of still being on the market (lifelines).

    Parameters
    ----------
    tom : DataFrame
        Output of :func:`time_on_market` (``years`` and ``left_market``).
    label : str
        Name of the fitted curve.

    Returns
    -------
    lifelines.KaplanMeierFitter
        Fitted; ``survival_function_`` indexed by years since the decision. Warnings from
        lifelines are silenced so a notebook cell writes nothing to stderr.
    """
    from lifelines import KaplanMeierFitter

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        kmf = KaplanMeierFitter(label=label)
        kmf.fit(tom["years"].to_numpy(float), event_observed=tom["left_market"].to_numpy(bool))
    return kmf


def survival_at(kmf, years) -> np.ndarray:
    """Kaplan–Meier probability of still being on the market at given times (years)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return np.asarray(kmf.survival_function_at_times(np.atleast_1d(years)), dtype=float)


def km_summary(kmf, tom: pd.DataFrame, at_years=(2, 5, 10)) -> pd.DataFrame:
    """Survival (still on the market), 95% confidence band and number at risk at given years.

    Returns
    -------
    DataFrame
        Index ``years``; columns ``on market (KM)``, ``lower 95%``, ``upper 95%``, ``at risk``
        (products followed at least that long).
    """
    at = np.asarray(at_years, dtype=float)
    ci = kmf.confidence_interval_survival_function_
    idx = np.searchsorted(ci.index.to_numpy(), at, side="right") - 1
    idx = np.clip(idx, 0, len(ci) - 1)
    return pd.DataFrame({
        "on market (KM)": survival_at(kmf, at),
        "lower 95%": ci.iloc[idx, 0].to_numpy(),
        "upper 95%": ci.iloc[idx, 1].to_numpy(),
        "at risk": [int((tom["years"] >= t).sum()) for t in at],
    }, index=pd.Index(at, name="years")).round(2)


def median_time_on_market(kmf) -> float:
    """Kaplan–Meier median time on the market (years); ``inf`` if the curve stays above 0.5."""
    return float(kmf.median_survival_time_)


def life_timeline(atmps: pd.DataFrame, events: pd.DataFrame, as_of) -> tuple[pd.DataFrame,
                                                                               pd.DataFrame]:
    """Per-product life spans and the events that punctuate them.

    Returns
    -------
    spans : DataFrame
        :func:`time_on_market` output (one row per product, in order of authorisation).
    marks : DataFrame
        Events other than ``authorised``, ``withdrawn``, ``expired`` and ``not renewed`` (those
        are the ends of the spans): ``product``, ``date``, ``event``, ``detail``.
    """
    spans = time_on_market(atmps, events, as_of)
    ends = {"authorised", "withdrawn", "expired", "not renewed"}
    ev = events[~events["event"].astype("object").isin(ends)
                & events["product"].isin(spans["product"])]
    marks = ev[["product", "date", "event", "detail"]].astype({"event": "object"})
    return spans, marks.reset_index(drop=True)


def conditional_outcomes(atmps: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """What became of every product first authorised conditionally.

    Returns
    -------
    DataFrame
        ``product``, ``granted`` (date), ``outcome`` — ``converted to standard`` (with the date in
        ``outcome_date``), ``left the market`` (status and reason), or ``still conditional``
        — and the count of ``renewals`` recorded in ``events.csv``.
    """
    df = _authorised(atmps)
    df = df[_route(df) == "conditional"]
    rows = []
    for _, row in df.sort_values("ec_decision_date").iterrows():
        ev = events[events["product"] == row["product"]]
        conv = ev[ev["event"] == "converted to standard"]
        if row["status"] in EXIT_STATUSES:
            outcome, when = f"left the market ({row['status']})", row["status_date"]
        elif len(conv):
            outcome, when = "converted to standard", conv["date"].min()
        else:
            outcome, when = "still conditional", pd.NaT
        rows.append({"product": row["product"], "granted": row["ec_decision_date"],
                     "outcome": outcome, "outcome_date": when,
                     "renewals": int((ev["event"] == "conditional renewed").sum())})
    return pd.DataFrame(rows, columns=["product", "granted", "outcome", "outcome_date",
                                       "renewals"])


def exits(tom: pd.DataFrame) -> pd.DataFrame:
    """Products that left the market: route, status, years on the market and the reason.

    Returns
    -------
    DataFrame
        Rows of :func:`time_on_market` with ``left_market``, sorted by exit date.
    """
    out = tom[tom["left_market"]].sort_values("end", ignore_index=True)
    return out[["product", "atmp_class", "route", "start", "end", "years", "status",
                "status_reason"]]


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
        ax.bar(years, vals, bottom=bottom, color=ROUTE_COLORS.get(route, "#BBBBBB"),
               label=route, width=0.8, edgecolor="white", linewidth=0.5)
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


def draw_life_timeline(spans: pd.DataFrame, marks: pd.DataFrame, as_of) -> Figure:
    """One horizontal bar per product, from the initial decision to exit or ``as_of``.

    Bars are coloured by ATMP class; an exit is marked by a cross in the colour of the status;
    other events (conversion, renewal, suspension, extension, transfer) are drawn on the bar.
    """
    n = len(spans)
    fig, ax = plots.new_figure(width=8.0, height=max(3.0, 0.24 * n + 1.6))
    y = np.arange(n)[::-1]
    pos = dict(zip(spans["product"], y, strict=True))
    for yi, (_, r) in zip(y, spans.iterrows(), strict=True):
        color = plots.CLASS_COLORS.get(r["atmp_class"], "#BBBBBB")
        ax.barh(yi, (r["end"] - r["start"]).days / 365.25, left=r["start"].year
                + (r["start"].dayofyear - 1) / 365.25, height=0.6, color=color)
        if r["left_market"]:
            ax.plot(_year(r["end"]), yi, marker="X", ms=8, color=plots.STATUS_COLORS.get(
                r["status"], "#000000"), mec="black", mew=0.5, zorder=3)
    for _, m in marks.iterrows():
        if m["product"] not in pos or m["event"] not in EVENT_MARKERS:
            continue
        marker, color, _ = EVENT_MARKERS[m["event"]]
        ax.plot(_year(m["date"]), pos[m["product"]], marker=marker, ms=6, color=color,
                mec="black", mew=0.6, zorder=4)
    ax.axvline(_year(as_of), color=plots.REFERENCE_COLOR, lw=0.8, ls="--")
    ax.text(_year(as_of), n - 0.2, "data as of ", fontsize=8, va="bottom", ha="right")
    first = int(np.floor(min(_year(t) for t in spans["start"])))
    ax.set_xlim(first - 0.3, _year(as_of) + 0.5)
    ax.set_xticks(range(first + first % 2, int(_year(as_of)) + 1, 2))
    ax.set_yticks(y, spans["product"], fontsize=8)
    ax.set_ylim(-0.8, n + 0.4)
    ax.set_xlabel("year")
    ax.set_title("Regulatory life of every EU-authorised ATMP")
    ax.grid(axis="y", visible=False)
    handles = [Patch(color=plots.CLASS_COLORS.get(c, "#BBBBBB"), label=c)
               for c in dict.fromkeys(spans["atmp_class"])]
    handles += [Line2D([], [], ls="", marker="X", ms=8, color=plots.STATUS_COLORS[s], mec="black",
                       mew=0.5, label=f"left market: {s}")
                for s in EXIT_STATUSES if s in set(spans.loc[spans["left_market"], "status"])]
    handles += [Line2D([], [], ls="", marker=mk, ms=6, color=c, mec="black", mew=0.6, label=lab)
                for ev, (mk, c, lab) in EVENT_MARKERS.items() if ev in set(marks["event"])]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
    return fig


def _year(when) -> float:
    t = pd.Timestamp(when)
    return t.year + (t.dayofyear - 1) / 365.25


def draw_time_on_market(kmf, tom: pd.DataFrame) -> Figure:
    """Kaplan–Meier curve of time on the market with its 95% band and censoring ticks.

    Parameters
    ----------
    kmf : lifelines.KaplanMeierFitter
        Output of :func:`fit_time_on_market`.
    tom : DataFrame
        Output of :func:`time_on_market` (for the censoring ticks and numbers at risk).
    """
    fig, ax = plots.new_figure(width=7.0, height=4.2)
    sf = kmf.survival_function_.iloc[:, 0]
    ci = kmf.confidence_interval_survival_function_
    color = plots.STATUS_COLORS["authorised"]
    ax.step(sf.index, sf.to_numpy(), where="post", color=color, lw=2,
            label="Kaplan–Meier estimate")
    ax.fill_between(ci.index, ci.iloc[:, 0], ci.iloc[:, 1], step="post", color=color, alpha=0.2,
                    label="95% confidence band")
    cens = tom.loc[~tom["left_market"], "years"].to_numpy()
    ax.plot(cens, survival_at(kmf, cens), ls="", marker="|", ms=10, mew=1.5,
            color=plots.REFERENCE_COLOR, label="censored (still authorised)")
    horizon = float(np.ceil(tom["years"].max()))
    ticks = np.arange(0, horizon + 1, 2 if horizon > 10 else 1)
    for t in ticks:
        ax.text(t, 0.03, str(int((tom["years"] >= t).sum())), ha="center", fontsize=8,
                transform=ax.get_xaxis_transform())
    ax.text(0.01, 0.09, "number still followed (at risk):", fontsize=8, transform=ax.transAxes)
    ax.set_xticks(ticks)
    ax.set_xlim(0, horizon)
    ax.set_ylim(0, 1.05)
    ax.set_xlabel("years since the initial Commission decision")
    ax.set_ylabel("probability still on the market")
    ax.set_title("Time on the EU market of ATMPs (Kaplan–Meier)")
    ax.legend(loc="upper right")
    return fig


_PHASE_LABELS = {"active": "active", "clock stop": "clock\nstop", "Commission decision": "EC"}
PHASE_COLORS = {"active": plots.OKABE_ITO["blue"], "clock stop": "#C8C8C8",
                "Commission decision": plots.OKABE_ITO["orange"]}


def draw_procedure_clock(timetable: str = "standard", stop_1: float = 90, stop_2: float = 30,
                         decision_days: float = COMMISSION_DECISION_DAYS) -> Figure:
    """The procedure clock as a bar of phases, set against published ATMP assessment times.

    Top row: active assessment days (blue), clock stops (grey) and the Commission decision phase
    (orange) for the chosen parameters, with the time to decision. Bottom row: the published
    "EMA assessment time" of 17 ATMPs (dots) with their median.

    Parameters are those of :func:`procedure_clock` (days).
    """
    clock = procedure_clock(timetable, stop_1, stop_2, decision_days)
    pub = np.array(sorted(PUBLISHED_EMA_ASSESSMENT_DAYS.values()), dtype=float)
    # A fixed layout (no constrained-layout solver) keeps a slider redraw well under 100 ms.
    plots.use_style()
    fig = Figure(figsize=(7.5, 3.0))
    fig.subplots_adjust(left=0.16, right=0.98, bottom=0.16, top=0.9)
    ax = fig.add_subplot()
    for phase, a, b in clock.segments:
        if b > a:
            ax.barh(1, b - a, left=a, height=0.5, color=PHASE_COLORS[phase], edgecolor="white")
    ax.annotate(f"opinion\nday {clock.opinion_day}", (clock.opinion_day, 1.28), ha="right",
                fontsize=8, xytext=(-2, 0), textcoords="offset points")
    ax.annotate(f"decision: day {clock.decision_day}", (clock.decision_day, 0.58), ha="left",
                fontsize=9, fontweight="bold", xytext=(3, 0), textcoords="offset points")
    jitter = np.resize([-0.12, 0.0, 0.12], len(pub))
    ax.plot(pub, jitter, ls="", marker="o", ms=6, color=plots.OKABE_ITO["vermillion"],
            mec="black", mew=0.5)
    med = float(np.median(pub))
    ax.plot([med, med], [-0.3, 0.3], color=plots.REFERENCE_COLOR, lw=2)
    ax.text(med + 12, -0.45, f"median {med:.0f}", ha="left", fontsize=8.5)
    ax.axvline(clock.decision_day, color=plots.REFERENCE_COLOR, lw=0.8, ls="--")
    ax.set_yticks([0, 1], [f"published\nATMPs (n={len(pub)})", f"model\n{timetable}"])
    ax.set_ylim(-0.6, 1.55)
    xmax = max(1750.0, clock.decision_day * 1.08)
    ax.set_xlim(0, xmax)
    ax.set_xticks(np.arange(0, xmax, 400 if xmax < 2400 else 800))
    ax.set_xlabel("calendar days from the start of the procedure")
    ax.set_title(f"{clock.active_days} active + {clock.clock_stop_days} clock-stop + "
                 f"{decision_days:.0f} decision days = {clock.decision_day} days", fontsize=10)
    if len(clock.stops) == 1:
        ax.text(0.99, 0.62, "accelerated: no Day-180 clock stop", transform=ax.transAxes,
                ha="right", fontsize=8, style="italic")
    # Phases are named on the bar itself (cheaper to draw than a legend).
    for phase, a, b in clock.segments:
        if b - a >= {"active": 100, "clock stop": 80}.get(phase, 40):
            ax.text((a + b) / 2, 1, _PHASE_LABELS[phase], ha="center", va="center", fontsize=7.5,
                    color="white" if phase == "active" else "black")
    ax.grid(axis="y", visible=False)
    return fig


#: The procedure-clock widget (static twin glued as ``regulation-procedure-clock``).
CLOCK = Interactive("regulation-procedure-clock", draw_procedure_clock, {
    "timetable": Choice("standard", ["standard", "accelerated"], "timetable"),
    "stop_1": Slider(90, 0, 365, 5, "clock stop after Day 120 (days)", integer=True),
    "stop_2": Slider(30, 0, 180, 5, "clock stop after Day 180 (days)", integer=True),
    "decision_days": Slider(COMMISSION_DECISION_DAYS, 0, 120, 1,
                            "opinion to Commission decision (days)", integer=True),
})


# ----------------------------------------------------------------------------- numbers for prose

def _percent(x: float) -> str:
    return f"{x:.0%}"


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
    return {"reg-n-products": n, "reg-first-year": int(counts.index.min()),
            "reg-n-standard": int(by.get("standard", 0)),
            "reg-n-conditional": int(by.get("conditional", 0)),
            "reg-n-exceptional": int(by.get("exceptional circumstances", 0)),
            "reg-share-special": _percent(special / n) if n else "n/a",
            "reg-n-orphan": int(routes.loc["total", "orphan"]),
            "reg-n-prime": int(routes.loc["total", "PRIME"]),
            "reg-share-since-2018": _percent(counts.loc[counts.index >= 2018].to_numpy().sum()
                                             / n) if n else "n/a"}


def clock_facts(widget: Interactive | None = None) -> dict:
    """Glue values for the *Model* section: the clock at the widget's defaults and the published
    assessment times (days)."""
    d = (widget or CLOCK).defaults
    clock, pub = procedure_clock(**d), published_summary()
    return {"reg-clock-stop1": d["stop_1"], "reg-clock-stop2": d["stop_2"],
            "reg-clock-opinion": clock.opinion_day, "reg-clock-decision": clock.decision_day,
            "reg-clock-nostop": procedure_clock("standard", 0, 0).decision_day,
            "reg-pub-n": pub["n"], "reg-pub-median": round(pub["median"]),
            "reg-pub-min": round(pub["min"]), "reg-pub-max": round(pub["max"]),
            "reg-pub-q1": round(pub["q1"]), "reg-pub-q3": round(pub["q3"]),
            "reg-pub-implied": round(implied_clock_stops(pub["median"]))}


def km_facts(kmf, tom: pd.DataFrame, km: pd.DataFrame) -> dict:
    """Glue values for the Kaplan–Meier paragraph (``km`` from :func:`km_summary` at 2, 5, 10)."""
    med = median_time_on_market(kmf)
    n_left = int(tom["left_market"].sum())
    return {"reg-n-left": n_left, "reg-n-censored": int(len(tom) - n_left),
            "reg-naive-share": _percent(n_left / len(tom)),
            "reg-km-2": _percent(km.loc[2.0, "on market (KM)"]),
            "reg-km-5": _percent(km.loc[5.0, "on market (KM)"]),
            "reg-km-5-lo": _percent(km.loc[5.0, "lower 95%"]),
            "reg-km-5-hi": _percent(km.loc[5.0, "upper 95%"]),
            "reg-km-10": _percent(km.loc[10.0, "on market (KM)"]),
            "reg-km-10-risk": int(km.loc[10.0, "at risk"]),
            "reg-km-median": "not reached" if np.isinf(med) else f"{med:.1f} years",
            "reg-exits-within-3": int((tom["left_market"] & (tom["years"] < 3)).sum())}


def story_facts(cond: pd.DataFrame, gone: pd.DataFrame) -> dict:
    """Glue values for the *Regulatory story* (outputs of :func:`conditional_outcomes` and
    :func:`exits`); lists of names read "none" when empty."""
    from atmp.text import join_names

    def names(s) -> str:
        return join_names(s) or "none"

    converted = cond["outcome"] == "converted to standard"
    left = cond["outcome"].str.startswith("left")
    commercial = gone["status_reason"].map(is_commercial).astype(bool)
    return {"reg-cond-n": len(cond), "reg-cond-converted": int(converted.sum()),
            "reg-cond-converted-names": names(cond.loc[converted, "product"]),
            "reg-cond-left": int(left.sum()), "reg-cond-left-names": names(cond.loc[left, "product"]),
            "reg-cond-still": int((cond["outcome"] == "still conditional").sum()),
            "reg-exits-n": len(gone), "reg-exits-commercial": int(commercial.sum()),
            "reg-exits-other-names": names(gone.loc[~commercial, "product"]),
            "reg-exit-median-years": f"{gone['years'].median():.1f}" if len(gone) else "n/a"}
