"""CTCAE v5.0 laboratory grading from a value, its unit and the normal limits.

The criteria are data (:mod:`dartnk.clinical.ctcae_table`); this module converts the inputs to
exact rationals in the canonical unit, applies every row that applies, and answers the highest
grade reached with the CTCAE wording that decided it. A grade that needs clinical information a
value cannot give (e.g. Hypokalemia grade 2 "symptomatic … intervention indicated") is reached
only through the optional flags, and the reason says what would raise the grade.

Source: NCI CTCAE v5.0 (27 Nov 2017). Conventions (documented in docs/clinical-grading.md):
baseline not given for AST/ALT/ALP/GGT/bilirubin → graded as baseline normal; baseline abnormal
means baseline > ULN (fibrinogen: < LLN). Where grading tools differ, the protocol's ``ctcae:``
settings (:class:`dartnk.protocol.grading.CtcaeSettings`) decide: unreported clinical findings
(absent by default), abnormal-baseline liver tests, INR on anticoagulation and fibrinogen's
"if abnormal" % decrease; a reason names the setting whenever it decided.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Mapping, Optional

from pydantic import BaseModel, ConfigDict, Field

from dartnk.clinical.ctcae_table import (
    CRITERIA_BY_TERM, FLAG_WORDING, TERM_BY_NAME, TERMS, Basis, Criterion, Direction, Op, TermSpec, When,
)
from dartnk.clinical.units import CANONICAL_UNIT, Quantity, exact, format_number, normalise_unit, to_canonical
from dartnk.errors import InputError, Problem
from dartnk.protocol.grading import (
    AbnormalBaselineRule, CtcaeSettings, FibrinogenPercentDecrease, InrAnticoagulated, UnreportedClinicalCriteria,
)

CTCAE_VERSION = "CTCAE v5.0"


class Grading(BaseModel):
    """A grade with the human-readable reason that decided it."""

    model_config = ConfigDict(frozen=True)

    grade: int = Field(ge=0, le=5)
    reason: str


class LabMeasurement(BaseModel):
    """A lab value with its unit, the site's normal limits, the baseline, and the clinical findings
    some CTCAE v5.0 grades need besides the value."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    value: float
    unit: Optional[str] = Field(default=None, description="unit of value, lln, uln and baseline")
    lln: Optional[float] = None
    uln: Optional[float] = None
    baseline: Optional[float] = None
    symptomatic: Optional[bool] = None
    on_anticoagulation: Optional[bool] = None
    intervention_indicated: Optional[bool] = None
    hospitalization_indicated: Optional[bool] = None
    transfusion_indicated: Optional[bool] = None
    life_threatening: Optional[bool] = None
    physiologic_consequences: Optional[bool] = Field(default=None,
        description="Hyperuricemia: >ULN with physiologic consequences (e.g. gout, urate nephropathy) is grade 3")


class CtcaeLabInput(LabMeasurement):
    """One lab result to grade (the JSON record of ``dartnk grade ctcae``)."""

    term: str = Field(description="the CTCAE v5.0 term exactly as CTCAE writes it")


def known_terms() -> list[str]:
    """Every CTCAE term this module grades, in table order."""
    return [t.term for t in TERMS]


def term_spec(term: str, field: str = "term") -> TermSpec:
    """The term's specification; case and surrounding spaces are forgiven, anything else is an error."""
    if isinstance(term, str):
        wanted = " ".join(term.split()).casefold()
        for name, spec in TERM_BY_NAME.items():
            if name.casefold() == wanted:
                return spec
    raise InputError.field(field, term, "a CTCAE v5.0 term, one of: " + "; ".join(known_terms()))


#: the clinical findings a worst_case setting may assume when unreported (on a value-defined row only)
_ASSUMABLE = frozenset({When.SYMPTOMATIC, When.PHYSIOLOGIC_CONSEQUENCES, When.ON_ANTICOAGULATION})

