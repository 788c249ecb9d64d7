"""RECIST 1.1 time point response: every row of Tables 1 and 2 (Eisenhauer et al., Eur J Cancer
2009;45:228–247), every input combination covered, and new lesions always PD."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, strategies as st

from dartnk.clinical.recist.timepoint import (TABLE_1, TABLE_2, NonTargetResponse as N, OverallResponse as O,
                                              TargetResponse as T, timepoint_decision, timepoint_record,
                                              timepoint_response)
from dartnk.errors import InputError

# Eisenhauer 2009, Table 1 (target lesions ± non-target lesions), row by row.
TABLE_1_ROWS = [
    (T.CR, N.CR, False, O.CR),             # CR | CR | No → CR
    (T.CR, N.NON_CR_NON_PD, False, O.PR),  # CR | Non-CR/non-PD | No → PR
    (T.CR, N.NE, False, O.PR),             # CR | Not evaluated | No → PR
    (T.PR, N.NON_CR_NON_PD, False, O.PR),  # PR | Non-PD or not all evaluated | No → PR
    (T.PR, N.NE, False, O.PR),
    (T.PR, N.CR, False, O.PR),
    (T.SD, N.NON_CR_NON_PD, False, O.SD),  # SD | Non-PD or not all evaluated | No → SD
    (T.SD, N.NE, False, O.SD),
    (T.SD, N.CR, False, O.SD),
    (T.NE, N.NON_CR_NON_PD, False, O.NE),  # Not all evaluated | Non-PD | No → NE
    (T.NE, N.CR, False, O.NE),
    (T.NE, N.NE, False, O.NE),
    (T.PD, N.CR, False, O.PD),             # PD | Any | Yes or No → PD
    (T.PD, N.NE, True, O.PD),
    (T.SD, N.PD, False, O.PD),             # Any | PD | Yes or No → PD
    (T.CR, N.PD, True, O.PD),
    (T.CR, N.CR, True, O.PD),              # Any | Any | Yes → PD
    (T.NE, N.NE, True, O.PD),
]

# Eisenhauer 2009, Table 2 (non-target lesions only).
TABLE_2_ROWS = [
    (N.CR, False, O.CR),                        # CR | No → CR
    (N.NON_CR_NON_PD, False, O.NON_CR_NON_PD),  # Non-CR/non-PD | No → Non-CR/non-PD (footnote a: not "SD")
    (N.NE, False, O.NE),                        # Not all evaluated | No → NE
    (N.PD, False, O.PD),                        # Unequivocal PD | Yes or No → PD
    (N.PD, True, O.PD),
    (N.CR, True, O.PD),                         # Any | Yes → PD
    (N.NON_CR_NON_PD, True, O.PD),
    (N.NE, True, O.PD),
]


@pytest.mark.parametrize("target, non_target, new, expected", TABLE_1_ROWS)
def test_table_1(target, non_target, new, expected):
    assert timepoint_response(target, non_target, new) is expected


@pytest.mark.parametrize("non_target, new, expected", TABLE_2_ROWS)
def test_table_2_non_target_only(non_target, new, expected):
    assert timepoint_response(T.NONE, non_target, new) is expected


@pytest.mark.parametrize("target, expected", [(T.CR, O.CR), (T.PR, O.PR), (T.SD, O.SD), (T.NE, O.NE), (T.PD, O.PD)])
def test_target_only_disease_reads_non_target_none_as_nothing_left(target, expected):
    # Table 1 with no non-target disease at baseline: target CR alone is an overall CR.
    assert timepoint_response(target, N.NONE, False) is expected


def test_no_disease_at_baseline_is_ned_unless_new_lesions():
    assert timepoint_response(T.NONE, N.NONE, False) is O.NED
    assert timepoint_response(T.NONE, N.NONE, True) is O.PD


def test_every_combination_is_decided_by_exactly_the_first_matching_row():
    for target, non_target, new in itertools.product(T, N, (True, False)):
        table = TABLE_2 if target is T.NONE else TABLE_1
        assert any(row.matches(target, non_target, new) for row in table)
        decision = timepoint_decision(target, non_target, new)
        assert decision.reason.startswith("Table") or decision.overall is O.NED


def test_non_cr_non_pd_only_with_non_target_only_disease():
    for target, non_target in itertools.product(T, N):
        if timepoint_response(target, non_target, False) is O.NON_CR_NON_PD:
            assert target is T.NONE


@given(st.sampled_from(list(T)), st.sampled_from(list(N)))
def test_new_lesions_always_give_pd(target, non_target):
    # §4.3.2 note and Tables 1–2: the appearance of new lesions is progression.
    assert timepoint_response(target, non_target, True) is O.PD


@pytest.mark.parametrize("text, parsed", [("Non-CR/Non-PD", N.NON_CR_NON_PD), ("non_cr_non_pd", N.NON_CR_NON_PD),
                                          ("not evaluated", N.NE), ("Unequivocal PD", N.PD), (" cr ", N.CR)])
def test_common_spellings_are_accepted(text, parsed):
    assert N.parse(text) is parsed


def test_record_answers_with_reason():
    out = timepoint_record({"target": "CR", "non_target": "NE", "new_lesions": False})
    assert out["overall"] == "PR" and "Table 1" in out["reason"]


@pytest.mark.parametrize("record, field", [
    ({"target": "XX", "non_target": "CR", "new_lesions": False}, "target"),
    ({"target": "CR", "non_target": "SD", "new_lesions": False}, "non_target"),
    ({"target": "CR", "non_target": "CR", "new_lesions": "maybe"}, "new_lesions"),
    ({"target": "CR", "non_target": "CR"}, "new_lesions"),
    ({"target": "CR", "non_target": "CR", "new_lesions": False, "extra": 1}, "extra"),
])
def test_record_errors_name_the_field(record, field):
    with pytest.raises(InputError) as err:
        timepoint_record(record, "[3]")
    assert err.value.field_path == f"[3].{field}"
