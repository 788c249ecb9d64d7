"""DLT adjudication against the shipped protocol's DLT definition (protocol ``dlt:`` and
``evaluability:`` sections; window Days 0..window_days-1)."""

from __future__ import annotations

import pytest

from dartnk.clinical.adverse_event import AdverseEvent
from dartnk.clinical.dlt import DltStatus, adjudicate, in_dlt_window, window_last_day
from dartnk.errors import InputError


def ae(**kw) -> AdverseEvent:
    base = dict(term="Cytokine release syndrome", grade=4, onset_day=3, attribution="probable")
    return AdverseEvent(**{**base, **kw})


def run(protocol, *events, infusions=3, observed=27):
    return adjudicate(protocol, list(events), infusions_received=infusions, observed_through_day=observed)


def test_window_is_days_0_to_27_day_28_outside(protocol):
    assert protocol.dlt.window_days == 28 and window_last_day(protocol) == 27
    assert in_dlt_window(protocol, 0) and in_dlt_window(protocol, 27)
    assert not in_dlt_window(protocol, 28) and not in_dlt_window(protocol, -1)
    assert run(protocol, ae(onset_day=27), observed=30).status is DltStatus.DLT
    r = run(protocol, ae(onset_day=28), observed=30)
    assert r.status is DltStatus.NO_DLT and "outside the DLT window" in r.reason
    assert run(protocol, ae(onset_day=-2), observed=30).status is DltStatus.NO_DLT   # during lymphodepletion


def test_immediate_rule_fires_with_rule_id(protocol):
    r = run(protocol, ae(grade=4))
    assert (r.status, r.rule_id, r.event_index) == (DltStatus.DLT, "crs-grade-4", 0)
    assert r.evaluable is True


@pytest.mark.parametrize("attribution,is_dlt", [
    ("unrelated", False), ("unlikely", False), ("possible", True), ("probable", True), ("definite", True),
])
def test_attribution(protocol, attribution, is_dlt):
    r = run(protocol, ae(attribution=attribution))
    assert (r.status is DltStatus.DLT) is is_dlt


@pytest.mark.parametrize("resolution,observed,status", [
    # crs-grade-3-prolonged: grade 3 CRS not improving within 72 h (lasting_more_than_days: 3)
    (6, 27, DltStatus.NO_DLT),     # Day 3 -> Day 6: 3 days, not more than 3
    (7, 27, DltStatus.DLT),        # 4 days
    (None, 4, DltStatus.PENDING),  # ongoing on Day 4: at least 2 days
    (None, 5, DltStatus.PENDING),  # ongoing on Day 5: at least 3 days, not yet more than 3
    (None, 6, DltStatus.DLT),      # ongoing on Day 6: at least 4 days
])
def test_duration_rule(protocol, resolution, observed, status):
    r = run(protocol, ae(grade=3, resolution_day=resolution), observed=observed)
    assert r.status is status
    if status is not DltStatus.NO_DLT:
        assert r.rule_id == "crs-grade-3-prolonged"


def test_prolonged_cytopenia_14_days(protocol):
    neut = dict(term="Neutrophil count decreased", grade=4, onset_day=5)
    assert run(protocol, ae(**neut, resolution_day=19)).status is DltStatus.NO_DLT   # 14 days
    r = run(protocol, ae(**neut, resolution_day=20))
    assert (r.status, r.rule_id) == (DltStatus.DLT, "cytopenia-prolonged")
    assert run(protocol, ae(**neut), observed=18).status is DltStatus.PENDING
    assert run(protocol, ae(**{**neut, "grade": 3}, resolution_day=27)).status is DltStatus.NO_DLT  # grade 3


def test_excluded_terms_and_other_non_hematologic(protocol):
    nausea = run(protocol, ae(term="Nausea", grade=3, resolution_day=20))
    assert nausea.status is DltStatus.NO_DLT and "excluded" in nausea.reason
    alt = run(protocol, ae(term="Alanine aminotransferase increased", grade=3, resolution_day=20))
    assert (alt.status, alt.rule_id) == (DltStatus.DLT, "other-non-hematologic")
    short = run(protocol, ae(term="Hypokalemia", grade=3, onset_day=4, resolution_day=6))
    assert short.status is DltStatus.NO_DLT


def test_grade_5_any_category(protocol):
    r = run(protocol, ae(term="Nausea", grade=5))
    assert (r.status, r.rule_id) == (DltStatus.DLT, "grade-5")


def test_other_hematologic_lymphopenia_is_not_a_dlt(protocol):
    assert run(protocol, ae(term="Lymphocyte count decreased", grade=4, resolution_day=27)).status \
        is DltStatus.NO_DLT


