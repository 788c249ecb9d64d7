"""CAR-NK persistence: transgene copies per µg genomic DNA over time, log scale, by construct and level.

Values at or below the assay's lower limit of quantification are drawn at the LLOQ with open
markers (a log axis cannot show zero).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Sequence

from dartnk.analysis.plots.style import empty_message, new_figure, style_for


@dataclass(frozen=True)
class PersistenceSeries:
    """One patient's qPCR series: study days and CAR transgene copies/µg genomic DNA."""

    patient_id: str
    construct: str
    dose_level: str
    days: tuple[int, ...]
    copies_per_ug: tuple[float, ...]


def persistence_curves(series: Sequence[PersistenceSeries], lloq: float = 10.0,
                       title: str = "CAR-NK persistence by construct and dose level"):
    """One panel per construct; thin lines per patient, a bold median line per dose level.

    ``lloq`` is the assay's lower limit of quantification (copies/µg DNA).
    """
    from matplotlib.figure import Figure

    from dartnk.analysis.plots.style import pyplot

    pyplot()
    constructs = sorted({s.construct for s in series})
    if not constructs:
        fig, ax = new_figure()
        empty_message(ax, "no persistence samples")
        ax.set_title(title)
        return fig
    fig = Figure(figsize=(5.0 * len(constructs), 4.8), dpi=110, layout="constrained")
    axes = fig.subplots(1, len(constructs), sharey=True, squeeze=False)[0]
    levels = sorted({s.dose_level for s in series})
    for ax, construct in zip(axes, constructs):
        by_level: dict[str, dict[int, list[float]]] = defaultdict(lambda: defaultdict(list))
        for s in (x for x in series if x.construct == construct):
            st = style_for(levels.index(s.dose_level))
            shown = [max(v, lloq) for v in s.copies_per_ug]
            ax.plot(s.days, shown, color=st["color"], linestyle=st["linestyle"], linewidth=0.6, alpha=0.45)
            below = [(d, lloq) for d, v in zip(s.days, s.copies_per_ug) if v <= lloq]
            if below:
                ax.plot(*zip(*below), linestyle="none", marker=st["marker"], markerfacecolor="white",
                        markeredgecolor=st["color"], markersize=4)
            for d, v in zip(s.days, s.copies_per_ug):
                by_level[s.dose_level][d].append(max(v, lloq))
        for level in sorted(by_level):
            st = style_for(levels.index(level))
            days = sorted(by_level[level])
            med = [_median(by_level[level][d]) for d in days]
            n = len({s.patient_id for s in series if s.construct == construct and s.dose_level == level})
            ax.plot(days, med, color=st["color"], linestyle=st["linestyle"], marker=st["marker"], linewidth=2.2,
                    markersize=6, markeredgecolor="black", label=f"{level} median (n={n})")
        ax.axhline(lloq, color="black", linestyle=":", linewidth=0.8)
        ax.text(0.99, lloq, "LLOQ", transform=ax.get_yaxis_transform(), ha="right", va="bottom", fontsize=7)
        ax.set_yscale("log")
        ax.set_title(construct)
        ax.set_xlabel("Study day (days since first infusion)")
        ax.legend(fontsize=7, loc="upper right")
    axes[0].set_ylabel("CAR transgene (copies/µg genomic DNA, log scale)")
    fig.suptitle(title)
    return fig


def _median(values: list[float]) -> float:
    v = sorted(values)
    n = len(v)
    return v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2


def persistence_by_response(values: dict[str, Sequence[float]], lloq: float = 10.0,
                            title: str = "Peak CAR-NK persistence by best overall response"):
    """Strip plot (log scale) of one value per patient (e.g. peak copies/µg DNA) per response group,
    with the group median as a bar; groups keep the mapping's order."""
    fig, ax = new_figure(7.0, 4.8)
    groups = [g for g, v in values.items() if v]
    if not groups:
        empty_message(ax, "no persistence samples")
        ax.set_title(title)
        return fig
    for i, g in enumerate(groups):
        st = style_for(i)
        vals = sorted(max(v, lloq) for v in values[g])
        n = len(vals)
        xs = [i + (k - (n - 1) / 2) * min(0.08, 0.6 / max(n, 1)) for k in range(n)]
        ax.plot(xs, vals, linestyle="none", marker=st["marker"], markersize=7, markerfacecolor=st["color"],
                markeredgecolor="black", label=f"{g} (n={n})")
        ax.plot([i - 0.3, i + 0.3], [_median(vals)] * 2, color="black", linewidth=2)
    ax.axhline(lloq, color="black", linestyle=":", linewidth=0.8)
    ax.set_yscale("log")
    ax.set_xticks(range(len(groups)), groups)
    ax.set_xlim(-0.6, len(groups) - 0.4)
    ax.set_xlabel("Best overall response group")
    ax.set_ylabel("Peak CAR transgene (copies/µg genomic DNA, log scale)")
    ax.legend(fontsize=8)
    ax.set_title(title)
    return fig
