"""Kaplan–Meier estimates, median survival with confidence limits, and the log-rank test.

The estimator (and the log-rank statistic) come from lifelines. Written here, because lifelines
lacks them: Greenwood standard errors on the log scale, pointwise intervals with R survival's
``log`` transform (its default: exp(log S ± z·se), upper limit capped at 1) and ``log-log``
transform (lifelines' default: S^exp(∓ z·se/|log S|)), and the median's confidence interval by
Brookmeyer & Crowley (Biometrics 1982;38:29–41) as R ``survival`` computes it (``quantile.survfit``):
the lower limit is the first time the *lower* pointwise curve is ≤ 0.5, the upper limit the first
time the *upper* curve is ≤ 0.5; where a curve sits exactly at 0.5 the value is the midpoint
between that time and the time it drops below (or the last follow-up time when it stays at 0.5
to the end), and a limit the curve never reaches is undefined (null, with the reason). Time units are those of the input (days in dartnk).
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from enum import Enum
from typing import Sequence

from dartnk.errors import InputError

_TOL = math.sqrt(2.220446049250313e-16)  # R survival's tolerance sqrt(.Machine$double.eps)


class CiTransform(str, Enum):
    LOG = "log"
    LOG_LOG = "log-log"


@dataclass(frozen=True)
class KmCurve:
    """The KM step function at each distinct observed time, with Greenwood se of log S."""

    time: list[float]
    n_risk: list[int]
    n_event: list[int]
    surv: list[float]
    se_log: list[float]  # standard error of log S(t) (Greenwood); inf once S = 0


def _fit(times: Sequence[float], events: Sequence[int]) -> KmCurve:
    """Distinct times with at-risk and event counts, from lifelines' fitted table."""
    from lifelines import KaplanMeierFitter

    kmf = KaplanMeierFitter().fit(list(times), event_observed=list(events))
    table = kmf.event_table
    table = table[table["removed"] > 0]  # lifelines adds a row at time 0 with nobody removed
    surv_fn = kmf.survival_function_.iloc[:, 0]
    out_t, out_n, out_d, out_s, out_se = [], [], [], [], []
    acc = 0.0
    for t, row in table.iterrows():
        n, d = int(row["at_risk"]), int(row["observed"])
        if d:
            acc = math.inf if n == d else acc + d / (n * (n - d))
        out_t.append(float(t))
        out_n.append(n)
        out_d.append(d)
        out_s.append(float(surv_fn.loc[t]))
        out_se.append(math.sqrt(acc) if math.isfinite(acc) else math.inf)
    return KmCurve(out_t, out_n, out_d, out_s, out_se)


def pointwise_limits(s: float, se: float, z: float, transform: CiTransform) -> tuple[float | None, float | None]:
    """The (lower, upper) limits of S(t) under the transform; None where R survival gives NA."""
    if s <= 0 or not math.isfinite(se):
        return None, None
    if se == 0:
        return s, s
    if transform is CiTransform.LOG:
        return s * math.exp(-z * se), min(1.0, s * math.exp(z * se))
    log_s = math.log(s)
    if log_s == 0:
        return s, s
    w = z * se / abs(log_s)
    return s ** math.exp(w), s ** math.exp(-w)


def _first_below(times: list[float], values: list[float | None], p: float = 0.5) -> tuple[float | None, str | None]:
    """R's quantile rule on a step curve: first time ≤ p, midpoint if it sits exactly at p."""
    i1 = next((i for i, v in enumerate(values) if v is not None and v <= p + _TOL), None)
    if i1 is None:
        return None, f"does not fall to {p:g} by the last time ({times[-1]:g})" if times else "no data"
    if values[i1] < p - _TOL:  # type: ignore[operator]
        return times[i1], None
    i2 = next((i for i, v in enumerate(values) if v is not None and v < p - _TOL), None)
    if i2 is not None:
        return (times[i1] + times[i2]) / 2, None
    if any(v is None for v in values[i1:]):
        return None, f"is exactly {p:g} from {times[i1]:g} and then undefined"
    return (times[i1] + times[-1]) / 2, None  # flat at p to the end: midpoint with the last time


@dataclass(frozen=True)
class GroupSummary:
    name: str
    n: int
    events: int
    median: float | None
    median_reason: str | None
    median_ci: dict[str, list[float | None]]  # by transform
    median_ci_reasons: dict[str, list[str | None]]
    survival_at: dict[str, dict]
    transform: CiTransform
    conf: float

    def to_json(self) -> dict:
        out: dict = {"n": self.n, "events": self.events, "median": self.median,
                     "median_ci": self.median_ci[self.transform.value],
                     "median_ci_by_transform": self.median_ci, "conf": self.conf, "ci": self.transform.value,
                     "survival_at": self.survival_at}
        if self.median_reason:
            out["median_reason"] = self.median_reason
        reasons = [r for r in self.median_ci_reasons[self.transform.value] if r]
        if reasons:
            out["median_ci_reason"] = "; ".join(reasons)
        return out


