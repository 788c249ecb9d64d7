"""A patient's screening record: the facts the eligibility criteria are evaluated on.

Every field is optional: a field left out is *missing* and makes the criteria that need it
undetermined (``met: null``), never silently met. Laboratory results carry their unit and the
site's normal limits; they are converted once, here, to the unit a criterion states
(:func:`lab_in_unit`). Exposures that exclude "within N months" take a date or ``"never"``.

Units: weight kg, height cm, LVEF %, steroid doses mg/day, life expectancy weeks.
"""

from __future__ import annotations

from datetime import date
from enum import Enum
from fractions import Fraction
from typing import Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from dartnk.clinical.units import BILIRUBIN_UMOL_PER_MG_DL, CREATININE_UMOL_PER_MG_DL, HEMOGLOBIN_G_L_PER_MMOL_L
from dartnk.errors import InputError, problems_from_pydantic

NEVER = "never"


class Sex(str, Enum):
    """Sex assigned at birth, as used by Cockcroft–Gault (× 0.85 for female) and Devine's ideal weight."""

    FEMALE = "female"
    MALE = "male"


class CnsStatus(str, Enum):
    """Brain/leptomeningeal disease at screening (registry exclusion 1)."""

    NONE = "none"
    TREATED_STABLE = "treated_stable"
    ACTIVE = "active"
    UNCONTROLLED = "uncontrolled"
    LEPTOMENINGEAL = "leptomeningeal"


# -- laboratory catalogue: each lab's quantity and the units accepted for it ----------------------
# Factors convert *to* the canonical unit of the quantity (exact rationals). The creatinine,
# bilirubin and haemoglobin factors are dartnk's single source of truth in
# :mod:`dartnk.clinical.units` (molar masses 113.12 and 584.66 g/mol → 88.40 and 17.10 µmol/L
# per mg/dL; haemoglobin 16.114 g/L per mmol/L), shared with CTCAE grading.
_CELLS = {"10^9/L": Fraction(1), "x10^9/L": Fraction(1), "10^3/uL": Fraction(1), "10^3/µL": Fraction(1),
          "10^3/mm3": Fraction(1), "cells/mm3": Fraction(1, 1000), "/mm3": Fraction(1, 1000),
          "cells/uL": Fraction(1, 1000), "cells/µL": Fraction(1, 1000), "/uL": Fraction(1, 1000),
          "/µL": Fraction(1, 1000), "10^6/L": Fraction(1, 1000)}
_CREATININE = {"mg/dL": Fraction(1), "umol/L": 1 / CREATININE_UMOL_PER_MG_DL, "µmol/L": 1 / CREATININE_UMOL_PER_MG_DL,
               "mmol/L": 1000 / CREATININE_UMOL_PER_MG_DL}
_BILIRUBIN = {"mg/dL": Fraction(1), "umol/L": 1 / BILIRUBIN_UMOL_PER_MG_DL, "µmol/L": 1 / BILIRUBIN_UMOL_PER_MG_DL}
_ENZYME = {"U/L": Fraction(1), "IU/L": Fraction(1), "ukat/L": Fraction(60), "µkat/L": Fraction(60)}
_HEMOGLOBIN = {"g/dL": Fraction(1), "g/L": Fraction(1, 10), "mmol/L": HEMOGLOBIN_G_L_PER_MMOL_L / 10}

LAB_UNITS: dict[str, dict[str, Fraction]] = {
    "anc": _CELLS, "platelets": _CELLS, "wbc": _CELLS, "lymphocytes": _CELLS,
    "hemoglobin": _HEMOGLOBIN, "creatinine": _CREATININE, "bilirubin": _BILIRUBIN,
    "ast": _ENZYME, "alt": _ENZYME, "alkaline_phosphatase": _ENZYME,
}
"""Lab ids a record may carry, each with its accepted units and factor to the first (canonical) unit."""


