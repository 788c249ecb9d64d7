"""The screening record: validation with field paths, unit conversion, derived facts."""

from __future__ import annotations

from fractions import Fraction

import pytest

from dartnk.clinical.screening_record import LabResult, ScreeningRecord, lab_in_unit, parse_screening_record
from dartnk.errors import InputError


@pytest.mark.parametrize("lab,value,unit,target,expected", [
    ("anc", 1500, "cells/mm3", "10^9/L", Fraction(3, 2)),
    ("platelets", 75, "10^3/uL", "10^9/L", Fraction(75)),
    ("anc", 1000, "/µL", "10^9/L", Fraction(1)),
    ("creatinine", 88.4, "umol/L", "mg/dL", Fraction(1)),        # creatinine 113.12 g/mol: 1 mg/dL = 88.4 µmol/L
    ("creatinine", 1.0, "mg/dL", "µmol/L", Fraction("88.4")),
    ("bilirubin", 17.1, "µmol/L", "mg/dL", Fraction(1)),          # bilirubin 584.66 g/mol: 1 mg/dL = 17.1 µmol/L
    ("ast", 1, "µkat/L", "U/L", Fraction(60)),                    # 1 µkat/L = 60 U/L
    ("hemoglobin", 90, "g/L", "g/dL", Fraction(9)),
])
def test_unit_conversion_is_exact(lab, value, unit, target, expected):
    assert lab_in_unit(lab, LabResult(value=value, unit=unit), target) == expected


def test_empty_record_is_valid_and_all_missing():
    r = parse_screening_record({})
    assert r.ecog is None and r.labs == {}
    assert r.fact("active_gvhd") == (None, "active_gvhd")


def test_never_and_dates():
    r = parse_screening_record({"consent_date": "2026-11-02", "allogeneic_hsct_date": "never",
                                "myocardial_infarction_date": "2020-01-01"})
    assert r.allogeneic_hsct_date == "never" and str(r.myocardial_infarction_date) == "2020-01-01"


def test_prednisone_equivalents():
    r = parse_screening_record({"corticosteroids": [{"agent": "methylprednisolone", "mg_day": 8},
                                                   {"agent": "hydrocortisone", "mg_day": 20}]})
    assert r.prednisone_mg_day() == 15      # 8 mg methylprednisolone = 10 mg prednisone; 20 mg hydrocortisone = 5
    assert parse_screening_record({"corticosteroids": []}).prednisone_mg_day() == 0
    # prednisolone label: 15 mg prednisolone = 2.25 mg dexamethasone = 2.25 mg betamethasone = 75 mg cortisone
    for agent, mg in (("dexamethasone", 2.25), ("betamethasone", 2.25), ("cortisone", 75), ("triamcinolone", 12),
                      ("prednisolone", 15), ("hydrocortisone", 60)):
        assert parse_screening_record({"corticosteroids": [{"agent": agent, "mg_day": mg}]}).prednisone_mg_day() == 15
    assert parse_screening_record({}).prednisone_mg_day() is None


@pytest.mark.parametrize("data,field", [
    ({"weight_kg": 0}, "weight_kg"),
    ({"ecog": "1x"}, "ecog"),
    ({"lvef_percent": 101}, "lvef_percent"),
    ({"cns_metastases": "yes"}, "cns_metastases"),
    ({"labs": {"anc": {"value": 1}}}, "labs.anc.unit"),
    ({"labs": {"ast": {"value": 10, "unit": "U/L", "uln": 0}}}, "labs.ast.uln"),
    ({"corticosteroids": [{"agent": "aspirin", "mg_day": 1}]}, "corticosteroids.0.agent"),
    ({"corticosteroids": [], "corticosteroid_prednisone_mg_day": 5}, "corticosteroid"),
    ({"birth_date": "2027-01-01", "consent_date": "2026-01-01"}, "birth_date"),
    ({"childbearing_potential": True, "reproductive_potential": False}, "reproductive_potential"),
])
def test_errors_name_the_field(data, field):
    with pytest.raises(InputError) as exc:
        parse_screening_record(data)
    assert field in str(exc.value)


def test_errors_carry_the_list_prefix():
    with pytest.raises(InputError) as exc:
        parse_screening_record({"ecog": 9}, "[3]")
    assert exc.value.field_path == "[3].ecog"


def test_not_an_object():
    with pytest.raises(InputError, match="JSON object"):
        parse_screening_record([1, 2])


def test_fact_rejects_non_boolean_fields():
    with pytest.raises(KeyError):
        ScreeningRecord().fact("ecog")
    with pytest.raises(KeyError):
        ScreeningRecord().fact("no_such_fact")
