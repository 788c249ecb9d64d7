"""Shared figure style: the Agg backend, black-and-white-safe hatches, markers and line styles.

Every plot must be readable printed in grey scale (a committee binder, a regulator's PDF), so
categories are told apart by hatch, marker and line style as well as by colour.
"""

from __future__ import annotations

from typing import Any

#: RECIST 1.1 response categories (Eisenhauer et al., Eur J Cancer 2009;45:228-247), in display order.
RESPONSE_ORDER: tuple[str, ...] = ("CR", "PR", "SD", "PD", "NE")

#: One visual identity per response category: colour (Okabe-Ito, colour-blind safe), hatch, marker.
RESPONSE_STYLE: dict[str, dict[str, str]] = {
    "CR": {"color": "#0072B2", "hatch": "", "marker": "*"},
    "PR": {"color": "#56B4E9", "hatch": "///", "marker": "^"},
    "SD": {"color": "#E69F00", "hatch": "...", "marker": "s"},
    "PD": {"color": "#D55E00", "hatch": "xxx", "marker": "v"},
    "NE": {"color": "#999999", "hatch": "---", "marker": "o"},
}

LINE_STYLES: tuple[Any, ...] = ("-", "--", "-.", ":", (0, (5, 1, 1, 1)), (0, (3, 1, 1, 1, 1, 1)))
MARKERS: tuple[str, ...] = ("o", "s", "^", "D", "v", "P", "X", "*")
COLOURS: tuple[str, ...] = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
HATCHES: tuple[str, ...] = ("", "///", "...", "xxx", "\\\\\\", "---", "+++")

DAYS_PER_MONTH = 365.25 / 12  # mean Gregorian month, the convention for survival time in months


def pyplot():
    """matplotlib.pyplot on the non-interactive Agg backend (imported here, never at module import)."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def new_figure(width: float = 8.0, height: float = 5.0):
    """A fresh figure and axes (not registered with pyplot's global state, so nothing leaks)."""
    from matplotlib.figure import Figure

    pyplot()
    fig = Figure(figsize=(width, height), dpi=110, layout="constrained")
    ax = fig.add_subplot(1, 1, 1)
    return fig, ax


def style_for(index: int) -> dict[str, Any]:
    """Colour, line style, marker and hatch for the ``index``-th series (cycled)."""
    return {
        "color": COLOURS[index % len(COLOURS)],
        "linestyle": LINE_STYLES[index % len(LINE_STYLES)],
        "marker": MARKERS[index % len(MARKERS)],
        "hatch": HATCHES[index % len(HATCHES)],
    }


def empty_message(ax, text: str = "no data") -> None:
    """Write a centred note on an axes that has nothing to draw."""
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, fontsize=12, color="#555555")
    ax.set_xticks([])
    ax.set_yticks([])
