"""Eligibility criteria as data; each criterion is one typed check with its thresholds.

Thresholds follow the registry record of NCT07480213. Every criterion has an ``id`` (stable, used in
reports and the API) and the ``text`` shown to investigators.
"""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Literal, Union

from pydantic import Field

from dartnk.protocol.base import ProtocolModel


class CriterionKind(str, Enum):
    INCLUSION = "inclusion"
    EXCLUSION = "exclusion"


class _Criterion(ProtocolModel):
    id: str
    text: str


class AgeRange(_Criterion):
    check: Literal["age_range"]
    min_years: int = Field(ge=0)
    max_years: int = Field(ge=0)


class Histology(_Criterion):
    check: Literal["histology"]
    allowed: tuple[str, ...] = Field(min_length=1)
    allowed_stages: tuple[str, ...] = Field(min_length=1)


class PriorTherapy(_Criterion):
    check: Literal["prior_therapy"]
    min_regimens: int = Field(ge=0)
    platinum_required: bool = True
    platinum_waived_if_contraindicated: bool = True


class MeasurableDisease(_Criterion):
    check: Literal["measurable_disease"]


class Ecog(_Criterion):
    check: Literal["ecog"]
    max_score: int = Field(ge=0, le=5)


class LabMinimum(_Criterion):
    """Lab value ≥ ``minimum`` in ``unit`` (converted from the record's unit)."""

    check: Literal["lab_min"]
    lab: str
    minimum: float
    unit: str


class UlnAllowance(ProtocolModel):
    """A higher limit for patients with a named condition (e.g. AST ≤ 5 × ULN with liver metastases,
    bilirubin ≤ 3 × ULN with Gilbert's syndrome, common in oncology protocols)."""

    fact: str = Field(description="a yes/no fact of the screening record, e.g. liver_metastases, gilbert_syndrome")
    max_x_uln: float = Field(gt=0)


class LabMaxUln(_Criterion):
    """Lab value ≤ ``max_x_uln`` × the site's upper limit of normal (or an allowance's higher limit)."""

    check: Literal["lab_max_uln"]
    lab: str
    max_x_uln: float = Field(gt=0)
    allowances: tuple[UlnAllowance, ...] = Field(default=(),
        description="higher limits for named conditions; none in the registry record")


class CreatinineClearance(_Criterion):
    """Cockcroft–Gault creatinine clearance ≥ ``min_ml_min`` (Cockcroft & Gault, Nephron 1976;16:31)."""

    check: Literal["creatinine_clearance"]
    min_ml_min: float = Field(gt=0)
    weight: Literal["actual", "ideal", "adjusted", "lower_of_actual_and_ideal"] = "actual"
    measured_overrides: bool = Field(default=True, description="a measured (24-h urine) clearance, when given, is used instead")
    formula: Literal["conventional", "si_constants"] = Field(default="conventional",
        description="conventional: SCr in mg/dL over 72 (× 0.85 female), the 1976 paper; si_constants: SCr in "
                    "µmol/L with the rounded constants 1.23 (male) / 1.04 (female) used in UK and Australian practice")
    creatinine_umol_per_mg_dl: float = Field(default=88.4, gt=0,
        description="µmol/L per mg/dL of creatinine used to read a µmol/L or mmol/L creatinine into Cockcroft–Gault. "
                    "Default 88.4 = 10 000 / 113.12 g/mol (C4H7N3O), the value of dartnk.clinical.units."
                    "CREATININE_UMOL_PER_MG_DL (one source of truth, pinned by a test) and of KDIGO 2012; a protocol "
                    "whose laboratory uses another factor (e.g. 88.42) sets it here")
    min_serum_creatinine_mg_dl: float | None = Field(default=None, gt=0,
        description="a lower SCr is rounded up to this value before the formula (e.g. 0.7 or 1.0 in some "
                    "oncology protocols); null: no rounding, as in Cockcroft & Gault 1976")


class Lvef(_Criterion):
    check: Literal["lvef"]
    min_percent: float = Field(gt=0, le=100)


class LifeExpectancy(_Criterion):
    check: Literal["life_expectancy"]
    min_weeks: int = Field(ge=0)


class Flag(_Criterion):
    """A yes/no fact of the record; the criterion is met when the fact equals ``required``."""

    check: Literal["flag"]
    fact: str
    required: bool


class WithinMonths(_Criterion):
    """An exposure (e.g. prior cellular therapy) must not have occurred within ``months`` before consent."""

    check: Literal["not_within_months"]
    fact: str
    months: int = Field(ge=0)


class SteroidDose(_Criterion):
    check: Literal["steroid_dose"]
    max_prednisone_mg_day: float = Field(ge=0)


Criterion = Annotated[
    Union[AgeRange, Histology, PriorTherapy, MeasurableDisease, Ecog, LabMinimum, LabMaxUln,
          CreatinineClearance, Lvef, LifeExpectancy, Flag, WithinMonths, SteroidDose],
    Field(discriminator="check"),
]


class Eligibility(ProtocolModel):
    """The criteria, and the date conventions they are evaluated with.

    Ages are whole years of exact birthday arithmetic at the consent date (75 years and 364 days is
    75). "Within N months" counts calendar months back from the consent date; a month-end consent
    date maps to the last day of the shorter month (31 August − 6 months = 28/29 February), and an
    event exactly N months before consent is *not* within N months.
    """

    inclusion: tuple[Criterion, ...] = Field(min_length=1)
    exclusion: tuple[Criterion, ...] = ()
    leap_day_birthday: Literal["march_1", "february_28"] = Field(default="march_1",
        description="in a non-leap year, a 29 February birthday is reached on 1 March (English common-law "
                    "and ISO-age convention) or on 28 February (the alternative some jurisdictions use)")
