"""Eligibility: a screening record evaluated against the protocol's inclusion and exclusion criteria.

One small rule class per criterion ``check`` kind of :mod:`dartnk.protocol.eligibility`, registered
by kind. The base class does the work (gather the record fields the rule needs; a missing one makes
the criterion undetermined, ``met = None``, with the field named); each rule supplies its maths.

``met`` always means *the patient passes this criterion*: for an inclusion criterion the condition
holds, for an exclusion criterion the patient is **not** excluded by it. ``eligible`` is False when
any criterion is unmet, None when none is unmet but some are undetermined, True otherwise.
Comparisons are exact (rationals): 1.8 mg/dL with ULN 1.2 is exactly 1.5 × ULN.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, ClassVar, NamedTuple

from dartnk.clinical.calendar import add_months
from dartnk.clinical.creatinine_clearance import creatinine_clearance, serum_creatinine_mg_dl
from dartnk.clinical.screening_record import (LAB_UNITS, NEVER, ScreeningRecord, exact, lab_in_unit,
                                              parse_screening_record, record_age)
from dartnk.errors import InputError, Problem, ProtocolError
from dartnk.protocol import Protocol
from dartnk.protocol.eligibility import CriterionKind


class Outcome(NamedTuple):
    met: bool | None
    reason: str


@dataclass(frozen=True)
class CriterionResult:
    id: str
    text: str
    kind: CriterionKind
    met: bool | None
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "text": self.text, "kind": self.kind.value, "met": self.met, "reason": self.reason}


@dataclass(frozen=True)
class EligibilityResult:
    eligible: bool | None
    criteria: tuple[CriterionResult, ...]

    def to_json(self) -> dict[str, Any]:
        return {"eligible": self.eligible, "criteria": [c.to_json() for c in self.criteria]}

    @property
    def unmet(self) -> list[str]:
        return [c.id for c in self.criteria if c.met is False]

    @property
    def undetermined(self) -> list[str]:
        return [c.id for c in self.criteria if c.met is None]


def fmt(x: Fraction | float | int) -> str:
    """A number for a reason: up to 4 decimals, no trailing zeros."""
    text = f"{float(x):.4f}".rstrip("0").rstrip(".")
    return text if text != "-0" else "0"


# -- the rules ------------------------------------------------------------------------------------
class Rule(ABC):
    """Evaluates one criterion of one check kind; subclasses register themselves by ``check``."""

    registry: ClassVar[dict[str, type["Rule"]]] = {}
    check: ClassVar[str]

    def __init_subclass__(cls, check: str, **kwargs: Any):
        super().__init_subclass__(**kwargs)
        cls.check = check
        Rule.registry[check] = cls

    def __init__(self, criterion: Any, path: str, protocol: Protocol):
        self.c = criterion
        self.path = path
        self.protocol = protocol

    def problems(self) -> list[Problem]:
        """Protocol settings this rule cannot evaluate (checked before any record is)."""
        return []

    def required(self, record: ScreeningRecord) -> dict[str, Any]:
        """The record values this rule needs, by field path (None = missing)."""
        return {}

    @abstractmethod
    def decide(self, record: ScreeningRecord, values: dict[str, Any]) -> Outcome:
        """The rule's maths on the gathered values (all present)."""

    def evaluate(self, record: ScreeningRecord) -> Outcome:
        values = self.required(record)
        missing = [name for name, v in values.items() if v is None]
        if missing:
            return Outcome(None, "missing: " + ", ".join(missing))
        return self.decide(record, values)


def _at_least(value: Fraction, threshold: float, what: str, unit: str = "") -> Outcome:
    ok = value >= exact(threshold)
    u = "" if not unit else ("%" if unit == "%" else (f" × {unit}" if unit.startswith("10^") else f" {unit}"))
    return Outcome(ok, f"{what} {fmt(value)}{u} {'≥' if ok else '<'} {fmt(threshold)}{u}")


class AgeRangeRule(Rule, check="age_range"):
    def required(self, record):
        age, source = record_age(record, self.protocol.eligibility.leap_day_birthday)
        return {source: age} if age is None else {"age": (age, source)}

    def decide(self, record, values):
        age, source = values["age"]
        ok = self.c.min_years <= age <= self.c.max_years
        return Outcome(ok, f"age {age} years ({source}) {'within' if ok else 'outside'} "
                           f"{self.c.min_years}–{self.c.max_years}")


