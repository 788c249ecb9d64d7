"""DLT rates per arm and dose level with exact (Clopper–Pearson) 95% confidence intervals."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from dartnk.analysis.plots.style import empty_message, new_figure, style_for


@dataclass(frozen=True)
class DltCount:
    """DLTs among DLT-evaluable patients of one arm at one dose level."""

    arm: str
    dose_level: str
    dlts: int
    evaluable: int


def exact_ci(k: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Clopper–Pearson interval for k events in n (Clopper & Pearson, Biometrika 1934)."""
    from scipy.stats import beta

    if n <= 0:
        return (0.0, 1.0)
    a = 1 - confidence
    lower = 0.0 if k == 0 else float(beta.ppf(a / 2, k, n - k + 1))
    upper = 1.0 if k == n else float(beta.ppf(1 - a / 2, k + 1, n - k))
    return lower, upper


def dlt_rates(counts: Sequence[DltCount], level_order: Sequence[str] | None = None,
              threshold: float | None = 0.33, title: str = "DLT rate by arm and dose level"):
    """Point estimate k/n with exact 95% CI, dose levels on x, one marker/line style per arm.

    ``threshold`` (e.g. the protocol's unacceptable DLT rate) is drawn as a dashed line.
    """
    fig, ax = new_figure(8.0, 5.0)
    shown = [c for c in counts if c.evaluable > 0]
    if not shown:
        empty_message(ax, "no DLT-evaluable patient")
        ax.set_title(title)
        return fig
    levels = list(level_order) if level_order else sorted({c.dose_level for c in shown})
    levels = [lv for lv in levels if any(c.dose_level == lv for c in shown)]
    arms = sorted({c.arm for c in shown})
    width = 0.6 / max(1, len(arms))
    for i, arm in enumerate(arms):
        st = style_for(i)
        xs, ys, lo, hi = [], [], [], []
        for c in (c for c in shown if c.arm == arm):
            x = levels.index(c.dose_level) + (i - (len(arms) - 1) / 2) * width
            p = c.dlts / c.evaluable
            low, up = exact_ci(c.dlts, c.evaluable)
            xs.append(x), ys.append(p), lo.append(p - low), hi.append(up - p)
            ax.annotate(f"{c.dlts}/{c.evaluable}", (x, p), textcoords="offset points", xytext=(6, 4), fontsize=7)
        ax.errorbar(xs, ys, yerr=[lo, hi], color=st["color"], marker=st["marker"], linestyle="none", capsize=4,
                    markersize=7, markeredgecolor="black", label=arm)
    if threshold is not None:
        ax.axhline(threshold, color="black", linestyle="--", linewidth=0.9)
        ax.text(len(levels) - 0.5, threshold, f"{threshold:.0%}", ha="right", va="bottom", fontsize=8)
    ax.set_xticks(range(len(levels)), levels)
    ax.set_xlim(-0.6, len(levels) - 0.4)
    ax.set_ylim(-0.03, 1.03)
    ax.set_xlabel("Dose level")
    ax.set_ylabel("DLT rate (proportion of DLT-evaluable patients, exact 95% CI)")
    ax.legend(title="Arm (construct)", fontsize=8)
    ax.set_title(title)
    return fig
