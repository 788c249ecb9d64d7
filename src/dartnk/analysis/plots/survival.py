"""Kaplan–Meier curves with censoring ticks, numbers at risk and median lines (lifelines).

The estimator is lifelines' ``KaplanMeierFitter`` with its default pointwise 95% confidence band
(Greenwood variance on the log(−log) scale); the median and its 95% CI are read from that band
(Brookmeyer & Crowley 1982 style: the times where the band's limits cross 0.5).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

from dartnk.analysis.plots.style import DAYS_PER_MONTH, empty_message, new_figure, style_for


@dataclass(frozen=True)
class SurvivalGroup:
    """Time to event in days from Day 0 and whether the event was observed (False = censored)."""

    label: str
    durations_days: tuple[float, ...]
    events: tuple[bool, ...]


@dataclass(frozen=True)
class MedianEstimate:
    """Median time to event (months) with its 95% CI; ``None`` where not reached (NR)."""

    label: str
    n: int
    events: int
    median: float | None
    lower: float | None
    upper: float | None

    def text(self) -> str:
        def f(x: float | None) -> str:
            return "NR" if x is None else f"{x:.1f}"

        return f"{self.label}: n={self.n}, events={self.events}, median {f(self.median)} mo (95% CI {f(self.lower)}–{f(self.upper)})"


def _finite(x: float) -> float | None:
    return None if x is None or not math.isfinite(float(x)) else float(x)


def fit_groups(groups: Sequence[SurvivalGroup], alpha: float = 0.05):
    """Fitted ``KaplanMeierFitter`` per non-empty group (time in months) and their medians."""
    from lifelines import KaplanMeierFitter
    from lifelines.utils import median_survival_times

    fits, medians = [], []
    for g in groups:
        if not g.durations_days:
            continue
        months = [d / DAYS_PER_MONTH for d in g.durations_days]
        kmf = KaplanMeierFitter(alpha=alpha)
        kmf.fit(months, event_observed=list(g.events), label=g.label)
        ci = median_survival_times(kmf.confidence_interval_)
        lower, upper = ci.iloc[0, 0], ci.iloc[0, 1]
        medians.append(MedianEstimate(g.label, len(months), int(sum(g.events)), _finite(kmf.median_survival_time_),
                                      _finite(lower), _finite(upper)))
        fits.append(kmf)
    return fits, medians


def kaplan_meier(groups: Sequence[SurvivalGroup], endpoint: str = "Overall survival", title: str | None = None,
                 medians: dict[str, float | None] | None = None):
    """Kaplan–Meier curves (months) with 95% bands, censor ticks, median lines and numbers at risk.

    ``medians`` (label → months, None = not reached) overrides the medians drawn, so a report can
    show the ones of its statistics module (R ``survival`` conventions) on the figure too.
    """
    from lifelines.plotting import add_at_risk_counts

    fig, ax = new_figure(8.5, 6.0)
    fits, fitted = fit_groups(groups)
    if not fits:
        empty_message(ax, "no patient at risk")
        ax.set_title(title or endpoint)
        return fig
    chosen = medians or {}
    for i, (kmf, med) in enumerate(zip(fits, fitted)):
        st = style_for(i)
        if med.label in chosen:
            med = MedianEstimate(med.label, med.n, med.events, chosen[med.label], None, None)
        med_txt = "NR" if med.median is None else f"{med.median:.1f} mo"
        kmf.plot_survival_function(ax=ax, ci_show=True, ci_alpha=0.12, show_censors=True, color=st["color"],
                                   linestyle=st["linestyle"], censor_styles={"marker": "|", "ms": 8, "mew": 1.2},
                                   label=f"{med.label} (median {med_txt})")
        if med.median is not None:
            ax.plot([0, med.median], [0.5, 0.5], color="#444444", linestyle=":", linewidth=0.8)
            ax.plot([med.median, med.median], [0, 0.5], color=st["color"], linestyle=":", linewidth=1.0)
    ax.set_ylim(0, 1.02)
    ax.set_xlim(left=0)
    ax.set_xlabel("Time since first CAR-NK infusion (months)")
    ax.set_ylabel(f"{endpoint}: probability (Kaplan–Meier)")
    ax.legend(fontsize=8, loc="upper right")
    ax.set_title(title or endpoint)
    add_at_risk_counts(*fits, ax=ax, rows_to_show=["At risk"], ypos=-0.5)
    return fig
