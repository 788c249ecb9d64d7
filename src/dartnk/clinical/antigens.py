"""Tumour antigen profiling: IHC results → positivity per antigen → the constructs a patient qualifies for.

Per antigen the site reports any of: ``percent_positive`` (% tumour cells stained at ≥ 1+),
``intensity`` (0–3+, the intensity of the stained cells, taken as uniform), ``h_score`` (0–300) or
``percent_by_intensity`` ({"1": %, "2": %, "3": %}). The H-score is 1 × %1+ + 2 × %2+ + 3 × %3+
(Hirsch et al., J Clin Oncol 2003;21:3798). Positivity follows the protocol's rule: % cells at
≥ ``min_intensity`` ≥ ``min_percent_cells`` and/or H-score ≥ ``min_h_score``, combined by any/all.

When the report does not pin a quantity down, it is bounded exactly (e.g. an H-score of 20 alone
means 6.67–20% of cells at ≥ 1+) and a threshold is decided whenever the bound decides it; otherwise
the antigen is undetermined (``positive: null``) and the reason says what is missing.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Optional

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from dartnk.errors import InputError, Problem, problems_from_pydantic
from dartnk.protocol import Protocol
from dartnk.protocol.antigens import Antigen, Combine, Qualification

_Q = Fraction


def _exact(x: float | int) -> Fraction:
    return Fraction(repr(x)) if isinstance(x, float) else Fraction(x)


class IhcResult(BaseModel):
    """One antigen's IHC read-out (all optional; see the module docstring)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    percent_positive: Optional[float] = Field(default=None, ge=0, le=100)
    intensity: Optional[int] = Field(default=None, ge=0, le=3)
    h_score: Optional[float] = Field(default=None, ge=0, le=300)
    percent_by_intensity: Optional[dict[str, float]] = None
    assay: Optional[str] = None

    @field_validator("percent_by_intensity")
    @classmethod
    def _by_intensity(cls, v: dict[str, float] | None) -> dict[str, float] | None:
        if v is None:
            return v
        for key, pct in v.items():
            if key not in ("0", "1", "2", "3"):
                raise ValueError(f"keys must be intensities \"1\", \"2\", \"3\" (or \"0\"), got {key!r}")
            if not 0 <= pct <= 100:
                raise ValueError(f"percent at intensity {key} must be 0–100, got {pct}")
        if sum(_exact(p) for p in v.values()) > 100:
            raise ValueError(f"percentages must sum to ≤ 100, got {float(sum(_exact(p) for p in v.values())):g}")
        return v

    @model_validator(mode="after")
    def _consistent(self) -> "IhcResult":
        if self.percent_by_intensity is not None:
            if self.h_score is not None or self.intensity is not None:
                raise ValueError("give percent_by_intensity alone (the H-score and intensities follow from it)")
            stained = sum(_exact(self.percent_by_intensity.get(k, 0)) for k in ("1", "2", "3"))
            if self.percent_positive is not None and _exact(self.percent_positive) != stained:
                raise ValueError(f"percent_positive {self.percent_positive:g} differs from the sum of "
                                 f"percent_by_intensity 1–3 ({float(stained):g})")
        if self.intensity is not None:
            if self.percent_positive is None and self.intensity != 0:
                raise ValueError("intensity needs percent_positive (the % of cells stained at that intensity)")
            if self.intensity == 0 and self.percent_positive not in (None, 0):
                raise ValueError(f"intensity 0 means no stained cells, but percent_positive is {self.percent_positive:g}")
            if self.intensity > 0 and self.percent_positive == 0:
                raise ValueError("percent_positive 0 means no stained cells; intensity must then be 0")
            if self.h_score is not None and _exact(self.h_score) != self.intensity * _exact(self.percent_positive or 0):
                raise ValueError(f"h_score {self.h_score:g} differs from intensity × percent_positive "
                                 f"({float(self.intensity * _exact(self.percent_positive or 0)):g}); "
                                 "for mixed staining give percent_by_intensity")
        if self.h_score is not None and self.percent_positive is not None and self.intensity is None:
            p, h = _exact(self.percent_positive), _exact(self.h_score)
            if not p <= h <= 3 * p:
                raise ValueError(f"h_score {self.h_score:g} is impossible with percent_positive "
                                 f"{self.percent_positive:g} (must be between 1× and 3× it)")
        return self


