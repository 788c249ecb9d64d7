"""RECIST 1.1 assessment from lesion measurements (Eisenhauer et al., Eur J Cancer 2009;45:228–247,
§4.3.1 target response, §4.3.4 missing lesions, Tables 1–3; RECIST working group Q&A). Boundaries
are exact: −30.0% is PR, +20% with +5 mm is PD, +20% with +4.9 mm is not, a 10 mm node is not normal."""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings as hsettings, strategies as st

from dartnk.clinical.recist.assessment import assess, assess_record
from dartnk.clinical.recist.timepoint import OverallResponse as O, TargetResponse as T
from dartnk.errors import InputError
from dartnk.protocol.response import RecistSettings


def base(*mm, nodes=(), non_target="NONE", day=-7):
    lesions = [{"id": f"L{i + 1}", "organ": organ, "lymph_node": False, "diameter_mm": d}
               for i, (d, organ) in enumerate(zip(mm, ["liver", "lung", "adrenal", "bone", "kidney"]))]
    lesions += [{"id": f"N{i + 1}", "organ": "node", "lymph_node": True, "diameter_mm": d} for i, d in enumerate(nodes)]
    return {"day": day, "target_lesions": lesions, "non_target": non_target}


def visit(day, *mm, nodes=(), non_target=None, new=False, statuses=None):
    records = [{"id": f"L{i + 1}", "diameter_mm": d} for i, d in enumerate(mm)]
    records += [{"id": f"N{i + 1}", "diameter_mm": d} for i, d in enumerate(nodes)]
    for r in records:
        if (statuses or {}).get(r["id"]):
            r.update(statuses[r["id"]])
            if r.get("status") in ("disappeared", "too_small", "not_evaluated", "split", "coalesced_into"):
                r.pop("diameter_mm")
    out = {"day": day, "target_lesions": records, "new_lesions": new}
    if non_target:
        out["non_target"] = non_target
    return out


def targets(baseline, *visits, settings=None):
    return [v.target for v in assess(baseline, list(visits), settings).visits]


@pytest.mark.parametrize("follow_up, expected", [((35.0,), T.PR), ((35.1,), T.SD)])
def test_pr_at_exactly_minus_30_percent(follow_up, expected):
    # §4.3.1: PR = at least a 30% decrease of the sum from baseline.
    assert targets(base(30.0, 20.0), visit(42, 20.0, 15.0)) == [T.PR]  # 50 → 35 mm: −30.0%
    assert targets(base(50.0), visit(42, *follow_up)) == [expected]


def test_minus_30_percent_is_exact_where_floating_point_is_not():
    # 10.0 + 12.0 = 22.0 mm; 15.4 mm is exactly −30%, but 0.7 * 22.0 == 15.399999999999999 in floating point.
    result = assess(base(10.0, 12.0), [visit(42, 7.7, 7.7)]).visits[0]
    assert result.target is T.PR and float(result.pct_change_from_baseline) == -30.0


@pytest.mark.parametrize("nadir, follow_up, expected", [
    ((12.5, 12.5), (15.0, 15.0), T.PD),     # +20% and +5 mm exactly → PD
    ((12.25, 12.25), (14.7, 14.7), T.SD),   # +20% but only +4.9 mm → not PD
    ((12.5, 12.5), (14.95, 14.95), T.SD),   # +4.9 mm and +19.6% → not PD
    ((13.0, 13.0), (15.6, 15.6), T.PD),     # 26.0 → 31.2 is +20% exactly (0.19999… in floating point)
    ((50.0, 50.0), (59.9, 60.0), T.SD),     # +19.9 mm but +19.95% → not PD
])
def test_pd_needs_20_percent_and_5_mm_over_the_nadir(nadir, follow_up, expected):
    # §4.3.1: PD = ≥ 20% increase over the smallest sum on study and an absolute increase ≥ 5 mm.
    assert targets(base(*nadir), visit(42, *follow_up)) == [expected]


