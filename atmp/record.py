"""One analysis of the product record, shared by every chapter.

The product record is ``data/atmps.csv`` (one row per EU marketing authorisation) and
``data/events.csv`` (its dated regulatory events). Every question a chapter asks of it — which
products are mine, which were ever authorised, which were on the market on a date, when each
one lost its authorisation, which conditional authorisations were converted — is answered here,
once, so that two chapters can never count differently.

The market-exit rule
--------------------
A product leaves the market on the first day from which it can no longer be supplied:

* a ``suspended`` event takes it off the market from its date, unless a later
  ``suspension lifted`` event puts it back (then the suspension is not an exit);
* a ``withdrawn``, ``expired`` or ``not renewed`` event ends the authorisation on the event's
  date — the date the end takes effect, which for a withdrawal can be later than the
  Commission decision that EMA lists as the ``status_date``; if the product was already off
  the market under a suspension never lifted, the exit is the start of that suspension;
* a product whose status is not ``authorised`` but whose record has no exit event left on its
  ``status_date`` (the only date the record gives).

This one date is the product's exit everywhere in the book (counts, timelines, survival). Where
the authorisation itself ended later — MACI was suspended on 19 November 2014 and its
authorisation expired, never reinstated, on 1 July 2018 — :func:`authorisation_end_dates` gives
that second date, and tables and timelines show both (:func:`exit_labels`).

Examples
--------
>>> from atmp import data, record
>>> atmps, events = data.load_atmps(), data.load_events()
>>> gone = record.exit_dates(atmps, events)
>>> bool(gone[atmps["status"] == "authorised"].isna().all())
True
"""

from __future__ import annotations

import pandas as pd

#: Events after which a product can no longer be supplied (until a suspension is lifted).
SUSPENSION, LIFTED = "suspended", "suspension lifted"
ENDING_EVENTS = ("withdrawn", "expired", "not renewed")
EXIT_EVENTS = (SUSPENSION, *ENDING_EVENTS)
#: Statuses of a product that is no longer authorised (the schema's ``status`` enum minus one).
EXIT_STATUSES = ("withdrawn", "suspended", "expired", "not renewed")
CONVERSION = "converted to standard"


# ----------------------------------------------------------------------------- selection

def chapter_products(atmps: pd.DataFrame, chapter: str) -> pd.DataFrame:
    """The rows of one chapter (the ``chapter`` column), oldest Commission decision first."""
    rows = atmps[atmps["chapter"].astype("object") == chapter]
    return rows.sort_values(["ec_decision_date", "product"], kind="stable")


def ever_authorised(atmps: pd.DataFrame, on=None) -> pd.DataFrame:
    """Products with a Commission decision (on or before ``on``, if given).

    Rows still being curated after an EMA refresh have no decision date and are left out.
    """
    rows = atmps[atmps["ec_decision_date"].notna()]
    if on is not None:
        rows = rows[rows["ec_decision_date"] <= pd.Timestamp(on)]
    return rows


#: The class statements read on EMA's pages (``data/atmp-class-statements.csv``).
CLASS_STATEMENTS = "atmp-class-statements"
#: Appended to a class that no EMA page read states (the course's own classification).
COURSE_CLASS = " (sub-class not stated by EMA)"


def class_labels(atmps: pd.DataFrame, data_dir=None) -> pd.Series:
    """Each product's ATMP class as a reader's label (indexed like ``atmps``).

    Where ``atmp-class-statements.csv`` records that the EMA pages read give no sub-class (an
    empty ``class_as_ema_states``), the dataset's class is the course's own classification and
    the label says so: "somatic cell therapy (sub-class not stated by EMA)".
    """
    from atmp import data

    st = data.load(CLASS_STATEMENTS, data_dir)
    unstated = set(st.loc[st["class_as_ema_states"].isna(), "product"])
    label = atmps["atmp_class"].astype("object").fillna("not recorded").astype(str)
    return label.where(~atmps["product"].isin(unstated), label + COURSE_CLASS)


def chapter_events(atmps: pd.DataFrame, events: pd.DataFrame, chapter: str | None = None
                   ) -> pd.DataFrame:
    """The regulatory events of one chapter's products (of every product if ``chapter`` is None),
    by date."""
    rows = ever_authorised(atmps) if chapter is None else chapter_products(atmps, chapter)
    names = rows["product"]
    return events[events["product"].isin(names)].sort_values(["date", "product"], kind="stable")