_CMP = {Op.LT: lambda a, b: a < b, Op.LE: lambda a, b: a <= b,
        Op.GT: lambda a, b: a > b, Op.GE: lambda a, b: a >= b}


class _Context:
    """The converted inputs of one grading."""

    def __init__(self, spec: TermSpec, data: CtcaeLabInput, settings: CtcaeSettings):
        q = spec.quantity
        self.spec, self.data, self.settings = spec, data, settings
        self.worst_case = settings.unreported_clinical_criteria is UnreportedClinicalCriteria.WORST_CASE
        self.worse_of_uln = settings.abnormal_baseline_rule is AbnormalBaselineRule.WORSE_OF_ULN_AND_BASELINE
        self.inr_both = settings.inr_anticoagulated is InrAnticoagulated.WORSE_OF_ABSOLUTE_AND_BASELINE
        self.fib_below_lln = settings.fibrinogen_percent_decrease is FibrinogenPercentDecrease.BELOW_LLN
        given = normalise_unit(data.unit or "")
        # a unit CTCAE prints its own thresholds in is graded in that unit, unconverted
        self.native = given if given in spec.native_units else None
        self.unit = data.unit if self.native else CANONICAL_UNIT[q]
        self.suffix = "" if q is Quantity.RATIO else f" {self.unit}"

        def convert(x, field):
            if x is None:
                return None
            canonical = to_canonical(q, x, data.unit, field)   # validates the unit in every case
            return exact(x, field) if self.native else canonical

        self.value = convert(data.value, "value")
        self.lln, self.uln = convert(data.lln, "lln"), convert(data.uln, "uln")
        self.baseline = convert(data.baseline, "baseline")
        if self.value < 0:
            raise InputError.field("value", data.value, "a value ≥ 0")
        for name in ("lln", "uln"):
            if getattr(self, name) is not None and getattr(self, name) <= 0:
                raise InputError.field(name, getattr(data, name), "a limit > 0")
        if self.baseline is not None and self.baseline < 0:
            raise InputError.field("baseline", data.baseline, "a value ≥ 0")
        self.baseline_abnormal = self._baseline_abnormal()

    def _baseline_abnormal(self) -> bool | None:
        rows = CRITERIA_BY_TERM[self.spec.term]
        needs = {When.BASELINE_ABNORMAL, When.BASELINE_NORMAL} | (set() if self.fib_below_lln else {When.IF_ABNORMAL})
        if self.baseline is None or not any(r.when in needs for r in rows):
            return None
        limit_name = "uln" if self.spec.direction is Direction.HIGH else "lln"
        limit = getattr(self, limit_name)
        if limit is None:
            raise InputError(Problem(field=limit_name, has_value=False, expected=(
                f"required to decide whether the baseline of {self.spec.term} was normal")))
        return self.baseline > limit if self.spec.direction is Direction.HIGH else self.baseline < limit

    def applies(self, row: Criterion) -> bool:
        w, d = row.when, self.data
        if w is When.ALWAYS:
            return True
        if w is When.BASELINE_NORMAL:
            return self.baseline_abnormal is not True or self.worse_of_uln
        if w is When.BASELINE_ABNORMAL:
            return self.baseline_abnormal is True
        if w is When.IF_ABNORMAL:   # below_lln: the value's side of the LLN is checked in reference()
            return self.fib_below_lln or self.baseline_abnormal is True
        if w is When.OFF_ANTICOAGULATION:
            return not (d.on_anticoagulation is True and self.baseline is not None) or self.inr_both
        if w is When.ASYMPTOMATIC:
            return d.symptomatic is not True
        return getattr(d, w.value) is True or self.assumed(row)

    def assumed(self, row: Criterion) -> bool:
        """Does the row apply only because a worst_case setting assumes its unreported clinical finding?"""
        return (self.worst_case and row.when in _ASSUMABLE and row.basis is not Basis.ABNORMAL
                and getattr(self.data, row.when.value) is None)

    def condition(self, row: Criterion) -> str:
        """The words for the condition under which a deciding row applied ('' for none worth saying)."""
        w = row.when
        if self.assumed(row):
            return (f"{FLAG_WORDING[w]} not reported: assumed, ctcae.unreported_clinical_criteria = "
                    f"{UnreportedClinicalCriteria.WORST_CASE.value}")
        if w is When.IF_ABNORMAL:
            return (f"value below LLN, ctcae.fibrinogen_percent_decrease = {FibrinogenPercentDecrease.BELOW_LLN.value}"
                    if self.fib_below_lln else "baseline abnormal")
        if w is When.BASELINE_NORMAL and self.baseline_abnormal:
            return f"ctcae.abnormal_baseline_rule = {AbnormalBaselineRule.WORSE_OF_ULN_AND_BASELINE.value}"
        if w is When.OFF_ANTICOAGULATION:
            if self.data.on_anticoagulation is True and self.baseline is not None:
                return f"absolute scale, ctcae.inr_anticoagulated = {InrAnticoagulated.WORSE_OF_ABSOLUTE_AND_BASELINE.value}"
            return ""
        if w is When.ALWAYS:
            return ""
        return FLAG_WORDING.get(w, w.value.replace("_", " "))

    def reference(self, row: Criterion) -> Fraction | None | str:
        """The row's threshold in canonical units; None if the row is skipped; the missing field's name."""
        b = row.basis
        if b is Basis.ABSOLUTE:
            return dict(row.native)[self.native] if self.native else row.bound
        if b is Basis.BASELINE:
            if self.baseline is None:
                return None
            if row.when is When.IF_ABNORMAL and self.fib_below_lln:
                if self.lln is None:
                    return "lln"
                if not self.value < self.lln:
                    return None
            return row.bound * self.baseline
        if b is Basis.BASELINE_PLUS:
            return None if self.baseline is None else self.baseline + row.bound
        limit_name = "lln" if b is Basis.LLN else "uln"
        limit = getattr(self, limit_name)
        if limit is None:
            return limit_name
        return limit + row.bound if b is Basis.ULN_PLUS else row.bound * limit

    def describe(self, row: Criterion, ref: Fraction) -> str:
        u = self.suffix
        names = {Basis.LLN: "LLN", Basis.ULN: "ULN", Basis.BASELINE: "baseline"}
        if row.basis is Basis.ABSOLUTE:
            return f"{format_number(ref)}{u}"
        if row.basis is Basis.BASELINE_PLUS:
            sign = "+" if row.bound >= 0 else "−"
            return f"baseline {sign} {format_number(abs(row.bound))}{u} ({format_number(ref)}{u})"
        if row.basis is Basis.ULN_PLUS:
            return f"ULN + {format_number(row.bound)}{u} ({format_number(ref)}{u})"
        factor = "" if row.bound == 1 else f"{format_number(row.bound)} × "
        return f"{factor}{names[row.basis]} ({format_number(ref)}{u})"