def exact(x: float | int) -> Fraction:
    """The decimal a user wrote, as an exact rational (``1.2`` is 6/5, not 1.19999…)."""
    return Fraction(repr(x)) if isinstance(x, float) else Fraction(x)


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LabResult(_Record):
    """One laboratory value with its unit; ``lln``/``uln`` are the site's normal limits in the same unit."""

    value: float = Field(ge=0)
    unit: str
    lln: Optional[float] = Field(default=None, ge=0)
    uln: Optional[float] = Field(default=None, gt=0)


class SteroidDose(_Record):
    """One systemic corticosteroid taken daily (chronic use), converted to prednisone equivalents."""

    agent: Literal["prednisone", "prednisolone", "methylprednisolone", "dexamethasone", "hydrocortisone",
                   "cortisone", "betamethasone", "triamcinolone"]
    mg_day: float = Field(ge=0)


# Equipotent anti-inflammatory doses, mg (prednisone 5 mg = …), as the US prescribing information of
# prednisolone states them ("15 mg prednisolone = 75 mg cortisone = 60 mg hydrocortisone = 15 mg
# prednisone = 12 mg methylprednisolone = 12 mg triamcinolone = 2.25 mg dexamethasone = 2.25 mg
# betamethasone"); some tables give betamethasone 0.6 mg.
PREDNISONE_EQUIVALENT_MG: dict[str, Fraction] = {
    "prednisone": Fraction(5), "prednisolone": Fraction(5), "methylprednisolone": Fraction(4),
    "dexamethasone": Fraction("0.75"), "hydrocortisone": Fraction(20), "cortisone": Fraction(25),
    "betamethasone": Fraction("0.75"), "triamcinolone": Fraction(4),
}


