"""RECIST 1.1 assessment of one patient: baseline and follow-up lesion records → target response
per visit (§4.3.1), overall time point response (Tables 1–2) and best overall response (§4.4).

Target lesion rules (Eisenhauer et al. 2009, §4.3.1, read with the working group's clarification
of SD): CR = every non-nodal target 0 mm and every target node < 10 mm short axis (nodes keep their
value in the sum); PD = sum ≥ 20% above the nadir (smallest sum on study, baseline included) and
≥ 5 mm above it; PR = sum ≥ 30% below the baseline sum; SD otherwise. Missing lesions make the
time point NE unless the lesions that were measured already show PD (§4.3.4 / Q&A "Surgery/
radiotherapy and RECIST": the missing lesions could not change that response). Arithmetic is exact.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from fractions import Fraction
from typing import Any, Optional

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from dartnk.clinical.recist.best_response import BestResponse, Timepoint, best_overall_response
from dartnk.clinical.recist.lesions import (BaselineLesion, Measurement, VisitLesion, baseline_problems,
                                            baseline_sum, exact, measure, visit_problems)
from dartnk.clinical.recist.timepoint import NonTargetResponse, OverallResponse, TargetResponse, timepoint_decision
from dartnk.clinical.recist.settings import pydantic_problems
from dartnk.errors import InputError, Problem
from dartnk.protocol.response import RecistSettings

PR_DECREASE = Fraction(30, 100)   #: §4.3.1: PR is a ≥ 30% decrease from the baseline sum
PD_INCREASE = Fraction(20, 100)   #: §4.3.1: PD is a ≥ 20% increase over the nadir …
PD_ABSOLUTE_MM = Fraction(5)      #: … and an absolute increase of ≥ 5 mm
FIRST_INFUSION_DAY = 0            #: study Day 0 = first CAR-NK infusion (DESIGN.md)


class BaselineNonTarget(str, Enum):
    PRESENT = "PRESENT"
    NONE = "NONE"


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Baseline(_Record):
    """The baseline assessment: its study day, the target lesions, and whether non-target disease exists."""

    day: int
    target_lesions: list[BaselineLesion] = Field(default_factory=list)
    non_target: BaselineNonTarget = BaselineNonTarget.NONE

    @field_validator("non_target", mode="before")
    @classmethod
    def _upper(cls, v: Any) -> Any:
        return v.strip().upper() if isinstance(v, str) else v


class Visit(_Record):
    """A follow-up assessment: target lesions, the non-target response, whether new lesions appeared."""

    day: int
    target_lesions: list[VisitLesion] = Field(default_factory=list)
    non_target: Optional[NonTargetResponse] = None
    new_lesions: bool

    @field_validator("non_target", mode="before")
    @classmethod
    def _category(cls, v: Any) -> Any:
        if v is None or isinstance(v, NonTargetResponse):
            return v
        try:
            return NonTargetResponse.parse(v)
        except ValueError:
            raise ValueError(f"one of {NonTargetResponse.names()}") from None


@dataclass(frozen=True)
class VisitResult:
    """One visit's sums (mm, exact), target, non-target and overall responses, with the reasons."""

    day: int
    sum_mm: Optional[Fraction]
    pct_change_from_baseline: Optional[Fraction]
    nadir_mm: Optional[Fraction]
    pct_change_from_nadir: Optional[Fraction]
    target: TargetResponse
    non_target: NonTargetResponse
    new_lesions: bool
    overall: OverallResponse
    target_reason: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"day": self.day, "sum_mm": _num(self.sum_mm),
                "pct_change_from_baseline": _num(self.pct_change_from_baseline),
                "nadir_mm": _num(self.nadir_mm), "pct_change_from_nadir": _num(self.pct_change_from_nadir),
                "target": self.target.value, "non_target": self.non_target.value, "new_lesions": self.new_lesions,
                "overall": self.overall.value, "target_reason": self.target_reason, "reason": self.reason}


@dataclass(frozen=True)
class Assessment:
    """Every visit's result and the best overall response."""

    baseline_day: int
    baseline_sum_mm: Optional[Fraction]
    visits: list[VisitResult] = field(default_factory=list)
    best: Optional[BestResponse] = None

    @property
    def best_overall_response(self) -> OverallResponse:
        assert self.best is not None
        return self.best.best_overall_response

    def to_dict(self) -> dict[str, Any]:
        assert self.best is not None
        return {"baseline_day": self.baseline_day, "baseline_sum_mm": _num(self.baseline_sum_mm),
                "visits": [v.to_dict() for v in self.visits],
                "best_overall_response": self.best.best_overall_response.value,
                "best_overall_response_reason": self.best.reason,
                "response_day": self.best.response_day, "confirmation_day": self.best.confirmation_day}


