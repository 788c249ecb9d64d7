"""Futility monitoring of the expansion's objective response rate, with exact operating characteristics.

Two rules (protocol ``expansion.futility.method``):

* ``simon`` — Simon's two-stage rule (Control Clin Trials 1989;10:1–10): one look after n1
  evaluable patients, stop if responses ≤ r1; at the end the treatment is promising if responses
  > r. The protocol may fix r1/n1; otherwise the optimal design is used when its n fits the
  expansion, else the minimax design.
* ``predictive`` — Lee & Liu, Clin Trials 2008;5:93–106. With a Beta(a, b) prior and x responses
  among n, the number Y of responses among the m = N − n patients still to come is beta-binomial;
  the predictive probability of success is PP = Σ_y P(Y = y | x) · 1{P(ORR > p0 | x + y, N) > θ_T}.
  Stop for futility at a look if PP < θ_L. The end is a success if P(ORR > p0 | data) > θ_T.

Both give a :class:`MonitoringBoundary` "stop if responses ≤ f_n among the first n" whose exact
OCs (P(stop early), P(promising), E(N)) come from the same enumeration as the toxicity rules.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from functools import lru_cache

from dartnk.design.toxicity_monitoring import Direction, MonitoringBoundary, MonitoringDecision, _check_counts
from dartnk.errors import InputError
from dartnk.protocol.expansion import FutilityMethod, FutilityMonitoring


def _simon_stage(settings: FutilityMonitoring, max_n: int) -> tuple[int, int, int, str]:
    """(r1, n1, r, source) for an expansion of max_n patients."""
    from dartnk.design.simon import simon_designs

    if settings.r1 is not None and settings.n1 is not None:
        if settings.n1 >= max_n:
            raise InputError.field("expansion.futility.n1", settings.n1, f"< max_n ({max_n})")
        r = _final_r(settings, max_n)
        return settings.r1, settings.n1, r, "protocol r1/n1"
    result = simon_designs(settings.p0, settings.p1, settings.alpha, settings.beta)
    for name, d in (("optimal", result.optimal), ("minimax", result.minimax)):
        if d.n == max_n:
            return d.r1, d.n1, d.r, f"Simon {name} design"
    d = result.minimax
    raise InputError.field("max_n", max_n, f"the total n of Simon's optimal ({result.optimal.n}) or minimax "
                           f"({d.n}) design for p0 = {settings.p0:g}, p1 = {settings.p1:g}, or r1/n1 in the protocol")


def _final_r(settings: FutilityMonitoring, max_n: int) -> int:
    """Smallest r with P(reject | p0) ≤ α for the protocol's first stage and total max_n."""
    from dartnk.design.simon import reject_probability

    assert settings.r1 is not None and settings.n1 is not None
    for r in range(settings.r1, max_n):
        if reject_probability(settings.r1, settings.n1, r, max_n, settings.p0) <= settings.alpha + 1e-12:
            return r
    return max_n  # never promising


def final_success_threshold(max_n: int, p0: float, efficacy_probability: float, prior_a: float, prior_b: float) -> int:
    """S*: the fewest responses among max_n with P(ORR > p0 | data) > θ_T (max_n + 1 if none).

    The posterior probability increases with the response count, so success ⇔ responses ≥ S*.
    """
    import numpy as np
    from scipy.stats import beta

    s = np.arange(max_n + 1)
    ok = np.nonzero(beta.sf(p0, prior_a + s, prior_b + max_n - s) > efficacy_probability)[0]
    return int(ok[0]) if ok.size else max_n + 1


def _pp(x, n: int, max_n: int, success: int, prior_a: float, prior_b: float):
    """PP for response counts x (array) among n: P(Y ≥ S* − x), Y ~ BetaBinomial(N − n, a + x, b + n − x)."""
    from scipy.stats import betabinom

    return betabinom.sf(success - x - 1, max_n - n, prior_a + x, prior_b + n - x)


def predictive_probability(x: int, n: int, max_n: int, p0: float, efficacy_probability: float,
                           prior_a: float, prior_b: float) -> float:
    """Lee & Liu's PP: P(the trial ends with P(ORR > p0 | data) > θ_T | x responses among n)."""
    success = final_success_threshold(max_n, p0, efficacy_probability, prior_a, prior_b)
    return float(_pp(x, n, max_n, success, prior_a, prior_b))


def _prior(settings: FutilityMonitoring) -> tuple[float, float]:
    a = settings.prior_a if settings.prior_a is not None else settings.p0
    b = settings.prior_b if settings.prior_b is not None else 1 - settings.p0
    return a, b


def futility_boundary(settings: FutilityMonitoring, max_n: int) -> MonitoringBoundary:
    """The protocol's futility boundary "stop if responses ≤ f_n among the first n" (cached; do not mutate)."""
    if isinstance(max_n, bool) or not isinstance(max_n, int) or max_n < 2:
        raise InputError.field("max_n", max_n, "an integer ≥ 2")
    return _futility_boundary(settings, max_n)


