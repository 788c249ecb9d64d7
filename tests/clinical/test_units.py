"""Unit conversion at the boundary: exact factors (see dartnk.clinical.units)."""

from __future__ import annotations

from fractions import Fraction

import pytest

from dartnk.clinical.units import Quantity, exact, format_number, to_canonical
from dartnk.errors import InputError


@pytest.mark.parametrize("quantity,value,unit,expected", [
    (Quantity.CELL_COUNT, 1500, "cells/mm3", Fraction(3, 2)),       # 1500/mm3 = 1.5 x 10^9/L
    (Quantity.CELL_COUNT, 500, "/uL", Fraction(1, 2)),
    (Quantity.CELL_COUNT, 75, "10^3/uL", Fraction(75)),
    (Quantity.CELL_COUNT, 0.5, "10^9/L", Fraction(1, 2)),
    (Quantity.HEMOGLOBIN, 8.0, "g/dL", Fraction(80)),              # g/dL x 10 = g/L
    (Quantity.BILIRUBIN, 1, "mg/dL", Fraction("17.10")),           # 10 000 / 584.66 g/mol = 17.10 umol/L
    (Quantity.CREATININE, 1.5, "mg/dL", Fraction("132.6")),        # 1.5 x 10 000 / 113.12 g/mol (88.40) umol/L
    (Quantity.PHOSPHATE, 2.5, "mg/dL", Fraction("0.80725")),       # phosphate mg/dL x 0.3229 = mmol/L
    (Quantity.FIBRINOGEN, 50, "mg/dL", Fraction(1, 2)),            # 50 mg/dL = 0.5 g/L
    (Quantity.ELECTROLYTE, 3.0, "mEq/L", Fraction(3)),
    (Quantity.BILIRUBIN, 20, "µmol/L", Fraction(20)),
    (Quantity.BILIRUBIN, 20, "μmol/L", Fraction(20)),
])
def test_conversions_are_exact(quantity, value, unit, expected):
    assert to_canonical(quantity, value, unit) == expected


def test_floats_read_as_their_decimal_spelling():
    assert exact(0.1, "x") == Fraction(1, 10)
    assert exact(1.5, "x") * exact(1.2, "x") == Fraction(9, 5)   # float 1.5*1.2 is 1.7999999999999998
    assert exact("2.10", "x") == Fraction(21, 10)


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), "abc", True, None, [1]])
def test_bad_numbers(bad):
    with pytest.raises(InputError):
        exact(bad, "value")


def test_unknown_unit_names_field_and_choices():
    with pytest.raises(InputError) as e:
        to_canonical(Quantity.CREATININE, 1, "mg/L", unit_field="unit")
    assert e.value.field_path == "unit" and "mg/dl" in str(e.value) and "umol/l" in str(e.value)


def test_format_number():
    assert format_number(Fraction(3, 2)) == "1.5"
    assert format_number(Fraction(80)) == "80"


# --- one source of truth for the SI conversion factors (second reading, open point 1) -----------------
def test_creatinine_and_bilirubin_factors_come_from_the_molar_masses():
    # creatinine C4H7N3O 113.12 g/mol, bilirubin C33H36N4O6 584.66 g/mol: 1 mg/dL = 10 000 / M umol/L,
    # to 4 significant figures: 88.40 and 17.10 (KDIGO 2012 prints 88.4; 88.42 / 17.104 are not used)
    from dartnk.clinical import units

    assert units.CREATININE_UMOL_PER_MG_DL == Fraction("88.4")
    assert units.BILIRUBIN_UMOL_PER_MG_DL == Fraction("17.1")
    assert abs(10000 / units.CREATININE_MOLAR_MASS_G_MOL - units.CREATININE_UMOL_PER_MG_DL) < Fraction(1, 200)
    assert abs(10000 / units.BILIRUBIN_MOLAR_MASS_G_MOL - units.BILIRUBIN_UMOL_PER_MG_DL) < Fraction(1, 200)


def test_every_module_uses_the_units_factors():
    from dartnk.clinical import creatinine_clearance as cg, units
    from dartnk.clinical.screening_record import LAB_UNITS
    from dartnk.protocol import default_protocol

    assert cg.CREATININE_UMOL_PER_MG_DL == units.CREATININE_UMOL_PER_MG_DL
    assert 1 / LAB_UNITS["creatinine"]["umol/L"] == units.CREATININE_UMOL_PER_MG_DL
    assert 1 / LAB_UNITS["bilirubin"]["umol/L"] == units.BILIRUBIN_UMOL_PER_MG_DL
    assert LAB_UNITS["hemoglobin"]["mmol/L"] * 10 == units.HEMOGLOBIN_G_L_PER_MMOL_L
    # the eligibility setting's default (protocol model and shipped YAML) is the units value
    from dartnk.protocol.eligibility import CreatinineClearance
    assert Fraction(str(CreatinineClearance.model_fields["creatinine_umol_per_mg_dl"].default)) \
        == units.CREATININE_UMOL_PER_MG_DL
    crcl = [c for c in default_protocol().eligibility.inclusion if c.check == "creatinine_clearance"]
    assert crcl and all(Fraction(str(c.creatinine_umol_per_mg_dl)) == units.CREATININE_UMOL_PER_MG_DL for c in crcl)


def test_creatinine_mmol_per_l_accepted_for_grading():
    assert to_canonical(Quantity.CREATININE, "0.0884", "mmol/L") == Fraction("88.4")