def _num(value: Optional[Fraction]) -> Optional[float]:
    return None if value is None else round(float(value), 2)


def parse_baseline(data: Any, prefix: str = "baseline") -> Baseline:
    return _parse(Baseline, data, prefix)


def parse_visits(data: Any, prefix: str = "visits") -> list[Visit]:
    if not isinstance(data, list):
        raise InputError.field(prefix, data, "a list of visits")
    return [_parse(Visit, item, f"{prefix}[{i}]") for i, item in enumerate(data)]


def _parse(model: type[BaseModel], data: Any, prefix: str) -> Any:
    if isinstance(data, model):
        return data
    if not isinstance(data, dict):
        raise InputError.field(prefix, data, "an object")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InputError(pydantic_problems(exc, prefix)) from None


def assess(baseline: Baseline | dict, visits: list[Visit | dict], settings: RecistSettings | None = None) -> Assessment:
    """Assess a patient's visits against the baseline (RECIST 1.1 §4.3–4.4); visits in day order."""
    settings = settings if settings is not None else RecistSettings()
    baseline = parse_baseline(baseline)
    visits = parse_visits(list(visits))
    _validate(baseline, visits)
    node = {lesion.id: lesion.lymph_node for lesion in baseline.target_lesions}
    has_targets = bool(baseline.target_lesions)
    base_sum = baseline_sum(baseline.target_lesions) if has_targets else None
    nadir = base_sum
    results: list[VisitResult] = []
    for visit in visits:
        values = [measure(v, node[v.id], exact(settings.too_small_default_mm)) for v in visit.target_lesions]
        prior = [Timepoint(r.day, r.overall) for r in results]
        target, target_reason, total = _target_response(values, base_sum, nadir, prior, settings,
                                                        _sd_reference(baseline, settings)) \
            if has_targets else (TargetResponse.NONE, "no target lesions at baseline", None)
        non_target = visit.non_target or NonTargetResponse.NONE
        decision = timepoint_decision(target, non_target, visit.new_lesions)
        results.append(VisitResult(
            day=visit.day, sum_mm=total,
            pct_change_from_baseline=None if total is None else (total - base_sum) * 100 / base_sum,
            nadir_mm=nadir if has_targets else None,
            pct_change_from_nadir=None if total is None or not nadir else (total - nadir) * 100 / nadir,
            target=target, non_target=non_target, new_lesions=visit.new_lesions, overall=decision.overall,
            target_reason=target_reason, reason=decision.reason))
        if total is not None and nadir is not None:
            nadir = min(nadir, total)
    best = best_overall_response([Timepoint(r.day, r.overall) for r in results], settings, _sd_reference(baseline, settings))
    return Assessment(baseline.day, base_sum, results, best)


def _sd_reference(baseline: Baseline, settings: RecistSettings) -> int:
    """The day the SD minimum duration counts from (``settings.min_sd_from``): baseline scan or Day 0."""
    if settings.min_sd_from == "first_infusion" and baseline.day < FIRST_INFUSION_DAY:
        return FIRST_INFUSION_DAY
    return baseline.day


