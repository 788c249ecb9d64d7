"""ASTCT 2019 CRS grading (Lee et al., Biol Blood Marrow Transplant 2019;25:625-638, Table 4)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from dartnk.clinical.crs import HYPOTENSION_GRADE, OXYGEN_GRADE, CrsAssessment, Hypotension, OxygenSupport, grade_crs


def g(**kw) -> int:
    return grade_crs(CrsAssessment(**kw)).grade


def test_fever_alone_is_grade_1_and_threshold_is_inclusive():
    # Table 4: fever = temperature >= 38 C; grade 1 = fever, no hypotension, no hypoxia
    assert g(temperature_c=38.0) == 1
    assert g(temperature_c=37.99) == 0
    assert g(temperature_c=40.5) == 1


def test_no_fever_means_no_crs_whatever_else():
    # Table 4 requires fever (unless masked) for every grade
    assert g(temperature_c=37.5, hypotension="multiple_vasopressors", oxygen="mechanical_ventilation") == 0
    r = grade_crs(CrsAssessment(temperature_c=37.5, oxygen="facemask"))
    assert "do not grade CRS without fever" in r.reason


@pytest.mark.parametrize("hypotension,expected", [
    ("none", 1), ("not_requiring_vasopressors", 2), ("one_vasopressor", 3), ("multiple_vasopressors", 4),
])
def test_hypotension_rows(hypotension, expected):
    # Table 4: grade 2 hypotension not requiring vasopressors; grade 3 requiring a vasopressor with or
    # without vasopressin; grade 4 requiring multiple vasopressors (excluding vasopressin)
    assert g(temperature_c=38.5, hypotension=hypotension) == expected


def test_vasopressin_does_not_count_as_second_vasopressor():
    # Table 4: "a vasopressor with or without vasopressin" is grade 3
    assert g(temperature_c=38.5, hypotension="one_vasopressor", vasopressin_added=True) == 3
    assert g(temperature_c=38.5, hypotension="multiple_vasopressors", vasopressin_added=True) == 4
    # vasopressin as the only vasopressor is "a vasopressor": grade 3
    r = grade_crs(CrsAssessment(temperature_c=38.5, hypotension="none", vasopressin_added=True))
    assert r.grade == 3 and "vasopressin alone" in r.reason


@pytest.mark.parametrize("oxygen,expected", [
    # Table 4: grade 2 low-flow nasal cannula or blow-by; grade 3 high-flow nasal cannula, facemask,
    # non-rebreather mask or Venturi mask; grade 4 positive pressure (CPAP, BiPAP, mechanical ventilation)
    ("none", 1), ("low_flow_nasal_cannula", 2), ("blow_by", 2), ("high_flow_nasal_cannula", 3),
    ("facemask", 3), ("non_rebreather", 3), ("venturi", 3), ("cpap", 4), ("bipap", 4),
    ("mechanical_ventilation", 4),
])
def test_oxygen_rows(oxygen, expected):
    assert g(temperature_c=38.5, oxygen=oxygen) == expected


@pytest.mark.parametrize("oxygen", ["low_flow_nasal_cannula", "high_flow_nasal_cannula"])
@pytest.mark.parametrize("flow,expected", [(0.5, 2), (6.0, 2), (6.01, 3), (15, 3)])
def test_nasal_cannula_flow_boundary(oxygen, flow, expected):
    # Table 4 footnote: low-flow nasal cannula is <= 6 L/min; high-flow is > 6 L/min
    assert g(temperature_c=38.5, oxygen=oxygen, oxygen_flow_l_min=flow) == expected


def test_most_severe_of_hypotension_and_hypoxia_and_reason_names_it():
    r = grade_crs(CrsAssessment(temperature_c=39, hypotension="not_requiring_vasopressors", oxygen="bipap"))
    assert r.grade == 4 and "hypoxia" in r.reason and "bipap" in r.reason
    r = grade_crs(CrsAssessment(temperature_c=39, hypotension="one_vasopressor", oxygen="blow_by"))
    assert r.grade == 3 and "most severe of hypotension and hypoxia: hypotension" in r.reason


def test_masked_fever_still_graded_by_hypotension_and_hypoxia():
    # Lee 2019: after antipyretic or anti-cytokine therapy fever is no longer required to grade CRS
    assert g(temperature_c=37.0, fever_masked=True, hypotension="one_vasopressor") == 3
    assert g(fever_masked=True, oxygen="cpap") == 4
    assert g(fever_masked=True, oxygen="low_flow_nasal_cannula") == 2
    assert g(fever_masked=True) == 1


def test_death_is_grade_5():
    assert g(temperature_c=39, death_due_to_crs=True) == 5


@pytest.mark.parametrize("bad", [
    {"temperature_c": 38.5, "oxygen_flow_l_min": 4},
    {"hypotension": "one_vasopressor"},
    {"temperature_c": 38.5, "oxygen": "helmet"},
    {"temperature_c": 38.5, "oxygen": "low_flow_nasal_cannula", "oxygen_flow_l_min": -1},
    {"temperature_c": 38.5, "unknown": 1},
])
def test_invalid_inputs(bad):
    with pytest.raises(ValidationError):
        CrsAssessment(**bad)


_HYP = [Hypotension.NONE, Hypotension.NOT_REQUIRING_VASOPRESSORS, Hypotension.ONE_VASOPRESSOR,
        Hypotension.MULTIPLE_VASOPRESSORS]
_OXY = sorted(OxygenSupport, key=lambda o: OXYGEN_GRADE[o])


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 3), st.integers(0, 3), st.integers(0, len(_OXY) - 1), st.integers(0, len(_OXY) - 1),
       st.booleans(), st.floats(min_value=36, max_value=41))
def test_grade_never_decreases_when_support_worsens(h1, h2, o1, o2, masked, temp):
    ha, hb = sorted((h1, h2))
    oa, ob = sorted((o1, o2))
    mild = g(temperature_c=temp, fever_masked=masked, hypotension=_HYP[ha], oxygen=_OXY[oa])
    worse = g(temperature_c=temp, fever_masked=masked, hypotension=_HYP[hb], oxygen=_OXY[ob])
    assert worse >= mild
    assert HYPOTENSION_GRADE[_HYP[hb]] >= HYPOTENSION_GRADE[_HYP[ha]]


def test_lee_2019_worked_example_and_positive_pressure():
    # Lee et al. 2019, Table 4 footnote: "a patient with temperature of 39.5 C, hypotension requiring
    # 1 vasopressor, and hypoxia requiring low-flow nasal cannula is classified as grade 3 CRS"
    r = grade_crs(CrsAssessment(temperature_c=39.5, hypotension="one_vasopressor", oxygen="low_flow_nasal_cannula"))
    assert r.grade == 3
    # Table 4 grade 2: hypotension "not requiring vasopressors" (e.g. fluids only); grade 4 positive pressure
    assert g(temperature_c=38.0, hypotension="not_requiring_vasopressors") == 2
    for device in ("cpap", "bipap", "mechanical_ventilation"):
        assert g(temperature_c=38.0, oxygen=device) == 4


def test_masked_fever_covers_antipyretics_and_tocilizumab_after_fever():
    # Lee 2019 Table 4 footnote: after CRS with fever, antipyretic or anti-cytokine therapy (tocilizumab,
    # steroids) means "fever is no longer required to grade subsequent CRS severity ... driven by
    # hypotension and/or hypoxia"; without that history, no fever means no CRS.
    assert g(temperature_c=36.8, fever_masked=True, hypotension="not_requiring_vasopressors") == 2
    assert g(temperature_c=36.8, fever_masked=True, hypotension="multiple_vasopressors") == 4
    assert g(temperature_c=36.8, hypotension="not_requiring_vasopressors") == 0
    r = grade_crs(CrsAssessment(temperature_c=36.8, fever_masked=True))
    assert r.grade == 1 and "masked" in r.reason
