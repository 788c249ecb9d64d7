"""Operating characteristics of simulated trials, with Monte Carlo standard errors.

Input: per scenario, the outcome matrix of :mod:`dartnk.sim.runner` (one row per trial, columns
``dartnk.sim.outcome.outcome_fields``). Output: the ``summary.json`` document (schema
``dartnk.simulation-summary/1``, described in docs/simulation.md).

Monte Carlo error: a proportion p over n trials has SE √(p(1−p)/n); a mean has SE s/√n; a
quantile gets the distribution-free 95% interval of order statistics with ranks
n·q ± 1.96·√(n·q(1−q)). The ORR estimate of a trial is responders / patients evaluated for
response in the expansion; its 95% interval is Clopper–Pearson (exact binomial; Clopper &
Pearson, Biometrika 1934;26:404–413); bias and coverage are against the scenario's true ORR of
the selected construct at the expansion's level.
"""

from __future__ import annotations

import math

import numpy as np

SCHEMA = "dartnk.simulation-summary/1"
DAYS_PER_MONTH = 365.25 / 12


# -- the outcome vector of one simulated trial (written by dartnk.sim, read here) ---------------------
# Layout (``outcome_fields(protocol)``): per arm ``a`` (protocol order) ``mtd.a`` (0-based level or −1)
# and ``close.a`` (``CLOSE_*``), then ``treated.a.l`` and ``dlts.a.l`` per level (escalation
# patients), then the trial-level fields of ``TRIAL_FIELDS``.
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
    """Names of the outcome vector's columns for this protocol."""
    arms = [c.id for c in protocol.constructs]
    levels = [d.id for d in protocol.dose_levels]
    out = []
    for a in arms:
        out += [f"mtd.{a}", f"close.{a}"]
    for a in arms:
        out += [f"treated.{a}.{lv}" for lv in levels]
        out += [f"dlts.{a}.{lv}" for lv in levels]
    return out + list(TRIAL_FIELDS)


def prop(x) -> dict:
    x = np.asarray(x, dtype=float)
    n = x.size
    p = float(x.mean()) if n else float("nan")
    return {"p": p, "se": math.sqrt(p * (1 - p) / n) if n else float("nan")}


def mean(x) -> dict:
    x = np.asarray(x, dtype=float)
    n = x.size
    if n == 0:
        return {"mean": None, "se": None}
    return {"mean": float(x.mean()), "se": float(x.std(ddof=1) / math.sqrt(n)) if n > 1 else 0.0}


def quantile(x, q: float) -> dict:
    """The q-quantile with its distribution-free 95% interval (order statistics)."""
    x = np.sort(np.asarray(x, dtype=float))
    n = x.size
    if n == 0:
        return {"value": None, "ci95": [None, None]}
    half = 1.96 * math.sqrt(n * q * (1 - q))
    lo, hi = int(max(0, math.floor(n * q - half))), int(min(n - 1, math.ceil(n * q + half)))
    return {"value": float(np.quantile(x, q)), "ci95": [float(x[lo]), float(x[hi])]}


def distribution(x) -> dict:
    vals, counts = np.unique(np.asarray(x, dtype=int), return_counts=True)
    n = counts.sum()
    return {str(int(v)): float(c / n) for v, c in zip(vals, counts)}