def summarise_group(name: str, times: Sequence[float], events: Sequence[int], conf: float = 0.95,
                    transform: CiTransform = CiTransform.LOG, at: Sequence[float] = ()) -> GroupSummary:
    """KM summary of one group: n, events, median with its CI (both transforms), S at ``at``."""
    from scipy.stats import norm

    z = float(norm.ppf(1 - (1 - conf) / 2))
    curve = _fit(times, events)
    median, why = _first_below(curve.time, curve.surv)
    median_reason = None if why is None else f"median undefined: survival {why}"
    cis: dict[str, list] = {}
    reasons: dict[str, list] = {}
    for tr in CiTransform:
        limits = [pointwise_limits(s, se, z, tr) for s, se in zip(curve.surv, curve.se_log)]
        lo, lo_r = _first_below(curve.time, [low for low, _ in limits])  # the lower curve falls first
        hi, hi_r = _first_below(curve.time, [up for _, up in limits])
        cis[tr.value] = [lo, hi]
        reasons[tr.value] = [None if lo_r is None else f"lower limit undefined: the lower pointwise limit {lo_r}",
                             None if hi_r is None else f"upper limit undefined: the upper pointwise limit {hi_r}"]
    survival_at = {_label(t): _survival_at(curve, t, z, transform) for t in at}
    return GroupSummary(name=name, n=len(times), events=int(sum(events)), median=median, median_reason=median_reason,
                        median_ci=cis, median_ci_reasons=reasons, survival_at=survival_at, transform=transform, conf=conf)


def _label(t: float) -> str:
    return str(int(t)) if float(t).is_integer() else repr(float(t))


def _survival_at(curve: KmCurve, t: float, z: float, transform: CiTransform) -> dict:
    last = curve.time[-1] if curve.time else 0.0
    if t > last:
        return {"s": None, "lower": None, "upper": None,
                "reason": f"beyond the last follow-up time ({last:g})"}
    idx = max((i for i, u in enumerate(curve.time) if u <= t), default=None)
    if idx is None:
        return {"s": 1.0, "lower": 1.0, "upper": 1.0}
    s, se = curve.surv[idx], curve.se_log[idx]
    lower, upper = pointwise_limits(s, se, z, transform)
    return {"s": s, "lower": lower, "upper": upper}


def logrank(times: Sequence[float], events: Sequence[int], groups: Sequence[str]) -> dict:
    """The log-rank test across ≥ 2 groups: ``{"chi2", "df", "p"}`` (as R ``survdiff``)."""
    from lifelines.statistics import multivariate_logrank_test

    res = multivariate_logrank_test(list(times), list(groups), list(events))
    return {"chi2": float(res.test_statistic), "df": int(res.degrees_of_freedom), "p": float(res.p_value)}


def survival_analysis(times: Sequence[float], events: Sequence[int], groups: Sequence[str] | None = None,
                      conf: float = 0.95, transform: CiTransform | str = CiTransform.LOG,
                      at: Sequence[float] = ()) -> dict:
    """``{"groups": {NAME: summary}, "logrank": {"chi2", "df", "p"} | null}`` (one group: "all")."""
    if not (0 < conf < 1):
        raise InputError.field("conf", conf, "a confidence level strictly between 0 and 1")
    try:
        transform = CiTransform(transform)
    except ValueError:
        raise InputError.field("ci", transform, "log or log-log") from None
    for t in at:
        if not (math.isfinite(t) and t >= 0):
            raise InputError.field("at", t, "times ≥ 0")
    if not times:
        raise InputError.field("time", "no rows", "at least one observation")
    labels = list(groups) if groups is not None else ["all"] * len(times)
    names = sorted(set(labels), key=labels.index)
    out: dict = {"groups": {}, "logrank": None}
    for name in names:
        idx = [i for i, g in enumerate(labels) if g == name]
        out["groups"][name] = summarise_group(name, [times[i] for i in idx], [events[i] for i in idx],
                                              conf, transform, at).to_json()
    if len(names) >= 2:
        out["logrank"] = logrank(times, events, labels)
    else:
        out["logrank_reason"] = "one group: no log-rank test"
    return out


_EVENT_CODES = {"0": 0, "1": 1, "0.0": 0, "1.0": 1, "false": 0, "true": 1, "2": 2, "2.0": 2}


def parse_survival_csv(text: str, time_col: str, event_col: str, group_col: str | None = None
                       ) -> tuple[list[float], list[int], list[str] | None]:
    """Read time/event(/group) columns from CSV text; a bad column or cell names it (row numbers from 2).

    Event codes as R ``Surv``: 1/0 (or TRUE/FALSE) = event/censored, or 2/1 = event/censored when
    the column holds only 1s and 2s with at least one 2 (R's ``lung`` data coding).
    """
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    for option, col in (("--time", time_col), ("--event", event_col), ("--group", group_col)):
        if col is not None and col not in header:
            raise InputError.field(option, col, "a column of the CSV (" + ", ".join(header) + ")")
    times: list[float] = []
    codes: list[int] = []
    groups: list[str] | None = [] if group_col else None
    for row_no, row in enumerate(reader, start=2):
        raw_t, raw_e = (row.get(time_col) or "").strip(), (row.get(event_col) or "").strip()
        try:
            t = float(raw_t)
        except ValueError:
            raise InputError.field(f"{time_col} (row {row_no})", raw_t, "a number ≥ 0") from None
        if not (math.isfinite(t) and t >= 0):
            raise InputError.field(f"{time_col} (row {row_no})", raw_t, "a number ≥ 0")
        if raw_e.lower() not in _EVENT_CODES:
            raise InputError.field(f"{event_col} (row {row_no})", raw_e, "1 (event) or 0 (censored); or 2/1 as R Surv")
        times.append(t)
        codes.append(_EVENT_CODES[raw_e.lower()])
        if groups is not None:
            g = (row.get(group_col) or "").strip()  # type: ignore[arg-type]
            if not g:
                raise InputError.field(f"{group_col} (row {row_no})", g, "a non-empty group name")
            groups.append(g)
    if not times:
        raise InputError.field("FILE", "no data rows", "a CSV with a header and at least one row")
    if 2 in codes:
        if 0 in codes:
            row = codes.index(0) + 2
            raise InputError.field(f"{event_col} (row {row})", "0", "1 or 2 when the column uses R's 2 = event coding")
        events = [1 if c == 2 else 0 for c in codes]
    else:
        events = codes
    return times, events, groups
