"""The interim construct selection: gates, criterion scores, composite, ranking, P(best), sensitivity.

Inputs per construct (:class:`ArmSummary`): the escalation outcome (RP2D or none; patients and
DLTs at the RP2D), manufacturability (products manufactured / released / failed release spec;
vein-to-vein days), in vivo persistence (CAR transgene copies by study day per patient, e.g.
ddPCR copies/µg DNA) and preliminary efficacy (responders among evaluable patients).

Rule (protocol ``selection``; every threshold and weight is a setting):

1. **Gates** — a construct is eligible only if it declared an RP2D (``require_rp2d``), its observed
   DLT rate at the RP2D is ≤ ``max_dlt_rate_at_rp2d``, its release success rate (released /
   manufactured) is ≥ ``min_manufacturing_success`` and ≥ ``min_patients_at_rp2d`` patients were
   evaluated at the RP2D. Boundaries are inclusive.
2. **Scores** in [0, 1], rates as posterior means under the protocol's Beta(prior_a, prior_b) prior:
   safety = 1 − E[DLT rate]; efficacy = E[ORR]; manufacturability = (1 − s)·E[release success] +
   s·max(0, 1 − median vein-to-vein / ``max_vein_to_vein_days``) with s = ``vein_to_vein_share``;
   persistence = d·E[detection at ``persistence_day``] + (1 − d)·(median AUC₀–day / best median AUC)
   with d = ``detection_share`` (AUC by the trapezoid rule from day 0, taken as 0 copies before
   the first infusion).
3. **Composite** = Σ weight × score; eligible constructs rank first by composite (ties: efficacy,
   then safety, then construct id); the top eligible construct is selected.
4. **P(best)** on each rate criterion: P(construct k has the lowest DLT rate / highest release
   success / detection / ORR) under independent beta posteriors, by numerical integration
   (a Stieltjes sum over 2000 cells; error < 1e-5).
5. **Weight sensitivity**: the share of weight settings, each weight varied within [low, high]
   and renormalised to sum to 1, under which each eligible construct has the best composite.
   A deterministic grid by default; uniform draws from a passed ``numpy.random.Generator``.
Pure: no I/O, no global randomness.
"""

from __future__ import annotations

import itertools
import math
import statistics
import warnings
from functools import lru_cache
from dataclasses import dataclass, field
from typing import Sequence

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from dartnk.errors import InputError
from dartnk.protocol.selection import SelectionCriterion, SelectionSettings

_QUANTILES = 2000


warnings.filterwarnings("ignore", message='Field name "construct" in "ArmSummary"')  # pydantic's deprecated .construct


