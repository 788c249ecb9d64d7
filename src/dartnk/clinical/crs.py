"""ASTCT 2019 consensus grading of cytokine release syndrome (CRS).

Source: Lee DW, Santomasso BD, Locke FL, et al. ASTCT Consensus Grading for Cytokine Release
Syndrome and Neurologic Toxicity Associated with Immune Effector Cells. Biol Blood Marrow
Transplant 2019;25:625–638, Table 4 and its footnotes:

* fever is a temperature ≥ 38.0 °C not attributable to any other cause; once antipyretic or
  anti-cytokine therapy (tocilizumab, steroids) masks it, fever is no longer required and the
  grade is driven by hypotension and/or hypoxia;
* the grade is the more severe of hypotension and hypoxia (grade 1 is fever alone);
* low-flow nasal cannula is oxygen at ≤ 6 L/min (blow-by counts as low flow); high-flow nasal
  cannula is > 6 L/min;
* one vasopressor with or without vasopressin is grade 3; multiple vasopressors excluding
  vasopressin are grade 4 (``multiple_vasopressors`` counts vasopressors other than vasopressin,
  so it stays grade 4 with ``vasopressin_added``; vasopressin as the only vasopressor is one
  vasopressor, grade 3);
* positive pressure (CPAP, BiPAP, intubation and mechanical ventilation) is grade 4;
* grade 5 is death due to CRS in which another cause is not the principal factor.

Organ toxicities associated with CRS are graded by CTCAE v5.0 and do not change the CRS grade.
"""

from __future__ import annotations

from enum import Enum
from fractions import Fraction
from typing import Optional

from pydantic import BaseModel, ConfigDict, Field, model_validator

from dartnk.clinical.ctcae import Grading
from dartnk.clinical.units import exact, format_number

SOURCE = "ASTCT 2019 (Lee et al., Table 4)"

#: Lee 2019 Table 4: "Fever is defined as temperature ≥38°C".
FEVER_MIN_C = Fraction(38)
#: Lee 2019 Table 4 footnote: "Low-flow nasal cannula is defined as oxygen delivered at ≤6 L/minute".
LOW_FLOW_MAX_L_MIN = Fraction(6)


class Hypotension(str, Enum):
    NONE = "none"
    NOT_REQUIRING_VASOPRESSORS = "not_requiring_vasopressors"
    ONE_VASOPRESSOR = "one_vasopressor"
    MULTIPLE_VASOPRESSORS = "multiple_vasopressors"


class OxygenSupport(str, Enum):
    NONE = "none"
    LOW_FLOW_NASAL_CANNULA = "low_flow_nasal_cannula"
    BLOW_BY = "blow_by"
    HIGH_FLOW_NASAL_CANNULA = "high_flow_nasal_cannula"
    FACEMASK = "facemask"
    NON_REBREATHER = "non_rebreather"
    VENTURI = "venturi"
    CPAP = "cpap"
    BIPAP = "bipap"
    MECHANICAL_VENTILATION = "mechanical_ventilation"


#: Lee 2019 Table 4, hypotension row (grade 1 has none).
HYPOTENSION_GRADE: dict[Hypotension, int] = {
    Hypotension.NONE: 0,
    Hypotension.NOT_REQUIRING_VASOPRESSORS: 2,
    Hypotension.ONE_VASOPRESSOR: 3,          # "requiring a vasopressor with or without vasopressin"
    Hypotension.MULTIPLE_VASOPRESSORS: 4,    # "requiring multiple vasopressors (excluding vasopressin)"
}

#: Lee 2019 Table 4, hypoxia row.
OXYGEN_GRADE: dict[OxygenSupport, int] = {
    OxygenSupport.NONE: 0,
    OxygenSupport.LOW_FLOW_NASAL_CANNULA: 2,
    OxygenSupport.BLOW_BY: 2,
    OxygenSupport.HIGH_FLOW_NASAL_CANNULA: 3,
    OxygenSupport.FACEMASK: 3,
    OxygenSupport.NON_REBREATHER: 3,
    OxygenSupport.VENTURI: 3,
    OxygenSupport.CPAP: 4,
    OxygenSupport.BIPAP: 4,
    OxygenSupport.MECHANICAL_VENTILATION: 4,
}

_NASAL_CANNULA = (OxygenSupport.LOW_FLOW_NASAL_CANNULA, OxygenSupport.HIGH_FLOW_NASAL_CANNULA)

_HYPOTENSION_WORDS = {
    Hypotension.NOT_REQUIRING_VASOPRESSORS: "hypotension not requiring vasopressors",
    Hypotension.ONE_VASOPRESSOR: "hypotension requiring one vasopressor",
    Hypotension.MULTIPLE_VASOPRESSORS: "hypotension requiring multiple vasopressors (excluding vasopressin)",
}


