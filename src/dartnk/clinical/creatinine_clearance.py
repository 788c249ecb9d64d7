"""Creatinine clearance by Cockcroft–Gault, with the body-weight choices protocols make.

Cockcroft DW, Gault MH. Prediction of creatinine clearance from serum creatinine. Nephron
1976;16:31–41:

    CrCl (mL/min) = (140 − age) × weight (kg) / (72 × serum creatinine (mg/dL)),  × 0.85 if female.

Weight is the actual body weight, Devine's ideal body weight (Devine BJ, Drug Intell Clin Pharm
1974;8:650: 50 kg (male) or 45.5 kg (female) + 2.3 kg per inch of height over 5 feet, applied
linearly below 5 feet too), the adjusted body weight (IBW + 0.4 × (actual − IBW)), or the lower of
actual and ideal. All arithmetic is exact (rationals), so a clearance of exactly 50 mL/min is 50.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from fractions import Fraction

from dartnk.clinical.units import CREATININE_UMOL_PER_MG_DL as UNITS_CREATININE_UMOL_PER_MG_DL
from dartnk.errors import InputError

CM_PER_INCH = Fraction("2.54")
INCHES_FIVE_FEET = 60
FEMALE_FACTOR = Fraction("0.85")
DEVINE_BASE_KG = {"male": Fraction(50), "female": Fraction("45.5")}
DEVINE_KG_PER_INCH = Fraction("2.3")
ADJUSTED_FRACTION = Fraction("0.4")


class WeightBasis(str, Enum):
    """Which body weight enters the Cockcroft–Gault numerator (a protocol setting)."""

    ACTUAL = "actual"
    IDEAL = "ideal"
    ADJUSTED = "adjusted"
    LOWER_OF_ACTUAL_AND_IDEAL = "lower_of_actual_and_ideal"


@dataclass(frozen=True)
class Clearance:
    """A creatinine clearance (mL/min, exact) and how it was obtained."""

    ml_min: Fraction
    weight_kg: Fraction | None
    basis: str
    notes: str = ""

    def __float__(self) -> float:
        return float(self.ml_min)

    def describe(self) -> str:
        if self.weight_kg is None:
            return f"{float(self.ml_min):.1f} mL/min ({self.basis})"
        return (f"{float(self.ml_min):.1f} mL/min (Cockcroft–Gault, {self.basis} weight "
                f"{float(self.weight_kg):.1f} kg{self.notes})")


def _q(x: float | int | Fraction) -> Fraction:
    if isinstance(x, Fraction):
        return x
    return Fraction(repr(x)) if isinstance(x, float) else Fraction(x)


def ideal_body_weight_kg(sex: str, height_cm: float | Fraction) -> Fraction:
    """Devine ideal body weight (kg): 50 (male) / 45.5 (female) + 2.3 per inch over 60 inches."""
    sex = str(getattr(sex, "value", sex)).lower()
    if sex not in DEVINE_BASE_KG:
        raise InputError.field("sex", sex, "female or male")
    inches = _q(height_cm) / CM_PER_INCH
    return DEVINE_BASE_KG[sex] + DEVINE_KG_PER_INCH * (inches - INCHES_FIVE_FEET)


def dosing_weight_kg(basis: WeightBasis | str, sex: str, weight_kg: float | Fraction,
                     height_cm: float | Fraction | None = None) -> Fraction:
    """The body weight (kg) the protocol's ``basis`` prescribes; height is needed for all but actual."""
    basis = WeightBasis(basis)
    actual = _q(weight_kg)
    if basis is WeightBasis.ACTUAL:
        return actual
    if height_cm is None:
        raise InputError.field("height_cm", None, f"a height in cm (needed for {basis.value} body weight)")
    ideal = ideal_body_weight_kg(sex, height_cm)
    if basis is WeightBasis.IDEAL:
        return ideal
    if basis is WeightBasis.ADJUSTED:
        return ideal + ADJUSTED_FRACTION * (actual - ideal)
    return min(actual, ideal)


