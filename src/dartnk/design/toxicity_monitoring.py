"""Continuous toxicity monitoring of the expansion cohort: stopping boundaries and their exact OCs.

A boundary is a table "stop if ≥ b_n patients with a DLT among the first n evaluable", looked at
after every evaluable patient from ``min_patients`` to ``max_n``. Two rules (protocol
``expansion.toxicity.method``):

* ``bayesian`` — beta-binomial: with a Beta(a, b) prior, stop as soon as
  P(rate > θ | x, n) > c, i.e. b_n is the smallest x with 1 − I_θ(a + x, b + n − x) > c
  (Thall, Simon & Estey, Stat Med 1995;14:357–379; Geller et al. 2003).
* ``pocock`` — Ivanova, Qaqish & Schell, Biometrics 2005;61:540–545: the same nominal level γ at
  every look, b_n = smallest b with P(Bin(n, θ) ≥ b) ≤ γ, with γ the largest level whose overall
  probability of crossing when the true rate is θ does not exceed α (exact search over the
  finitely many distinct boundaries). Same construction as ``clinfun::toxbdry`` with delta = 0.

Operating characteristics are exact: the distribution of the DLT count among patients not yet
stopped is propagated one patient at a time (no simulation). Pure; numpy/scipy imported inside.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import Enum
from functools import lru_cache
from typing import Sequence

from dartnk.errors import InputError
from dartnk.protocol.expansion import ToxicityMethod, ToxicityMonitoring


class Direction(str, Enum):
    """How a count is compared with the boundary."""

    AT_LEAST = "at_least"  # toxicity: stop if events ≥ bound
    AT_MOST = "at_most"  # futility: stop if responses ≤ bound


@dataclass(frozen=True)
class OperatingCharacteristics:
    """Exact behaviour of a boundary when the true rate is ``rate``."""

    rate: float
    p_stop: float  # P(boundary crossed at any look, the last included)
    p_stop_early: float  # P(crossed before max_n patients)
    expected_n: float  # E(patients evaluated when the cohort stops or completes)
    p_promising: float | None = None  # futility rules: P(declared promising at the end)

    def to_json(self) -> dict:
        out = {"rate": self.rate, "p_stop": self.p_stop, "p_stop_early": self.p_stop_early,
               "expected_n": self.expected_n}
        if self.p_promising is not None:
            out["p_promising"] = self.p_promising
        return out


@dataclass(frozen=True)
class MonitoringBoundary:
    """A continuous stopping boundary: ``bounds[n]`` for each look n (None: no count stops there)."""

    method: str
    direction: Direction
    max_n: int
    bounds: dict[int, int | None]
    parameters: dict = field(default_factory=dict)
    final_success_at_least: int | None = None  # futility rules: responses needed at max_n

    def stop_at(self, n: int) -> int | None:
        """The boundary after n evaluable patients (None when no look or no count stops there)."""
        return self.bounds.get(n)

    def stops(self, n: int, count: int) -> bool:
        bound = self.stop_at(n)
        if bound is None:
            return False
        return count >= bound if self.direction is Direction.AT_LEAST else count <= bound

    def table(self) -> list[dict]:
        """Consecutive looks with the same boundary merged: ``{"n_from", "n_to", "bound"}``."""
        rows: list[dict] = []
        for n in sorted(self.bounds):
            b = self.bounds[n]
            if rows and rows[-1]["bound"] == b and rows[-1]["n_to"] == n - 1:
                rows[-1]["n_to"] = n
            else:
                rows.append({"n_from": n, "n_to": n, "bound": b})
        key = "stop_if_at_least" if self.direction is Direction.AT_LEAST else "stop_if_at_most"
        return [{"n_from": r["n_from"], "n_to": r["n_to"], key: r["bound"]} for r in rows if r["bound"] is not None]

    def operating_characteristics(self, rates: Sequence[float]) -> list[OperatingCharacteristics]:
        return [_oc(self, float(p)) for p in _check_rates(rates)]

    def to_json(self, rates: Sequence[float] = ()) -> dict:
        out = {"method": self.method, "direction": self.direction.value, "max_n": self.max_n,
               "parameters": self.parameters, "table": self.table(),
               "bounds": {str(n): b for n, b in sorted(self.bounds.items())}}
        if self.final_success_at_least is not None:
            out["final_success_at_least"] = self.final_success_at_least
        if rates:
            out["operating_characteristics"] = [o.to_json() for o in self.operating_characteristics(rates)]
        return out


@dataclass(frozen=True)
class MonitoringDecision:
    """Whether the expansion stops now, with the rule's reason."""

    stop: bool
    reason: str
    n_evaluable: int
    n_events: int
    bound: int | None

    def to_json(self) -> dict:
        return {"stop": self.stop, "reason": self.reason, "n_evaluable": self.n_evaluable,
                "n_events": self.n_events, "bound": self.bound}