def events_table(atmps: pd.DataFrame, events: pd.DataFrame, chapter: str | None = None
                 ) -> pd.DataFrame:
    """The events of one chapter (of every product if ``chapter`` is None) as a reader's table:
    product, date (ISO), event, detail."""
    ev = chapter_events(atmps, events, chapter)
    return pd.DataFrame({
        "product": ev["product"].to_numpy(),
        "date": ev["date"].dt.strftime("%Y-%m-%d").to_numpy(),
        "event": ev["event"].astype("object").to_numpy(),
        "detail": ev["detail"].to_numpy(),
    })


# ----------------------------------------------------------------------------- exits

def _exit_of(status: str, status_date, product_events: pd.DataFrame, as_of=None):
    """The exit date of one product by the module's rule (``NaT`` while on the market)."""
    off_since = None
    for when, event in zip(product_events["date"], product_events["event"].astype("object"),
                           strict=True):
        if as_of is not None and when > as_of:
            break
        if event == SUSPENSION and off_since is None:
            off_since = when
        elif event == LIFTED:
            off_since = None
        elif event in ENDING_EVENTS:
            return off_since if off_since is not None else when
    if off_since is not None:
        return off_since
    ended_later = product_events["event"].astype("object").isin(ENDING_EVENTS).any()
    if status in EXIT_STATUSES and not ended_later and (as_of is None or status_date <= as_of):
        return status_date
    return pd.NaT


def exit_dates(atmps: pd.DataFrame, events: pd.DataFrame, as_of=None) -> pd.Series:
    """The date each product left the market, by the module's rule (NaT while on it).

    Parameters
    ----------
    atmps, events : DataFrame
        From :func:`atmp.data.load_atmps` and :func:`atmp.data.load_events`.
    as_of : date-like, optional
        Read the record as it stood on this date: later events are ignored, so a suspension
        lifted after ``as_of`` still counts as an exit on ``as_of``.

    Returns
    -------
    Series of datetime64, indexed like ``atmps``.
    """
    ev = events[events["event"].astype("object").isin((*EXIT_EVENTS, LIFTED))]
    ev = ev.sort_values("date", kind="stable")
    by_product = {p: g for p, g in ev.groupby("product", observed=True)}
    empty = ev.iloc[0:0]
    as_of = None if as_of is None else pd.Timestamp(as_of)
    out = [_exit_of(str(s), d, by_product.get(p, empty), as_of)
           for p, s, d in zip(atmps["product"], atmps["status"].astype("object"),
                              atmps["status_date"], strict=True)]
    return pd.Series(pd.to_datetime(pd.Series(out, dtype="object")).to_numpy(),
                     index=atmps.index, dtype="datetime64[ns]")


def authorisation_end_dates(atmps: pd.DataFrame, events: pd.DataFrame,
                            left: pd.Series | None = None) -> pd.Series:
    """The date each authorisation itself ended (NaT while it has not).

    The date of its ``withdrawn``, ``expired`` or ``not renewed`` event, else the exit date of
    :func:`exit_dates` (``left``, if the caller already has it). It differs from the exit date
    only for a product suspended and never reinstated before its authorisation ended (MACI: exit
    2014-11-19, authorisation expired 2018-07-01); for a suspension still in force it is NaT.
    """
    left = exit_dates(atmps, events) if left is None else left
    ending = events[events["event"].astype("object").isin(ENDING_EVENTS)]
    last = ending.groupby("product", observed=True)["date"].max()
    ended = atmps["product"].map(last)
    ended = pd.Series(pd.to_datetime(ended).to_numpy(), index=atmps.index, dtype="datetime64[ns]")
    suspended_now = left.notna() & ended.isna() & (atmps["status"].astype("object") == SUSPENSION)
    return ended.where(left.notna()).fillna(left).mask(suspended_now)


def exit_labels(atmps: pd.DataFrame, events: pd.DataFrame) -> pd.Series:
    """The exit date of each product as a reader's label: ``""`` while on the market, the ISO
    date, and for a suspension never lifted both dates — ``"2014-11-19 (suspended; expired
    2018-07-01)"``."""
    left = exit_dates(atmps, events)
    ended = authorisation_end_dates(atmps, events, left)
    label = left.dt.strftime("%Y-%m-%d").fillna("")
    later = left.notna() & ended.notna() & (ended > left)
    status = atmps["status"].astype("object").fillna("ended")
    label[later] = (label[later] + " (suspended; " + status[later] + " "
                    + ended[later].dt.strftime("%Y-%m-%d") + ")")
    return label