def _norm(text: str) -> str:
    t = "_".join(text.strip().lower().replace("-", " ").split())
    t = {"sclc": "small_cell_lung_cancer", "small_cell_lung_carcinoma": "small_cell_lung_cancer"}.get(t, t)
    return t.removesuffix("_stage").removeprefix("stage_")


class HistologyRule(Rule, check="histology"):
    def required(self, record):
        return {"histology": record.histology, "stage": record.stage}

    def decide(self, record, values):
        hist, stage = _norm(values["histology"]), _norm(values["stage"])
        allowed_h = [_norm(a) for a in self.c.allowed]
        allowed_s = [_norm(a) for a in self.c.allowed_stages]
        if hist not in allowed_h:
            return Outcome(False, f"histology {values['histology']} is not {' or '.join(self.c.allowed)}")
        if stage not in allowed_s:
            return Outcome(False, f"stage {values['stage']} is not {' or '.join(self.c.allowed_stages)}")
        return Outcome(True, f"{values['histology']}, {values['stage']} stage")


class PriorTherapyRule(Rule, check="prior_therapy"):
    def required(self, record):
        return {"prior_systemic_regimens": record.prior_systemic_regimens}

    def decide(self, record, values):
        n = values["prior_systemic_regimens"]
        if n < self.c.min_regimens:
            return Outcome(False, f"{n} prior systemic regimen(s) < {self.c.min_regimens}")
        head = f"{n} prior regimen(s) ≥ {self.c.min_regimens}"
        if not self.c.platinum_required or record.prior_platinum is True:
            return Outcome(True, head + (", including platinum" if record.prior_platinum else ""))
        waivable = self.c.platinum_waived_if_contraindicated
        if waivable and record.platinum_contraindicated is True:
            return Outcome(True, head + "; platinum contraindicated (waived)")
        if record.prior_platinum is None:
            return Outcome(None, head + "; missing: prior_platinum")
        if waivable and record.platinum_contraindicated is None:
            return Outcome(None, head + " without platinum; missing: platinum_contraindicated")
        return Outcome(False, head + " but none platinum-based" + ("" if waivable else " (no waiver)")
                       + (" and platinum not contraindicated" if waivable else ""))


class MeasurableDiseaseRule(Rule, check="measurable_disease"):
    def required(self, record):
        return {"measurable_disease": record.measurable_disease}

    def decide(self, record, values):
        ok = values["measurable_disease"]
        return Outcome(ok, "measurable disease per RECIST 1.1" if ok else "no measurable lesion per RECIST 1.1")


class EcogRule(Rule, check="ecog"):
    def required(self, record):
        return {"ecog": record.ecog}

    def decide(self, record, values):
        ok = values["ecog"] <= self.c.max_score
        return Outcome(ok, f"ECOG {values['ecog']} {'≤' if ok else '>'} {self.c.max_score}")


def _lab_problems(rule: Rule, unit: str | None = None) -> list[Problem]:
    lab = rule.c.lab
    if lab not in LAB_UNITS:
        return [Problem(f"{rule.path}.lab", f"a lab id ({', '.join(LAB_UNITS)})", lab)]
    if unit is not None and unit not in LAB_UNITS[lab]:
        return [Problem(f"{rule.path}.unit", f"a unit of {lab} ({', '.join(LAB_UNITS[lab])})", unit)]
    return []


class LabMinimumRule(Rule, check="lab_min"):
    def problems(self):
        return _lab_problems(self, self.c.unit)

    def required(self, record):
        return {f"labs.{self.c.lab}": record.labs.get(self.c.lab)}

    def decide(self, record, values):
        value = lab_in_unit(self.c.lab, values[f"labs.{self.c.lab}"], self.c.unit)
        return _at_least(value, self.c.minimum, self.c.lab.upper() if len(self.c.lab) <= 4 else self.c.lab, self.c.unit)


