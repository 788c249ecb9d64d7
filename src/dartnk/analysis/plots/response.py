"""Tumour response pictures: waterfall of best % change, spider plot over time, swimmer plot.

The reference lines are RECIST 1.1's thresholds on the sum of target-lesion diameters
(Eisenhauer et al., Eur J Cancer 2009;45:228-247, section 4.3.1): a decrease of at least 30% from
baseline is a partial response, an increase of at least 20% from the nadir is progression.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

from dartnk.analysis.plots.style import (
    DAYS_PER_MONTH,
    RESPONSE_ORDER,
    RESPONSE_STYLE,
    empty_message,
    new_figure,
    style_for,
)

PR_THRESHOLD_PCT = -30.0  # RECIST 1.1 §4.3.1: ≥ 30% decrease in the target sum → PR
PD_THRESHOLD_PCT = 20.0  # RECIST 1.1 §4.3.1: ≥ 20% increase (from the nadir) → PD


@dataclass(frozen=True)
class BestChange:
    """One patient's best (most negative) % change of the target sum from baseline, and BOR."""

    patient_id: str
    best_pct_change: float
    best_response: str  # RECIST category: CR, PR, SD, PD, NE
    group: str | None = None


@dataclass(frozen=True)
class ChangeSeries:
    """One patient's % change of the target sum from baseline at each assessment (study days)."""

    patient_id: str
    days: tuple[int, ...]
    pct_changes: tuple[float, ...]
    group: str | None = None


@dataclass(frozen=True)
class SwimLane:
    """One patient's course from Day 0: infusions, responses, progression, death or censoring."""

    patient_id: str
    end_day: int
    died: bool = False
    ongoing: bool = False
    infusion_days: tuple[int, ...] = ()
    responses: tuple[tuple[int, str], ...] = ()  # (study day, RECIST overall response)
    progression_day: int | None = None
    group: str | None = None
    extra: dict = field(default_factory=dict, compare=False)


def waterfall(changes: Sequence[BestChange], title: str = "Best change in target lesions"):
    """Waterfall plot: one bar per patient, sorted from largest increase to largest decrease.

    Bars are coloured and hatched by best overall response; dashed lines mark +20% and −30%.
    """
    fig, ax = new_figure(max(6.0, 0.25 * len(changes) + 3), 5.0)
    if not changes:
        empty_message(ax, "no patient with a post-baseline target-lesion measurement")
        ax.set_title(title)
        return fig
    ordered = sorted(changes, key=lambda c: (-c.best_pct_change, c.patient_id))
    seen: set[str] = set()
    for i, c in enumerate(ordered):
        st = RESPONSE_STYLE.get(c.best_response, RESPONSE_STYLE["NE"])
        label = c.best_response if c.best_response not in seen else None
        seen.add(c.best_response)
        ax.bar(i, c.best_pct_change, color=st["color"], hatch=st["hatch"], edgecolor="black", linewidth=0.6,
               label=label)
    ax.axhline(PD_THRESHOLD_PCT, color="black", linestyle="--", linewidth=0.9)
    ax.axhline(PR_THRESHOLD_PCT, color="black", linestyle=":", linewidth=0.9)
    ax.axhline(0, color="black", linewidth=0.8)
    ax.text(len(ordered) - 0.5, PD_THRESHOLD_PCT, "+20% (PD)", ha="right", va="bottom", fontsize=8)
    ax.text(len(ordered) - 0.5, PR_THRESHOLD_PCT, "−30% (PR)", ha="right", va="top", fontsize=8)
    ax.set_xticks(range(len(ordered)), [c.patient_id for c in ordered], rotation=90, fontsize=7)
    ax.set_xlabel("Patient")
    ax.set_ylabel("Best change in sum of target lesion diameters from baseline (%)")
    ax.set_xlim(-0.8, len(ordered) - 0.2)
    _ordered_legend(ax, title="Best overall response")
    ax.set_title(title)
    return fig


