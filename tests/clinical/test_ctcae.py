"""CTCAE v5.0 lab grading.

Every expected grade below is read from NCI CTCAE v5.0 (27 Nov 2017), the term's row, and the
boundaries are tested on both sides: CTCAE ranges "<1.0 - 0.5" include 0.5 in the grade and put
values below it in the next grade; ">3.0 - 5.0 x ULN" excludes 3.0 × ULN and includes 5.0 × ULN.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dartnk.clinical.ctcae import grade_ctcae, known_terms
from dartnk.clinical.ctcae_table import CRITERIA, TERMS, Direction
from dartnk.errors import InputError

G = grade_ctcae


def grade(*args, **kw) -> int:
    return grade_ctcae(*args, **kw).grade


# --- Blood counts (CTCAE v5.0, Investigations: Neutrophil/Platelet/Lymphocyte/WBC decreased) ---

@pytest.mark.parametrize("value,unit,lln,expected", [
    # Neutrophil count decreased: G1 <LLN-1.5; G2 <1.5-1.0; G3 <1.0-0.5; G4 <0.5 x 10e9/L
    (2.0, "10^9/L", 2.0, 0), (1.9, "10^9/L", 2.0, 1), (1.5, "10^9/L", 2.0, 1), (1.49, "10^9/L", 2.0, 2),
    (1.0, "10^9/L", 2.0, 2), (0.99, "10^9/L", 2.0, 3), (0.5, "10^9/L", 2.0, 3), (0.49, "10^9/L", 2.0, 4),
    (0.0, "10^9/L", 2.0, 4),
    # same in cells/mm3: <500/mm3 is grade 4, 500/mm3 is grade 3
    (500, "cells/mm3", 2000, 3), (499, "cells/mm3", 2000, 4), (1000, "cells/mm3", 2000, 2),
    (1500, "cells/mm3", 2000, 1), (1499, "/uL", 2000, 2), (1.0, "10^3/uL", 2.0, 2),
])
def test_neutrophils(value, unit, lln, expected):
    assert grade("Neutrophil count decreased", value, unit, lln=lln) == expected


@pytest.mark.parametrize("value,expected", [
    # Platelet count decreased: G1 <LLN-75.0; G2 <75.0-50.0; G3 <50.0-25.0; G4 <25.0 x 10e9/L
    (150, 0), (149.9, 1), (75, 1), (74.9, 2), (50, 2), (49.9, 3), (25, 3), (24.9, 4),
])
def test_platelets(value, expected):
    assert grade("Platelet count decreased", value, "10^9/L", lln=150) == expected


def test_platelets_per_mm3_boundary():
    # CTCAE v5.0: "<LLN - 75,000/mm3" is grade 1, so exactly 75,000/mm3 is grade 1
    assert grade("Platelet count decreased", 75000, "cells/mm3", lln=150000) == 1
    assert grade("Platelet count decreased", 74999, "cells/mm3", lln=150000) == 2


@pytest.mark.parametrize("term,bounds", [
    # Lymphocyte count decreased: <LLN-0.8; <0.8-0.5; <0.5-0.2; <0.2 x 10e9/L
    ("Lymphocyte count decreased", (0.8, 0.5, 0.2)),
    # White blood cell decreased: <LLN-3.0; <3.0-2.0; <2.0-1.0; <1.0 x 10e9/L
    ("White blood cell decreased", (3.0, 2.0, 1.0)),
])
def test_lymphocytes_and_wbc(term, bounds):
    lln = 4.0
    for g, b in enumerate(bounds, start=1):
        assert grade(term, b, "10^9/L", lln=lln) == g          # boundary belongs to the milder grade
        assert grade(term, b - 0.001, "10^9/L", lln=lln) == g + 1


# --- Anemia (CTCAE v5.0, Blood and lymphatic system disorders) ---

@pytest.mark.parametrize("value,unit,expected", [
    # G1 <LLN - 10.0 g/dL; G2 <10.0 - 8.0 g/dL; G3 <8.0 g/dL
    (12.0, "g/dL", 0), (11.9, "g/dL", 1), (10.0, "g/dL", 1), (9.99, "g/dL", 2), (8.0, "g/dL", 2),
    (7.99, "g/dL", 3), (100, "g/L", 1), (99, "g/L", 2), (80, "g/L", 2), (79, "g/L", 3),
])
def test_anemia(value, unit, expected):
    lln = 12.0 if unit == "g/dL" else 120
    assert grade("Anemia", value, unit, lln=lln) == expected


def test_anemia_clinical_alternatives():
    # G3 "...; transfusion indicated"; G4 "Life-threatening consequences; urgent intervention indicated"
    assert grade("Anemia", 8.5, "g/dL", lln=12, transfusion_indicated=True) == 3
    assert grade("Anemia", 8.5, "g/dL", lln=12, life_threatening=True) == 4
    assert grade("Anemia", 13, "g/dL", lln=12, life_threatening=True) == 0  # no anemia, no AE
    r = G("Anemia", 7.5, "g/dL", lln=12)
    assert r.grade == 3 and "grade 4 if life-threatening" in r.reason


# --- Liver (CTCAE v5.0: ALT/AST increased, Blood bilirubin increased, ALP, GGT) ---

@pytest.mark.parametrize("term", ["Alanine aminotransferase increased", "Aspartate aminotransferase increased"])
@pytest.mark.parametrize("value,expected", [
    # baseline normal: G1 >ULN-3.0xULN; G2 >3.0-5.0xULN; G3 >5.0-20.0xULN; G4 >20.0xULN (ULN 40)
    (40, 0), (40.1, 1), (120, 1), (120.1, 2), (200, 2), (200.1, 3), (800, 3), (800.1, 4),
])
def test_transaminases_baseline_normal(term, value, expected):
    assert grade(term, value, "U/L", uln=40) == expected
    assert grade(term, value, "U/L", uln=40, baseline=30) == expected


@pytest.mark.parametrize("value,expected", [
    # baseline abnormal (60 > ULN 40): G1 1.5-3.0 x baseline (inclusive 1.5); G2 >3.0-5.0; G3 >5.0-20.0; G4 >20
    (89.9, 0), (90, 1), (180, 1), (180.1, 2), (300, 2), (300.1, 3), (1200, 3), (1200.1, 4),
])
def test_alt_baseline_abnormal(value, expected):
    assert grade("Alanine aminotransferase increased", value, "U/L", uln=40, baseline=60) == expected


def test_alt_exact_boundary_with_inexact_binary_uln():
    # 3 * 0.7 == 2.0999999999999996 in binary floating point; CTCAE grade 1 includes exactly 3.0 x ULN
    assert grade("Alanine aminotransferase increased", 2.1, "U/L", uln=0.7) == 1
    assert grade("Alanine aminotransferase increased", 2.1000001, "U/L", uln=0.7) == 2


@pytest.mark.parametrize("term", ["Alkaline phosphatase increased", "GGT increased"])
def test_alp_ggt(term):
    # G1 >ULN-2.5xULN / 2.0-2.5 x baseline; G2 >2.5-5.0; G3 >5.0-20.0; G4 >20.0
    assert grade(term, 250, "U/L", uln=100) == 1
    assert grade(term, 250.1, "U/L", uln=100) == 2
    assert grade(term, 2000.1, "U/L", uln=100) == 4
    assert grade(term, 300, "U/L", uln=100, baseline=150) == 1     # exactly 2.0 x baseline
    assert grade(term, 299, "U/L", uln=100, baseline=150) == 0


@pytest.mark.parametrize("value,expected", [
    # baseline normal: G1 >ULN-1.5xULN; G2 >1.5-3.0; G3 >3.0-10.0; G4 >10.0 (ULN 1.2 mg/dL)
    (1.2, 0), (1.21, 1), (1.8, 1), (1.81, 2), (3.6, 2), (3.61, 3), (12, 3), (12.01, 4),
])
def test_bilirubin(value, expected):
    # 1.5 * 1.2 == 1.7999999999999998 in floating point: exactness decides 1.8 → grade 1
    assert grade("Blood bilirubin increased", value, "mg/dL", uln=1.2) == expected


def test_bilirubin_baseline_abnormal_and_units():
    # baseline abnormal: G1 >1.0-1.5 x baseline (exclusive at 1.0), G2 >1.5-3.0 x baseline
    assert grade("Blood bilirubin increased", 2.0, "mg/dL", uln=1.2, baseline=2.0) == 0
    assert grade("Blood bilirubin increased", 2.01, "mg/dL", uln=1.2, baseline=2.0) == 1
    assert grade("Blood bilirubin increased", 3.01, "mg/dL", uln=1.2, baseline=2.0) == 2
    # the same values in umol/L (x 17.10, units.BILIRUBIN_UMOL_PER_MG_DL) grade the same
    assert grade("Blood bilirubin increased", 34.2, "umol/L", uln=20.52) == 2
    assert grade("Blood bilirubin increased", 30.7872, "µmol/L", uln=20.5248) == 1   # 1.5 x ULN exactly


@pytest.mark.parametrize("value,baseline,expected", [
    # G1 >ULN-1.5xULN; G2 >1.5-3.0 x baseline; >1.5-3.0xULN; G3 >3.0 x baseline; >3.0-6.0xULN; G4 >6.0xULN
    (1.1, None, 0), (1.2, None, 1), (1.65, None, 1), (1.66, None, 2), (3.3, None, 2), (3.31, None, 3),
    (6.6, None, 3), (6.61, None, 4),
    (1.0, 0.6, 2),          # > 1.5 x baseline although below ULN
    (0.9, 0.6, 0),          # exactly 1.5 x baseline: not > 1.5
    (2.1, 0.7, 2),          # exactly 3.0 x baseline (3 * 0.7 is inexact in binary): still grade 2
    (2.11, 0.7, 3),
])
def test_creatinine(value, baseline, expected):
    assert grade("Creatinine increased", value, "mg/dL", uln=1.1, baseline=baseline) == expected


def test_creatinine_units_are_equivalent():
    # 1 mg/dL = 88.40 umol/L (units.CREATININE_UMOL_PER_MG_DL)
    assert grade("Creatinine increased", 146.744, "umol/L", uln=97.24) == 2
    assert grade("Creatinine increased", 583.44, "umol/L", uln=97.24) == 3


# --- Coagulation (CTCAE v5.0: Fibrinogen decreased, INR increased, aPTT prolonged) ---

@pytest.mark.parametrize("value,expected", [
    # G1 <1.0-0.75xLLN; G2 <0.75-0.5xLLN; G3 <0.5-0.25xLLN; G4 <0.25xLLN (LLN 2.0 g/L)
    (2.0, 0), (1.99, 1), (1.5, 1), (1.49, 2), (1.0, 2), (0.99, 3), (0.5, 3), (0.49, 4),
])
def test_fibrinogen(value, expected):
    assert grade("Fibrinogen decreased", value, "g/L", lln=2.0) == expected


def test_fibrinogen_absolute_and_mg_dl():
    # G4 "absolute value <50 mg/dL": with LLN 150 mg/dL, 45 mg/dL is 0.3 x LLN (grade 3) but < 50 mg/dL
    assert grade("Fibrinogen decreased", 45, "mg/dL", lln=150) == 4
    assert grade("Fibrinogen decreased", 50, "mg/dL", lln=150) == 3
    assert grade("Fibrinogen decreased", 0.45, "g/L", lln=1.5) == 4


def test_fibrinogen_abnormal_baseline_uses_percent_decrease():
    # "if abnormal, <25% decrease from baseline" (G1), "25 - <50%" (G2), "50 - <75%" (G3), "75%" (G4)
    kw = dict(lln=2.0, baseline=1.6)
    # the "<1.0 - 0.75 x LLN" alternative has no baseline condition (unlike AST/ALT's "if baseline was
    # normal"): an unchanged value below the LLN is still grade 1 (admiral ncictcaev5.json agrees)
    assert grade("Fibrinogen decreased", 1.6, "g/L", **kw) == 1
    assert grade("Fibrinogen decreased", 1.7, "g/L", **kw) == 1      # above baseline, still < LLN
    assert grade("Fibrinogen decreased", 1.5, "g/L", **kw) == 1
    assert grade("Fibrinogen decreased", 1.2, "g/L", **kw) == 2      # exactly 25 %
    assert grade("Fibrinogen decreased", 0.8, "g/L", **kw) == 3      # exactly 50 %
    assert grade("Fibrinogen decreased", 0.4, "g/L", **kw) == 4      # 75 % (and < 50 mg/dL)


def test_fibrinogen_lln_rows_apply_with_an_abnormal_baseline():
    # CTCAE v5.0 Fibrinogen decreased: "<0.75 - 0.5 x LLN; if abnormal, 25 - <50% decrease from baseline"
    # are alternatives (";" = or). Baseline 1.8 g/L (< LLN 2.0), value 1.4 g/L: only 22 % below baseline
    # (grade 1 by the % rows) but < 0.75 x LLN = 1.5 → grade 2 (second reading fix; admiral agrees)
    kw = dict(lln=2.0, baseline=1.8)
    assert grade("Fibrinogen decreased", 1.4, "g/L", **kw) == 2
    assert grade("Fibrinogen decreased", 0.95, "g/L", **kw) == 3     # < 0.5 x LLN (47 % decrease: grade 2)
    assert grade("Fibrinogen decreased", 0.45, "g/L", **kw) == 4     # 75 % decrease and < 50 mg/dL


@pytest.mark.parametrize("value,expected", [
    # G1 >1.2-1.5; G2 >1.5-2.5; G3 >2.5 (no grade 4)
    (1.2, 0), (1.21, 1), (1.5, 1), (1.51, 2), (2.5, 2), (2.51, 3), (8.0, 3),
])
def test_inr(value, expected):
    assert grade("INR increased", value, None) == expected
    assert grade("INR increased", value, "ratio") == expected


def test_inr_on_anticoagulation_uses_baseline():
    # ">1 - 1.5 x baseline if on anticoagulation" (G1), ">1.5 - 2.5 x baseline" (G2), ">2.5 x baseline" (G3)
    kw = dict(baseline=2.0, on_anticoagulation=True)
    assert grade("INR increased", 2.0, None, **kw) == 0
    assert grade("INR increased", 2.6, None, **kw) == 1
    assert grade("INR increased", 3.0, None, **kw) == 1
    assert grade("INR increased", 3.1, None, **kw) == 2
    assert grade("INR increased", 5.01, None, **kw) == 3
    # without a baseline the absolute scale applies, and the reason says so
    r = G("INR increased", 2.6, None, on_anticoagulation=True)
    assert r.grade == 3 and "baseline not given" in r.reason


def test_aptt():
    # G1 >ULN-1.5xULN; G2 >1.5-2.5xULN; G3 >2.5xULN
    t = "Activated partial thromboplastin time prolonged"
    assert [grade(t, v, "s", uln=40) for v in (40, 60, 60.1, 100, 100.1)] == [0, 1, 2, 2, 3]


# --- Electrolytes (CTCAE v5.0, Metabolism and nutrition disorders) ---

@pytest.mark.parametrize("value,symptomatic,expected", [
    # G1 <LLN-3.0; G2 symptomatic with <LLN-3.0; G3 <3.0-2.5; G4 <2.5 mmol/L
    (3.5, None, 0), (3.4, None, 1), (3.0, None, 1), (3.0, True, 2), (2.99, None, 3), (2.5, None, 3),
    (2.49, None, 4), (3.2, False, 1),
])
def test_hypokalemia(value, symptomatic, expected):
    assert grade("Hypokalemia", value, "mmol/L", lln=3.5, symptomatic=symptomatic) == expected


def test_hypokalemia_reason_names_what_grade_2_needs():
    r = G("Hypokalemia", 3.2, "mEq/L", lln=3.5)
    assert r.grade == 1 and "grade 2 if symptomatic" in r.reason
    assert grade("Hypokalemia", 3.2, "mmol/L", lln=3.5, intervention_indicated=True) == 2


@pytest.mark.parametrize("value,symptomatic,expected", [
    # G1 <LLN-130; G2 125-129 asymptomatic; G3 125-129 symptomatic, 120-124; G4 <120 mmol/L
    (135, None, 0), (134, None, 1), (130, None, 1), (129, None, 2), (129.9, None, 2), (125, None, 2),
    (125, True, 3), (129, True, 3), (124, None, 3), (120, None, 3), (119, None, 4), (130, True, 1),
])
def test_hyponatremia(value, symptomatic, expected):
    assert grade("Hyponatremia", value, "mmol/L", lln=135, symptomatic=symptomatic) == expected


def test_hyperkalemia_and_hypernatremia():
    # Hyperkalemia G1 >ULN-5.5; G2 >5.5-6.0; G3 >6.0-7.0; G4 >7.0
    assert [grade("Hyperkalemia", v, "mmol/L", uln=5.0) for v in (5.0, 5.5, 5.51, 6.0, 6.01, 7.0, 7.01)] == \
        [0, 1, 2, 2, 3, 3, 4]
    # Hypernatremia G1 >ULN-150; G2 >150-155; G3 >155-160; G4 >160
    assert [grade("Hypernatremia", v, "mmol/L", uln=145) for v in (145, 150, 151, 155, 156, 160, 161)] == \
        [0, 1, 2, 2, 3, 3, 4]


def test_hypophosphatemia_is_clinical_above_grade_1():
    # CTCAE v5.0: G1 "Laboratory finding only and intervention not indicated"; G2 "Oral replacement
    # therapy indicated"; G3 hospitalization; G4 life-threatening (no numeric thresholds in v5.0)
    assert grade("Hypophosphatemia", 0.81, "mmol/L", lln=0.81) == 0
    r = G("Hypophosphatemia", 0.3, "mmol/L", lln=0.81)
    assert r.grade == 1 and "clinical criteria" in r.reason
    assert grade("Hypophosphatemia", 2.0, "mg/dL", lln=2.5, intervention_indicated=True) == 2
    assert grade("Hypophosphatemia", 2.0, "mg/dL", lln=2.5, hospitalization_indicated=True) == 3
    assert grade("Hypophosphatemia", 2.0, "mg/dL", lln=2.5, life_threatening=True) == 4


def test_hypoalbuminemia():
    # G1 <LLN-3 g/dL; G2 <3-2 g/dL; G3 <2 g/dL
    assert [grade("Hypoalbuminemia", v, "g/dL", lln=3.5) for v in (3.5, 3.0, 2.99, 2.0, 1.99)] == [0, 1, 2, 2, 3]


def test_lipase_depends_on_symptoms():
    # G2 >1.5-2.0xULN; >2.0-5.0xULN asymptomatic; G3 >2.0-5.0 with symptoms; >5.0 asymptomatic; G4 >5.0 with symptoms
    assert grade("Lipase increased", 150, "U/L", uln=60) == 2
    assert grade("Lipase increased", 150, "U/L", uln=60, symptomatic=True) == 3
    assert grade("Lipase increased", 301, "U/L", uln=60) == 3
    assert grade("Lipase increased", 301, "U/L", uln=60, symptomatic=True) == 4


def test_hemoglobin_increased():
    # G1 increase >0-2 g/dL above ULN; G2 >2-4; G3 >4
    assert [grade("Hemoglobin increased", v, "g/dL", uln=16) for v in (16, 18, 18.1, 20, 20.1)] == [0, 1, 2, 2, 3]


# --- Errors ---

def test_unknown_term_lists_known_terms():
    with pytest.raises(InputError) as e:
        G("Neutropenia", 0.4, "10^9/L")
    assert e.value.field_path == "term" and "Neutrophil count decreased" in str(e.value)


def test_term_spelling_forgives_case_only():
    assert grade("neutrophil count DECREASED", 0.4, "10^9/L") == 4


@pytest.mark.parametrize("term,value,kw,field", [
    ("Neutrophil count decreased", 1.7, {}, "lln"),
    ("Alanine aminotransferase increased", 50, {}, "uln"),
    ("Creatinine increased", 1.0, {"baseline": 0.5}, "uln"),
    ("Alanine aminotransferase increased", 50, {"baseline": 40}, "uln"),
])
def test_missing_limit_is_named(term, value, kw, field):
    unit = "10^9/L" if "Neutrophil" in term else ("mg/dL" if "Creatinine" in term else "U/L")
    with pytest.raises(InputError) as e:
        G(term, value, unit, **kw)
    assert e.value.field_path == field


def test_missing_lln_not_needed_when_value_decides():
    assert grade("Neutrophil count decreased", 1.2, "10^9/L") == 2


def test_bad_unit_and_value():
    with pytest.raises(InputError) as e:
        G("Anemia", 7, "mg/dL", lln=12)
    assert e.value.field_path == "unit" and "g/dl" in str(e.value)
    with pytest.raises(InputError) as e:
        G("Anemia", -1, "g/dL", lln=12)
    assert e.value.field_path == "value"


def test_every_term_has_rows_and_texts():
    for spec in TERMS:
        rows = [c for c in CRITERIA if c.term == spec.term]
        assert rows, spec.term
        assert {c.grade for c in rows} <= set(spec.grade_text), spec.term
    assert len(known_terms()) == len(TERMS)


# --- Properties ---

_LOW = [t.term for t in TERMS if t.direction is Direction.LOW]
_HIGH = [t.term for t in TERMS if t.direction is Direction.HIGH and t.term != "INR increased"]
_UNIT = {"Anemia": "g/L", "Hemoglobin increased": "g/L", "Hypoalbuminemia": "g/L", "Fibrinogen decreased": "g/L",
         "Blood bilirubin increased": "umol/L", "Creatinine increased": "umol/L",
         "Activated partial thromboplastin time prolonged": "s"}


def _unit(term: str) -> str:
    from dartnk.clinical.ctcae import term_spec
    from dartnk.clinical.units import CANONICAL_UNIT

    return _UNIT.get(term, CANONICAL_UNIT[term_spec(term).quantity])


values = st.floats(min_value=0, max_value=1000, allow_nan=False)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(_LOW), values, values, st.booleans())
def test_low_terms_grade_is_monotone(term, a, b, symptomatic):
    """A lower value never has a lower grade (CTCAE grades of 'decreased' terms)."""
    lo, hi = sorted((a, b))
    kw = dict(lln=140.0, symptomatic=symptomatic)
    assert grade(term, lo, _unit(term), **kw) >= grade(term, hi, _unit(term), **kw)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(_HIGH), values, values, st.one_of(st.none(), st.floats(min_value=1, max_value=500)))
def test_high_terms_grade_is_monotone(term, a, b, baseline):
    """A higher value never has a lower grade, with or without a baseline."""
    lo, hi = sorted((a, b))
    kw = dict(uln=40.0, baseline=baseline)
    assert grade(term, lo, _unit(term), **kw) <= grade(term, hi, _unit(term), **kw)


# --- Terms CTCAE prints in two units: graded in the unit reported, against CTCAE's own number ---

@pytest.mark.parametrize("value,unit,lln,expected", [
    # Hypocalcemia (corrected Ca): G1 <LLN-8.0 mg/dL; <LLN-2.0 mmol/L; G2 <8.0-7.0; <2.0-1.75;
    # G3 <7.0-6.0; <1.75-1.5; G4 <6.0; <1.5
    (8.0, "mg/dL", 8.5, 1), (7.99, "mg/dL", 8.5, 2), (7.0, "mg/dL", 8.5, 2), (6.99, "mg/dL", 8.5, 3),
    (6.0, "mg/dL", 8.5, 3), (5.99, "mg/dL", 8.5, 4),
    (2.0, "mmol/L", 2.1, 1), (1.99, "mmol/L", 2.1, 2), (1.75, "mmol/L", 2.1, 2), (1.74, "mmol/L", 2.1, 3),
    (1.5, "mmol/L", 2.1, 3), (1.49, "mmol/L", 2.1, 4),
])
def test_hypocalcemia_in_either_unit(value, unit, lln, expected):
    # 8.0 mg/dL x 0.2495 = 1.996 mmol/L: converting would wrongly make 8.0 mg/dL grade 2
    assert grade("Hypocalcemia", value, unit, lln=lln) == expected


def test_hypercalcemia_hypomagnesemia_hypoglycemia_lipids():
    # Hypercalcemia: G1 >ULN-11.5 mg/dL; G2 >11.5-12.5; G3 >12.5-13.5; G4 >13.5
    assert [grade("Hypercalcemia", v, "mg/dL", uln=10.5) for v in (10.5, 11.5, 11.6, 12.5, 12.6, 13.5, 13.6)] == \
        [0, 1, 2, 2, 3, 3, 4]
    assert grade("Hypercalcemia", 2.9, "mmol/L", uln=2.6) == 1
    assert grade("Hypercalcemia", 2.6, "mmol/L", uln=2.6, symptomatic=True) == 0
    # Hypomagnesemia: G1 <LLN-1.2 mg/dL; G2 <1.2-0.9; G3 <0.9-0.7; G4 <0.7; in mmol/L 0.5, 0.4, 0.3
    assert [grade("Hypomagnesemia", v, "mg/dL", lln=1.7) for v in (1.2, 1.19, 0.9, 0.89, 0.7, 0.69)] == \
        [1, 2, 2, 3, 3, 4]
    assert grade("Hypomagnesemia", 0.5, "mmol/L", lln=0.7) == 1
    # 0.8 mEq/L = 0.4 mmol/L exactly, which CTCAE puts in grade 2 (<0.5 - 0.4 mmol/L)
    assert grade("Hypomagnesemia", 0.8, "mEq/L", lln=1.4) == 2
    # Hypoglycemia: G1 <LLN-55 mg/dL; G2 <55-40; G3 <40-30; G4 <30
    assert [grade("Hypoglycemia", v, "mg/dL", lln=70) for v in (70, 55, 54, 40, 39, 30, 29)] == [0, 1, 2, 2, 3, 3, 4]
    # Hypertriglyceridemia: G1 150-300 mg/dL (150 inclusive); G2 >300-500; G3 >500-1000; G4 >1000
    assert [grade("Hypertriglyceridemia", v, "mg/dL") for v in (149, 150, 300, 301, 500, 501, 1000, 1001)] == \
        [0, 1, 1, 2, 2, 3, 3, 4]
    # Cholesterol high: G1 >ULN-300 mg/dL; G2 >300-400; G3 >400-500; G4 >500
    assert [grade("Cholesterol high", v, "mg/dL", uln=200) for v in (200, 300, 301, 400, 401, 500, 501)] == \
        [0, 1, 2, 2, 3, 3, 4]
    # CD4 lymphocytes decreased: G2 <500-200/mm3; G3 <200-50; G4 <50
    assert [grade("CD4 lymphocytes decreased", v, "cells/mm3") for v in (499, 200, 199, 50, 49)] == [2, 2, 3, 3, 4]


def test_anemia_in_mmol_per_litre():
    # Anemia: "<LLN - 6.2 mmol/L" (G1), "<6.2 - 4.9 mmol/L" (G2), "<4.9 mmol/L" (G3)
    assert [grade("Anemia", v, "mmol/L", lln=7.5) for v in (6.2, 6.19, 4.9, 4.89)] == [1, 2, 2, 3]


# --- Hyperuricemia and Haptoglobin decreased (CTCAE v5.0, Investigations / Metabolism; also graded by
# admiral's ncictcaev5 metadata, which assumes the worst case "with physiologic consequences") ---

def test_hyperuricemia():
    # G1 ">ULN without physiologic consequences"; G3 ">ULN with physiologic consequences"; G4 life-threatening
    assert grade("Hyperuricemia", 7.0, "mg/dL", uln=7.0) == 0                # = ULN is not > ULN
    assert grade("Hyperuricemia", 7.01, "mg/dL", uln=7.0) == 1
    assert grade("Hyperuricemia", 9, "mg/dL", uln=7.0, physiologic_consequences=True) == 3
    assert grade("Hyperuricemia", 9, "mg/dL", uln=7.0, life_threatening=True) == 4
    assert grade("Hyperuricemia", 6, "mg/dL", uln=7.0, physiologic_consequences=True) == 0   # needs > ULN
    # uric acid 168.11 g/mol: 1 mg/dL = 59.48 umol/L; the grade does not depend on the unit
    assert grade("Hyperuricemia", 500, "umol/L", uln=420) == 1
    r = G("Hyperuricemia", 9, "mg/dL", uln=7.0)
    assert "grade 3 if with physiologic consequences (not reported)" in r.reason


def test_haptoglobin_decreased():
    # G1 "<LLN" (the only grade)
    assert grade("Haptoglobin decreased", 0.3, "g/L", lln=0.3) == 0
    assert grade("Haptoglobin decreased", 0.29, "g/L", lln=0.3) == 1
    assert grade("Haptoglobin decreased", 5, "mg/dL", lln=30) == 1


@pytest.mark.parametrize("value,expected", [
    # CTCAE v5.0 Hypocalcemia, ionized calcium: G1 <LLN-1.0; G2 <1.0-0.9; G3 <0.9-0.8; G4 <0.8 mmol/L
    # (admiral ncictcaev5 grades these as "Hypocalcemia (Ionized)"), LLN 1.12 mmol/L
    (1.12, 0), (1.11, 1), (1.0, 1), (0.99, 2), (0.9, 2), (0.89, 3), (0.8, 3), (0.79, 4),
])
def test_hypocalcemia_ionized(value, expected):
    assert grade("Hypocalcemia (ionized)", value, "mmol/L", lln=1.12) == expected
    assert grade("Hypocalcemia (Ionized)", value, "mmol/L", lln=1.12) == expected


@pytest.mark.parametrize("value,expected", [
    # CTCAE v5.0 Hypercalcemia, ionized calcium: G1 >ULN-1.5; G2 >1.5-1.6; G3 >1.6-1.8; G4 >1.8 mmol/L
    (1.32, 0), (1.33, 1), (1.5, 1), (1.51, 2), (1.6, 2), (1.61, 3), (1.8, 3), (1.81, 4),
])
def test_hypercalcemia_ionized(value, expected):
    assert grade("Hypercalcemia (ionized)", value, "mmol/L", uln=1.32) == expected


def test_ionized_calcium_is_not_graded_as_corrected_calcium():
    # an ionized calcium of 0.95 mmol/L is grade 2 (ionized scale), not grade 4 (< 1.5 mmol/L corrected)
    assert grade("Hypocalcemia (ionized)", 0.95, "mmol/L", lln=1.12) == 2
    assert grade("Hypocalcemia", 0.95, "mmol/L", lln=2.1) == 4
    # ionized calcium in mg/dL converts at 0.2495 mmol/L per mg/dL: 3.6 mg/dL = 0.8982 mmol/L → grade 3
    assert grade("Hypocalcemia (ionized)", 3.6, "mg/dL", lln=4.5) == 3


@pytest.mark.parametrize("value,baseline,expected", [
    # CTCAE v5.0 Electrocardiogram QT corrected interval prolonged: G1 "Average QTc 450 - 480 ms";
    # G2 "481 - 500 ms"; G3 ">= 501 ms; >60 ms change from baseline" (whole-ms ranges read without gaps)
    (449, None, 0), (450, None, 1), (480, None, 1), (480.5, None, 2), (481, None, 2), (500, None, 2),
    (500.5, None, 3), (501, None, 3),
    (460, 400, 1), (460.1, 400, 3), (430, 365, 3),   # > 60 ms over baseline is grade 3 whatever the value
])
def test_qtc_prolonged(value, baseline, expected):
    assert grade("Electrocardiogram QT corrected interval prolonged", value, "ms", baseline=baseline) == expected


def test_qtc_torsade_is_grade_4_and_seconds_convert():
    assert grade("Electrocardiogram QT corrected interval prolonged", 520, "ms", life_threatening=True) == 4
    assert grade("Electrocardiogram QT corrected interval prolonged", 0.47, "s") == 1   # 470 ms
    assert grade("Electrocardiogram QT corrected interval prolonged", 0.49, "s") == 2   # 490 ms


@pytest.mark.parametrize("value,baseline,expected", [
    # CTCAE v5.0 Ejection fraction decreased: G2 "Resting EF 50 - 40%; 10 - 19% drop from baseline";
    # G3 "Resting EF 39 - 20%; >=20% drop from baseline"; G4 "Resting EF <20%" (no grade 1)
    (50.1, None, 0), (50, None, 2), (40, None, 2), (39.9, None, 3), (20, None, 3), (19.9, None, 4),
    (56, 65, 0), (55, 65, 2), (46, 65, 2), (45, 65, 3),   # drops of 9, 10, 19, 20 EF points from 65 %
])
def test_ejection_fraction_decreased(value, baseline, expected):
    assert grade("Ejection fraction decreased", value, "%", baseline=baseline) == expected
