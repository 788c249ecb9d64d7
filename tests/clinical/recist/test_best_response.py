"""RECIST 1.1 best overall response: every row of Table 3 (confirmation), §4.4 (minimum duration
of SD, best response until progression), the confirmation and SD-duration boundaries, and the
working group's Q&A (CR NE CR; CR followed by PR). Eisenhauer et al., Eur J Cancer 2009;45:228–247."""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from dartnk.clinical.recist.best_response import Timepoint, best_overall_response, best_record
from dartnk.clinical.recist.timepoint import OverallResponse as O
from dartnk.errors import InputError
from dartnk.protocol.response import RecistSettings

CONFIRM = RecistSettings()  # confirmation required, 28 days; SD ≥ 42 days from baseline (day 0)
NO_CONFIRM = RecistSettings(confirmation_required=False)


def bor(*points, settings=CONFIRM, baseline_day=0):
    return best_overall_response([Timepoint(d, O.parse(r)) for d, r in points], settings, baseline_day)


# Table 3, "Overall response first time point | subsequent time point → BEST overall response".
# Day 42 meets the 42-day SD minimum; day 21 does not. Subsequent assessments are ≥ 28 days later.
TABLE_3 = [
    ("CR CR → CR", [(42, "CR"), (84, "CR")], O.CR),
    ("CR PR → PR (footnote a: the first CR was really a PR; Q&A)", [(42, "CR"), (84, "PR")], O.PR),
    ("CR SD → SD, minimum SD duration met", [(42, "CR"), (84, "SD")], O.SD),
    ("CR SD → otherwise PD", [(21, "CR"), (49, "SD")], O.PD),
    ("CR PD → SD, minimum SD duration met", [(42, "CR"), (84, "PD")], O.SD),
    ("CR PD → otherwise PD", [(21, "CR"), (49, "PD")], O.PD),
    ("CR NE → SD, minimum SD duration met", [(42, "CR"), (84, "NE")], O.SD),
    ("CR NE → otherwise NE", [(21, "CR"), (49, "NE")], O.NE),
    ("PR CR → PR", [(42, "PR"), (84, "CR")], O.PR),
    ("PR PR → PR", [(42, "PR"), (84, "PR")], O.PR),
    ("PR SD → SD", [(42, "PR"), (84, "SD")], O.SD),
    ("PR PD → SD, minimum SD duration met", [(42, "PR"), (84, "PD")], O.SD),
    ("PR PD → otherwise PD", [(21, "PR"), (49, "PD")], O.PD),
    ("PR NE → SD, minimum SD duration met", [(42, "PR"), (84, "NE")], O.SD),
    ("PR NE → otherwise NE", [(21, "PR"), (49, "NE")], O.NE),
    ("NE NE → NE", [(42, "NE"), (84, "NE")], O.NE),
]


@pytest.mark.parametrize("row, points, expected", TABLE_3, ids=[r[0] for r in TABLE_3])
def test_table_3(row, points, expected):
    assert bor(*points).best_overall_response is expected, row


def test_cr_ne_cr_is_a_confirmed_cr():
    # Q&A / §4.6: an intervening NE does not break confirmation.
    result = bor((42, "CR"), (70, "NE"), (84, "CR"))
    assert result.best_overall_response is O.CR and (result.response_day, result.confirmation_day) == (42, 84)


def test_pr_ne_pr_is_a_confirmed_pr():
    assert bor((42, "PR"), (56, "NE"), (84, "PR")).best_overall_response is O.PR


@pytest.mark.parametrize("gap, expected", [(28, O.CR), (27, O.SD)])
def test_confirmation_interval_boundary_is_inclusive(gap, expected):
    # §4.6: confirmation "no less than 4 weeks" after the criteria were first met.
    assert bor((42, "CR"), (42 + gap, "CR")).best_overall_response is expected


def test_early_repeat_does_not_confirm_but_a_later_one_does():
    assert bor((42, "PR"), (56, "PR"), (84, "PR")).best_overall_response is O.PR
    result = bor((42, "PR"), (56, "PR"))
    assert result.best_overall_response is O.SD and "not confirmed" in result.reason


def test_cr_then_pr_too_soon_is_sd_when_duration_met():
    # Table 3 footnote a: CR PR → "SD, PD or PR".
    assert bor((42, "CR"), (56, "PR")).best_overall_response is O.SD


def test_pr_sd_pr_follows_the_setting():
    assert bor((42, "PR"), (84, "SD"), (126, "PR")).best_overall_response is O.SD
    allow = RecistSettings(confirmation_allows_intervening_sd=True)
    assert bor((42, "PR"), (84, "SD"), (126, "PR"), settings=allow).best_overall_response is O.PR