@dataclass(frozen=True)
class Bounds:
    """An exactly known range [lo, hi] for a quantity the report may not pin down."""

    lo: Fraction
    hi: Fraction

    @property
    def exact(self) -> Fraction | None:
        return self.lo if self.lo == self.hi else None

    def at_least(self, threshold: Fraction) -> bool | None:
        return True if self.lo >= threshold else (False if self.hi < threshold else None)

    def text(self) -> str:
        return _fmt(self.lo) if self.lo == self.hi else f"{_fmt(self.lo)}–{_fmt(self.hi)}"


def _fmt(x: Fraction) -> str:
    return f"{float(x):.2f}".rstrip("0").rstrip(".")


def h_score_bounds(r: IhcResult) -> Bounds | None:
    """The H-score, or its bounds (None when nothing was reported)."""
    if r.percent_by_intensity is not None:
        h = sum(int(k) * _exact(v) for k, v in r.percent_by_intensity.items())
        return Bounds(h, h)
    if r.h_score is not None:
        return Bounds(_exact(r.h_score), _exact(r.h_score))
    if r.intensity is not None:
        h = r.intensity * _exact(r.percent_positive or 0)
        return Bounds(h, h)
    if r.percent_positive is not None:
        p = _exact(r.percent_positive)
        return Bounds(p, 3 * p)
    return None


def percent_at_bounds(r: IhcResult, k: int) -> Bounds | None:
    """% of tumour cells stained at intensity ≥ ``k`` (1..3), or its exact bounds."""
    if r.percent_by_intensity is not None:
        p = sum(_exact(v) for key, v in r.percent_by_intensity.items() if int(key) >= k)
        return Bounds(p, p)
    if r.intensity is not None:
        p = _exact(r.percent_positive or 0) if r.intensity >= k else _Q(0)
        return Bounds(p, p)
    p = None if r.percent_positive is None else _exact(r.percent_positive)
    if k == 1 and p is not None:
        return Bounds(p, p)
    if r.h_score is None:
        return None if p is None else Bounds(_Q(0), p)
    h = _exact(r.h_score)
    stained = p if p is not None else _Q(100)
    # cells below k contribute ≤ k−1 each and cells at ≥ k ≤ 3: h ≤ (k−1)(stained − P) + 3P
    lo = max(_Q(0), (h - (k - 1) * stained) / (4 - k))
    # every stained cell contributes ≥ 1 and cells at ≥ k contribute ≥ k
    hi = min(stained, h / k) if p is None else (min(p, (h - p) / (k - 1)) if k > 1 else p)
    return Bounds(lo, hi)


@dataclass(frozen=True)
class AntigenResult:
    antigen: str
    positive: bool | None
    h_score: Fraction | None
    percent_positive: Fraction | None
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {"positive": self.positive, "h_score": None if self.h_score is None else float(self.h_score),
                "percent_positive": None if self.percent_positive is None else float(self.percent_positive),
                "reason": self.reason}


@dataclass(frozen=True)
class AntigenProfile:
    antigens: dict[str, AntigenResult]
    constructs: dict[str, bool | None]

    @property
    def qualifying_constructs(self) -> list[str]:
        return [c for c, ok in self.constructs.items() if ok is True]

    def to_json(self) -> dict[str, Any]:
        return {"antigens": {k: v.to_json() for k, v in self.antigens.items()},
                "qualifying_constructs": self.qualifying_constructs,
                "constructs": dict(self.constructs)}


def _kleene(values: list[bool | None], combine: Combine) -> bool | None:
    if combine is Combine.ANY:
        return True if True in values else (None if None in values else False)
    return False if False in values else (None if None in values else True)