class LabMaxUlnRule(Rule, check="lab_max_uln"):
    def problems(self):
        out = _lab_problems(self)
        for j, allowance in enumerate(self.c.allowances):
            try:
                ScreeningRecord().fact(allowance.fact)
            except KeyError:
                out.append(Problem(f"{self.path}.allowances.{j}.fact", "a yes/no fact of the screening record",
                                   allowance.fact))
        return out

    def required(self, record):
        lab = record.labs.get(self.c.lab)
        return {f"labs.{self.c.lab}": lab, f"labs.{self.c.lab}.uln": None if lab is None else lab.uln}

    def decide(self, record, values):
        lab = values[f"labs.{self.c.lab}"]
        value, uln = exact(lab.value), exact(lab.uln)
        name = self.c.lab.upper() if len(self.c.lab) <= 3 else self.c.lab
        head = f"{name} {fmt(value)} {lab.unit} = {fmt(value / uln)} × ULN ({fmt(uln)})"
        if value <= exact(self.c.max_x_uln) * uln:
            return Outcome(True, f"{head} ≤ {fmt(self.c.max_x_uln)} × ULN")
        undetermined = []
        for allowance in self.c.allowances:
            if value <= exact(allowance.max_x_uln) * uln:
                has, source = record.fact(allowance.fact)
                if has:
                    return Outcome(True, f"{head} ≤ {fmt(allowance.max_x_uln)} × ULN allowed with {allowance.fact}")
                if has is None:
                    undetermined.append(source)
        if undetermined:
            return Outcome(None, f"{head} > {fmt(self.c.max_x_uln)} × ULN; missing: {', '.join(undetermined)}")
        return Outcome(False, f"{head} > {fmt(self.c.max_x_uln)} × ULN")


class CreatinineClearanceRule(Rule, check="creatinine_clearance"):
    def required(self, record):
        if self.c.measured_overrides and record.measured_creatinine_clearance_ml_min is not None:
            return {"measured": record.measured_creatinine_clearance_ml_min}
        age, source = record_age(record, self.protocol.eligibility.leap_day_birthday)
        scr = record.labs.get("creatinine")
        needs = {source if age is None else "age": age, "sex": record.sex, "weight_kg": record.weight_kg,
                 "labs.creatinine": scr}
        if self.c.weight != "actual":
            needs["height_cm"] = record.height_cm
        return needs

    def decide(self, record, values):
        if "measured" in values:
            return _at_least(exact(values["measured"]), self.c.min_ml_min, "measured creatinine clearance", "mL/min")
        lab = values["labs.creatinine"]
        scr = serum_creatinine_mg_dl(lab.value, lab.unit, self.c.creatinine_umol_per_mg_dl)
        if scr <= 0:
            raise InputError.field("labs.creatinine.value", lab.value, "a serum creatinine > 0")
        crcl = creatinine_clearance(age_years=values["age"], sex=record.sex.value, weight_kg=record.weight_kg,
                                    serum_creatinine_mg_dl=scr, height_cm=record.height_cm, weight=self.c.weight,
                                    formula=self.c.formula, umol_per_mg_dl=self.c.creatinine_umol_per_mg_dl,
                                    min_serum_creatinine_mg_dl=self.c.min_serum_creatinine_mg_dl)
        ok = crcl.ml_min >= exact(self.c.min_ml_min)
        return Outcome(ok, f"creatinine clearance {crcl.describe()} {'≥' if ok else '<'} {fmt(self.c.min_ml_min)} mL/min")


class LvefRule(Rule, check="lvef"):
    def required(self, record):
        return {"lvef_percent": record.lvef_percent}

    def decide(self, record, values):
        return _at_least(exact(values["lvef_percent"]), self.c.min_percent, "LVEF", "%")


class LifeExpectancyRule(Rule, check="life_expectancy"):
    def required(self, record):
        return {"life_expectancy_weeks": record.life_expectancy_weeks}

    def decide(self, record, values):
        return _at_least(exact(values["life_expectancy_weeks"]), self.c.min_weeks, "life expectancy", "weeks")


