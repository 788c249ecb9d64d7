"""RECIST 1.1 lesions: baseline target selection and validation, follow-up measurements, sums.

Eisenhauer et al., Eur J Cancer 2009;45:228–247: §3.1 (measurability), §3.2 (target selection),
§3.3 and Appendix II (too small to measure, split and coalesced lesions); RECIST working group
Q&A (recist.eortc.org: "Two target lesions" — all nodes are one organ; "Paired organs" — lung,
kidney, ovaries each count as one organ). Measurements are exact: every diameter becomes a
:class:`fractions.Fraction` of its decimal text, so 30.0% and 20% boundaries are decided exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from fractions import Fraction
from typing import Annotated, Optional

from pydantic import BaseModel, ConfigDict, Field

from dartnk.errors import Problem

# -- named RECIST 1.1 thresholds (mm) ---------------------------------------------------------------
MAX_TARGET_LESIONS = 5               #: §3.2: up to five target lesions in total
MAX_TARGETS_PER_ORGAN = 2            #: §3.2: at most two per organ
MIN_NON_NODAL_MM = Fraction(10)      #: §3.1.1: ≥ 10 mm longest diameter by CT/MRI (slice ≤ 5 mm) or caliper
SLICE_MULTIPLE = 2                   #: §3.1.1: with slices > 5 mm, at least twice the slice thickness
STANDARD_SLICE_MM = Fraction(5)      #: §3.1.1 / Appendix II: the 5 mm slice the 10 mm rule assumes
MIN_CHEST_XRAY_MM = Fraction(20)     #: §3.1.1: ≥ 20 mm on chest X-ray
MIN_TARGET_NODE_MM = Fraction(15)    #: §3.1.1: a node is measurable with short axis ≥ 15 mm
PATHOLOGICAL_NODE_MM = Fraction(10)  #: §3.1.1/§4.3.1: nodes < 10 mm short axis are normal
NODAL_ORGAN = "lymph node"           #: Q&A "Two target lesions": all nodes count as one organ
_PAIRED_WORDS = {"left", "right", "bilateral", "l", "r"}  #: Q&A "Paired organs"

Mm = Annotated[float, Field(ge=0, allow_inf_nan=False)]


def exact(value: float | int | str | Decimal) -> Fraction:
    """The exact value of a decimal measurement (12.3 → 123/10), not its binary approximation."""
    if isinstance(value, float):
        return Fraction(Decimal(repr(value)))
    return Fraction(Decimal(str(value)))


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Method(str, Enum):
    """How a lesion is measured (§3.1.1, §3.2)."""

    CT = "CT"
    MRI = "MRI"
    CALIPER = "caliper"
    CHEST_XRAY = "chest_xray"


class BaselineLesion(_Record):
    """A target lesion at baseline: longest diameter (non-nodal) or short axis (node), in mm."""

    id: str = Field(min_length=1)
    organ: str = Field(min_length=1)
    lymph_node: bool = False
    diameter_mm: Annotated[float, Field(gt=0, allow_inf_nan=False)]
    method: Method = Method.CT
    slice_thickness_mm: Optional[Annotated[float, Field(gt=0, allow_inf_nan=False)]] = None


class LesionStatus(str, Enum):
    """A target lesion's state at a follow-up assessment."""

    MEASURED = "measured"
    DISAPPEARED = "disappeared"           #: recorded as 0 mm (§3.3.1 / Appendix II)
    TOO_SMALL = "too_small"               #: present but too small to measure: settings.too_small_default_mm
    SPLIT = "split"                       #: fragmented: the fragments' longest diameters are summed
    COALESCED = "coalesced"               #: the coalesced mass, measured as one lesion
    COALESCED_INTO = "coalesced_into"     #: merged into another lesion (``into``): recorded as 0 mm
    NOT_EVALUATED = "not_evaluated"


class VisitLesion(_Record):
    """A target lesion at a follow-up assessment."""

    id: str = Field(min_length=1)
    status: LesionStatus = LesionStatus.MEASURED
    diameter_mm: Optional[Mm] = None
    fragments_mm: Optional[list[Mm]] = None
    into: Optional[str] = None