def spider(series: Sequence[ChangeSeries], title: str = "Change in target lesions over time"):
    """Spider plot: % change from baseline against weeks since the first infusion, one line each.

    Line style, marker and colour identify the group (construct or dose level).
    """
    fig, ax = new_figure(8.0, 5.0)
    drawn = [s for s in series if s.days]
    if not drawn:
        empty_message(ax, "no target-lesion measurements")
        ax.set_title(title)
        return fig
    groups = sorted({s.group or "all" for s in drawn})
    labelled: set[str] = set()
    for s in drawn:
        g = s.group or "all"
        st = style_for(groups.index(g))
        weeks = [d / 7.0 for d in s.days]
        ax.plot(weeks, s.pct_changes, color=st["color"], linestyle=st["linestyle"], marker=st["marker"],
                markersize=4, linewidth=1.1, label=g if g not in labelled else None)
        labelled.add(g)
    ax.axhline(PD_THRESHOLD_PCT, color="black", linestyle="--", linewidth=0.8)
    ax.axhline(PR_THRESHOLD_PCT, color="black", linestyle=":", linewidth=0.8)
    ax.axhline(0, color="black", linewidth=0.6)
    ax.set_xlabel("Time since first CAR-NK infusion (weeks)")
    ax.set_ylabel("Change in sum of target lesion diameters from baseline (%)")
    if len(groups) > 1 or groups != ["all"]:
        ax.legend(title="Group", fontsize=8)
    ax.set_title(title)
    return fig


def swimmer(lanes: Sequence[SwimLane], title: str = "Course of each patient"):
    """Swimmer plot: a bar per patient from Day 0 to last contact (months), with event markers.

    Markers: infusion (small black tick), each response assessment (RECIST marker), progression
    (P-marker), death (black square), ongoing follow-up (arrow past the bar's end).
    """
    fig, ax = new_figure(9.0, max(4.0, 0.28 * len(lanes) + 1.8))
    if not lanes:
        empty_message(ax, "no treated patient")
        ax.set_title(title)
        return fig
    ordered = sorted(lanes, key=lambda s: (s.end_day, s.patient_id))
    groups = sorted({s.group or "all" for s in ordered})
    used: set[str] = set()

    def once(key: str) -> str | None:
        if key in used:
            return None
        used.add(key)
        return key

    for y, lane in enumerate(ordered):
        st = style_for(groups.index(lane.group or "all"))
        end = lane.end_day / DAYS_PER_MONTH
        ax.barh(y, end, height=0.6, color=st["color"], alpha=0.35, hatch=st["hatch"], edgecolor="black",
                linewidth=0.5, label=once(f"arm {lane.group}") if lane.group else None)
        if lane.infusion_days:
            ax.plot([d / DAYS_PER_MONTH for d in lane.infusion_days], [y] * len(lane.infusion_days), linestyle="none",
                    marker="|", markersize=9, color="black", label=once("CAR-NK infusion"))
        for day, resp in lane.responses:
            if resp in ("CR", "PR", "SD"):
                rs = RESPONSE_STYLE[resp]
                ax.plot(day / DAYS_PER_MONTH, y, linestyle="none", marker=rs["marker"], markersize=7,
                        markerfacecolor=rs["color"], markeredgecolor="black", label=once(resp))
        if lane.progression_day is not None:
            ax.plot(lane.progression_day / DAYS_PER_MONTH, y, linestyle="none", marker="X", markersize=8,
                    markerfacecolor=RESPONSE_STYLE["PD"]["color"], markeredgecolor="black", label=once("Progression"))
        if lane.died:
            ax.plot(end, y, linestyle="none", marker="s", markersize=7, color="black", label=once("Death"))
        elif lane.ongoing:
            ax.annotate("", xy=(end + 0.6, y), xytext=(end, y),
                        arrowprops={"arrowstyle": "->", "color": "black", "linewidth": 1.0})
            ax.plot([], [], linestyle="none", marker=r"$\rightarrow$", color="black", label=once("In follow-up"))
        else:
            ax.plot(end, y, linestyle="none", marker="|", markersize=12, markeredgewidth=2, color="#555555",
                    label=once("Censored (off study)"))
    ax.set_yticks(range(len(ordered)), [s.patient_id for s in ordered], fontsize=7)
    ax.set_xlabel("Time since first CAR-NK infusion (months)")
    ax.set_ylabel("Patient")
    ax.set_xlim(-0.2, max(s.end_day for s in ordered) / DAYS_PER_MONTH * 1.06 + 0.8)  # room for the arrows
    ax.legend(fontsize=7, loc="lower right")
    ax.set_title(title)
    return fig


def _ordered_legend(ax, title: str) -> None:
    handles, labels = ax.get_legend_handles_labels()
    order = sorted(range(len(labels)), key=lambda i: RESPONSE_ORDER.index(labels[i]) if labels[i] in RESPONSE_ORDER else 99)
    ax.legend([handles[i] for i in order], [labels[i] for i in order], title=title, fontsize=8)