def clopper_pearson(x: np.ndarray, n: np.ndarray, conf: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Exact binomial interval, vectorised; x = 0 gives lower 0, x = n gives upper 1."""
    from scipy.stats import beta

    a = (1 - conf) / 2
    x, n = np.asarray(x, dtype=float), np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore"):
        lo = np.where(x > 0, beta.ppf(a, x, n - x + 1), 0.0)
        hi = np.where(x < n, beta.ppf(1 - a, x + 1, n - x), 1.0)
    return lo, hi


def _columns(protocol, matrix: np.ndarray) -> dict[str, np.ndarray]:
    fields = outcome_fields(protocol)
    if matrix.shape[1] != len(fields):
        raise ValueError(f"outcome matrix has {matrix.shape[1]} columns, expected {len(fields)}")
    return {f: matrix[:, i] for i, f in enumerate(fields)}


def _arms(protocol, scenario, col) -> dict:
    levels = [d.id for d in protocol.dose_levels]
    out = {}
    for c in protocol.constructs:
        mtd = col[f"mtd.{c.id}"]
        close = col[f"close.{c.id}"]
        spec = scenario.constructs[c.id]
        treated = {lv: col[f"treated.{c.id}.{lv}"] for lv in levels}
        dlts = {lv: col[f"dlts.{c.id}.{lv}"] for lv in levels}
        out[c.id] = {
            "true_dlt": {lv: spec.dlt[lv] for lv in levels},
            "true_response": {lv: spec.response[lv] for lv in levels},
            "p_mtd": {**{lv: prop(mtd == i) for i, lv in enumerate(levels)}, "none": prop(mtd < 0)},
            "p_no_tolerable_dose": prop(close == CLOSE_NO_TOLERABLE),
            "p_closed_by_cap": prop(close == CLOSE_CAP),
            "p_unfinished": prop(close == CLOSE_OPEN),
            "mean_patients": {lv: mean(treated[lv]) for lv in levels},
            "mean_dlts": {lv: mean(dlts[lv]) for lv in levels},
            "mean_patients_total": mean(sum(treated.values())),
            "mean_dlts_total": mean(sum(dlts.values())),
        }
    return out


def _selection(protocol, scenario, col) -> dict:
    sel = col["selected"]
    ids = [c.id for c in protocol.constructs]
    p_sel = {c: prop(sel == i) for i, c in enumerate(ids)}
    p_sel["none"] = prop(sel == SELECTED_NONE)
    p_sel["not_reached"] = prop(sel == SELECTED_NOT_REACHED)
    if scenario.best_construct is None:
        correct = (sel == SELECTED_NONE) | (col["exp_stop"] == STOP_FUTILITY)
        rule = "nothing selected, or the expansion stopped for futility"
    else:
        correct = sel == ids.index(scenario.best_construct)
        rule = f"{scenario.best_construct} selected"
    return {"p_selected": p_sel, "best_construct": scenario.best_construct, "best_definition": scenario.best_definition,
            "correct_means": rule, "p_best_selected": prop(correct)}


def _expansion(protocol, scenario, col) -> dict:
    ids = [c.id for c in protocol.constructs]
    levels = [d.id for d in protocol.dose_levels]
    opened = col["exp_level"] >= 0
    n_eval, resp = col["exp_resp_evaluated"], col["exp_responders"]
    use = opened & (n_eval > 0)
    orr: dict = {"trials": int(use.sum()), "ci_method": "Clopper-Pearson 95%"}
    if use.any():
        sel, lv = col["selected"][use], col["exp_level"][use]
        truth = np.array([scenario.constructs[ids[s]].response[levels[v]] for s, v in zip(sel, lv)])
        phat = resp[use] / n_eval[use]
        lo, hi = clopper_pearson(resp[use], n_eval[use])
        err = phat - truth
        orr |= {"true_mean": float(truth.mean()), "estimate_mean": float(phat.mean()), "bias": mean(err),
                "rmse": float(math.sqrt(np.mean(err ** 2))), "coverage_95": prop((lo <= truth) & (truth <= hi))}
    n_exp = col["exp_n"]
    return {
        "p_opened": prop(opened),
        "p_stop_toxicity": prop(col["exp_stop"] == STOP_TOXICITY),
        "p_stop_futility": prop(col["exp_stop"] == STOP_FUTILITY),
        "mean_patients": mean(n_exp[opened]) if opened.any() else mean([]),
        "mean_dlts": mean(col["exp_dlts"][opened]) if opened.any() else mean([]),
        "orr": orr,
        "pfs_6_months_rate": mean(col["exp_pfs6"][n_exp > 0] / n_exp[n_exp > 0]) if (n_exp > 0).any() else mean([]),
        "os_12_months_rate": mean(col["exp_os12"][n_exp > 0] / n_exp[n_exp > 0]) if (n_exp > 0).any() else mean([]),
    }


def histogram(x, width: float) -> dict:
    """Share of trials per bin of ``width`` (left-closed bins from 0)."""
    x = np.asarray(x, dtype=float)
    if x.size == 0:
        return {"edges": [], "p": []}
    top = max(width, math.ceil((x.max() + 1e-9) / width) * width)
    edges = np.arange(0.0, top + width / 2, width)
    counts, _ = np.histogram(x, bins=edges)
    return {"edges": [float(e) for e in edges], "p": [float(c / x.size) for c in counts]}


def _spread(x) -> dict:
    x = np.asarray(x, dtype=float)
    return {**mean(x), "sd": float(x.std(ddof=1)) if x.size > 1 else 0.0, "median": quantile(x, 0.5),
            "p90": quantile(x, 0.9), "min": float(x.min()), "max": float(x.max())}


def _assumptions(scenario) -> dict:
    """The scenario's non-dose truths, as the report states them."""
    acc = scenario.accrual
    return {
        "patients_per_month": acc.patients_per_month, "screening_days": acc.screening_days,
        "screen_failure": acc.screen_failure, "dropout_before_dosing": acc.dropout_before_dosing,
        "not_evaluable": scenario.not_evaluable, "committee_days": scenario.committee_days,
        "antigen_prevalence": dict(scenario.antigens.prevalence),
        "antigen_correlation": scenario.antigens.correlation,
        "antigen_pair_correlation": dict(scenario.antigens.pair_correlation),
        "manufacturing_success": {c: v.manufacturing_success for c, v in scenario.constructs.items()},
        "manufacturing_days": {c: list(v.manufacturing_days) for c, v in scenario.constructs.items()},
    }


def summarise_scenario(protocol, scenario, matrix: np.ndarray) -> dict:
    """The operating characteristics of one scenario from its outcome matrix."""
    col = _columns(protocol, matrix)
    cap = protocol.trial.max_participants
    n_treated = col["n_treated"]
    months = col["duration_days"] / DAYS_PER_MONTH
    treated_total = max(1, int(n_treated.sum()))
    return {
        "name": scenario.name, "title": scenario.title, "description": scenario.description,
        "assumptions": _assumptions(scenario),
        "n_trials": int(matrix.shape[0]),
        "p_finished": prop(col["finished"] == 1),
        "arms": _arms(protocol, scenario, col),
        "selection": _selection(protocol, scenario, col),
        "expansion": _expansion(protocol, scenario, col),
        "participants": {**_spread(n_treated), "cap": cap, "p_over_cap": prop(n_treated > cap),
                         "distribution": distribution(n_treated)},
        "screened": _spread(col["n_screened"]),
        "screen_failures": mean(col["n_screen_failures"]),
        "refused": mean(col["n_refused"]),
        "lost_to_wait": {**mean(col["n_lost_to_wait"]), "p_any": prop(col["n_lost_to_wait"] > 0)},
        "duration_months": {**_spread(months), "histogram": histogram(months, 3.0)},
        "selection_month": _spread(col["selection_day"][col["selection_day"] >= 0] / DAYS_PER_MONTH)
        if (col["selection_day"] >= 0).any() else None,
        "dlts_total": mean(col["n_dlts"]),
        "crs_grade3_rate": float(col["n_crs3"].sum() / treated_total),
        "icans_grade3_rate": float(col["n_icans3"].sum() / treated_total),
    }


def summary_document(protocol, scenarios, matrices, *, trials: int, seed: int, engine: str, workers: int,
                     scheduler: str | None, elapsed_seconds: float, version: str) -> dict:
    """The whole ``summary.json``: provenance, the protocol summary and every scenario's OCs."""
    from dartnk.protocol.summary import summary_lines

    return {
        "schema": SCHEMA,
        "dartnk_version": version,
        "seed": seed,
        "trials_per_scenario": trials,
        "engine": engine,
        "workers": workers,
        "scheduler": scheduler,
        "elapsed_seconds": round(elapsed_seconds, 3),
        "protocol": {"id": protocol.trial.id, "registry_id": protocol.trial.registry_id,
                     "max_participants": protocol.trial.max_participants, "summary": summary_lines(protocol)},
        "scenarios": [summarise_scenario(protocol, s, m) for s, m in zip(scenarios, matrices)],
    }