@dataclass(frozen=True)
class Measurement:
    """One target lesion's value at one assessment (None = not evaluated), exact, in mm."""

    lesion_id: str
    lymph_node: bool
    value: Optional[Fraction]
    largest_part: Optional[Fraction] = None  # a split node is normal only if every fragment is < 10 mm

    @property
    def evaluated(self) -> bool:
        return self.value is not None

    @property
    def normal(self) -> bool:
        """Counts towards CR: non-nodal 0 mm; node < 10 mm short axis (§4.3.1)."""
        if self.value is None:
            return False
        if self.lymph_node:
            return (self.largest_part if self.largest_part is not None else self.value) < PATHOLOGICAL_NODE_MM
        return self.value == 0


# -- baseline ---------------------------------------------------------------------------------------
def organ_key(lesion: BaselineLesion) -> str:
    """The organ a lesion counts against for the two-per-organ rule (nodes are one organ)."""
    if lesion.lymph_node:
        return NODAL_ORGAN
    words = lesion.organ.lower().replace("-", " ").replace("_", " ").split()
    return " ".join(w for w in words if w not in _PAIRED_WORDS) or lesion.organ.lower().strip()


def minimum_target_size(lesion: BaselineLesion) -> tuple[Fraction, str]:
    """The smallest measurable size for this lesion and the rule it comes from (§3.1.1)."""
    if lesion.lymph_node:
        return MIN_TARGET_NODE_MM, ("short axis ≥ 15 mm for a target lymph node (RECIST 1.1 §3.1.1; "
                                    "10–<15 mm nodes are non-target, < 10 mm normal)")
    if lesion.method is Method.CHEST_XRAY:
        return MIN_CHEST_XRAY_MM, "longest diameter ≥ 20 mm on chest X-ray (RECIST 1.1 §3.1.1)"
    if lesion.slice_thickness_mm is not None and exact(lesion.slice_thickness_mm) > STANDARD_SLICE_MM:
        need = SLICE_MULTIPLE * exact(lesion.slice_thickness_mm)
        return need, (f"longest diameter ≥ {_mm(need)} mm, twice the {lesion.slice_thickness_mm:g} mm slice "
                      "thickness (RECIST 1.1 §3.1.1)")
    return MIN_NON_NODAL_MM, "longest diameter ≥ 10 mm for a non-nodal target lesion (RECIST 1.1 §3.1.1)"


def baseline_problems(lesions: list[BaselineLesion], field: str) -> list[Problem]:
    """Every violation of the target selection rules (§3.1.1, §3.2), each naming the lesion."""
    out: list[Problem] = []
    if len(lesions) > MAX_TARGET_LESIONS:
        out.append(Problem(field, f"at most {MAX_TARGET_LESIONS} target lesions (RECIST 1.1 §3.2)",
                           f"{len(lesions)} lesions"))
    seen: dict[str, int] = {}
    per_organ: dict[str, list[str]] = {}
    for i, lesion in enumerate(lesions):
        path = f"{field}[{i}]"
        if lesion.id in seen:
            out.append(Problem(f"{path}.id", f"a unique lesion id (also used by {field}[{seen[lesion.id]}])",
                               lesion.id))
        seen.setdefault(lesion.id, i)
        if lesion.lymph_node and lesion.method in (Method.CHEST_XRAY, Method.CALIPER):
            out.append(Problem(f"{path}.method", f"CT or MRI for target lymph node {lesion.id} (RECIST 1.1 §3.1.1)",
                               lesion.method.value))
        need, rule = minimum_target_size(lesion)
        if exact(lesion.diameter_mm) < need:
            out.append(Problem(f"{path}.diameter_mm", f"lesion {lesion.id}: {rule}", lesion.diameter_mm))
        per_organ.setdefault(organ_key(lesion), []).append(lesion.id)
    for organ, ids in per_organ.items():
        if len(ids) > MAX_TARGETS_PER_ORGAN:
            out.append(Problem(field, f"at most {MAX_TARGETS_PER_ORGAN} target lesions per organ (RECIST 1.1 §3.2; "
                                      "all lymph nodes are one organ, paired organs one organ)",
                               f"{len(ids)} in {organ}: {', '.join(ids)}"))
    return out


def baseline_sum(lesions: list[BaselineLesion]) -> Fraction:
    """Sum of diameters at baseline: longest diameters, plus short axes of nodes (§3.2)."""
    return sum((exact(lesion.diameter_mm) for lesion in lesions), Fraction(0))


