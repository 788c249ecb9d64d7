"""One simulated trial's outcome as a fixed-length integer vector (cheap to ship between workers).

Layout (``outcome_fields(protocol)``): per arm ``a`` (protocol order) ``mtd.a`` (0-based level or −1)
and ``close.a`` (``CLOSE_*``), then ``treated.a.l`` and ``dlts.a.l`` per level, then the trial-level
fields of ``TRIAL_FIELDS``.
"""

from __future__ import annotations

CLOSE_MTD, CLOSE_NO_TOLERABLE, CLOSE_CAP, CLOSE_OPEN = 0, 1, 2, 3
STOP_NONE, STOP_TOXICITY, STOP_FUTILITY = 0, 1, 2
SELECTED_NONE, SELECTED_NOT_REACHED = -1, -2

TRIAL_FIELDS = (
    "selected",          # construct index, −1 nothing selected, −2 selection never reached
    "exp_level",         # RP2D level index of the expansion (−1 none)
    "exp_n",             # patients treated in the expansion
    "exp_dlt_evaluable", "exp_dlts",
    "exp_resp_evaluated", "exp_responders",
    "exp_stop",          # STOP_*
    "exp_stop_n",        # evaluable patients when the stop was proposed
    "n_treated", "n_screened", "n_screen_failures", "n_refused", "n_lost_to_wait", "n_dlts",
    "duration_days",     # trial day the trial closed (or was cut off)
    "selection_day",     # trial day the selection was proposed (−1 never)
    "finished",          # 1 closed, 0 cut off at the scenario's max_trial_days
    "n_crs3", "n_icans3",  # treated patients with grade ≥ 3 CRS / ICANS (ASTCT)
    "exp_pfs6", "exp_os12",  # expansion patients progression-free at 6 months / alive at 12 months
)


def outcome_fields(protocol) -> list[str]:
    arms = [c.id for c in protocol.constructs]
    levels = [d.id for d in protocol.dose_levels]
    out = []
    for a in arms:
        out += [f"mtd.{a}", f"close.{a}"]
    for a in arms:
        out += [f"treated.{a}.{lv}" for lv in levels]
        out += [f"dlts.{a}.{lv}" for lv in levels]
    return out + list(TRIAL_FIELDS)