def _target_response(values: list[Measurement], base_sum: Fraction, nadir: Fraction, prior: list[Timepoint],
                     settings: RecistSettings, baseline_day: int) -> tuple[TargetResponse, str, Optional[Fraction]]:
    """Target response, its reason, and the sum (None unless every target lesion was evaluated)."""
    evaluated = [m for m in values if m.evaluated]
    known = sum((m.value for m in evaluated), Fraction(0))
    complete = len(evaluated) == len(values)
    if settings.reappearance_after_cr_is_pd and prior and prior[-1].overall is OverallResponse.CR:
        back = [m.lesion_id for m in evaluated if not m.normal]
        if back:
            return (TargetResponse.PD, f"target lesion(s) {', '.join(back)} reappeared after an overall CR at day "
                    f"{prior[-1].day} (Table 3 footnote a; Q&A 'Does a new lesion always result in PD?')",
                    known if complete else None)
    if complete and all(m.normal for m in values):
        return TargetResponse.CR, ("all non-nodal target lesions disappeared and every target node is < 10 mm "
                                   "short axis (§4.3.1)"), known
    if _progression(known, nadir):
        why = (f"sum {_mm(known)} mm is ≥ 20% and ≥ 5 mm above the nadir {_mm(nadir)} mm "
               f"(+{_mm(known - nadir)} mm, {_pct(known, nadir)}) (§4.3.1)")
        if not complete:
            missing = ", ".join(m.lesion_id for m in values if not m.evaluated)
            return TargetResponse.PD, (f"{why}; already PD without the lesions not evaluated ({missing}), "
                                       "which could only add to the sum (§4.3.4)"), None
        return TargetResponse.PD, why, known
    if not complete:
        missing = ", ".join(m.lesion_id for m in values if not m.evaluated)
        return TargetResponse.NE, (f"target lesion(s) {missing} not evaluated and the measured ones (sum "
                                   f"{_mm(known)} mm) do not show PD (§4.3.4)"), None
    if known <= (1 - PR_DECREASE) * base_sum:
        return TargetResponse.PR, (f"sum {_mm(known)} mm is ≥ 30% below the baseline {_mm(base_sum)} mm "
                                   f"({_pct(known, base_sum)}) (§4.3.1)"), known
    why = (f"sum {_mm(known)} mm: {_pct(known, base_sum)} from baseline, {_pct(known, nadir)} from the nadir "
           f"{_mm(nadir)} mm: neither PR nor PD (§4.3.1)")
    if settings.pr_persists_after_confirmation and prior and all(tp.overall is not OverallResponse.PD for tp in prior):
        established = best_overall_response(prior, settings, baseline_day)
        if established.best_overall_response in (OverallResponse.PR, OverallResponse.CR):
            return TargetResponse.PR, (f"{why}; continuing PR: a PR was assigned"
                                       f"{' and confirmed' if settings.confirmation_required else ''} before and "
                                       "PD criteria are not met (Q&A 'The definition of SD')"), known
    return TargetResponse.SD, why, known


def _progression(total: Fraction, nadir: Fraction) -> bool:
    """§4.3.1: ≥ 20% over the nadir and ≥ 5 mm absolute increase, both inclusive."""
    increase = total - nadir
    return increase >= PD_INCREASE * nadir and increase >= PD_ABSOLUTE_MM


def _validate(baseline: Baseline, visits: list[Visit]) -> None:
    problems: list[Problem] = baseline_problems(baseline.target_lesions, "baseline.target_lesions")
    if not baseline.target_lesions and baseline.non_target is BaselineNonTarget.NONE:
        problems.append(Problem("baseline", "at least one target lesion or non_target PRESENT (disease at baseline)",
                                has_value=False))
    last = baseline.day
    for i, visit in enumerate(visits):
        path = f"visits[{i}]"
        if visit.day <= last:
            problems.append(Problem(f"{path}.day", f"a day after the {'baseline' if i == 0 else 'previous visit'} "
                                                   f"(day {last})", visit.day))
        last = max(last, visit.day)
        if baseline.target_lesions:
            problems += visit_problems(visit.target_lesions, baseline.target_lesions, f"{path}.target_lesions")
        elif visit.target_lesions:
            problems.append(Problem(f"{path}.target_lesions", "no target lesions (none at baseline)",
                                    [v.id for v in visit.target_lesions]))
        if baseline.non_target is BaselineNonTarget.PRESENT and visit.non_target in (None, NonTargetResponse.NONE):
            problems.append(Problem(f"{path}.non_target", "CR|NON_CR_NON_PD|PD|NE (non-target disease at baseline)",
                                    None if visit.non_target is None else visit.non_target.value))
        if baseline.non_target is BaselineNonTarget.NONE and visit.non_target not in (None, NonTargetResponse.NONE):
            problems.append(Problem(f"{path}.non_target", "NONE or absent (no non-target disease at baseline)",
                                    visit.non_target.value))
    if problems:
        raise InputError(problems)


def _mm(value: Fraction) -> str:
    return f"{float(value):g}"


def _pct(value: Fraction, reference: Fraction) -> str:
    return f"{float((value - reference) * 100 / reference):+.1f}%" if reference else "n/a"


def assess_record(data: Any, base: RecistSettings | None = None, prefix: str = "") -> dict[str, Any]:
    """``{"baseline", "visits", "settings"?}`` → per-visit results and the best overall response as JSON."""
    from dartnk.clinical.recist.settings import annotations, prefixed, resolve_settings, split_record

    try:
        record = split_record(data, "", {"baseline", "visits", "settings"}, {"baseline", "visits"})
        settings = resolve_settings(base, record.get("settings"))
        return {**annotations(record), **assess(parse_baseline(record["baseline"]), parse_visits(record["visits"]), settings).to_dict()}
    except InputError as exc:
        raise prefixed(exc, prefix) from None