# -- follow-up --------------------------------------------------------------------------------------
def visit_problems(lesions: list[VisitLesion], baseline: list[BaselineLesion], field: str) -> list[Problem]:
    """Each baseline target lesion once, with the fields its status needs (and no others)."""
    out: list[Problem] = []
    known = {b.id for b in baseline}
    by_id: dict[str, VisitLesion] = {}
    for i, lesion in enumerate(lesions):
        path = f"{field}[{i}]"
        if lesion.id not in known:
            out.append(Problem(f"{path}.id", f"a baseline target lesion id ({', '.join(sorted(known))})", lesion.id))
        elif lesion.id in by_id:
            out.append(Problem(f"{path}.id", "each target lesion once per visit", lesion.id))
        by_id.setdefault(lesion.id, lesion)
        out += _status_problems(lesion, path, lesions)
    missing = [b.id for b in baseline if b.id not in by_id]
    if missing:
        out.append(Problem(field, "every baseline target lesion (use status not_evaluated for one not assessed)",
                           f"missing {', '.join(missing)}"))
    return out


_NEEDS = {
    LesionStatus.MEASURED: ("diameter_mm",),
    LesionStatus.COALESCED: ("diameter_mm",),
    LesionStatus.SPLIT: ("fragments_mm",),
    LesionStatus.COALESCED_INTO: ("into",),
}
_OPTIONAL = {LesionStatus.DISAPPEARED: ("diameter_mm",), LesionStatus.COALESCED_INTO: ("diameter_mm",)}


def _status_problems(lesion: VisitLesion, path: str, lesions: list[VisitLesion]) -> list[Problem]:
    out: list[Problem] = []
    needed = _NEEDS.get(lesion.status, ())
    allowed = set(needed) | set(_OPTIONAL.get(lesion.status, ()))
    for name in ("diameter_mm", "fragments_mm", "into"):
        value = getattr(lesion, name)
        if name in needed and value is None:
            out.append(Problem(f"{path}.{name}", f"required when status is {lesion.status.value}", has_value=False))
        elif name not in allowed and value is not None:
            hint = " (a lesion that can be measured is 'measured', even below 5 mm)" \
                if lesion.status is LesionStatus.TOO_SMALL else ""
            out.append(Problem(f"{path}.{name}", f"no {name} when status is {lesion.status.value}{hint}", value))
    if lesion.status in _OPTIONAL and lesion.diameter_mm not in (None, 0):
        out.append(Problem(f"{path}.diameter_mm", f"0 or absent when status is {lesion.status.value}", lesion.diameter_mm))
    if lesion.status is LesionStatus.SPLIT and lesion.fragments_mm is not None and len(lesion.fragments_mm) < 2:
        out.append(Problem(f"{path}.fragments_mm", "at least 2 fragments for a split lesion (one piece is 'measured')",
                           lesion.fragments_mm))
    if lesion.status is LesionStatus.COALESCED_INTO and lesion.into is not None:
        hosts = [x for x in lesions if x.id == lesion.into]
        if lesion.into == lesion.id or not hosts or hosts[0].status is not LesionStatus.COALESCED:
            out.append(Problem(f"{path}.into", "the id of another target lesion with status coalesced at this visit",
                               lesion.into))
    return out


def measure(lesion: VisitLesion, lymph_node: bool, too_small_mm: Fraction) -> Measurement:
    """The value a lesion contributes to the sum (Appendix II: split → sum of fragments; coalesced
    mass → its diameter, lesions merged into it → 0; too small → default; disappeared → 0)."""
    status = lesion.status
    if status is LesionStatus.NOT_EVALUATED:
        return Measurement(lesion.id, lymph_node, None)
    if status in (LesionStatus.DISAPPEARED, LesionStatus.COALESCED_INTO):
        return Measurement(lesion.id, lymph_node, Fraction(0))
    if status is LesionStatus.TOO_SMALL:
        return Measurement(lesion.id, lymph_node, too_small_mm)
    if status is LesionStatus.SPLIT:
        parts = [exact(x) for x in lesion.fragments_mm or []]
        return Measurement(lesion.id, lymph_node, sum(parts, Fraction(0)), max(parts))
    return Measurement(lesion.id, lymph_node, exact(lesion.diameter_mm))  # measured, coalesced


def _mm(value: Fraction) -> str:
    return f"{float(value):g}"
