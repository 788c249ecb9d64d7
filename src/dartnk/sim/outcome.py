"""One simulated trial's outcome as a fixed-length integer vector (cheap to ship between workers).

The layout is defined beside the summary that reads it (``dartnk.analysis.simulation_summary``,
which may not import ``dartnk.sim``); this module re-exports it for the simulator.
"""

from __future__ import annotations

from dartnk.analysis.simulation_summary import (CLOSE_CAP, CLOSE_MTD, CLOSE_NO_TOLERABLE, CLOSE_OPEN, SELECTED_NONE,
                                                SELECTED_NOT_REACHED, STOP_FUTILITY, STOP_NONE, STOP_TOXICITY,
                                                TRIAL_FIELDS, outcome_fields)

__all__ = ["CLOSE_CAP", "CLOSE_MTD", "CLOSE_NO_TOLERABLE", "CLOSE_OPEN", "SELECTED_NONE", "SELECTED_NOT_REACHED",
           "STOP_FUTILITY", "STOP_NONE", "STOP_TOXICITY", "TRIAL_FIELDS", "outcome_fields"]
