"""Inference on one binomial proportion: exact and approximate intervals, and a beta posterior.

Intervals (``conf`` is the two-sided confidence level):

* Clopper–Pearson (Biometrika 1934;26:404–413), the exact interval of R ``binom.test``:
  ``[Beta⁻¹(α/2; x, n−x+1), Beta⁻¹(1−α/2; x+1, n−x)]`` with the lower limit 0 at x = 0 and the
  upper limit 1 at x = n.
* Wilson score interval without continuity correction (Wilson, JASA 1927;22:209–212), as R
  ``prop.test(x, n, correct = FALSE)``.
* Jeffreys equal-tailed interval ``Beta(x+½, n−x+½)`` quantiles, with the lower limit 0 at x = 0 and
  the upper limit 1 at x = n (Brown, Cai & DasGupta, Stat Sci 2001;16:101–133, §4.1.2).

The Bayesian summary is the conjugate ``Beta(a + x, b + n − x)`` posterior of a ``Beta(a, b)`` prior.
Pure functions; scipy is imported inside them.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from enum import Enum

from dartnk.errors import InputError


class IntervalMethod(str, Enum):
    CLOPPER_PEARSON = "clopper-pearson"
    WILSON = "wilson"
    JEFFREYS = "jeffreys"


@dataclass(frozen=True)
class BinomialInterval:
    """An estimate x/n with its two-sided confidence interval."""

    x: int
    n: int
    estimate: float
    lower: float
    upper: float
    conf: float
    method: IntervalMethod

    def to_json(self) -> dict:
        out = asdict(self)
        out["method"] = self.method.value
        return out


@dataclass(frozen=True)
class BetaPosterior:
    """The Beta(a + x, b + n − x) posterior of a rate; ``p_above`` is P(rate > threshold | data)."""

    prior_a: float
    prior_b: float
    a: float
    b: float
    mean: float
    median: float
    lower: float
    upper: float
    conf: float
    threshold: float | None
    p_above: float | None

    def to_json(self) -> dict:
        return asdict(self)


def check_counts(x: int, n: int, x_field: str = "x", n_field: str = "n") -> None:
    """Raise the user-error contract unless 0 ≤ x ≤ n and n ≥ 1 (integers)."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise InputError.field(n_field, n, "an integer ≥ 1")
    if isinstance(x, bool) or not isinstance(x, int) or not 0 <= x <= n:
        raise InputError.field(x_field, x, f"an integer between 0 and {n_field} ({n})")


def _check_level(conf: float, field: str = "conf") -> None:
    if not (isinstance(conf, (int, float)) and 0 < conf < 1 and math.isfinite(conf)):
        raise InputError.field(field, conf, "a confidence level strictly between 0 and 1")


def binomial_interval(x: int, n: int, conf: float = 0.95,
                      method: IntervalMethod | str = IntervalMethod.CLOPPER_PEARSON) -> BinomialInterval:
    """x responders among n: the estimate x/n and the ``conf`` two-sided interval by ``method``."""
    check_counts(x, n)
    _check_level(conf)
    try:
        method = IntervalMethod(method)
    except ValueError:
        raise InputError.field("method", method, "one of " + ", ".join(m.value for m in IntervalMethod)) from None
    lower, upper = _LIMITS[method](x, n, 1.0 - conf)
    return BinomialInterval(x=x, n=n, estimate=x / n, lower=float(lower), upper=float(upper), conf=conf, method=method)


def _clopper_pearson(x: int, n: int, alpha: float) -> tuple[float, float]:
    from scipy.stats import beta

    lower = 0.0 if x == 0 else beta.ppf(alpha / 2, x, n - x + 1)
    upper = 1.0 if x == n else beta.ppf(1 - alpha / 2, x + 1, n - x)
    return lower, upper


def _wilson(x: int, n: int, alpha: float) -> tuple[float, float]:
    from scipy.stats import norm

    z = norm.ppf(1 - alpha / 2)
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    lower = 0.0 if x == 0 else max(0.0, centre - half)  # exactly 0 (and 1) at the ends, not rounding noise
    upper = 1.0 if x == n else min(1.0, centre + half)
    return lower, upper


def _jeffreys(x: int, n: int, alpha: float) -> tuple[float, float]:
    from scipy.stats import beta

    lower = 0.0 if x == 0 else beta.ppf(alpha / 2, x + 0.5, n - x + 0.5)
    upper = 1.0 if x == n else beta.ppf(1 - alpha / 2, x + 0.5, n - x + 0.5)
    return lower, upper


_LIMITS = {
    IntervalMethod.CLOPPER_PEARSON: _clopper_pearson,
    IntervalMethod.WILSON: _wilson,
    IntervalMethod.JEFFREYS: _jeffreys,
}


def beta_posterior(x: int, n: int, prior_a: float, prior_b: float, threshold: float | None = None,
                   conf: float = 0.95) -> BetaPosterior:
    """The conjugate posterior of a Beta(prior_a, prior_b) prior after x events among n.

    ``p_above`` = P(rate > threshold | x, n) = 1 − I_threshold(a, b) (regularised incomplete beta).
    The credible interval is equal-tailed.
    """
    from scipy.stats import beta

    if not n == 0:
        check_counts(x, n)
    elif x != 0:
        raise InputError.field("x", x, "0 when n is 0")
    _check_level(conf)
    for name, value in (("prior_a", prior_a), ("prior_b", prior_b)):
        if not (isinstance(value, (int, float)) and value > 0 and math.isfinite(value)):
            raise InputError.field(name, value, "a number > 0")
    if threshold is not None and not (isinstance(threshold, (int, float)) and 0 <= threshold <= 1):
        raise InputError.field("threshold", threshold, "a rate between 0 and 1")
    a, b = prior_a + x, prior_b + n - x
    dist = beta(a, b)
    alpha = 1 - conf
    p_above = None if threshold is None else float(dist.sf(threshold))
    return BetaPosterior(prior_a=float(prior_a), prior_b=float(prior_b), a=float(a), b=float(b),
                         mean=a / (a + b), median=float(dist.median()), lower=float(dist.ppf(alpha / 2)),
                         upper=float(dist.ppf(1 - alpha / 2)), conf=conf,
                         threshold=None if threshold is None else float(threshold), p_above=p_above)