def grade_lab(data: CtcaeLabInput, *, settings: CtcaeSettings | None = None) -> Grading:
    """Grade one lab result by CTCAE v5.0 (see :func:`grade_ctcae`); ``settings`` default to CTCAE's reading."""
    spec = term_spec(data.term)
    ctx = _Context(spec, data, settings if settings is not None else CtcaeSettings())
    rows = CRITERIA_BY_TERM[spec.term]
    best: tuple[int, Criterion | None, Fraction | None] = (0, None, None)
    missing: list[tuple[int, str]] = []
    for row in rows:
        if row.basis is Basis.ABNORMAL or not ctx.applies(row):
            continue
        ref = ctx.reference(row)
        if ref is None:
            continue
        if isinstance(ref, str):
            missing.append((row.grade, ref))
            continue
        if _CMP[row.op](ctx.value, ref) and row.grade > best[0]:
            best = (row.grade, row, ref)
    for grade, name in missing:
        if grade > best[0]:
            raise InputError(Problem(field=name, has_value=False, expected=(
                f"required to grade {spec.term} at {format_number(ctx.value)}{ctx.suffix} "
                f"(grade {grade} is relative to the {name.upper()})")))
    value_grade = best[0]
    flag_row = None
    if value_grade >= 1:
        for row in rows:
            if row.basis is Basis.ABNORMAL and ctx.applies(row) and row.grade > max(value_grade, flag_row.grade if flag_row else 0):
                flag_row = row
    return Grading(grade=max(value_grade, flag_row.grade if flag_row else 0),
                   reason=_reason(ctx, best, flag_row))