# -- exact operating characteristics ----------------------------------------------------------------

def _check_rates(rates: Sequence[float]) -> list[float]:
    out = []
    for i, p in enumerate(rates):
        if not (isinstance(p, (int, float)) and 0 <= p <= 1 and math.isfinite(p)):
            raise InputError.field(f"rates.{i}", p, "a rate between 0 and 1")
        out.append(float(p))
    return out


def _oc(boundary: MonitoringBoundary, p: float) -> OperatingCharacteristics:
    """Propagate P(count = x, not yet stopped) patient by patient; remove mass at each look."""
    import numpy as np

    max_n = boundary.max_n
    alive = np.zeros(max_n + 1)
    alive[0] = 1.0
    stopped = stopped_early = expected = 0.0
    counts = np.arange(max_n + 1)
    for n in range(1, max_n + 1):
        nxt = alive * (1 - p)
        nxt[1:] += alive[:-1] * p
        alive = nxt
        bound = boundary.stop_at(n)
        if bound is None:
            continue
        hit = counts >= bound if boundary.direction is Direction.AT_LEAST else counts <= bound
        mass = float(alive[hit].sum())
        alive[hit] = 0.0
        stopped += mass
        expected += n * mass
        if n < max_n:
            stopped_early += mass
    remaining = float(alive.sum())
    expected += max_n * remaining
    promising = None
    if boundary.final_success_at_least is not None:
        promising = float(alive[boundary.final_success_at_least:].sum())
    return OperatingCharacteristics(rate=p, p_stop=min(1.0, stopped), p_stop_early=min(1.0, stopped_early),
                                    expected_n=expected, p_promising=promising)


# -- the two toxicity rules -------------------------------------------------------------------------

def _check_max_n(max_n: int, min_patients: int) -> None:
    if isinstance(max_n, bool) or not isinstance(max_n, int) or max_n < 1:
        raise InputError.field("max_n", max_n, "an integer ≥ 1")
    if min_patients > max_n:
        raise InputError.field("min_patients", min_patients, f"at most max_n ({max_n})")


def bayesian_bounds(threshold: float, probability: float, prior_a: float, prior_b: float,
                    looks: Sequence[int]) -> dict[int, int | None]:
    """b_n = smallest x with P(rate > threshold | x of n) > probability under Beta(prior_a, prior_b)."""
    import numpy as np
    from scipy.stats import beta

    out: dict[int, int | None] = {}
    for n in looks:
        x = np.arange(n + 1)
        post = beta.sf(threshold, prior_a + x, prior_b + n - x)
        hit = np.nonzero(post > probability)[0]
        out[n] = int(hit[0]) if hit.size else None
    return out


def _pocock_bounds_at(level: float, threshold: float, looks: Sequence[int]) -> dict[int, int | None]:
    import numpy as np
    from scipy.stats import binom

    out: dict[int, int | None] = {}
    for n in looks:
        tail = binom.sf(np.arange(n + 1) - 1, n, threshold)  # P(X ≥ b), b = 0..n (b = n + 1: no stop)
        ok = np.nonzero(tail <= level * (1 + 1e-12))[0]
        out[n] = int(ok[0]) if ok.size else None  # b = n + 1 never happens: None
    return out


def pocock_bounds(threshold: float, alpha: float, looks: Sequence[int]) -> tuple[dict[int, int | None], float, float]:
    """Ivanova–Qaqish–Schell Pocock-type boundary: (bounds, nominal level γ, P(cross | θ) ≤ α).

    Candidate levels are the binomial tails P(Bin(n, θ) ≥ b) themselves (the boundary only changes
    there); the crossing probability grows with the level, so a binary search finds the largest.
    """
    import numpy as np
    from scipy.stats import binom

    looks = sorted(set(looks))
    max_n = looks[-1]
    candidates = sorted({float(v) for n in looks for v in binom.sf(np.arange(n + 1) - 1, n, threshold) if v < 1})
    best_level, best_bounds, best_cross = 0.0, {n: None for n in looks}, 0.0
    lo, hi = 0, len(candidates) - 1
    while lo <= hi:
        mid = (lo + hi) // 2
        bounds = _pocock_bounds_at(candidates[mid], threshold, looks)
        probe = MonitoringBoundary("pocock", Direction.AT_LEAST, max_n, bounds)
        cross = _oc(probe, threshold).p_stop
        if cross <= alpha + 1e-12:
            best_level, best_bounds, best_cross = candidates[mid], bounds, cross
            lo = mid + 1
        else:
            hi = mid - 1
    return best_bounds, best_level, best_cross


