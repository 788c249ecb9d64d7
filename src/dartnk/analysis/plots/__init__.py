"""Plots for the committee, the interim and the final analysis: pure functions of plain data.

Each returns a matplotlib ``Figure`` drawn on the Agg backend (imported inside), readable in black
and white (hatches, markers, line styles), with axis labels that carry units. Use
:func:`figure_png` / :func:`figure_svg` to embed one in an HTML report.
"""

from __future__ import annotations

import base64
import io

from dartnk.analysis.plots.persistence import PersistenceSeries, persistence_by_response, persistence_curves
from dartnk.analysis.plots.response import BestChange, ChangeSeries, SwimLane, spider, swimmer, waterfall
from dartnk.analysis.plots.safety import DltCount, dlt_rates, exact_ci
from dartnk.analysis.plots.survival import MedianEstimate, SurvivalGroup, fit_groups, kaplan_meier

__all__ = [
    "BestChange", "ChangeSeries", "DltCount", "MedianEstimate", "PersistenceSeries", "SurvivalGroup", "SwimLane",
    "dlt_rates", "exact_ci", "figure_png", "figure_data_uri", "fit_groups", "kaplan_meier", "persistence_by_response", "persistence_curves",
    "spider", "swimmer", "waterfall",
]


def figure_png(fig, dpi: int = 110) -> bytes:
    """The figure as PNG bytes."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


def figure_data_uri(fig, dpi: int = 110) -> str:
    """The figure as a ``data:image/png;base64,…`` URI, for a self-contained HTML page."""
    return "data:image/png;base64," + base64.b64encode(figure_png(fig, dpi)).decode("ascii")
