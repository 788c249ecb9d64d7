"""Simon's two-stage designs for a single-arm Phase II trial with a binary response.

Simon R. Optimal two-stage designs for phase II clinical trials. Control Clin Trials
1989;10:1–10. Treat n1 patients; stop for futility if responses ≤ r1; otherwise treat n − n1
more and declare the treatment promising if total responses > r. With X1 ~ Bin(n1, p) and
X2 ~ Bin(n − n1, p):

* PET(p) = P(X1 ≤ r1);
* P(reject H0 | p) = Σ_{x1 > r1} P(X1 = x1) · P(X2 > r − x1);
* EN(p) = n1 + (1 − PET(p)) · (n − n1).

A design is admissible for (p0, p1, α, β) when P(reject | p0) ≤ α and P(reject | p1) ≥ 1 − β.
*Optimal* minimises EN(p0); *minimax* minimises n, then EN(p0). The search is exact: for each
(n, n1) every (r1, r) pair is evaluated at once with numpy over binomial tables that are cached.
The largest n searched follows from the best EN found so far: a design with first stage n1 has
EN ≥ n1 + (1 − q(n1))(n − n1), where q(n1) is the largest PET(p0) that keeps P(X1 > r1 | p1) ≥ 1 − β,
so once that bound exceeds the best EN for every n1 no larger n can win. The minimax search starts
at the smallest n whose randomised single-stage UMP test reaches the power (a Neyman–Pearson lower
bound). Designs are searched up to ``SEARCH_LIMIT`` patients; ``optimal_search_complete`` is False
if the optimal search had to stop there.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from functools import lru_cache

from dartnk.errors import InputError

_TOL = 1e-12  # floating-point slack when comparing error rates with their targets
SEARCH_LIMIT = 500  # the most patients considered (beyond any single-arm Phase II design)


@dataclass(frozen=True)
class SimonDesign:
    """A two-stage design with its operating characteristics under p0 (and power under p1)."""

    r1: int
    n1: int
    r: int
    n: int
    en_p0: float
    pet_p0: float
    alpha: float
    power: float

    def to_json(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class SimonResult:
    p0: float
    p1: float
    alpha: float
    beta: float
    optimal: SimonDesign
    minimax: SimonDesign
    max_n_searched: int
    optimal_search_complete: bool = True

    def to_json(self) -> dict:
        return {"p0": self.p0, "p1": self.p1, "alpha": self.alpha, "beta": self.beta,
                "optimal": self.optimal.to_json(), "minimax": self.minimax.to_json(),
                "max_n_searched": self.max_n_searched, "optimal_search_complete": self.optimal_search_complete}


@lru_cache(maxsize=4096)
def _tables(n: int, p: float):
    """pmf[0..n] and survival sf[k] = P(X > k) for k = −1..n (index k + 1) of Bin(n, p)."""
    import numpy as np
    from scipy.stats import binom

    k = np.arange(n + 1)
    pmf = binom.pmf(k, n, p)
    sf = np.empty(n + 2)
    sf[0] = 1.0
    sf[1:] = binom.sf(k, n, p)
    return pmf, sf


def reject_probability(r1: int, n1: int, r: int, n: int, p: float) -> float:
    """P(declare promising | p) of the design (r1/n1, r/n)."""
    import numpy as np

    pmf1, _ = _tables(n1, p)
    _, sf2 = _tables(n - n1, p)
    x1 = np.arange(r1 + 1, n1 + 1)
    need = np.clip(r - x1, -1, n - n1)  # P(X2 > r − x1)
    return float(np.sum(pmf1[x1] * sf2[need + 1]))


def design_characteristics(r1: int, n1: int, r: int, n: int, p0: float, p1: float) -> SimonDesign:
    """The operating characteristics of a given design."""
    from scipy.stats import binom

    pet = float(binom.cdf(r1, n1, p0))
    return SimonDesign(r1=r1, n1=n1, r=r, n=n, en_p0=n1 + (1 - pet) * (n - n1), pet_p0=pet,
                       alpha=reject_probability(r1, n1, r, n, p0), power=reject_probability(r1, n1, r, n, p1))


def _reject_matrix(n1: int, n: int, p: float):
    """R[r1, r] = P(X1 > r1, X1 + X2 > r) for r1 = 0..n1−1 and r = 0..n−1."""
    import numpy as np

    pmf1, _ = _tables(n1, p)
    _, sf2 = _tables(n - n1, p)
    x1 = np.arange(n1 + 1)[:, None]
    r = np.arange(n)[None, :]
    need = np.clip(r - x1, -1, n - n1)
    joint = pmf1[:, None] * sf2[need + 1]  # P(X1 = x1, X2 > r − x1)
    tail = np.cumsum(joint[::-1], axis=0)[::-1]  # Σ_{x1' ≥ x1}
    return tail[1:]  # row r1 = Σ_{x1 > r1}


def _first_stage_bounds(n1: int, p0: float, p1: float, beta: float) -> float:
    """q(n1): the largest PET(p0) over r1 with P(X1 > r1 | p1) ≥ 1 − β (0 if none)."""
    import numpy as np

    pmf0, _ = _tables(n1, p0)
    _, sf1 = _tables(n1, p1)
    ok = np.nonzero(sf1[1:n1 + 1] >= 1 - beta - _TOL)[0]  # r1 = 0..n1−1
    if ok.size == 0:
        return -1.0
    return float(np.cumsum(pmf0)[ok[-1]])


def _best_for_n(n: int, p0: float, p1: float, alpha: float, beta: float, en_bound: float):
    """The (en, r1, n1, r) minimising EN(p0) among designs with total n, or None."""
    import numpy as np

    best = None
    for n1 in range(1, n):
        if n1 >= en_bound:
            break
        q = _first_stage_bounds(n1, p0, p1, beta)
        if q < 0 or n1 + (1 - q) * (n - n1) >= en_bound:
            continue
        a0 = _reject_matrix(n1, n, p0)
        pw = _reject_matrix(n1, n, p1)
        feasible = (a0 <= alpha + _TOL) & (pw >= 1 - beta - _TOL)
        rows = np.nonzero(feasible.any(axis=1))[0]
        if rows.size == 0:
            continue
        pmf0, _ = _tables(n1, p0)
        pet = np.cumsum(pmf0)[rows]
        en = n1 + (1 - pet) * (n - n1)
        i = int(np.argmin(en))
        if en[i] < en_bound - 1e-12:
            r1 = int(rows[i])
            r = int(np.nonzero(feasible[r1])[0][0])  # smallest admissible r: highest power
            en_bound = float(en[i])
            best = (en_bound, r1, n1, r)
    return best


def _check(p0: float, p1: float, alpha: float, beta: float) -> None:
    for name, value in (("p0", p0), ("p1", p1), ("alpha", alpha), ("beta", beta)):
        if not (isinstance(value, (int, float)) and 0 < value < 1 and math.isfinite(value)):
            raise InputError.field(name, value, "a number strictly between 0 and 1")
    if p1 <= p0:
        raise InputError.field("p1", p1, f"a target response rate > p0 ({p0})")


def simon_designs(p0: float, p1: float, alpha: float = 0.05, beta: float = 0.2) -> SimonResult:
    """The optimal and minimax two-stage designs for H0: p ≤ p0 against p ≥ p1 (exact search).

    Results are cached per (p0, p1, α, β): a simulator may call this once per scenario cheaply.
    """
    _check(p0, p1, alpha, beta)
    return _search(float(p0), float(p1), float(alpha), float(beta))


@lru_cache(maxsize=256)
def _search(p0: float, p1: float, alpha: float, beta: float) -> SimonResult:
    minimax = None
    n = _randomised_single_stage_n(p0, p1, alpha, beta)
    if n > SEARCH_LIMIT:
        raise InputError.field("p1", p1, f"a difference from p0 that a design with at most {SEARCH_LIMIT} patients can detect")
    while minimax is None:
        if n > SEARCH_LIMIT:
            raise InputError.field("p1", p1, f"a difference from p0 that a design with at most {SEARCH_LIMIT} patients can detect")
        minimax = _best_for_n(n, p0, p1, alpha, beta, math.inf)
        n += 1
    n_minimax = n - 1
    best_en, best = minimax[0], (minimax, n_minimax)
    n = n_minimax + 1
    complete = True
    while _can_improve(n, p0, p1, beta, best_en):
        if n > SEARCH_LIMIT:
            complete = False
            break
        found = _best_for_n(n, p0, p1, alpha, beta, best_en)
        if found is not None:
            best_en, best = found[0], (found, n)
        n += 1
    (_, r1, n1, r), n_opt = best
    _, mr1, mn1, mr = minimax
    return SimonResult(p0=p0, p1=p1, alpha=alpha, beta=beta,
                       optimal=design_characteristics(r1, n1, r, n_opt, p0, p1),
                       minimax=design_characteristics(mr1, mn1, mr, n_minimax, p0, p1),
                       max_n_searched=n - 1, optimal_search_complete=complete)


def _randomised_single_stage_n(p0: float, p1: float, alpha: float, beta: float) -> int:
    """A lower bound for any design's n: the smallest n whose randomised single-stage UMP test of
    level α has power ≥ 1 − β. A two-stage design is a non-randomised level-α test on the same n
    Bernoulli outcomes, so by the Neyman–Pearson lemma its power cannot exceed this test's."""
    import numpy as np
    from scipy.stats import binom

    for n in range(2, SEARCH_LIMIT + 1):
        k = np.arange(n + 1)
        sf0, sf1 = binom.sf(k, n, p0), binom.sf(k, n, p1)  # P(X > k)
        r = int(np.nonzero(sf0 <= alpha)[0][0])  # reject for X > r ...
        pmf0, pmf1 = binom.pmf(r, n, p0), binom.pmf(r, n, p1)
        gamma = (alpha - sf0[r]) / pmf0 if pmf0 > 0 else 0.0  # ... and for X = r with probability γ
        if sf1[r] + gamma * pmf1 >= 1 - beta - _TOL:
            return n
    return SEARCH_LIMIT + 1


def _can_improve(n: int, p0: float, p1: float, beta: float, en_bound: float) -> bool:
    """Whether any first stage n1 < EN bound could still give EN(p0) < en_bound with total n."""
    for n1 in range(1, min(n, math.ceil(en_bound))):
        q = _first_stage_bounds(n1, p0, p1, beta)
        if q >= 0 and n1 + (1 - q) * (n - n1) < en_bound:
            return True
    return False