def toxicity_boundary(settings: ToxicityMonitoring, max_n: int) -> MonitoringBoundary:
    """The protocol's toxicity stopping boundary for an expansion of ``max_n`` evaluable patients.

    Cached per (settings, max_n) so that the simulator and the conduct service can call it at every
    patient; the returned boundary is shared and must not be mutated.
    """
    _check_max_n(max_n, settings.min_patients)
    return _toxicity_boundary(settings, max_n)


@lru_cache(maxsize=128)
def _toxicity_boundary(settings: ToxicityMonitoring, max_n: int) -> MonitoringBoundary:
    looks = list(range(settings.min_patients, max_n + 1))
    params: dict = {"threshold": settings.threshold, "min_patients": settings.min_patients}
    if settings.method is ToxicityMethod.BAYESIAN:
        bounds = bayesian_bounds(settings.threshold, settings.probability, settings.prior_a, settings.prior_b, looks)
        params |= {"probability": settings.probability, "prior_a": settings.prior_a, "prior_b": settings.prior_b}
    else:
        bounds, level, cross = pocock_bounds(settings.threshold, settings.alpha, looks)
        params |= {"alpha": settings.alpha, "nominal_level": level, "p_cross_at_threshold": cross}
    return MonitoringBoundary(method=settings.method.value, direction=Direction.AT_LEAST, max_n=max_n,
                              bounds=bounds, parameters=params)


def check_toxicity(settings: ToxicityMonitoring, n_evaluable: int, n_dlts: int, max_n: int) -> MonitoringDecision:
    """Stop the expansion for toxicity now? Uses the same boundary whose OCs were computed."""
    _check_counts(n_evaluable, n_dlts, max_n, "n_dlts")
    boundary = toxicity_boundary(settings, max_n)
    bound = boundary.stop_at(n_evaluable)
    if bound is None:
        why = (f"no look before {settings.min_patients} evaluable patients" if n_evaluable < settings.min_patients
               else f"no DLT count among {n_evaluable} stops the cohort")
        return MonitoringDecision(False, f"continue: {why}", n_evaluable, n_dlts, None)
    stop = n_dlts >= bound
    rule = _rule_text(settings, n_evaluable, n_dlts)
    verb = "stop for toxicity" if stop else "continue"
    cmp = "≥" if stop else "<"
    return MonitoringDecision(stop, f"{verb}: {n_dlts} DLTs among {n_evaluable} evaluable {cmp} boundary {bound}{rule}",
                              n_evaluable, n_dlts, bound)


def _rule_text(settings: ToxicityMonitoring, n: int, x: int) -> str:
    if settings.method is ToxicityMethod.BAYESIAN:
        from scipy.stats import beta

        post = float(beta.sf(settings.threshold, settings.prior_a + x, settings.prior_b + n - x))
        return (f" (P(DLT rate > {settings.threshold:g} | data) = {post:.3f}, stop if > {settings.probability:g}; "
                f"Beta({settings.prior_a:g}, {settings.prior_b:g}) prior)")
    return f" (Pocock-type boundary, Ivanova et al. 2005, θ = {settings.threshold:g}, α = {settings.alpha:g})"


def _check_counts(n: int, x: int, max_n: int, x_field: str) -> None:
    if isinstance(max_n, bool) or not isinstance(max_n, int) or max_n < 1:
        raise InputError.field("max_n", max_n, "an integer ≥ 1")
    if isinstance(n, bool) or not isinstance(n, int) or not 0 <= n <= max_n:
        raise InputError.field("n_evaluable", n, f"an integer between 0 and max_n ({max_n})")
    if isinstance(x, bool) or not isinstance(x, int) or not 0 <= x <= n:
        raise InputError.field(x_field, x, f"an integer between 0 and n_evaluable ({n})")