@lru_cache(maxsize=128)
def _futility_boundary(settings: FutilityMonitoring, max_n: int) -> MonitoringBoundary:
    params: dict = {"p0": settings.p0, "p1": settings.p1}
    if settings.method is FutilityMethod.SIMON:
        r1, n1, r, source = _simon_stage(settings, max_n)
        params |= {"r1": r1, "n1": n1, "r": r, "n": max_n, "source": source,
                   "alpha": settings.alpha, "beta": settings.beta}
        return MonitoringBoundary("simon", Direction.AT_MOST, max_n, {n1: r1}, params, final_success_at_least=r + 1)
    import numpy as np

    a, b = _prior(settings)
    if settings.min_patients >= max_n:
        raise InputError.field("expansion.futility.min_patients", settings.min_patients, f"< max_n ({max_n})")
    success = final_success_threshold(max_n, settings.p0, settings.efficacy_probability, a, b)
    bounds: dict[int, int | None] = {}
    for n in range(settings.min_patients, max_n):
        x = np.arange(n + 1)
        futile = np.nonzero(_pp(x, n, max_n, success, a, b) < settings.predictive_threshold)[0]
        bounds[n] = int(futile[-1]) if futile.size else None  # PP increases with x
    params |= {"prior_a": a, "prior_b": b, "predictive_threshold": settings.predictive_threshold,
               "efficacy_probability": settings.efficacy_probability, "min_patients": settings.min_patients}
    return MonitoringBoundary("predictive", Direction.AT_MOST, max_n, bounds, params, final_success_at_least=success)


def check_futility(settings: FutilityMonitoring, n_evaluable: int, n_responses: int, max_n: int) -> MonitoringDecision:
    """Stop the expansion for futility now? Same boundary as the exact OCs."""
    _check_counts(n_evaluable, n_responses, max_n, "n_responses")
    boundary = futility_boundary(settings, max_n)
    bound = boundary.stop_at(n_evaluable)
    if bound is None:
        looks = sorted(n for n, v in boundary.bounds.items() if v is not None)
        when = "no look at this number of evaluable patients" if n_evaluable not in boundary.bounds else \
            "no response count stops the cohort here"
        nxt = [n for n in looks if n > n_evaluable]
        tail = f"; next look at {nxt[0]}" if nxt else ""
        return MonitoringDecision(False, f"continue: {when}{tail}", n_evaluable, n_responses, None)
    stop = n_responses <= bound
    if settings.method is FutilityMethod.SIMON:
        detail = f" (Simon stage 1: stop if ≤ {bound} responses among {n_evaluable})"
    else:
        a, b = _prior(settings)
        pp = predictive_probability(n_responses, n_evaluable, max_n, settings.p0, settings.efficacy_probability, a, b)
        detail = (f" (predictive probability of success {pp:.4f}, stop if < {settings.predictive_threshold:g}; "
                  f"Lee & Liu 2008)")
    verb = "stop for futility" if stop else "continue"
    cmp = "≤" if stop else ">"
    return MonitoringDecision(stop, f"{verb}: {n_responses} responses among {n_evaluable} evaluable {cmp} boundary {bound}{detail}",
                              n_evaluable, n_responses, bound)


@dataclass(frozen=True)
class PredictiveCalibration:
    """A (θ_T, θ_L) pair meeting the error rates, with its OCs at p0 and p1."""

    efficacy_probability: float
    predictive_threshold: float
    alpha: float  # P(promising | p0)
    power: float  # P(promising | p1)
    pet_p0: float
    en_p0: float
    candidates_meeting_constraints: int

    def to_json(self) -> dict:
        return asdict(self)


THETA_T_GRID = tuple(round(0.80 + 0.01 * i, 2) for i in range(20))  # 0.80 … 0.99
THETA_L_GRID = (0.001, 0.005, 0.01, 0.02, 0.05, 0.10, 0.15, 0.20)


def calibrate_predictive(settings: FutilityMonitoring, max_n: int) -> PredictiveCalibration:
    """Lee & Liu's design search for a fixed N: over θ_T ∈ 0.80…0.99 and θ_L ∈ {0.001 … 0.20},
    keep the pairs with P(promising | p0) ≤ α and P(promising | p1) ≥ 1 − β (exact OCs), and return
    the one with the smallest EN(p0) (ties: higher power, then larger θ_T). Prior and looks as in
    ``settings``."""
    best, count = None, 0
    for theta_t in THETA_T_GRID:
        for theta_l in THETA_L_GRID:
            trial = settings.model_copy(update={"method": FutilityMethod.PREDICTIVE, "efficacy_probability": theta_t,
                                                "predictive_threshold": theta_l})
            o0, o1 = futility_boundary(trial, max_n).operating_characteristics([settings.p0, settings.p1])
            if o0.p_promising is None or o1.p_promising is None:
                continue
            if o0.p_promising > settings.alpha + 1e-12 or o1.p_promising < 1 - settings.beta - 1e-12:
                continue
            count += 1
            key = (o0.expected_n, -o1.p_promising, -theta_t)
            if best is None or key < best[0]:
                best = (key, PredictiveCalibration(theta_t, theta_l, o0.p_promising, o1.p_promising,
                                                   o0.p_stop_early, o0.expected_n, 0))
    if best is None:
        raise InputError.field("max_n", max_n, f"an expansion large enough for α ≤ {settings.alpha:g} and power ≥ "
                               f"{1 - settings.beta:g} at p0 = {settings.p0:g}, p1 = {settings.p1:g} (no θ_T, θ_L pair meets both)")
    return PredictiveCalibration(**(asdict(best[1]) | {"candidates_meeting_constraints": count}))