def test_graded_from_inputs(protocol):
    crs = ae(grade=None, crs={"temperature_c": 39.2, "oxygen": "bipap"})
    assert run(protocol, crs).rule_id == "crs-grade-4"
    icans = ae(term="Immune effector cell-associated neurotoxicity syndrome", grade=None,
               icans={"ice_score": 2}, resolution_day=8)
    assert run(protocol, icans).rule_id == "icans-grade-3-prolonged"
    no_crs = ae(grade=None, crs={"temperature_c": 37.2, "oxygen": "bipap"})
    assert run(protocol, no_crs).status is DltStatus.NO_DLT


def test_earliest_dlt_wins_and_dlt_beats_pending(protocol):
    late = ae(grade=4, onset_day=10)
    early_prolonged = ae(grade=3, onset_day=2, resolution_day=9)       # met on Day 5
    r = run(protocol, late, early_prolonged)
    assert (r.event_index, r.rule_id) == (1, "crs-grade-3-prolonged")
    pending = ae(grade=3, onset_day=9)
    r = run(protocol, pending, late, observed=10)
    assert (r.status, r.event_index) == (DltStatus.DLT, 1)


@pytest.mark.parametrize("infusions,observed,events,evaluable", [
    (3, 27, [], True),                    # all infusions, window observed through Day 27
    (3, 26, [], None),                    # window still open
    (2, 27, [], False),                   # window over without the required infusions
    (1, 10, [dict(grade=4)], True),       # a DLT makes the patient evaluable
    (0, 5, [], None),
])
def test_evaluability(protocol, infusions, observed, events, evaluable):
    r = run(protocol, *[ae(**e) for e in events], infusions=infusions, observed=observed)
    assert r.evaluable is evaluable
    assert r.evaluability_reason


def test_protocol_settings_are_used(protocol):
    shorter = protocol.model_copy(update={"dlt": protocol.dlt.model_copy(update={"window_days": 21})})
    assert run(shorter, ae(onset_day=21), observed=25).status is DltStatus.NO_DLT
    assert run(shorter, ae(onset_day=20), observed=25).status is DltStatus.DLT
    relaxed = protocol.model_copy(update={"evaluability": protocol.evaluability.model_copy(
        update={"observe_full_window": False, "required_infusions": 1})})
    assert run(relaxed, infusions=1, observed=3).evaluable is True


def test_no_events_and_open_window_reason(protocol):
    r = run(protocol, observed=10)
    assert r.status is DltStatus.NO_DLT and r.rule_id is None and "window still open" in r.reason


def test_inconsistent_days(protocol):
    with pytest.raises(InputError) as e:
        run(protocol, ae(onset_day=12), observed=10)
    assert e.value.field_path == "events[0].onset_day"
    with pytest.raises(InputError) as e:
        run(protocol, ae(onset_day=2, resolution_day=12), observed=10)
    assert e.value.field_path == "events[0].resolution_day"


def test_lab_grading_error_names_event(protocol):
    bad = ae(term="Neutrophil count decreased", grade=None, lab={"value": 1.7, "unit": "10^9/L"})
    with pytest.raises(InputError) as e:
        run(protocol, bad)
    assert e.value.field_path == "events[0].lab.lln"


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_event = st.fixed_dictionaries({
    "term": st.sampled_from(["Cytokine release syndrome", "Neutrophil count decreased", "Nausea",
                             "Alanine aminotransferase increased", "Lung infection"]),
    "grade": st.integers(1, 5),
    "onset_day": st.integers(-3, 30),
    "duration": st.one_of(st.none(), st.integers(0, 20)),
    "attribution": st.sampled_from(["unrelated", "possible", "definite"]),
})


def _events(specs, observed):
    out = []
    for s in specs:
        res = None if s["duration"] is None else s["onset_day"] + s["duration"]
        if s["onset_day"] > observed or (res is not None and res > observed):
            continue
        out.append(AdverseEvent(term=s["term"], grade=s["grade"], onset_day=s["onset_day"], resolution_day=res,
                                attribution=s["attribution"]))
    return out


@settings(max_examples=150, deadline=None)
@given(st.lists(_event, max_size=4), _event, st.integers(0, 40))
def test_adding_an_event_never_removes_a_dlt(protocol, specs, extra, observed):
    before = run(protocol, *_events(specs, observed), observed=observed)
    after = run(protocol, *_events(specs + [extra], observed), observed=observed)
    if before.status is DltStatus.DLT:
        assert after.status is DltStatus.DLT


@settings(max_examples=150, deadline=None)
@given(st.lists(_event, max_size=4), st.integers(0, 30), st.integers(0, 15))
def test_longer_observation_of_ongoing_events_never_undoes_a_dlt(protocol, specs, observed, more):
    """An ongoing event can only move pending -> dlt as observation goes on, never back."""
    events = [e.model_copy(update={"resolution_day": None}) for e in _events(specs, observed)]
    early = run(protocol, *events, observed=observed)
    late = run(protocol, *events, observed=observed + more)
    if early.status is DltStatus.DLT:
        assert late.status is DltStatus.DLT
    if late.status is DltStatus.NO_DLT:
        assert early.status is DltStatus.NO_DLT