class ScreeningRecord(_Record):
    """What the site knows about a patient at screening (every field optional; missing → undetermined)."""

    patient_id: Optional[str] = None
    # demographics -------------------------------------------------------------------------------
    consent_date: Optional[date] = None
    birth_date: Optional[date] = None
    age_years: Optional[int] = Field(default=None, ge=0, le=130, description="age at consent, when no birth date")
    sex: Optional[Sex] = None
    weight_kg: Optional[float] = Field(default=None, gt=0, le=500)
    height_cm: Optional[float] = Field(default=None, gt=0, le=300)
    # disease ------------------------------------------------------------------------------------
    ecog: Optional[int] = Field(default=None, ge=0, le=5)
    histology: Optional[str] = Field(default=None, description="e.g. small_cell_lung_cancer")
    stage: Optional[str] = Field(default=None, description="e.g. extensive, metastatic, unresectable, limited")
    prior_systemic_regimens: Optional[int] = Field(default=None, ge=0)
    prior_platinum: Optional[bool] = None
    platinum_contraindicated: Optional[bool] = None
    measurable_disease: Optional[bool] = Field(default=None, description="≥ 1 measurable lesion per RECIST 1.1")
    cns_metastases: Optional[CnsStatus] = None
    life_expectancy_weeks: Optional[float] = Field(default=None, ge=0)
    tumour_tissue_available: Optional[bool] = None
    liver_metastases: Optional[bool] = Field(default=None, description="for protocols allowing higher AST/ALT")
    gilbert_syndrome: Optional[bool] = Field(default=None, description="for protocols allowing higher bilirubin")
    # laboratory and cardiac ---------------------------------------------------------------------
    labs: dict[str, LabResult] = Field(default_factory=dict)
    measured_creatinine_clearance_ml_min: Optional[float] = Field(default=None, ge=0,
        description="measured (e.g. 24-hour urine) creatinine clearance, mL/min")
    lvef_percent: Optional[float] = Field(default=None, ge=0, le=100)
    # exposures: a date, or "never" ----------------------------------------------------------------
    prior_gene_modified_cell_therapy_date: Optional[date | Literal["never"]] = None
    allogeneic_hsct_date: Optional[date | Literal["never"]] = None
    myocardial_infarction_date: Optional[date | Literal["never"]] = None
    prior_confounding_target_therapy: Optional[bool] = None
    # conditions ---------------------------------------------------------------------------------
    active_gvhd: Optional[bool] = None
    active_uncontrolled_infection: Optional[bool] = None
    uncontrolled_arrhythmia: Optional[bool] = None
    autoimmune_disease_requiring_systemic_immunosuppression: Optional[bool] = None
    corticosteroid_prednisone_mg_day: Optional[float] = Field(default=None, ge=0,
        description="chronic systemic corticosteroid dose already in prednisone equivalents, mg/day")
    corticosteroids: Optional[tuple[SteroidDose, ...]] = Field(default=None,
        description="chronic systemic corticosteroids by agent (converted); [] means none")
    corticosteroid_physiologic_replacement: Optional[bool] = None
    concurrent_malignancy_requiring_treatment: Optional[bool] = None
    pregnant_or_breastfeeding: Optional[bool] = None
    childbearing_potential: Optional[bool] = Field(default=None, description="can become pregnant (pregnancy test applies)")
    reproductive_potential: Optional[bool] = Field(default=None,
        description="can conceive or father a child (contraception applies); true whenever childbearing_potential is")
    pregnancy_test_negative: Optional[bool] = None
    agrees_to_contraception: Optional[bool] = None
    unsafe_per_investigator: Optional[bool] = None

    @field_validator("labs")
    @classmethod
    def _known_labs(cls, labs: dict[str, LabResult]) -> dict[str, LabResult]:
        for name, lab in labs.items():
            if name not in LAB_UNITS:
                raise ValueError(f"lab '{name}' is not one of {', '.join(LAB_UNITS)}")
            if lab.unit not in LAB_UNITS[name]:
                raise ValueError(f"labs.{name}.unit '{lab.unit}' is not one of {', '.join(LAB_UNITS[name])}")
        return labs

    @model_validator(mode="after")
    def _consistent(self) -> "ScreeningRecord":
        if self.birth_date and self.consent_date and self.birth_date > self.consent_date:
            raise ValueError("birth_date must be on or before consent_date")
        if self.childbearing_potential is True and self.reproductive_potential is False:
            raise ValueError("reproductive_potential cannot be false for a person of childbearing potential")
        if self.corticosteroids is not None and self.corticosteroid_prednisone_mg_day is not None:
            raise ValueError("give corticosteroids or corticosteroid_prednisone_mg_day, not both")
        for name in ("prior_gene_modified_cell_therapy_date", "allogeneic_hsct_date", "myocardial_infarction_date"):
            when = getattr(self, name)
            if isinstance(when, date) and self.consent_date and when > self.consent_date:
                raise ValueError(f"{name} ({when}) must be on or before consent_date ({self.consent_date})")
        return self

    # -- derived facts ---------------------------------------------------------------------------
    def prednisone_mg_day(self) -> Fraction | None:
        """Total chronic corticosteroid dose in prednisone equivalents (mg/day), or None if unknown."""
        if self.corticosteroid_prednisone_mg_day is not None:
            return exact(self.corticosteroid_prednisone_mg_day)
        if self.corticosteroids is None:
            return None
        return sum((exact(s.mg_day) * 5 / PREDNISONE_EQUIVALENT_MG[s.agent] for s in self.corticosteroids), Fraction(0))

    def fact(self, name: str) -> tuple[bool | None, str]:
        """A yes/no fact named by the protocol, and the record field(s) it comes from."""
        if name in DERIVED_FACTS:
            return DERIVED_FACTS[name](self)
        field = type(self).model_fields.get(name)
        if field is None or field.annotation != Optional[bool]:
            raise KeyError(name)
        return getattr(self, name), name


def _active_cns(r: ScreeningRecord) -> tuple[bool | None, str]:
    if r.cns_metastases is None:
        return None, "cns_metastases"
    return r.cns_metastases in (CnsStatus.ACTIVE, CnsStatus.UNCONTROLLED, CnsStatus.LEPTOMENINGEAL), "cns_metastases"


