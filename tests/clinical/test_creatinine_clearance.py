"""Cockcroft–Gault creatinine clearance (Cockcroft & Gault, Nephron 1976;16:31–41) and Devine weights."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, strategies as st

from dartnk.clinical.creatinine_clearance import (WeightBasis, creatinine_clearance, dosing_weight_kg, serum_creatinine_mg_dl,
                                                  ideal_body_weight_kg)
from dartnk.errors import InputError


def test_formula_male_and_female():
    # Cockcroft & Gault 1976, eq.: (140 − age) × kg / (72 × SCr mg/dL); × 0.85 for women
    assert creatinine_clearance(age_years=40, sex="male", weight_kg=72, serum_creatinine_mg_dl=1.0).ml_min == 100
    assert creatinine_clearance(age_years=40, sex="female", weight_kg=72, serum_creatinine_mg_dl=1.0).ml_min == 85
    # worked example (MDCalc Cockcroft–Gault): 50-year-old man, 80 kg, SCr 1.2 → 83.3 mL/min
    c = creatinine_clearance(age_years=50, sex="male", weight_kg=80, serum_creatinine_mg_dl=1.2)
    assert c.ml_min == Fraction(250, 3) and round(float(c), 1) == 83.3


def test_exact_boundary_is_exact():
    # (140 − 65) × 48 / (72 × 1.0) = 50 exactly; female: (140 − 55) × 72 × 0.85 / (72 × 1.445) = 50
    assert creatinine_clearance(age_years=65, sex="male", weight_kg=48, serum_creatinine_mg_dl=1.0).ml_min == 50
    assert creatinine_clearance(age_years=55, sex="female", weight_kg=72, serum_creatinine_mg_dl=1.445).ml_min == 50


def test_devine_ideal_body_weight():
    # Devine 1974: 50 kg (male) / 45.5 kg (female) + 2.3 kg per inch over 5 ft; 5'10" = 177.8 cm
    assert ideal_body_weight_kg("male", 177.8) == 73
    assert ideal_body_weight_kg("female", 162.56) == Fraction("54.7")   # 5'4"
    assert ideal_body_weight_kg("male", 152.4) == 50                    # exactly 5 ft
    assert ideal_body_weight_kg("female", 147.32) == Fraction("40.9")   # 4'10": applied linearly below 5 ft


@pytest.mark.parametrize("basis,expected", [
    (WeightBasis.ACTUAL, Fraction(100)),
    (WeightBasis.IDEAL, Fraction(73)),
    (WeightBasis.ADJUSTED, Fraction(73) + Fraction(2, 5) * 27),   # IBW + 0.4 × (ABW − IBW) = 83.8
    (WeightBasis.LOWER_OF_ACTUAL_AND_IDEAL, Fraction(73)),
])
def test_weight_bases(basis, expected):
    assert dosing_weight_kg(basis, "male", 100, 177.8) == expected


def test_lower_of_actual_and_ideal_takes_actual_when_lighter():
    assert dosing_weight_kg("lower_of_actual_and_ideal", "male", 60, 177.8) == 60


def test_clearance_uses_the_chosen_weight():
    c = creatinine_clearance(age_years=68, sex="male", weight_kg=100, height_cm=177.8, serum_creatinine_mg_dl=1.0,
                             weight="ideal")
    assert c.ml_min == Fraction(72 * 73, 72) and c.weight_kg == 73


def test_height_needed_for_ideal_weight():
    with pytest.raises(InputError, match="height_cm"):
        creatinine_clearance(age_years=60, sex="male", weight_kg=80, serum_creatinine_mg_dl=1, weight="ideal")


@pytest.mark.parametrize("kwargs,field", [
    (dict(age_years=60, sex="other", weight_kg=80, serum_creatinine_mg_dl=1), "sex"),
    (dict(age_years=60, sex="male", weight_kg=80, serum_creatinine_mg_dl=0), "serum_creatinine_mg_dl"),
    (dict(age_years=60, sex="male", weight_kg=0, serum_creatinine_mg_dl=1), "weight_kg"),
])
def test_bad_inputs_name_the_field(kwargs, field):
    with pytest.raises(InputError, match=field):
        creatinine_clearance(**kwargs)


@given(age=st.integers(18, 100), kg=st.floats(30, 200), scr=st.floats(0.2, 10))
def test_properties(age, kg, scr):
    male = creatinine_clearance(age_years=age, sex="male", weight_kg=kg, serum_creatinine_mg_dl=scr).ml_min
    female = creatinine_clearance(age_years=age, sex="female", weight_kg=kg, serum_creatinine_mg_dl=scr).ml_min
    assert female == male * Fraction(85, 100)
    older = creatinine_clearance(age_years=age + 1, sex="male", weight_kg=kg, serum_creatinine_mg_dl=scr).ml_min
    assert older < male


def test_si_constants_formula():
    # SI form (BNF): (140 − age) × kg × 1.23 / SCr µmol/L (male), × 1.04 (female)
    c = creatinine_clearance(age_years=40, sex="male", weight_kg=72, serum_creatinine_mg_dl=1.0, formula="si_constants")
    assert c.ml_min == Fraction(100 * 72) * Fraction("1.23") / Fraction("88.4")
    assert round(float(c), 2) == 100.18
    f = creatinine_clearance(age_years=40, sex="female", weight_kg=72, serum_creatinine_mg_dl=1.0, formula="si_constants")
    assert f.ml_min == Fraction(100 * 72) * Fraction("1.04") / Fraction("88.4")


def test_creatinine_unit_factor():
    assert serum_creatinine_mg_dl(88.4, "umol/L") == 1
    assert serum_creatinine_mg_dl(88.42, "µmol/L", 88.42) == 1
    assert serum_creatinine_mg_dl(0.0884, "mmol/L") == 1
    with pytest.raises(InputError, match="unit"):
        serum_creatinine_mg_dl(1, "mg/L")


def test_minimum_serum_creatinine_rounding():
    low = dict(age_years=40, sex="male", weight_kg=72, serum_creatinine_mg_dl=0.5)
    assert creatinine_clearance(**low).ml_min == 200
    rounded = creatinine_clearance(**low, min_serum_creatinine_mg_dl=1.0)
    assert rounded.ml_min == 100 and "rounded up" in rounded.describe()
    assert creatinine_clearance(**{**low, "serum_creatinine_mg_dl": 1.2}, min_serum_creatinine_mg_dl=1.0).ml_min == Fraction(250, 3)


def test_sex_enum_accepted():
    from dartnk.clinical.screening_record import Sex

    assert creatinine_clearance(age_years=40, sex=Sex.FEMALE, weight_kg=72, serum_creatinine_mg_dl=1).ml_min == 85
    assert ideal_body_weight_kg(Sex.MALE, 177.8) == 73
