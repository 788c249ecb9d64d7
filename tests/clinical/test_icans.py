"""ASTCT 2019 adult ICANS grading and the ICE score (Lee et al. 2019, Tables 3 and 5)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from dartnk.clinical.icans import IcansAssessment, IceItems, grade_icans

FULL = dict(oriented_year=True, oriented_month=True, oriented_city=True, oriented_hospital=True,
            objects_named=3, follows_commands=True, writes_sentence=True, counts_back_by_10=True)


def g(**kw):
    return grade_icans(IcansAssessment(**kw))


def test_ice_items_add_up_to_ten():
    # Table 3: orientation 4, naming 3, following commands 1, writing 1, attention 1
    assert IceItems(**FULL).score() == 10
    assert IceItems(**{**FULL, "oriented_year": False, "objects_named": 1}).score() == 7
    assert IceItems(**{k: (0 if k == "objects_named" else False) for k in FULL}).score() == 0


@pytest.mark.parametrize("score,expected", [
    # Table 5: ICE 7-9 grade 1; 3-6 grade 2; 0-2 grade 3; 10 no ICANS
    (10, 0), (9, 1), (7, 1), (6, 2), (3, 2), (2, 3), (1, 3), (0, 3),
])
def test_ice_bands(score, expected):
    r = g(ice_score=score)
    assert (r.grade, r.ice_score) == (expected, score)


def test_ice_zero_unarousable_is_grade_4_awake_aphasic_is_grade_3():
    # Table 5 footnote: ICE 0 is grade 3 if awake with global aphasia, grade 4 if unarousable
    assert g(ice_score=0, global_aphasia=True).grade == 3
    assert g(global_aphasia=True).ice_score == 0
    r = g(consciousness="unarousable")
    assert (r.grade, r.ice_score) == (4, 0)
    assert g(ice_score=0, consciousness="unarousable").grade == 4


@pytest.mark.parametrize("level,expected", [
    # Table 5 depressed level of consciousness: awakens spontaneously 1; to voice 2; only to tactile 3;
    # unarousable/stupor/coma 4
    ("alert", 0), ("awakens_spontaneously", 1), ("awakens_to_voice", 2), ("awakens_to_tactile", 3),
])
def test_consciousness(level, expected):
    assert g(ice_score=10, consciousness=level).grade == expected


@pytest.mark.parametrize("seizure,expected", [
    # Table 5: any clinical seizure resolving rapidly / non-convulsive EEG seizures resolving with
    # intervention -> 3; life-threatening prolonged (>5 min) or repetitive without return to baseline -> 4
    ("none", 0), ("rapidly_resolving", 3), ("eeg_resolving_with_intervention", 3), ("life_threatening", 4),
    ("prolonged", 4), ("repetitive", 4),
])
def test_seizure(seizure, expected):
    assert g(ice_score=10, seizure=seizure).grade == expected


def test_motor():
    # Table 5: deep focal motor weakness such as hemiparesis or paraparesis -> 4
    assert g(ice_score=10, motor="deep_focal_weakness").grade == 4


@pytest.mark.parametrize("finding,expected", [
    # Table 5: focal/local edema -> 3; diffuse edema, posturing, CN VI palsy, papilledema, Cushing's triad -> 4
    ("focal_edema", 3), ("diffuse_edema", 4), ("posturing", 4), ("cranial_nerve_vi_palsy", 4),
    ("papilledema", 4), ("cushings_triad", 4),
])
def test_raised_icp(finding, expected):
    assert g(ice_score=10, raised_icp=finding).grade == expected


def test_most_severe_domain_named_in_reason():
    # Table 5 note: an ICE score of 3 with a generalized seizure is grade 3
    r = g(ice_score=3, seizure="rapidly_resolving")
    assert r.grade == 3 and "seizure" in r.reason and "ICE score 3 (grade 2)" in r.reason
    r = g(ice_score=8, consciousness="awakens_to_voice")
    assert r.grade == 2 and "depressed level of consciousness" in r.reason


def test_without_ice_other_domains_grade():
    r = g(consciousness="awakens_to_voice")
    assert (r.ice_score, r.grade) == (None, 2) and "ICE not assessed" in r.reason
    assert g().grade == 0 and g().ice_score is None


def test_ice_items_used_and_checked_against_score():
    assert g(ice_items={**FULL, "writes_sentence": False}).ice_score == 9
    assert g(ice_items=FULL, ice_score=10).grade == 0
    with pytest.raises(ValidationError, match="disagrees"):
        IcansAssessment(ice_items=FULL, ice_score=9)


@pytest.mark.parametrize("bad", [
    {"ice_score": 11}, {"ice_score": -1},
    {"ice_score": 5, "consciousness": "unarousable"},
    {"ice_score": 5, "seizure": "status"},
    {"ice_items": {**FULL, "objects_named": 4}},
    {"ice_items": {k: v for k, v in FULL.items() if k != "writes_sentence"}},
])
def test_invalid(bad):
    with pytest.raises(ValidationError):
        IcansAssessment(**bad)


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 10), st.integers(0, 10),
       st.sampled_from(["alert", "awakens_spontaneously", "awakens_to_voice", "awakens_to_tactile"]),
       st.sampled_from(["none", "rapidly_resolving", "life_threatening"]))
def test_grade_monotone_as_ice_falls(a, b, level, seizure):
    lo, hi = sorted((a, b))
    assert g(ice_score=lo, consciousness=level, seizure=seizure).grade >= \
        g(ice_score=hi, consciousness=level, seizure=seizure).grade