def _reason(ctx: _Context, best: tuple, flag_row: Criterion | None) -> str:
    spec, value = ctx.spec, f"{format_number(ctx.value)}{ctx.suffix}"
    given = ctx.data.unit or ""
    if normalise_unit(given) != normalise_unit(ctx.unit) and ctx.suffix and not ctx.native:
        value = f"{format_number(exact(ctx.data.value, 'value'))} {given} = {value}"
    grade, row, ref = best
    if flag_row is not None:
        text = (f"{spec.term} grade {flag_row.grade}: {FLAG_WORDING[flag_row.when]} with an abnormal value "
                f"({value}) ({CTCAE_VERSION} grade {flag_row.grade}: {spec.grade_text[flag_row.grade]})")
        final = flag_row.grade
    elif row is not None:
        cond = f" ({ctx.condition(row)})" if ctx.condition(row) else ""
        text = (f"{spec.term} grade {grade}: {value} {row.op.value} {ctx.describe(row, ref)}{cond} "
                f"({CTCAE_VERSION} grade {grade}: {spec.grade_text[grade]})")
        final = grade
    else:
        lowest = min(spec.grade_text)
        text = (f"{spec.term} grade 0: {value} meets no {CTCAE_VERSION} criterion "
                f"(grade {lowest}: {spec.grade_text[lowest]})")
        final = 0
    return text + "".join(f"; {n}" for n in _notes(ctx, final))


def _notes(ctx: _Context, final: int) -> list[str]:
    """What the reader should know: assumptions made and grades that clinical information would reach."""
    notes: list[str] = []
    rows = CRITERIA_BY_TERM[ctx.spec.term]
    d = ctx.data
    if ctx.baseline is None and any(r.when is When.BASELINE_NORMAL for r in rows):
        notes.append("baseline not given: graded as if baseline was normal")
    if ctx.baseline_abnormal:
        against = "baseline"
        if ctx.worse_of_uln and any(r.when is When.BASELINE_NORMAL for r in rows):
            against = (f"baseline and ULN, the higher (ctcae.abnormal_baseline_rule = "
                       f"{AbnormalBaselineRule.WORSE_OF_ULN_AND_BASELINE.value})")
        notes.append(f"baseline {format_number(ctx.baseline)}{ctx.suffix} is abnormal: graded against {against}")
    inr_rows = any(r.when is When.ON_ANTICOAGULATION for r in rows)
    if d.on_anticoagulation and ctx.baseline is None and inr_rows:
        notes.append("on anticoagulation but baseline not given: graded on the absolute INR only")
    elif inr_rows and ctx.baseline is not None and d.on_anticoagulation is None and ctx.worst_case:
        notes.append("anticoagulation not reported: assumed (ctcae.unreported_clinical_criteria = worst_case), "
                     "graded on the absolute INR and × baseline, the higher")
    elif inr_rows and ctx.baseline is not None and d.on_anticoagulation:
        notes.append("on anticoagulation: graded on the absolute INR and × baseline, the higher (ctcae.inr_anticoagulated"
                     f" = {InrAnticoagulated.WORSE_OF_ABSOLUTE_AND_BASELINE.value})" if ctx.inr_both else
                     f"on anticoagulation: graded × baseline only (ctcae.inr_anticoagulated = "
                     f"{InrAnticoagulated.BASELINE_ONLY.value})")
    higher: dict[int, str] = {}
    for row in rows:
        if row.grade <= final or ctx.applies(row) or row.when not in FLAG_WORDING \
                or row.when is When.ON_ANTICOAGULATION:
            continue
        if row.basis is Basis.ABNORMAL:
            if final >= 1:
                higher.setdefault(row.grade, FLAG_WORDING[row.when])
            continue
        ref = ctx.reference(row)
        if isinstance(ref, Fraction) and _CMP[row.op](ctx.value, ref):
            higher.setdefault(row.grade, FLAG_WORDING[row.when])
    if d.symptomatic is None and any(r.when is When.ASYMPTOMATIC for r in rows) and final >= 1 and not ctx.worst_case:
        notes.append("symptoms not reported: graded as asymptomatic")
    for g in sorted(higher):
        notes.append(f"grade {g} if {higher[g]} (not reported)")
    if ctx.spec.note and final >= 1:
        notes.append(ctx.spec.note)
    return notes


