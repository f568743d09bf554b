"""The centralised procedure as a clock: active days, clock stops, the Commission decision.

A model of elapsed calendar time, built only from constants of the law and of EMA's published
procedure (:func:`procedure_clock`), inverted to read published durations
(:func:`implied_clock_stops`), and drawn against published ATMP assessment times
(:func:`draw_procedure_clock`, the widget :data:`CLOCK` of the regulation chapter).

Examples
--------
>>> from atmp.models import procedure
>>> procedure.procedure_clock("standard", 90, 30, 67).decision_day
397
>>> procedure.procedure_clock("accelerated", 30, 0, 67).opinion_day
180
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from atmp import data, plots
from atmp.widgets import Choice, Interactive, Slider

# ----------------------------------------------------------------------------- legal constants

#: Maximum active (clock-running) days from a valid application to the CHMP opinion under the
#: standard centralised procedure (Regulation (EC) No 726/2004, Art. 6(3)).
STANDARD_ACTIVE_DAYS = 210
#: Active days when the CHMP grants accelerated assessment (Regulation (EC) No 726/2004, Art. 14(9)).
ACCELERATED_ACTIVE_DAYS = 150
#: Days within which EMA says the Commission issues its decision after the opinion (an
#: administrative timeline described by EMA and the Commission, not a number in the Regulation).
COMMISSION_DECISION_DAYS = 67
#: Days after the Commission decision by which the Member State Coordination Group endorses the
#: joint clinical assessment report of a medicine in the scope of the HTA Regulation (EU)
#: 2021/2282 (all ATMPs applied for from 12 January 2025), as the Commission describes it.
JCA_REPORT_DAYS = 30
#: Active days to the CHMP opinion under the agreed pharmaceutical reform, as EMA described the
#: provisional agreement of 11 December 2025 ("reduced assessment time (210 to 180 days)", quoted
#: by the Pharmaceutical Journal; the same figure in EMA's news as copied elsewhere). The article
#: of the agreed Regulation was not read; the reform does not apply before about 2028.
REFORM_ACTIVE_DAYS = 180
#: Active day after which the model places the first clock stop (the Day-120 list of questions);
#: the accelerated timetable also has its one clock stop here in this model.
FIRST_STOP_DAY = 120
#: Active day after which the model places the second clock stop (Day-180 outstanding issues);
#: standard timetable only.
SECOND_STOP_DAY = 180

TIMETABLES: dict[str, int] = {"standard": STANDARD_ACTIVE_DAYS,
                              "accelerated": ACCELERATED_ACTIVE_DAYS}


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


def published_days() -> pd.Series:
    """Published "EMA assessment time" of ATMPs (days), by product.

    From ``data/regulation-assessment-times.csv`` (Table 2 of Rivetti di Val Cervo et al.,
    BioDrugs 2024, doi:10.1007/s40259-024-00683-0; bibliography key ``rivetti2024``): a
    reference distribution beside the model, not an output of it.
    """
    t = data.load("regulation-assessment-times")
    return pd.Series(t["assessment_days"].to_numpy(float), index=t["product"], name="days")


def published_summary() -> dict[str, float]:
    """Median, mean, quartiles and count of :func:`published_days` (days)."""
    v = published_days().to_numpy(float)
    q1, q3 = np.percentile(v, [25, 75])
    return {"n": len(v), "median": float(np.median(v)), "mean": float(v.mean()),
            "q1": float(q1), "q3": float(q3), "min": float(v.min()), "max": float(v.max())}



# Read once: the clock widget redraws on every slider move.
_PUBLISHED = published_days().to_numpy(float)


_PHASE_LABELS = {"active": "active", "clock stop": "clock\nstop", "Commission decision": "EC"}
PHASE_COLORS = {"active": plots.OKABE_ITO["blue"], "clock stop": "#C8C8C8",
                "Commission decision": plots.OKABE_ITO["orange"]}


def draw_procedure_clock(timetable: str = "standard", stop_1: float = 90, stop_2: float = 30,
                         decision_days: float = COMMISSION_DECISION_DAYS) -> Figure:
    """The procedure clock as a bar of phases, set against published ATMP assessment times.

    Top row: active assessment days (blue), clock stops (grey) and the Commission decision phase
    (orange) for the chosen parameters, with the time to decision. Bottom row: the published
    "EMA assessment time" of ATMPs (dots; :func:`published_days`) with their median.

    Parameters are those of :func:`procedure_clock` (days).
    """
    clock = procedure_clock(timetable, stop_1, stop_2, decision_days)
    pub = np.sort(_PUBLISHED)
    # A fixed layout (no constrained-layout solver) keeps a slider redraw well under 100 ms.
    fig, ax = plots.fixed_figure(width=7.5, height=3.0, left=0.16, right=0.98, bottom=0.16,
                                 top=0.9)
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


def draw_today_and_reform() -> Figure:
    """The centralised procedure of today beside the procedure the agreed reform sets.

    Top row, to scale, with the sourced numbers only: the CAT draft and CHMP opinion within
    :data:`STANDARD_ACTIVE_DAYS` active days (clock stops not drawn), the Commission decision
    phase EMA describes (:data:`COMMISSION_DECISION_DAYS`) and the endorsement of the joint
    clinical assessment report (:data:`JCA_REPORT_DAYS` after the decision). Bottom row: the
    reform's :data:`REFORM_ACTIVE_DAYS` active days to the CHMP opinion (EMA's description of
    the agreement), to scale; the reform's Commission phase is hatched and has no day count,
    because no count for it was found in a text or report of the agreement (only in the 2023
    proposal), so nothing after the opinion is drawn to scale on that row.
    """
    fig, ax = plots.fixed_figure(width=7.5, height=3.4, left=0.17, right=0.98, bottom=0.17,
                                 top=0.88)
    opinion = STANDARD_ACTIVE_DAYS
    decision = opinion + COMMISSION_DECISION_DAYS
    jca = decision + JCA_REPORT_DAYS
    today = [("CAT draft, CHMP opinion\n" f"≤ {opinion} active days", 0, opinion,
              PHASE_COLORS["active"], "white"),
             (f"Commission\n~{COMMISSION_DECISION_DAYS} days", opinion, decision,
              PHASE_COLORS["Commission decision"], "black"),
             (f"JCA\nreport\n≤{JCA_REPORT_DAYS} d", decision, jca, plots.OKABE_ITO["bluish green"], "black")]
    reform = REFORM_ACTIVE_DAYS
    for label, a, b, color, ink in today:
        ax.barh(1, b - a, left=a, height=0.5, color=color, edgecolor=plots.edge(color),
                linewidth=0.8)
        ax.text((a + b) / 2, 1, label, ha="center", va="center", fontsize=8, color=ink)
    ax.barh(0, reform, left=0, height=0.5, color=PHASE_COLORS["active"],
            edgecolor=plots.edge(PHASE_COLORS["active"]), linewidth=0.8)
    ax.text(reform / 2, 0, f"CHMP opinion\n≤ {reform} active days", ha="center", va="center",
            fontsize=8, color="white")
    ax.barh(0, jca - reform, left=reform, height=0.5, color="#DDDDDD",
            edgecolor=plots.REFERENCE_COLOR, hatch="//", linewidth=0.8)
    ax.text((reform + jca) / 2, 0, "Commission, JCA:\nday count\nNOT VERIFIED",
            ha="center", va="center", fontsize=7.5,
            bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.85, "pad": 1.5})
    ax.set_yticks([0, 1], ["reform\n(agreed; not\napplicable yet)", "today\n(in force)"])
    ax.set_ylim(-0.5, 1.5)
    ax.set_xlim(0, jca * 1.02)
    ax.set_xticks([0, reform, opinion, decision, jca])
    ax.set_xlabel("days from a valid application (clock stops not shown)")
    ax.set_title("The EU procedure for an ATMP: today and after the reform", fontsize=10)
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