def test_nadir_is_the_smallest_earlier_sum_including_baseline():
    b = base(40.0, 30.0)  # 70
    results = assess(b, [visit(42, 20.0, 10.0), visit(84, 22.0, 14.0), visit(126, 20.0, 10.0)]).visits
    assert [float(r.nadir_mm) for r in results] == [70.0, 30.0, 30.0]
    assert [r.target for r in results] == [T.PR, T.PD, T.PR]   # 36 mm is +20% and +6 mm over the 30 mm nadir
    assert float(results[1].pct_change_from_baseline) == pytest.approx(-48.571, abs=1e-3)


@pytest.mark.parametrize("node_mm, expected", [(9.9, T.CR), (10.0, T.PR)])
def test_cr_with_nodes_under_10_mm_keeping_their_value_in_the_sum(node_mm, expected):
    # §4.3.1: CR = all target lesions disappeared and every target node < 10 mm short axis; the
    # nodes' short axes stay in the sum, so a CR sum need not be zero.
    b = base(30.0, nodes=(20.0,))
    result = assess(b, [visit(42, 0, nodes=(node_mm,), statuses={"L1": {"status": "disappeared"}})]).visits[0]
    assert result.target is expected and float(result.sum_mm) == node_mm
    assert result.overall is (O.CR if expected is T.CR else O.PR)


def test_cr_wins_over_a_sum_increase_within_normal_nodes():
    # Q&A "Abnormal lymph node": a node only reappears when ≥ 10 mm; nodes < 10 mm are normal.
    b = base(nodes=(16.0, 16.0))
    result = targets(b, visit(42, nodes=(5.0, 5.0)), visit(84, nodes=(9.5, 9.5)))
    assert result == [T.CR, T.CR]


def test_too_small_uses_the_default_and_disappeared_zero():
    # §3.3.1: too small to measure → 5 mm default (not CR); disappeared → 0 mm.
    b = base(20.0, 15.0)
    small = assess(b, [visit(42, 0, 0, statuses={"L1": {"status": "too_small"}, "L2": {"status": "disappeared"}})])
    assert small.visits[0].target is T.PR and float(small.visits[0].sum_mm) == 5.0
    other = RecistSettings(too_small_default_mm=0)
    assert targets(b, visit(42, 0, 0, statuses={"L1": {"status": "too_small"}, "L2": {"status": "disappeared"}}),
                   settings=other) == [T.CR]


def test_split_fragments_are_summed_and_coalesced_mass_counted_once():
    # Appendix II / §4.3: fragments add up; a coalesced mass is measured once, the others recorded as 0.
    b = base(20.0, 20.0)
    split = assess(b, [visit(42, 0, 20.0, statuses={"L1": {"status": "split", "fragments_mm": [9.0, 8.0]}})]).visits[0]
    assert float(split.sum_mm) == 37.0 and split.target is T.SD
    coalesced = assess(b, [visit(42, 0, 0, statuses={"L1": {"status": "coalesced", "diameter_mm": 50.0},
                                                     "L2": {"status": "coalesced_into", "into": "L1"}})]).visits[0]
    assert float(coalesced.sum_mm) == 50.0 and coalesced.target is T.PD


def test_missing_lesion_is_ne_unless_the_others_already_show_pd():
    # §4.3.4: a subset of lesions measured is NE, unless the missing ones could not change the response:
    # baseline 50 mm, two of three lesions measured at 80 mm → PD regardless of the third.
    b = base(20.0, 15.0, 15.0)
    missing = {"L3": {"status": "not_evaluated"}}
    assert targets(b, visit(42, 40.0, 40.0, 0, statuses=missing)) == [T.PD]
    result = assess(b, [visit(42, 5.0, 5.0, 0, statuses=missing)]).visits[0]
    assert result.target is T.NE and result.overall is O.NE and result.sum_mm is None
    assert "L3" in result.target_reason