def on_market(atmps: pd.DataFrame, events: pd.DataFrame, on) -> pd.Series:
    """Boolean Series (indexed like ``atmps``): authorised by ``on`` and not yet gone then."""
    on = pd.Timestamp(on)
    left = exit_dates(atmps, events, as_of=on)
    granted = atmps["ec_decision_date"].notna() & (atmps["ec_decision_date"] <= on)
    return granted & ~(left.notna() & (left <= on))


def market_by_date(atmps: pd.DataFrame, events: pd.DataFrame, dates) -> pd.DataFrame:
    """Products ever authorised, on the market and gone, at each date.

    Returns
    -------
    DataFrame
        Index: the dates; columns ``ever authorised``, ``on the market``, ``left the market``.
    """
    rows = []
    for when in pd.to_datetime(list(dates)):
        left = exit_dates(atmps, events, as_of=when)
        ever = atmps["ec_decision_date"].notna() & (atmps["ec_decision_date"] <= when)
        gone = ever & left.notna()
        rows.append((int(ever.sum()), int((ever & ~gone).sum()), int(gone.sum())))
    return pd.DataFrame(rows, index=pd.to_datetime(list(dates)),
                        columns=["ever authorised", "on the market", "left the market"])


def suspensions_lifted(events: pd.DataFrame) -> pd.DataFrame:
    """Every suspension that a later event lifted: ``product``, ``suspended``, ``lifted``."""
    rows = []
    for product, g in events.sort_values("date").groupby("product", observed=True):
        start = None
        for when, event in zip(g["date"], g["event"].astype("object"), strict=True):
            if event == SUSPENSION:
                start = when
            elif event == LIFTED and start is not None:
                rows.append({"product": product, "suspended": start, "lifted": when})
                start = None
    return pd.DataFrame(rows, columns=["product", "suspended", "lifted"])


# ----------------------------------------------------------------------------- durations

def authorisation_spans(atmps: pd.DataFrame, events: pd.DataFrame, as_of) -> pd.DataFrame:
    """Time from the initial Commission decision until the authorisation was lost, or ``as_of``.

    This measures the life of the *authorisation*, not time on sale: a product can hold an
    authorisation without ever being launched.

    Returns
    -------
    DataFrame
        ``product``, ``atmp_class``, ``route`` (authorisation type at grant), ``start``,
        ``end`` (exit date or ``as_of``), ``years`` (365.25-day years), ``lost`` (True =
        observed exit, False = censored at ``as_of``), ``ended`` (the date the authorisation
        itself ended, when later than the exit — a suspension never lifted — else NaT),
        ``status``, ``status_reason``; in order of authorisation.
    """
    df = ever_authorised(atmps)
    left = exit_dates(atmps, events)
    ends, ended = left.loc[df.index], authorisation_end_dates(atmps, events, left).loc[df.index]
    as_of = pd.Timestamp(as_of)
    out = pd.DataFrame({
        "product": df["product"],
        "atmp_class": df["atmp_class"].astype("object").fillna("not recorded"),
        "route": df["authorisation_type"].astype("object").fillna("not recorded"),
        "start": df["ec_decision_date"],
        "end": ends.fillna(as_of),
        "lost": ends.notna(),
        "ended": ended.where(ended > ends),
        "status": df["status"].astype("object").fillna("not recorded"),
        "status_reason": df["status_reason"],
    })
    out["years"] = (out["end"] - out["start"]).dt.days / 365.25
    cols = ["product", "atmp_class", "route", "start", "end", "years", "lost", "ended",
            "status", "status_reason"]
    return out[cols].sort_values("start", kind="stable", ignore_index=True)


def life_timeline(atmps: pd.DataFrame, events: pd.DataFrame, as_of) -> tuple[pd.DataFrame,
                                                                               pd.DataFrame]:
    """Per-product spans (:func:`authorisation_spans`) and the events that punctuate them.

    Returns
    -------
    spans : DataFrame
    marks : DataFrame
        Events other than ``authorised`` and the ending events (those are the ends of the
        spans): ``product``, ``date``, ``event``, ``detail``.
    """
    spans = authorisation_spans(atmps, events, as_of)
    ends = {"authorised", *ENDING_EVENTS}
    ev = events[~events["event"].astype("object").isin(ends)
                & events["product"].isin(spans["product"])]
    marks = ev[["product", "date", "event", "detail"]].astype({"event": "object"})
    return spans, marks.reset_index(drop=True)


# ----------------------------------------------------------------------------- conversions

