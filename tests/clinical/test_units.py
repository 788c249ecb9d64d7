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
    (Quantity.BILIRUBIN, 1, "mg/dL", Fraction("17.104")),          # bilirubin mg/dL x 17.104 = umol/L
    (Quantity.CREATININE, 1.5, "mg/dL", Fraction("132.63")),       # creatinine mg/dL x 88.42 = umol/L
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
        to_canonical(Quantity.CREATININE, 1, "mmol/L", unit_field="unit")
    assert e.value.field_path == "unit" and "mg/dl" in str(e.value) and "umol/l" in str(e.value)


def test_format_number():
    assert format_number(Fraction(3, 2)) == "1.5"
    assert format_number(Fraction(80)) == "80"