CREATININE_UMOL_PER_MG_DL = UNITS_CREATININE_UMOL_PER_MG_DL
"""µmol/L per mg/dL of creatinine: 10 000 / 113.12 g/mol = 88.40 (:mod:`dartnk.clinical.units`, the one source)."""
SI_CONSTANTS = {"male": Fraction("1.23"), "female": Fraction("1.04")}
"""The SI rewriting of Cockcroft–Gault: CrCl = (140 − age) × kg × K / SCr (µmol/L) (BNF, eMIMS)."""


class Formula(str, Enum):
    CONVENTIONAL = "conventional"
    SI_CONSTANTS = "si_constants"


def serum_creatinine_mg_dl(value: float | Fraction, unit: str,
                           umol_per_mg_dl: float | Fraction = CREATININE_UMOL_PER_MG_DL) -> Fraction:
    """Serum creatinine in mg/dL from mg/dL, µmol/L (umol/L) or mmol/L, with the given factor."""
    v, factor = _q(value), _q(umol_per_mg_dl)
    per = {"mg/dL": Fraction(1), "umol/L": 1 / factor, "µmol/L": 1 / factor, "mmol/L": 1000 / factor}
    if unit not in per:
        raise InputError.field("unit", unit, f"a creatinine unit ({', '.join(per)})")
    return v * per[unit]


def creatinine_clearance(*, age_years: int, sex: str, weight_kg: float, serum_creatinine_mg_dl: float | Fraction,
                         height_cm: float | None = None, weight: WeightBasis | str = WeightBasis.ACTUAL,
                         formula: Formula | str = Formula.CONVENTIONAL,
                         umol_per_mg_dl: float | Fraction = CREATININE_UMOL_PER_MG_DL,
                         min_serum_creatinine_mg_dl: float | Fraction | None = None) -> Clearance:
    """Cockcroft–Gault creatinine clearance (mL/min) from age (years), sex, weight (kg) and SCr (mg/dL).

    ``weight`` chooses actual, ideal (Devine), adjusted or the lower of actual and ideal body weight;
    ``formula`` the 1976 conventional form (72, × 0.85) or the SI constants (1.23 / 1.04 over µmol/L);
    ``min_serum_creatinine_mg_dl`` rounds a lower SCr up first (a protocol choice; none by default).
    """
    sex = str(getattr(sex, "value", sex)).lower()
    if age_years < 0:
        raise InputError.field("age_years", age_years, "a non-negative age in years")
    if sex not in DEVINE_BASE_KG:
        raise InputError.field("sex", sex, "female or male")
    scr = _q(serum_creatinine_mg_dl)
    if scr <= 0:
        raise InputError.field("serum_creatinine_mg_dl", float(scr), "a serum creatinine > 0 mg/dL")
    if _q(weight_kg) <= 0:
        raise InputError.field("weight_kg", weight_kg, "a weight > 0 kg")
    basis, formula = WeightBasis(weight), Formula(formula)
    kg = dosing_weight_kg(basis, sex, weight_kg, height_cm)
    if kg <= 0:
        raise InputError.field("height_cm", height_cm, f"a height giving a positive {basis.value} body weight")
    floor = "" if min_serum_creatinine_mg_dl is None or scr >= _q(min_serum_creatinine_mg_dl) else \
        f", SCr rounded up to {float(min_serum_creatinine_mg_dl):g} mg/dL"
    if floor:
        scr = _q(min_serum_creatinine_mg_dl)
    if formula is Formula.CONVENTIONAL:
        value = (140 - _q(age_years)) * kg / (72 * scr)
        if sex == "female":
            value *= FEMALE_FACTOR
    else:
        value = (140 - _q(age_years)) * kg * SI_CONSTANTS[sex] / (scr * _q(umol_per_mg_dl))
    note = "" if formula is Formula.CONVENTIONAL else ", SI constants"
    return Clearance(ml_min=value, weight_kg=kg, basis=basis.value.replace("_", " "), notes=note + floor)