def _now(row: pd.Series) -> str:
    """EMA's current authorisation type of one product ("" where not read or no such column)."""
    value = row.get("authorisation_type_now")
    return "" if value is None or pd.isna(value) else str(value)


def conditional_outcomes(atmps: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """What the record shows for every product first authorised conditionally.

    The outcome is ``converted to standard`` (dated by the conversion event), ``converted
    (date not seen)`` (no event, but EMA's current type, ``authorisation_type_now``, is
    standard), ``left the market`` (with the status), ``still conditional (EMA flag)`` (EMA's
    current type is conditional) or ``no conversion recorded``: a missing event is never read
    as "still conditional", because the record may simply not hold the conversion yet.

    Returns
    -------
    DataFrame
        ``product``, ``granted``, ``outcome``, ``outcome_date``, ``renewals``.
    """
    df = ever_authorised(atmps)
    df = df[df["authorisation_type"].astype("object") == "conditional"]
    left = exit_dates(atmps, events)
    rows = []
    for i, row in df.sort_values("ec_decision_date").iterrows():
        ev = events[events["product"] == row["product"]]
        conv = ev[ev["event"].astype("object") == CONVERSION]
        if len(conv):
            outcome, when = "converted to standard", conv["date"].min()
        elif pd.notna(left[i]):
            outcome, when = f"left the market ({row['status']})", left[i]
        elif _now(row) == "standard":
            outcome, when = "converted (date not seen)", pd.NaT
        elif _now(row) == "conditional":
            outcome, when = "still conditional (EMA flag)", pd.NaT
        else:
            outcome, when = "no conversion recorded", pd.NaT
        rows.append({"product": row["product"], "granted": row["ec_decision_date"],
                     "outcome": outcome, "outcome_date": when,
                     "renewals": int((ev["event"].astype("object") == "conditional renewed").sum())})
    return pd.DataFrame(rows, columns=["product", "granted", "outcome", "outcome_date",
                                       "renewals"])


def exits(spans: pd.DataFrame) -> pd.DataFrame:
    """The authorisations that were lost, by exit date (rows of :func:`authorisation_spans`)."""
    out = spans[spans["lost"]].sort_values("end", ignore_index=True)
    return out[["product", "atmp_class", "route", "start", "end", "years", "status",
                "status_reason"]]


# ----------------------------------------------------------------------------- survival

def fit_km(spans: pd.DataFrame, label: str = "all ATMPs"):
    """Kaplan–Meier estimate of the probability that an authorisation is still held.

    Parameters
    ----------
    spans : DataFrame
        From :func:`authorisation_spans` (``years`` and ``lost``).
    label : str
        Name of the curve.

    Returns
    -------
    lifelines.KaplanMeierFitter
        Fitted, with its 95% confidence band (lifelines' default, exponential Greenwood).
        Warnings from lifelines are silenced so a notebook cell writes nothing to stderr.
    """
    import warnings

    from lifelines import KaplanMeierFitter

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        kmf = KaplanMeierFitter(label=label)
        kmf.fit(spans["years"].to_numpy(float), event_observed=spans["lost"].to_numpy(bool))
    return kmf


def survival_at(kmf, years):
    """Kaplan–Meier probability of still holding the authorisation at given times (years)."""
    import warnings

    import numpy as np

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return np.asarray(kmf.survival_function_at_times(np.atleast_1d(years)), dtype=float)


def km_summary(kmf, spans: pd.DataFrame, at_years=(2, 5, 10)) -> pd.DataFrame:
    """Probability still authorised, its 95% band and the number at risk, at given years.

    Returns
    -------
    DataFrame
        Index ``years``; columns ``still authorised (KM)``, ``lower 95%``, ``upper 95%``,
        ``at risk`` (products followed at least that long).
    """
    import numpy as np

    at = np.asarray(at_years, dtype=float)
    ci = kmf.confidence_interval_survival_function_
    idx = np.clip(np.searchsorted(ci.index.to_numpy(), at, side="right") - 1, 0, len(ci) - 1)
    return pd.DataFrame({
        "still authorised (KM)": survival_at(kmf, at),
        "lower 95%": ci.iloc[idx, 0].to_numpy(),
        "upper 95%": ci.iloc[idx, 1].to_numpy(),
        "at risk": [int((spans["years"] >= t).sum()) for t in at],
    }, index=pd.Index(at, name="years")).round(2)


def median_years(kmf) -> float:
    """Kaplan–Meier median (years); ``inf`` while the curve has not fallen to one half.

    Report a median only when it is finite: an infinite median means "not reached".
    """
    return float(kmf.median_survival_time_)