class FlagRule(Rule, check="flag"):
    def problems(self):
        try:
            ScreeningRecord().fact(self.c.fact)
        except KeyError:
            return [Problem(f"{self.path}.fact", "a yes/no fact of the screening record", self.c.fact)]
        return []

    def required(self, record):
        value, source = record.fact(self.c.fact)
        return {source: value}

    def decide(self, record, values):
        (source, value), = values.items()
        ok = value == self.c.required
        origin = "" if source == self.c.fact else f" (from {source})"
        return Outcome(ok, f"{self.c.fact}: {str(value).lower()}{origin}; required {str(self.c.required).lower()}")


_EXPOSURE_DATES = ("prior_gene_modified_cell_therapy_date", "allogeneic_hsct_date", "myocardial_infarction_date")


class NotWithinMonthsRule(Rule, check="not_within_months"):
    def problems(self):
        if self.c.fact not in _EXPOSURE_DATES:
            return [Problem(f"{self.path}.fact", f"a date field of the record ({', '.join(_EXPOSURE_DATES)})", self.c.fact)]
        return []

    def required(self, record):
        when = getattr(record, self.c.fact)
        return {self.c.fact: when} if when == NEVER else {self.c.fact: when, "consent_date": record.consent_date}

    def decide(self, record, values):
        when = values[self.c.fact]
        if when == NEVER:
            return Outcome(True, f"{self.c.fact}: never")
        cutoff = add_months(record.consent_date, -self.c.months)
        within = when > cutoff
        return Outcome(not within, f"{self.c.fact} {when} is {'within' if within else 'not within'} "
                                   f"{self.c.months} months before consent {record.consent_date} (cut-off {cutoff})")


class SteroidDoseRule(Rule, check="steroid_dose"):
    def required(self, record):
        if record.corticosteroid_physiologic_replacement:
            return {}
        return {"corticosteroid_prednisone_mg_day (or corticosteroids)": record.prednisone_mg_day()}

    def decide(self, record, values):
        if record.corticosteroid_physiologic_replacement:
            return Outcome(True, "corticosteroids at physiologic replacement dose (allowed)")
        dose = record.prednisone_mg_day()
        limit = exact(self.c.max_prednisone_mg_day)
        if dose <= limit:
            return Outcome(True, f"corticosteroids {fmt(dose)} mg/day prednisone equivalent ≤ {fmt(limit)}")
        if record.corticosteroid_physiologic_replacement is None:
            return Outcome(None, f"corticosteroids {fmt(dose)} mg/day > {fmt(limit)}; "
                                 "missing: corticosteroid_physiologic_replacement")
        return Outcome(False, f"corticosteroids {fmt(dose)} mg/day prednisone equivalent > {fmt(limit)}")


# -- evaluation -----------------------------------------------------------------------------------
def criterion_rules(protocol: Protocol) -> list[tuple[Rule, CriterionKind]]:
    """A rule object per criterion (inclusion first); raises ProtocolError for settings no rule can use."""
    rules: list[tuple[Rule, CriterionKind]] = []
    problems: list[Problem] = []
    for kind, criteria in ((CriterionKind.INCLUSION, protocol.eligibility.inclusion),
                           (CriterionKind.EXCLUSION, protocol.eligibility.exclusion)):
        for i, criterion in enumerate(criteria):
            path = f"eligibility.{kind.value}.{i}"
            cls = Rule.registry.get(criterion.check)
            if cls is None:
                problems.append(Problem(f"{path}.check", f"a check kind ({', '.join(Rule.registry)})", criterion.check))
                continue
            rule = cls(criterion, path, protocol)
            problems += rule.problems()
            rules.append((rule, kind))
    if problems:
        raise ProtocolError(problems)
    return rules


def evaluate_eligibility(protocol: Protocol, record: ScreeningRecord | dict) -> EligibilityResult:
    """Evaluate every criterion of ``protocol`` on a screening record (a model or its JSON dict)."""
    if not isinstance(record, ScreeningRecord):
        record = parse_screening_record(record)
    results = []
    for rule, kind in criterion_rules(protocol):
        met, reason = rule.evaluate(record)
        results.append(CriterionResult(rule.c.id, rule.c.text, kind, met, reason))
    mets = [r.met for r in results]
    eligible = False if False in mets else (None if None in mets else True)
    return EligibilityResult(eligible, tuple(results))