@pytest.mark.parametrize("day, expected", [(42, O.SD), (41, O.PD)])
def test_sd_minimum_duration_boundary_then_pd(day, expected):
    # §4.4: SD must be met at least once ≥ the protocol minimum after baseline, else PD if PD follows.
    assert bor((day, "SD"), (day + 42, "PD")).best_overall_response is expected


def test_sd_too_early_then_lost_to_follow_up_is_ne():
    # §4.4: "The same patient lost to follow-up after the first SD assessment would be considered inevaluable."
    assert bor((35, "SD")).best_overall_response is O.NE


def test_sd_duration_counts_from_the_baseline_day():
    assert bor((35, "SD"), baseline_day=-7).best_overall_response is O.SD
    assert bor((34, "SD"), baseline_day=-7).best_overall_response is O.NE


def test_nothing_after_progression_counts():
    # §4.4: best response recorded from the start of treatment until progression.
    assert bor((21, "SD"), (35, "PD"), (84, "PR"), (126, "PR")).best_overall_response is O.PD


def test_without_confirmation_the_best_time_point_counts():
    assert bor((42, "PR"), settings=NO_CONFIRM).best_overall_response is O.PR
    assert bor((21, "CR"), (49, "PD"), settings=NO_CONFIRM).best_overall_response is O.CR
    assert bor((21, "SD"), (49, "PD"), settings=NO_CONFIRM).best_overall_response is O.PD
    assert bor((42, "SD"), (84, "NE"), settings=NO_CONFIRM).best_overall_response is O.SD
    assert bor((21, "PR"), (28, "SD"), settings=NO_CONFIRM).best_overall_response is O.PR


def test_non_target_only_disease():
    # Table 2: non-CR/non-PD is the stable category; CR needs confirmation like any CR.
    assert bor((42, "NON_CR_NON_PD"), (84, "NON_CR_NON_PD")).best_overall_response is O.NON_CR_NON_PD
    assert bor((42, "CR"), (84, "CR")).best_overall_response is O.CR
    assert bor((42, "NON_CR_NON_PD"), (84, "CR")).best_overall_response is O.NON_CR_NON_PD
    assert bor((21, "NON_CR_NON_PD"), (49, "PD")).best_overall_response is O.PD


def test_no_assessment_is_ne_and_no_disease_is_ned():
    assert bor().best_overall_response is O.NE
    assert bor((42, "NED"), (84, "NED")).best_overall_response is O.NED
    assert bor((42, "NED"), (84, "PD")).best_overall_response is O.PD


_RANK = {O.CR: 5, O.PR: 4, O.SD: 3, O.NON_CR_NON_PD: 3, O.NED: 3, O.PD: 1, O.NE: 0}
_points = st.lists(st.tuples(st.integers(1, 400), st.sampled_from([O.CR, O.PR, O.SD, O.PD, O.NE])),
                   max_size=8, unique_by=lambda p: p[0]).map(sorted)


@given(_points)
def test_confirmation_never_improves_the_best_response(points):
    confirmed = bor(*points).best_overall_response
    unconfirmed = bor(*points, settings=NO_CONFIRM).best_overall_response
    if confirmed is not O.NE:
        assert _RANK[confirmed] <= _RANK[unconfirmed] or unconfirmed is O.NE
    if confirmed in (O.CR, O.PR):
        assert confirmed is unconfirmed or unconfirmed is O.CR


@given(_points)
def test_best_response_is_never_better_than_any_time_point_before_progression(points):
    best = bor(*points, settings=NO_CONFIRM).best_overall_response
    if best in (O.CR, O.PR):
        assert best in [O.parse(r) for _, r in points]


def test_record_and_errors():
    out = best_record({"timepoints": [{"day": 42, "overall": "PR"}, {"day": 84, "overall": "CR"}],
                       "settings": {"confirmation_min_days": 56}})
    assert out["best_overall_response"] == "SD"
    for bad, field in [({"timepoints": [{"day": 84, "overall": "PR"}, {"day": 42, "overall": "PR"}]}, "timepoints[1].day"),
                       ({"timepoints": [{"day": 42, "overall": "GOOD"}]}, "timepoints[0].overall"),
                       ({"timepoints": [{"day": "x", "overall": "PR"}]}, "timepoints[0].day"),
                       ({"timepoints": [{"day": -3, "overall": "PR"}]}, "timepoints[0].day"),
                       ({"timepoints": [], "settings": {"min_sd_days": "soon"}}, "settings.min_sd_days"),
                       ({"timepoints": [], "settings": {"unknown": 1}}, "settings.unknown"),
                       ({"timepoints": "none"}, "timepoints"),
                       ({}, "timepoints")]:
        with pytest.raises(InputError) as err:
            best_record(bad, None, "[1]")
        assert err.value.field_path == f"[1].{field}", bad
