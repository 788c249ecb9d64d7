"""The AE record and the CTCAE term -> DLT category map."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from dartnk.clinical.adverse_event import CRS_TERM, ICANS_TERM, AdverseEvent, category_of_term
from dartnk.protocol.dlt import AeCategory


def ae(**kw) -> AdverseEvent:
    base = dict(term="Nausea", grade=2, onset_day=1, attribution="possible")
    return AdverseEvent(**{**base, **kw})


@pytest.mark.parametrize("term,category", [
    ("Cytokine release syndrome", AeCategory.CRS),
    ("Immune effector cell-associated neurotoxicity syndrome", AeCategory.ICANS),
    ("Neutrophil count decreased", AeCategory.NEUTROPENIA),
    ("platelet count decreased", AeCategory.THROMBOCYTOPENIA),
    ("Anemia", AeCategory.ANEMIA),
    ("Febrile neutropenia", AeCategory.FEBRILE_NEUTROPENIA),
    ("Infusion related reaction", AeCategory.INFUSION_REACTION),
    ("Graft versus host disease", AeCategory.GVHD),
    ("Lung infection", AeCategory.INFECTION),
    ("Sepsis", AeCategory.INFECTION),
    ("Lymphocyte count decreased", AeCategory.OTHER_HEMATOLOGIC),
    ("White blood cell decreased", AeCategory.OTHER_HEMATOLOGIC),
    ("Alanine aminotransferase increased", AeCategory.OTHER_NON_HEMATOLOGIC),
    ("Hypokalemia", AeCategory.OTHER_NON_HEMATOLOGIC),
    ("INR increased", AeCategory.OTHER_NON_HEMATOLOGIC),
])
def test_category_of_term(term, category):
    assert category_of_term(term) is category


def test_explicit_category_overrides():
    assert ae(term="Disseminated intravascular coagulation", category="other_hematologic").ae_category \
        is AeCategory.OTHER_HEMATOLOGIC


def test_grade_from_crs_icans_and_lab_inputs():
    crs = ae(term=CRS_TERM, grade=None, crs={"temperature_c": 39, "hypotension": "one_vasopressor"})
    assert crs.effective_grade == 3
    icans = ae(term=ICANS_TERM, grade=None, icans={"ice_score": 5})
    assert icans.effective_grade == 2
    lab = ae(term="Neutrophil count decreased", grade=None, lab={"value": 400, "unit": "cells/mm3"})
    assert lab.effective_grade == 4 and "< 0.5" in lab.grading().reason
    assert ae(grade=3).grading().grade == 3


@pytest.mark.parametrize("bad", [
    dict(grade=None),                                                   # no grade source
    dict(crs={"temperature_c": 39}),                                    # grade and crs together
    dict(term="Nausea", grade=None, crs={"temperature_c": 39}),        # crs inputs on a non-CRS term
    dict(term="Nausea", grade=None, icans={"ice_score": 5}),
    dict(term="Nausea", grade=None, lab={"value": 1, "unit": "U/L"}),  # not a gradable lab term
    dict(grade=6), dict(grade=0),
    dict(resolution_day=0, onset_day=3),
    dict(attribution="maybe"),
    dict(extra_field=1),
])
def test_invalid_records(bad):
    with pytest.raises(ValidationError):
        ae(**bad)


def test_lab_event_passes_every_ctcae_flag():
    # Hyperuricemia > ULN "with physiologic consequences" is CTCAE v5.0 grade 3
    from dartnk.clinical.adverse_event import AdverseEvent

    e = AdverseEvent(term="Hyperuricemia", lab={"value": 9, "unit": "mg/dL", "uln": 7, "physiologic_consequences": True},
                     onset_day=3, attribution="possible")
    assert e.effective_grade == 3