def _not_applicable_or(flag: str):
    """Facts that apply only to persons of childbearing potential."""

    def fact(r: ScreeningRecord) -> tuple[bool | None, str]:
        if r.childbearing_potential is False:
            return True, "childbearing_potential"
        value = getattr(r, flag)
        if r.childbearing_potential is None:
            return (False, flag) if value is False else (None, "childbearing_potential")
        return value, flag

    return fact


def _contraception(r: ScreeningRecord) -> tuple[bool | None, str]:
    """Contraception applies to persons who can conceive or father a child."""
    applies = r.reproductive_potential
    if applies is None and r.childbearing_potential:
        applies = True
    if applies is False:
        return True, "reproductive_potential"
    if applies is None:
        return (False, "agrees_to_contraception") if r.agrees_to_contraception is False else (None, "reproductive_potential")
    return r.agrees_to_contraception, "agrees_to_contraception"


DERIVED_FACTS = {
    "active_cns_metastases": _active_cns,
    "pregnancy_test_negative_or_not_applicable": _not_applicable_or("pregnancy_test_negative"),
    "agrees_to_contraception_or_not_applicable": _contraception,
}
"""Facts computed from several fields (the protocol's ``flag`` criteria may name these)."""


def lab_in_unit(lab_id: str, lab: LabResult, unit: str) -> Fraction:
    """The lab's value converted exactly to ``unit`` (a unit of the same lab in :data:`LAB_UNITS`)."""
    table = LAB_UNITS[lab_id]
    return exact(lab.value) * table[lab.unit] / table[unit]


def parse_screening_record(data: Any, prefix: str = "") -> ScreeningRecord:
    """Validate a JSON object as a :class:`ScreeningRecord`; errors name the field path."""
    if not isinstance(data, dict):
        raise InputError.field(prefix or "record", type(data).__name__, "a JSON object (a screening record)")
    _check_lab_names(data.get("labs"), f"{prefix}.labs" if prefix else "labs")
    try:
        return ScreeningRecord.model_validate(data)
    except ValidationError as exc:
        raise InputError(problems_from_pydantic(exc, prefix)) from None


def _check_lab_names(labs: Any, path: str) -> None:
    """Unknown lab ids and units, reported at their own field path (labs.sodium, labs.anc.unit)."""
    if not isinstance(labs, dict):
        return
    for name, lab in labs.items():
        if name not in LAB_UNITS:
            raise InputError.field(f"{path}.{name}", name, f"a lab id ({', '.join(LAB_UNITS)})")
        unit = lab.get("unit") if isinstance(lab, dict) else None
        if isinstance(unit, str) and unit not in LAB_UNITS[name]:
            raise InputError.field(f"{path}.{name}.unit", unit, f"a unit of {name} ({', '.join(LAB_UNITS[name])})")


# -- age at consent --------------------------------------------------------------------------------
def age_at(birth: date, on: date, leap_day_birthday: str = "march_1") -> int:
    """Completed years of age on ``on`` (exact birthday arithmetic).

    A 29 February birthday falls on 1 March of a non-leap year (``march_1``) or on 28 February.
    """
    years = on.year - birth.year
    month, day = birth.month, birth.day
    if (month, day) == (2, 29) and not _leap(on.year):
        month, day = (3, 1) if leap_day_birthday == "march_1" else (2, 28)
    return years - 1 if (on.month, on.day) < (month, day) else years


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def record_age(record: ScreeningRecord, leap_day_birthday: str) -> tuple[int | None, str]:
    """The age at consent (years) and where it came from; None with the missing field named."""
    if record.birth_date is not None and record.consent_date is None:
        return (None, "consent_date") if record.age_years is None else (record.age_years, "age_years")
    if record.birth_date is not None:
        age = age_at(record.birth_date, record.consent_date, leap_day_birthday)
        if record.age_years is not None and record.age_years != age:
            raise InputError.field("age_years", record.age_years,
                                   f"the age at consent from birth_date and consent_date ({age})")
        return age, f"birth date {record.birth_date}, consent {record.consent_date}"
    if record.age_years is not None:
        return record.age_years, "age_years"
    return None, "birth_date and consent_date (or age_years)"