def test_ne_visits_do_not_move_the_nadir():
    b = base(20.0, 15.0, 15.0)
    results = assess(b, [visit(42, 1.0, 1.0, 0, statuses={"L3": {"status": "not_evaluated"}}),
                         visit(84, 20.0, 15.0, 15.0)]).visits
    assert [r.target for r in results] == [T.NE, T.SD] and float(results[1].nadir_mm) == 50.0


def test_reappearance_after_cr_is_pd_unless_the_setting_says_otherwise():
    # Table 3 footnote a; Q&A "Does a new lesion always result in PD?": after an overall CR, a lesion that
    # reappears is PD, even if the sum would be PR against baseline.
    b = base(30.0, 20.0)
    gone = {"L1": {"status": "disappeared"}, "L2": {"status": "disappeared"}}
    visits = [visit(42, 0, 0, statuses=gone), visit(84, 0, 0, statuses=gone),
              visit(126, 4.0, 0, statuses={"L2": {"status": "disappeared"}})]
    assert targets(b, *visits) == [T.CR, T.CR, T.PD]
    assert targets(b, *visits, settings=RecistSettings(reappearance_after_cr_is_pd=False)) == [T.CR, T.CR, T.PR]


def test_a_confirmed_pr_continues_unless_pd():
    # Q&A "Managing PR when TP measurements change slightly": 100 → 70 → 70 → 80 → 80 is PR throughout.
    b = base(60.0, 40.0)
    visits = [visit(42, 42.0, 28.0), visit(84, 42.0, 28.0), visit(126, 48.0, 32.0), visit(168, 48.0, 32.0)]
    assert targets(b, *visits) == [T.PR, T.PR, T.PR, T.PR]
    strict = RecistSettings(pr_persists_after_confirmation=False)
    assert targets(b, *visits, settings=strict) == [T.PR, T.PR, T.SD, T.SD]
    # Unconfirmed (the second PR < 28 days later): the later 80 mm is SD.
    early = [visit(42, 42.0, 28.0), visit(56, 42.0, 28.0), visit(98, 48.0, 32.0)]
    assert targets(b, *early) == [T.PR, T.PR, T.SD]


def test_non_target_and_new_lesions_combine_by_table_1():
    b = base(30.0, non_target="PRESENT")
    gone = {"L1": {"status": "disappeared"}}
    a = assess(b, [visit(42, 0, non_target="Non-CR/Non-PD", statuses=gone),
                   visit(84, 0, non_target="CR", statuses=gone),
                   visit(126, 0, non_target="CR", new=True, statuses=gone)])
    assert [v.overall for v in a.visits] == [O.PR, O.CR, O.PD]
    assert a.best_overall_response is O.PR  # CR at 84 not confirmed; PR 42 confirmed by CR 84 (Table 3: PR CR → PR)


def test_non_target_only_disease_uses_table_2():
    a = assess({"day": -3, "non_target": "PRESENT"},
               [{"day": 42, "non_target": "NON_CR_NON_PD", "new_lesions": False},
                {"day": 84, "non_target": "NON_CR_NON_PD", "new_lesions": False}])
    assert [v.target for v in a.visits] == [T.NONE, T.NONE] and a.visits[0].sum_mm is None
    assert a.best_overall_response is O.NON_CR_NON_PD


def test_confirmed_pr_example_output_shape():
    out = assess_record({"baseline": base(40.0, 30.0), "visits": [visit(42, 25.0, 20.0), visit(84, 24.0, 18.0)]})
    assert set(out["visits"][0]) >= {"day", "sum_mm", "pct_change_from_baseline", "nadir_mm", "target", "overall"}
    assert out["best_overall_response"] == "PR" and out["visits"][1]["pct_change_from_baseline"] == -40.0


@given(st.lists(st.integers(10, 100), min_size=3, max_size=5),
       st.lists(st.lists(st.integers(10, 150), min_size=5, max_size=5), min_size=1, max_size=4),
       st.sampled_from([2, 3, 10]))
