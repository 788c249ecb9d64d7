"""Laboratory units, converted once at the boundary with exact factors.

Every lab value enters dartnk through :func:`to_canonical`, which turns the reported number into
an exact :class:`fractions.Fraction` in the canonical unit of its quantity. Grading then compares
exact rationals, so a value of exactly 1.5 × ULN or exactly 0.5 × 10^9/L lands on the side CTCAE
writes, never on the side a binary rounding error would put it.

Conversion factors (to the canonical unit):

* cell counts, canonical 10^9/L: cells/mm3 = cells/µL = 10^6/L, so × 1/1000; 10^3/µL = 10^9/L.
* haemoglobin and albumin, canonical g/L: g/dL × 10.
* fibrinogen, canonical g/L: mg/dL × 1/100.
* total bilirubin, canonical µmol/L: mg/dL × 17.10 (:data:`BILIRUBIN_UMOL_PER_MG_DL`).
* creatinine, canonical µmol/L: mg/dL × 88.40 (:data:`CREATININE_UMOL_PER_MG_DL`).
* inorganic phosphate, canonical mmol/L: mg/dL × 0.3229 (phosphorus, 30.97 g/mol).
* potassium, sodium, canonical mmol/L: mEq/L × 1 (monovalent ions).
* enzymes, canonical U/L: IU/L × 1.
* calcium mg/dL × 0.2495, magnesium mg/dL × 0.4114 (mEq/L × 1/2), glucose mg/dL × 0.0555,
  cholesterol mg/dL × 0.02586, triglycerides mg/dL × 0.01129, haemoglobin mmol/L × 16.114 g/L
  (:data:`HEMOGLOBIN_G_L_PER_MMOL_L`), uric acid mg/dL × 59.48 µmol/L (168.11 g/mol), haptoglobin
  mg/dL × 1/100 g/L.

Creatinine and bilirubin factors are THE factors of dartnk (eligibility and Cockcroft–Gault use
them too): 1 mg/dL = 10 mg/L = 10 000 / M µmol/L with the molar masses of creatinine
(C4H7N3O, 113.12 g/mol) and bilirubin (C33H36N4O6, 584.66 g/mol), rounded to four significant
figures: 88.40 and 17.10 — the factors of the SI conversion tables and of KDIGO 2012 (creatinine
88.4). The older 88.42 and 17.104 differ in the fourth or fifth figure and are not used.

Where CTCAE prints its own threshold in both units (e.g. corrected calcium "<8.0 mg/dL; <2.0
mmol/L", which are not exactly the same amount), a value reported in one of those units is graded
against CTCAE's threshold in that unit, not a converted one (see ``TermSpec.native_units``).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from enum import Enum
from fractions import Fraction
from typing import Any

from dartnk.errors import InputError


class Quantity(str, Enum):
    """What a lab value measures; each quantity has one canonical unit."""

    CELL_COUNT = "cell_count"
    HEMOGLOBIN = "hemoglobin"
    ALBUMIN = "albumin"
    FIBRINOGEN = "fibrinogen"
    BILIRUBIN = "bilirubin"
    CREATININE = "creatinine"
    PHOSPHATE = "phosphate"
    ELECTROLYTE = "electrolyte"
    ENZYME = "enzyme"
    RATIO = "ratio"
    SECONDS = "seconds"
    CALCIUM = "calcium"
    MAGNESIUM = "magnesium"
    GLUCOSE = "glucose"
    CHOLESTEROL = "cholesterol"
    TRIGLYCERIDES = "triglycerides"
    URIC_ACID = "uric_acid"
    HAPTOGLOBIN = "haptoglobin"
    MILLISECONDS = "milliseconds"
    PERCENT = "percent"


CANONICAL_UNIT: dict[Quantity, str] = {
    Quantity.CELL_COUNT: "10^9/L",
    Quantity.HEMOGLOBIN: "g/L",
    Quantity.ALBUMIN: "g/L",
    Quantity.FIBRINOGEN: "g/L",
    Quantity.BILIRUBIN: "umol/L",
    Quantity.CREATININE: "umol/L",
    Quantity.PHOSPHATE: "mmol/L",
    Quantity.ELECTROLYTE: "mmol/L",
    Quantity.ENZYME: "U/L",
    Quantity.RATIO: "ratio",
    Quantity.SECONDS: "s",
    Quantity.CALCIUM: "mmol/L",
    Quantity.MAGNESIUM: "mmol/L",
    Quantity.GLUCOSE: "mmol/L",
    Quantity.CHOLESTEROL: "mmol/L",
    Quantity.TRIGLYCERIDES: "mmol/L",
    Quantity.URIC_ACID: "umol/L",
    Quantity.HAPTOGLOBIN: "g/L",
    Quantity.MILLISECONDS: "ms",
    Quantity.PERCENT: "%",
}

def si_factor(molar_mass_g_mol: str | Fraction, significant: int = 4) -> Fraction:
    """µmol/L per mg/dL for a substance of molar mass ``molar_mass_g_mol`` (g/mol): 10 000 / M,
    rounded to ``significant`` figures (half-even), exactly."""
    from decimal import ROUND_HALF_EVEN, localcontext

    with localcontext() as ctx:
        ctx.prec, ctx.rounding = significant, ROUND_HALF_EVEN
        return Fraction(+(Decimal(10000) / Decimal(str(molar_mass_g_mol))))


#: Molar mass of creatinine, C4H7N3O (g/mol).
CREATININE_MOLAR_MASS_G_MOL = Fraction("113.12")
#: Molar mass of bilirubin, C33H36N4O6 (g/mol).
BILIRUBIN_MOLAR_MASS_G_MOL = Fraction("584.66")
#: µmol/L per mg/dL of creatinine: 10 000 / 113.12 = 88.40 (4 significant figures; KDIGO 2012: 88.4).
CREATININE_UMOL_PER_MG_DL = si_factor("113.12")
#: µmol/L per mg/dL of total bilirubin: 10 000 / 584.66 = 17.10 (4 significant figures).
BILIRUBIN_UMOL_PER_MG_DL = si_factor("584.66")
#: Molar mass of uric acid, C5H4N4O3 (g/mol).
URIC_ACID_MOLAR_MASS_G_MOL = Fraction("168.11")
#: µmol/L per mg/dL of uric acid: 10 000 / 168.11 = 59.48 (4 significant figures).
URIC_ACID_UMOL_PER_MG_DL = si_factor("168.11")
#: g/L of haemoglobin per mmol/L (haemoglobin monomer, 16 114 g/mol, the unit of mmol/L haemoglobin).
HEMOGLOBIN_G_L_PER_MMOL_L = Fraction("16.114")

_PER_10_9_L = {"10^9/l": Fraction(1), "x10^9/l": Fraction(1), "10e9/l": Fraction(1), "10*9/l": Fraction(1),
               "10^3/ul": Fraction(1), "x10^3/ul": Fraction(1), "10^3/mm3": Fraction(1), "k/ul": Fraction(1),
               "cells/mm3": Fraction(1, 1000), "/mm3": Fraction(1, 1000), "cells/ul": Fraction(1, 1000),
               "/ul": Fraction(1, 1000)}
_GRAMS_PER_L = {"g/l": Fraction(1), "g/dl": Fraction(10)}

#: unit (normalised: lower case, µ → u, no spaces) → factor to the canonical unit, per quantity.
FACTORS: dict[Quantity, dict[str, Fraction]] = {
    Quantity.CELL_COUNT: _PER_10_9_L,
    Quantity.HEMOGLOBIN: {**_GRAMS_PER_L, "mmol/l": HEMOGLOBIN_G_L_PER_MMOL_L},
    Quantity.ALBUMIN: _GRAMS_PER_L,
    Quantity.FIBRINOGEN: {"g/l": Fraction(1), "mg/dl": Fraction(1, 100)},
    Quantity.BILIRUBIN: {"umol/l": Fraction(1), "mg/dl": BILIRUBIN_UMOL_PER_MG_DL},
    Quantity.CREATININE: {"umol/l": Fraction(1), "mg/dl": CREATININE_UMOL_PER_MG_DL,
                           "mmol/l": Fraction(1000)},
    Quantity.PHOSPHATE: {"mmol/l": Fraction(1), "mg/dl": Fraction("0.3229")},
    Quantity.ELECTROLYTE: {"mmol/l": Fraction(1), "meq/l": Fraction(1)},
    Quantity.ENZYME: {"u/l": Fraction(1), "iu/l": Fraction(1)},
    Quantity.RATIO: {"ratio": Fraction(1), "1": Fraction(1), "": Fraction(1), "inr": Fraction(1)},
    Quantity.SECONDS: {"s": Fraction(1), "sec": Fraction(1), "seconds": Fraction(1)},
    Quantity.CALCIUM: {"mmol/l": Fraction(1), "mg/dl": Fraction("0.2495")},
    Quantity.MAGNESIUM: {"mmol/l": Fraction(1), "mg/dl": Fraction("0.4114"), "meq/l": Fraction(1, 2)},
    Quantity.GLUCOSE: {"mmol/l": Fraction(1), "mg/dl": Fraction("0.0555")},
    Quantity.CHOLESTEROL: {"mmol/l": Fraction(1), "mg/dl": Fraction("0.02586")},
    Quantity.TRIGLYCERIDES: {"mmol/l": Fraction(1), "mg/dl": Fraction("0.01129")},
    Quantity.URIC_ACID: {"umol/l": Fraction(1), "mg/dl": URIC_ACID_UMOL_PER_MG_DL, "mmol/l": Fraction(1000)},
    Quantity.HAPTOGLOBIN: {"g/l": Fraction(1), "mg/dl": Fraction(1, 100)},
    Quantity.MILLISECONDS: {"ms": Fraction(1), "msec": Fraction(1), "s": Fraction(1000)},
    Quantity.PERCENT: {"%": Fraction(1), "percent": Fraction(1)},
}


def normalise_unit(unit: str) -> str:
    """``"µmol/L"`` → ``"umol/l"``: lower case, micro sign as ``u``, no spaces."""
    return unit.replace("µ", "u").replace("μ", "u").replace(" ", "").lower()


def accepted_units(quantity: Quantity) -> list[str]:
    """The spellings accepted for a quantity (normalised)."""
    return sorted(k for k in FACTORS[quantity] if k)


def exact(value: Any, field: str) -> Fraction:
    """A reported number as an exact rational of its decimal spelling (``0.1`` is 1/10, not 0.1000…0555).

    Floats are read through their shortest round-trip decimal, so JSON ``1.5`` is exactly 3/2.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal, Fraction)):
        raise InputError.field(field, value, "a number")
    if isinstance(value, Fraction):
        return value
    try:
        dec = Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value))
    except InvalidOperation:
        raise InputError.field(field, value, "a number") from None
    if not dec.is_finite():
        raise InputError.field(field, value, "a finite number")
    return Fraction(dec)


def to_canonical(quantity: Quantity, value: Any, unit: str | None, field: str = "value",
                 unit_field: str = "unit") -> Fraction:
    """``value`` reported in ``unit``, as an exact Fraction in the quantity's canonical unit."""
    factors = FACTORS[quantity]
    key = normalise_unit(unit or "")
    if key not in factors:
        raise InputError.field(unit_field, unit, f"one of {', '.join(accepted_units(quantity))} "
                                                 f"for {quantity.value.replace('_', ' ')}")
    return exact(value, field) * factors[key]


def format_number(x: Fraction) -> str:
    """A readable decimal for reasons: up to 4 significant decimals, no trailing zeros."""
    if x.denominator == 1:
        return str(x.numerator)
    text = f"{float(x):.4f}".rstrip("0").rstrip(".")
    return text