def grade_ctcae(term: str, value: float, unit: str | None, lln: float | None = None, uln: float | None = None,
                baseline: float | None = None, *, settings: CtcaeSettings | None = None, **flags: Any) -> Grading:
    """Grade a lab value by NCI CTCAE v5.0.

    ``value``, ``lln``, ``uln`` and ``baseline`` are all in ``unit`` (e.g. ``"10^9/L"``, ``"cells/mm3"``,
    ``"g/dL"``, ``"mg/dL"``, ``"umol/L"``, ``"mmol/L"``, ``"U/L"``). Optional flags: ``symptomatic``,
    ``on_anticoagulation``, ``intervention_indicated``, ``hospitalization_indicated``,
    ``transfusion_indicated``, ``life_threatening``, ``physiologic_consequences`` (CTCAE's clinical
    alternatives). ``settings`` are the protocol's ``ctcae:`` choices (None: the defaults).
    """
    from pydantic import ValidationError

    from dartnk.errors import problems_from_pydantic

    try:
        data = CtcaeLabInput(term=term, value=value, unit=unit, lln=lln, uln=uln, baseline=baseline, **flags)
    except ValidationError as exc:
        raise InputError(problems_from_pydantic(exc)) from None
    return grade_lab(data, settings=settings)


def resolve_ctcae_settings(base: CtcaeSettings | None, overrides: Mapping[str, Any] | None,
                           field: str = "settings") -> CtcaeSettings:
    """``base`` (default: CTCAE v5.0 defaults) with ``overrides`` applied field by field; bad values name ``field.x``."""
    from pydantic import ValidationError

    from dartnk.errors import problems_from_pydantic

    base = base if base is not None else CtcaeSettings()
    if overrides is None:
        return base
    if not isinstance(overrides, Mapping):
        raise InputError.field(field, overrides, "an object of CTCAE settings (" + ", ".join(CtcaeSettings.model_fields) + ")")
    try:
        return CtcaeSettings.model_validate({**base.model_dump(), **dict(overrides)})
    except ValidationError as exc:
        raise InputError(problems_from_pydantic(exc, field)) from None


def grade_record(record: Any, base: CtcaeSettings | None = None) -> Grading:
    """One JSON record of ``dartnk grade ctcae``: a lab input with an optional ``"settings"`` object that
    overrides ``base`` (the protocol's ``ctcae:`` section) for this record only."""
    from pydantic import ValidationError

    from dartnk.errors import problems_from_pydantic

    if not isinstance(record, dict):
        raise InputError.field("input", record, "a JSON object")
    fields = {k: v for k, v in record.items() if k != "settings"}
    settings = resolve_ctcae_settings(base, record.get("settings"))
    try:
        data = CtcaeLabInput.model_validate(fields)
    except ValidationError as exc:
        raise InputError(problems_from_pydantic(exc)) from None
    return grade_lab(data, settings=settings)