class ArmSummary(BaseModel):
    """What one construct's escalation arm brings to the interim selection."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    construct: str = Field(min_length=1, description="construct id of the protocol")
    rp2d_level: str | None = Field(default=None, description="dose level id of the RP2D (None: none declared)")
    patients_at_rp2d: int = Field(default=0, ge=0, description="DLT-evaluable patients at the RP2D")
    dlts_at_rp2d: int = Field(default=0, ge=0)
    products_manufactured: int = Field(default=0, ge=0, description="manufacturing runs completed")
    products_released: int = Field(default=0, ge=0, description="products that met the release specification")
    products_failed: int = Field(default=0, ge=0, description="products that failed the release specification")
    median_vein_to_vein_days: float | None = Field(default=None, ge=0,
        description="median days from assignment to product available; computed from vein_to_vein_days if absent")
    vein_to_vein_days: tuple[float, ...] = Field(default=(), description="per released product, days")
    persistence: tuple[dict[int, float], ...] = Field(default=(),
        description="per patient: study day → CAR transgene copies (e.g. ddPCR copies/µg DNA)")
    evaluable_for_response: int = Field(default=0, ge=0, description="patients evaluable for response")
    responders: int = Field(default=0, ge=0, description="patients with a confirmed CR or PR")

    @field_validator("dlts_at_rp2d")
    @classmethod
    def _dlts(cls, v: int, info: ValidationInfo) -> int:
        return _at_most(v, info, "patients_at_rp2d")

    @field_validator("products_released")
    @classmethod
    def _released(cls, v: int, info: ValidationInfo) -> int:
        return _at_most(v, info, "products_manufactured")

    @field_validator("products_failed")
    @classmethod
    def _failed(cls, v: int, info: ValidationInfo) -> int:
        made, released = info.data.get("products_manufactured"), info.data.get("products_released")
        if made is not None and released is not None and v + released > made:
            raise ValueError(f"at most products_manufactured − products_released ({made - released})")
        return v

    @field_validator("responders")
    @classmethod
    def _responders(cls, v: int, info: ValidationInfo) -> int:
        return _at_most(v, info, "evaluable_for_response")

    @field_validator("persistence")
    @classmethod
    def _persistence(cls, v: tuple[dict[int, float], ...]) -> tuple[dict[int, float], ...]:
        for i, series in enumerate(v):
            for day, copies in series.items():
                if day < 0:
                    raise ValueError(f"study days ≥ 0 (patient {i}: day {day})")
                if not (math.isfinite(copies) and copies >= 0):
                    raise ValueError(f"copies ≥ 0 (patient {i}, day {day}: {copies})")
        return v

    @field_validator("vein_to_vein_days")
    @classmethod
    def _v2v(cls, v: tuple[float, ...]) -> tuple[float, ...]:
        if any(not (math.isfinite(x) and x >= 0) for x in v):
            raise ValueError("days ≥ 0")
        return v

    @property
    def vein_to_vein(self) -> float | None:
        if self.median_vein_to_vein_days is not None:
            return self.median_vein_to_vein_days
        return statistics.median(self.vein_to_vein_days) if self.vein_to_vein_days else None


def _at_most(v: int, info: ValidationInfo, other: str) -> int:
    limit = info.data.get(other)
    if limit is not None and v > limit:
        raise ValueError(f"at most {other} ({limit})")
    return v


# -- persistence ------------------------------------------------------------------------------------

def auc_trapezoid(series: dict[int, float], last_day: int) -> float:
    """AUC of copies over days 0..last_day by the trapezoid rule (copies·days).

    Day 0 counts 0 copies unless measured; the curve is interpolated linearly at ``last_day``
    when samples straddle it and ends at the last sample otherwise.
    """
    points = sorted(series.items())
    if not points or points[0][0] > 0:
        points = [(0, 0.0)] + points
    area = 0.0
    for (d0, c0), (d1, c1) in zip(points, points[1:]):
        if d0 >= last_day:
            break
        if d1 > last_day:
            c1 = c0 + (c1 - c0) * (last_day - d0) / (d1 - d0)
            d1 = last_day
        area += (d1 - d0) * (c0 + c1) / 2
    return area


@dataclass(frozen=True)
class PersistenceSummary:
    peak_median: float | None
    auc_median: float | None
    detected: int
    assessed: int  # patients with a sample on persistence_day

    def to_json(self) -> dict:
        return {"peak_median": self.peak_median, "auc_median": self.auc_median,
                "detected_at_day": self.detected, "assessed_at_day": self.assessed}


def summarise_persistence(arm: ArmSummary, settings: SelectionSettings) -> PersistenceSummary:
    series = [s for s in arm.persistence if s]
    if not series:
        return PersistenceSummary(None, None, 0, 0)
    peaks = [max(s.values()) for s in series]
    aucs = [auc_trapezoid(s, settings.persistence_day) for s in series]
    at_day = [s[settings.persistence_day] for s in series if settings.persistence_day in s]
    detected = sum(1 for c in at_day if c > settings.detection_limit_copies)
    return PersistenceSummary(statistics.median(peaks), statistics.median(aucs), detected, len(at_day))


# -- results ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Gate:
    gate: str
    passed: bool
    reason: str

    def to_json(self) -> dict:
        return {"gate": self.gate, "passed": self.passed, "reason": self.reason}


@dataclass(frozen=True)
class ConstructAssessment:
    construct: str
    gates: tuple[Gate, ...]
    eligible: bool
    observed: dict
    scores: dict[str, float]
    composite: float
    rank: int
    p_best: dict[str, float]

    def to_json(self) -> dict:
        return {"construct": self.construct, "eligible": self.eligible, "gates": [g.to_json() for g in self.gates],
                "observed": self.observed, "scores": self.scores, "composite": self.composite, "rank": self.rank,
                "p_best": self.p_best}


@dataclass(frozen=True)
class SelectionResult:
    constructs: tuple[ConstructAssessment, ...]
    sensitivity: dict[str, float]
    sensitivity_settings: int
    sensitivity_method: str
    selected: str | None
    reason: str
    weights: dict[str, float] = field(default_factory=dict)

    def assessment(self, construct: str) -> ConstructAssessment:
        for c in self.constructs:
            if c.construct == construct:
                return c
        raise KeyError(construct)

    def to_json(self) -> dict:
        return {"selected": self.selected, "reason": self.reason, "weights": self.weights,
                "constructs": [c.to_json() for c in sorted(self.constructs, key=lambda c: c.rank)],
                "sensitivity": {"wins": self.sensitivity, "settings": self.sensitivity_settings,
                                "method": self.sensitivity_method}}


# -- the rule ---------------------------------------------------------------------------------------

def _gates(arm: ArmSummary, settings: SelectionSettings) -> tuple[Gate, ...]:
    g = settings.gates
    out = []
    if g.require_rp2d:
        ok = arm.rp2d_level is not None
        out.append(Gate("rp2d", ok, f"RP2D {arm.rp2d_level}" if ok else "no MTD/RP2D declared"))
    n, x = arm.patients_at_rp2d, arm.dlts_at_rp2d
    ok = n >= g.min_patients_at_rp2d
    out.append(Gate("patients_at_rp2d", ok, f"{n} evaluable at the RP2D ({'≥' if ok else '<'} {g.min_patients_at_rp2d})"))
    rate = x / n if n else None
    ok = rate is not None and rate <= g.max_dlt_rate_at_rp2d
    out.append(Gate("dlt_rate", ok, f"{x}/{n} DLTs ({'no patients' if rate is None else f'{rate:.3f}'}; "
                                    f"{'≤' if ok else 'must be ≤'} {g.max_dlt_rate_at_rp2d:g})"))
    m, r = arm.products_manufactured, arm.products_released
    rate = r / m if m else None
    ok = rate is not None and rate >= g.min_manufacturing_success
    out.append(Gate("manufacturing_success", ok, f"{r}/{m} released ({'none manufactured' if rate is None else f'{rate:.3f}'}; "
                                                 f"{'≥' if ok else 'must be ≥'} {g.min_manufacturing_success:g})"))
    return tuple(out)


def _counts(arm: ArmSummary, pers: PersistenceSummary) -> dict[SelectionCriterion, tuple[int, int, bool]]:
    """(events, trials, higher_is_better) of each rate criterion."""
    return {
        SelectionCriterion.SAFETY: (arm.dlts_at_rp2d, arm.patients_at_rp2d, False),
        SelectionCriterion.MANUFACTURABILITY: (arm.products_released, arm.products_manufactured, True),
        SelectionCriterion.PERSISTENCE: (pers.detected, pers.assessed, True),
        SelectionCriterion.EFFICACY: (arm.responders, arm.evaluable_for_response, True),
    }


def _posterior_mean(x: int, n: int, settings: SelectionSettings) -> float:
    return (settings.prior_a + x) / (settings.prior_a + settings.prior_b + n)


def _scores(arm: ArmSummary, pers: PersistenceSummary, best_auc: float | None, settings: SelectionSettings) -> dict[str, float]:
    s = settings
    safety = 1 - _posterior_mean(arm.dlts_at_rp2d, arm.patients_at_rp2d, s)
    release = _posterior_mean(arm.products_released, arm.products_manufactured, s)
    v2v = arm.vein_to_vein
    manuf = release if v2v is None else \
        (1 - s.vein_to_vein_share) * release + s.vein_to_vein_share * max(0.0, 1 - v2v / s.max_vein_to_vein_days)
    detection = _posterior_mean(pers.detected, pers.assessed, s)
    rel_auc = 0.0 if not best_auc or pers.auc_median is None else pers.auc_median / best_auc
    persistence = s.detection_share * detection + (1 - s.detection_share) * rel_auc
    efficacy = _posterior_mean(arm.responders, arm.evaluable_for_response, s)
    return {SelectionCriterion.SAFETY.value: safety, SelectionCriterion.MANUFACTURABILITY.value: manuf,
            SelectionCriterion.PERSISTENCE.value: persistence, SelectionCriterion.EFFICACY.value: efficacy}


def p_best(posteriors: Sequence[tuple[float, float]], higher_is_better: bool = True) -> list[float]:
    """P(arm k has the highest (or lowest) rate) under independent Beta(a_k, b_k) posteriors.

    P(k best) = ∫ Π_{j≠k} F_j(p) dF_k(p), a Stieltjes sum over a grid of 2000 cells that is denser
    near 0 and 1 (p = sin²(πt/2)), with each F_j averaged over the cell; every posterior CDF is
    evaluated once per grid point. Error < 1e-5 for the posteriors of a Phase I arm.
    """
    import numpy as np
    from scipy.special import betainc

    t = np.linspace(0.0, 1.0, _QUANTILES + 1)
    grid = np.sin(np.pi * t / 2) ** 2
    cdfs = [betainc(a, b, grid) for a, b in posteriors]
    cells = [(c[1:] + c[:-1]) / 2 for c in cdfs]  # F_j averaged over each cell
    if not higher_is_better:
        cells = [1.0 - c for c in cells]
    out = []
    for k, cdf in enumerate(cdfs):
        prod = np.diff(cdf)
        for j, cell in enumerate(cells):
            if j != k:
                prod = prod * cell
        out.append(float(prod.sum()))
    total = sum(out)
    return [v / total for v in out] if total > 0 else out


def _rank_key(a: dict, scores: dict[str, float], construct: str):
    return (-a["composite"], -scores[SelectionCriterion.EFFICACY.value], -scores[SelectionCriterion.SAFETY.value], construct)


def _weight_settings(settings: SelectionSettings, rng):
    """(criteria, weights matrix with rows summing to 1, description) for the sensitivity analysis."""
    import numpy as np

    ws = settings.weights
    criteria = tuple(w.criterion.value for w in ws)
    if rng is None:
        return (criteria,) + _weight_grid(settings)
    low, high = np.array([w.low for w in ws]), np.array([w.high for w in ws])
    raw = rng.uniform(low, high, size=(settings.sensitivity_draws, len(ws)))
    return criteria, _renormalise(raw), f"{settings.sensitivity_draws} uniform draws (Generator)"


@lru_cache(maxsize=32)
def _weight_grid(settings: SelectionSettings):
    """The deterministic grid: ⌊draws^(1/criteria)⌋ (≥ 2) evenly spaced points per weight (cached)."""
    import numpy as np

    ws = settings.weights
    k = max(2, int(math.floor(settings.sensitivity_draws ** (1 / len(ws)) + 1e-9)))
    axes = [np.linspace(w.low, w.high, k) for w in ws]
    raw = np.array(list(itertools.product(*axes)))
    grid = _renormalise(raw)
    grid.setflags(write=False)
    return grid, f"grid of {k} points per weight"


def _renormalise(raw):
    total = raw.sum(axis=1)
    keep = total > 0
    return raw[keep] / total[keep, None]


@dataclass(frozen=True)
class Ranking:
    """The rule itself, without the reporting extras: per construct (input order) its gates,
    scores and composite; ``order`` ranks every construct (eligible first); ``eligible`` keeps only
    those passing every gate, best first."""

    ids: tuple[str, ...]
    rows: tuple[dict, ...]
    order: tuple[int, ...]
    eligible: tuple[int, ...]

    @property
    def selected(self) -> str | None:
        return self.ids[self.eligible[0]] if self.eligible else None


def rank_constructs(settings: SelectionSettings, arms: Sequence[ArmSummary]) -> Ranking:
    """Gates, criterion scores, weighted composite and ranking: the protocol's selection rule.

    The trial engine decides with this (cheap); :func:`select_construct` adds the posterior
    probabilities of being best and the weight-sensitivity analysis for the committee's report.
    """
    if not arms:
        raise InputError.field("arms", [], "at least one construct's summary")
    ids = tuple(a.construct for a in arms)
    for i, c in enumerate(ids):
        if c in ids[:i]:
            raise InputError.field(f"arms.{i}.construct", c, "a construct listed once")
    pers = [summarise_persistence(a, settings) for a in arms]
    aucs = [p.auc_median for p in pers if p.auc_median is not None]
    best_auc = max(aucs) if aucs else None
    weights = {w.criterion.value: w.weight for w in settings.weights}
    rows = []
    for arm, ps in zip(arms, pers):
        gates = _gates(arm, settings)
        scores = _scores(arm, ps, best_auc, settings)
        rows.append({"arm": arm, "pers": ps, "gates": gates, "eligible": all(g.passed for g in gates),
                     "scores": scores, "composite": sum(weights[c] * scores[c] for c in weights)})
    order = tuple(sorted(range(len(rows)),
                         key=lambda i: (not rows[i]["eligible"],) + _rank_key(rows[i], rows[i]["scores"], ids[i])))
    return Ranking(ids=ids, rows=tuple(rows), order=order, eligible=tuple(i for i in order if rows[i]["eligible"]))


def select_construct(settings: SelectionSettings, arms: Sequence[ArmSummary], rng=None) -> SelectionResult:
    """Apply the protocol's interim selection rule to the arms' summaries (pure; ``rng`` optional)."""
    ranking = rank_constructs(settings, arms)
    ids, rows, eligible = list(ranking.ids), list(ranking.rows), list(ranking.eligible)
    weights = {w.criterion.value: w.weight for w in settings.weights}
    pbest = _p_best_all(arms, [r["pers"] for r in rows], settings)
    rank = {i: r + 1 for r, i in enumerate(ranking.order)}
    wins, n_settings, method = _sensitivity(rows, eligible, ids, settings, rng)
    assessments = tuple(ConstructAssessment(
        construct=ids[i], gates=r["gates"], eligible=r["eligible"], observed=_observed(r["arm"], r["pers"], settings),
        scores=r["scores"], composite=r["composite"], rank=rank[i], p_best={c: pbest[c][i] for c in pbest})
        for i, r in enumerate(rows))
    reason = _reason(rows, ids, eligible, wins, pbest)
    return SelectionResult(constructs=assessments, sensitivity=wins, sensitivity_settings=n_settings,
                           sensitivity_method=method, selected=ranking.selected, reason=reason, weights=weights)


def _p_best_all(arms, pers, settings) -> dict[str, list[float]]:
    out = {}
    for criterion in SelectionCriterion:
        triples = [_counts(a, p)[criterion] for a, p in zip(arms, pers)]
        post = [(settings.prior_a + x, settings.prior_b + n - x) for x, n, _ in triples]
        out[criterion.value] = p_best(post, higher_is_better=triples[0][2]) if len(arms) > 1 else [1.0]
    return out


def _sensitivity(rows, eligible, ids, settings, rng) -> tuple[dict[str, float], int, str]:
    import numpy as np

    criteria, weights, method = _weight_settings(settings, rng)
    n = int(weights.shape[0])
    if not eligible or n == 0:
        return {ids[i]: 0.0 for i in eligible}, n, method
    # eligible in tie-break order (efficacy, safety, id) so that argmax's first maximum wins ties
    order = sorted(eligible, key=lambda i: _rank_key(rows[i], rows[i]["scores"], ids[i])[1:])
    scores = np.array([[rows[i]["scores"][c] for c in criteria] for i in order])
    winners = np.argmax(weights @ scores.T, axis=1)
    counts = np.bincount(winners, minlength=len(order))
    return {ids[i]: float(counts[k]) / n for k, i in enumerate(order)}, n, method


def _observed(arm: ArmSummary, ps: PersistenceSummary, settings: SelectionSettings) -> dict:
    def ratio(x, n):
        return x / n if n else None

    return {"rp2d_level": arm.rp2d_level, "dlt_rate": ratio(arm.dlts_at_rp2d, arm.patients_at_rp2d),
            "dlts": f"{arm.dlts_at_rp2d}/{arm.patients_at_rp2d}",
            "manufacturing_success": ratio(arm.products_released, arm.products_manufactured),
            "median_vein_to_vein_days": arm.vein_to_vein, "orr": ratio(arm.responders, arm.evaluable_for_response),
            "responses": f"{arm.responders}/{arm.evaluable_for_response}",
            "detection_rate": ratio(ps.detected, ps.assessed), "persistence_day": settings.persistence_day,
            **ps.to_json()}


def _reason(rows, ids, eligible, wins, pbest) -> str:
    if not eligible:
        fails = "; ".join(f"{ids[i]}: " + ", ".join(g.reason for g in r["gates"] if not g.passed) for i, r in enumerate(rows))
        return f"no construct selected: none passes every gate ({fails})"
    top = eligible[0]
    r = rows[top]
    text = f"{ids[top]} selected: passes every gate; composite {r['composite']:.3f}"
    if len(eligible) > 1:
        nxt = eligible[1]
        text += f" vs {rows[nxt]['composite']:.3f} for {ids[nxt]}"
    text += f"; best composite in {wins.get(ids[top], 0.0):.0%} of weight settings"
    text += f"; P(best ORR) = {pbest[SelectionCriterion.EFFICACY.value][top]:.2f}"
    excluded = [ids[i] for i in range(len(rows)) if i not in eligible]
    if excluded:
        text += "; excluded by gates: " + ", ".join(excluded)
    return text