@hsettings(max_examples=60, deadline=None)
def test_scaling_every_measurement_does_not_change_the_target_response(baseline_mm, follow_ups, k):
    # Relative rules are scale-free; with every sum ≥ 30 mm the 5 mm absolute rule is implied by +20%.
    b = base(*baseline_mm)
    visits = [visit(42 * (i + 1), *mm[: len(baseline_mm)]) for i, mm in enumerate(follow_ups)]
    scaled_b = base(*[k * x for x in baseline_mm])
    scaled = [visit(42 * (i + 1), *[k * x for x in mm[: len(baseline_mm)]]) for i, mm in enumerate(follow_ups)]
    assert targets(b, *visits) == targets(scaled_b, *scaled)


@given(st.lists(st.integers(10, 60), min_size=1, max_size=3), st.integers(0, 80), st.booleans())
@hsettings(max_examples=40, deadline=None)
def test_a_new_lesion_always_gives_pd(baseline_mm, follow_up, present):
    b = base(*baseline_mm, non_target="PRESENT" if present else "NONE")
    v = visit(42, *[follow_up] * len(baseline_mm), non_target="NON_CR_NON_PD" if present else None, new=True)
    assert assess(b, [v]).visits[0].overall is O.PD


@pytest.mark.parametrize("record, field", [
    ({"baseline": base(9.0), "visits": []}, "baseline.target_lesions[0].diameter_mm"),
    ({"baseline": base(20.0), "visits": [visit(-7, 10.0)]}, "visits[0].day"),
    ({"baseline": base(20.0, non_target="PRESENT"), "visits": [visit(42, 10.0)]}, "visits[0].non_target"),
    ({"baseline": base(20.0), "visits": [visit(42, 10.0, non_target="CR")]}, "visits[0].non_target"),
    ({"baseline": base(20.0), "visits": [visit(42, 10.0, non_target="MAYBE")]}, "visits[0].non_target"),
    ({"baseline": {"day": 0, "non_target": "NONE"}, "visits": []}, "baseline"),
    ({"baseline": base(20.0), "visits": [{"day": 42, "target_lesions": [{"id": "L1", "diameter_mm": 3}]}]},
     "visits[0].new_lesions"),
    ({"baseline": base(20.0), "visits": [], "settings": {"too_small_default_mm": -1}}, "settings.too_small_default_mm"),
    ({"baseline": base(20.0)}, "visits"),
])
def test_bad_input_names_the_field(record, field):
    with pytest.raises(InputError) as err:
        assess_record(record)
    assert err.value.field_path == field


def test_type_errors_inside_lists_use_bracket_positions():
    record = {"baseline": base(20.0), "visits": [{"day": 42, "new_lesions": False,
                                                  "target_lesions": [{"id": "L1", "diameter_mm": "big"}]}]}
    with pytest.raises(InputError) as err:
        assess_record(record, None, "[2]")
    assert err.value.field_path == "[2].visits[0].target_lesions[0].diameter_mm"


def test_sd_minimum_counts_from_baseline_scan_or_first_infusion():
    # §4.4 "after study entry": the protocol chooses the reference day (settings.min_sd_from).
    b = base(30.0, day=-10)
    visits = [visit(35, 29.0)]
    assert assess(b, visits).best_overall_response is O.SD                       # 35 − (−10) = 45 ≥ 42
    day0 = RecistSettings(min_sd_from="first_infusion")
    assert assess(b, visits, day0).best_overall_response is O.NE                 # 35 − 0 < 42


def test_no_continuing_pr_after_progression():
    b = base(60.0, 40.0)
    visits = [visit(42, 42.0, 28.0), visit(84, 42.0, 28.0), visit(126, 60.0, 40.0), visit(168, 48.0, 32.0)]
    assert targets(b, *visits) == [T.PR, T.PR, T.PD, T.SD]