class CrsAssessment(BaseModel):
    """One CRS assessment (the JSON record of ``dartnk grade crs``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    temperature_c: Optional[float] = Field(default=None, ge=25, le=45, description="highest temperature, °C")
    fever_masked: bool = Field(default=False, description="fever masked by antipyretic or anti-cytokine therapy "
                                                          "(tocilizumab, steroids) given for CRS")
    hypotension: Hypotension = Hypotension.NONE
    vasopressin_added: bool = Field(default=False, description="vasopressin given in addition to the vasopressor(s)")
    oxygen: OxygenSupport = OxygenSupport.NONE
    oxygen_flow_l_min: Optional[float] = Field(default=None, ge=0, description="oxygen flow, L/min")
    death_due_to_crs: bool = False

    @model_validator(mode="after")
    def _consistent(self) -> "CrsAssessment":
        if self.oxygen_flow_l_min is not None and self.oxygen is OxygenSupport.NONE:
            raise ValueError("oxygen_flow_l_min is given but oxygen is none")
        if self.temperature_c is None and not self.fever_masked and not self.death_due_to_crs:
            raise ValueError("temperature_c is required unless fever_masked is true")
        return self


def oxygen_grade(a: CrsAssessment) -> tuple[int, str]:
    """The hypoxia grade and its wording; a nasal cannula's flow decides low (≤ 6 L/min) or high (> 6)."""
    device = a.oxygen
    if device in _NASAL_CANNULA and a.oxygen_flow_l_min is not None:
        flow = exact(a.oxygen_flow_l_min, "oxygen_flow_l_min")
        high = flow > LOW_FLOW_MAX_L_MIN
        kind = "high-flow (> 6 L/min)" if high else "low-flow (≤ 6 L/min)"
        return (3 if high else 2), f"hypoxia requiring nasal cannula at {format_number(flow)} L/min, {kind}"
    if device is OxygenSupport.NONE:
        return 0, "no hypoxia"
    return OXYGEN_GRADE[device], f"hypoxia requiring {device.value.replace('_', ' ')}"


def grade_crs(assessment: CrsAssessment) -> Grading:
    """Grade CRS by the ASTCT 2019 consensus (Lee et al. 2019, Table 4)."""
    a = assessment
    if a.death_due_to_crs:
        return Grading(grade=5, reason=f"CRS grade 5: death due to CRS ({SOURCE})")
    fever = a.temperature_c is not None and exact(a.temperature_c, "temperature_c") >= FEVER_MIN_C
    temp = "" if a.temperature_c is None else f"{format_number(exact(a.temperature_c, 'temperature_c'))} °C"
    hypotension = a.hypotension
    if a.vasopressin_added and HYPOTENSION_GRADE[hypotension] < HYPOTENSION_GRADE[Hypotension.ONE_VASOPRESSOR]:
        hypotension = Hypotension.ONE_VASOPRESSOR   # vasopressin alone is one vasopressor
    hyp = HYPOTENSION_GRADE[hypotension]
    oxy, oxy_words = oxygen_grade(a)
    if not fever and not a.fever_masked:
        extra = " (hypotension and hypoxia do not grade CRS without fever)" if hyp or oxy else ""
        return Grading(grade=0, reason=f"no CRS: temperature {temp} < 38.0 °C and fever not masked by "
                                       f"antipyretic or anti-cytokine therapy{extra} ({SOURCE})")
    fever_words = f"fever {temp} ≥ 38.0 °C" if fever else "fever masked by antipyretic/anti-cytokine therapy"
    grade = max(1, hyp, oxy)
    parts = [fever_words]
    if hyp:
        words = _HYPOTENSION_WORDS[hypotension]
        if a.vasopressin_added:
            words = "hypotension requiring vasopressin alone (one vasopressor)" if hypotension is not a.hypotension \
                else words + " with vasopressin"
        parts.append(f"{words} (grade {hyp})")
    if oxy:
        parts.append(f"{oxy_words} (grade {oxy})")
    if grade == 1:
        decided = "fever without hypotension or hypoxia" if fever else (
            "CRS with fever masked by treatment, without hypotension or hypoxia")
    else:
        deciding = [name for name, g in (("hypotension", hyp), ("hypoxia", oxy)) if g == grade]
        decided = "most severe of hypotension and hypoxia: " + " and ".join(deciding)
    return Grading(grade=grade, reason=f"CRS grade {grade}: {decided}; " + "; ".join(parts) + f" ({SOURCE})")