def antigen_positivity(antigen: Antigen, result: IhcResult | None) -> AntigenResult:
    """One antigen's positivity under the protocol rule, with a reason."""
    if result is None or (h := h_score_bounds(result)) is None:
        return AntigenResult(antigen.id, None, None, None, f"missing: IHC result for {antigen.id}")
    rule = antigen.positivity
    tests: list[bool | None] = []
    parts: list[str] = []
    if rule.min_percent_cells is not None:
        pct = percent_at_bounds(result, rule.min_intensity)
        verdict = None if pct is None else pct.at_least(_exact(rule.min_percent_cells))
        tests.append(verdict)
        shown = "unknown" if pct is None else pct.text() + "%"
        parts.append(f"cells ≥ {rule.min_intensity}+ {shown} {_sign(verdict)} {rule.min_percent_cells:g}%")
    if rule.min_h_score is not None:
        verdict = h.at_least(_exact(rule.min_h_score))
        tests.append(verdict)
        parts.append(f"H-score {h.text()} {_sign(verdict)} {rule.min_h_score:g}")
    positive = _kleene(tests, rule.combine)
    joiner = " or " if rule.combine is Combine.ANY else " and "
    word = {True: "positive", False: "negative", None: "undetermined"}[positive]
    p1 = percent_at_bounds(result, 1)
    return AntigenResult(antigen.id, positive, h.exact, None if p1 is None else p1.exact,
                         f"{word}: {joiner.join(parts)}")


def _sign(verdict: bool | None) -> str:
    return {True: "≥", False: "<", None: "vs"}[verdict]


def _parse(protocol: Protocol, record: Any, prefix: str) -> dict[str, IhcResult]:
    where = prefix or "record"
    if not isinstance(record, dict):
        raise InputError.field(where, type(record).__name__, "a JSON object with \"antigens\"")
    unknown = set(record) - {"antigens", "patient_id"}
    if unknown:
        raise InputError([Problem(f"{prefix + '.' if prefix else ''}{k}", "unknown field", has_value=False)
                          for k in sorted(unknown)])
    raw = record.get("antigens")
    path = f"{prefix}.antigens" if prefix else "antigens"
    if not isinstance(raw, dict):
        raise InputError.field(path, raw, "an object keyed by antigen (e.g. {\"DLL3\": {\"percent_positive\": 40}})")
    names = {}
    for a in protocol.antigens:
        for n in (a.id, *a.aliases):
            names[n.upper()] = a.id
    out: dict[str, IhcResult] = {}
    for key, value in raw.items():
        antigen_id = names.get(str(key).upper())
        if antigen_id is None:
            raise InputError.field(f"{path}.{key}", key, f"an antigen of the protocol ({', '.join(sorted(names))})")
        if antigen_id in out:
            raise InputError.field(f"{path}.{key}", key, f"one result per antigen ({antigen_id} given twice)")
        if not isinstance(value, dict):
            raise InputError.field(f"{path}.{key}", value, "an object with percent_positive, intensity, h_score "
                                                           "or percent_by_intensity")
        try:
            out[antigen_id] = IhcResult.model_validate(value)
        except ValidationError as exc:
            raise InputError(problems_from_pydantic(exc, f"{path}.{key}")) from None
    return out


def profile_antigens(protocol: Protocol, record: Any, prefix: str = "") -> AntigenProfile:
    """Positivity of every protocol antigen and each construct's qualification from ``{"antigens": {...}}``."""
    results = _parse(protocol, record, prefix)
    per = {a.id: antigen_positivity(a, results.get(a.id)) for a in protocol.antigens}
    constructs: dict[str, bool | None] = {}
    for c in protocol.constructs:
        combine = Combine.ALL if c.qualifies_when is Qualification.ALL_TARGETS else Combine.ANY
        constructs[c.id] = _kleene([per[t].positive for t in c.targets], combine)
    return AntigenProfile(per, constructs)
