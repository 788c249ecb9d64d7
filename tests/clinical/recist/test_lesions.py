"""RECIST 1.1 lesions: baseline selection rules (§3.1.1 measurability, §3.2 ≤ 5 targets and ≤ 2 per
organ; Q&A: all nodes one organ, paired organs one organ) and follow-up values (§3.3.1/Appendix II:
too small → 5 mm, disappeared → 0, split → fragments summed, coalesced → one mass, others 0).
Eisenhauer et al., Eur J Cancer 2009;45:228–247."""

from __future__ import annotations

from fractions import Fraction

import pytest

from dartnk.clinical.recist.lesions import (BaselineLesion, LesionStatus, VisitLesion, baseline_problems, baseline_sum,
                                            exact, measure, visit_problems)


def lesion(id="L1", organ="liver", node=False, mm=20.0, **kw):
    return BaselineLesion(id=id, organ=organ, lymph_node=node, diameter_mm=mm, **kw)


def problems(lesions):
    return baseline_problems(lesions, "baseline.target_lesions")


def test_exact_decimal_values():
    assert exact(12.3) == Fraction(123, 10) and exact(0.1) + exact(0.2) == exact(0.3)
    assert exact(10) == 10


@pytest.mark.parametrize("mm, ok", [(10.0, True), (9.9, False)])
def test_non_nodal_target_needs_10_mm(mm, ok):
    # §3.1.1: measurable = longest diameter ≥ 10 mm by CT (slice ≤ 5 mm).
    found = problems([lesion(mm=mm)])
    assert (not found) is ok
    if not ok:
        assert found[0].field == "baseline.target_lesions[0].diameter_mm" and "L1" in found[0].expected
        assert found[0].value == 9.9


@pytest.mark.parametrize("mm, ok", [(15.0, True), (14.9, False), (10.0, False), (9.0, False)])
def test_target_node_needs_15_mm_short_axis(mm, ok):
    # §3.1.1: nodes ≥ 15 mm short axis are measurable; 10–<15 mm pathological but non-target; < 10 normal.
    found = problems([lesion(id="N1", organ="mediastinum", node=True, mm=mm)])
    assert (not found) is ok
    if not ok:
        assert "15 mm" in found[0].expected and "N1" in found[0].expected


def test_thick_slices_need_twice_the_slice_thickness():
    # §3.1.1: with CT slices > 5 mm the minimum size is twice the slice thickness.
    assert problems([lesion(mm=15.9, slice_thickness_mm=8)]) and not problems([lesion(mm=16, slice_thickness_mm=8)])
    assert not problems([lesion(mm=10, slice_thickness_mm=5)])
    assert not problems([lesion(mm=20, slice_thickness_mm=10)])
    assert problems([lesion(mm=19.9, slice_thickness_mm=10)])


def test_chest_xray_needs_20_mm_and_nodes_need_ct():
    assert problems([lesion(mm=19.9, method="chest_xray")]) and not problems([lesion(mm=20, method="chest_xray")])
    assert problems([lesion(node=True, organ="neck", mm=20, method="caliper")])


def test_at_most_five_targets():
    organs = ["liver", "lung", "adrenal", "bone", "brain", "kidney"]
    assert not problems([lesion(id=f"L{i}", organ=o) for i, o in enumerate(organs[:5])])
    found = problems([lesion(id=f"L{i}", organ=o) for i, o in enumerate(organs)])
    assert len(found) == 1 and "at most 5" in found[0].expected


def test_at_most_two_per_organ_with_paired_organs_and_nodes_as_one_organ():
    assert not problems([lesion("A", "liver"), lesion("B", "Liver")])
    found = problems([lesion("A", "liver"), lesion("B", "Liver"), lesion("C", "liver ")])
    assert "A, B, C" in str(found[0].value)
    # Q&A "Paired organs": left and right lung are one organ.
    assert problems([lesion("A", "left lung"), lesion("B", "right lung"), lesion("C", "lung")])
    # Q&A "Two target lesions": all lymph nodes count as one organ, whatever their site.
    nodes = [lesion(i, site, node=True) for i, site in (("N1", "mediastinum"), ("N2", "axilla"), ("N3", "neck"))]
    assert "lymph node" in str(problems(nodes)[0].value)


def test_duplicate_ids_are_named():
    found = problems([lesion("A", "liver"), lesion("A", "lung")])
    assert found[0].field == "baseline.target_lesions[1].id"


def test_baseline_sum_adds_node_short_axes():
    assert baseline_sum([lesion(mm=23.4), lesion("N1", "hilum", node=True, mm=15.2)]) == Fraction(386, 10)


TOO_SMALL = Fraction(5)


@pytest.mark.parametrize("record, node, value, normal", [
    ({"status": "measured", "diameter_mm": 3.2}, False, Fraction(32, 10), False),   # actual value kept, even < 5 mm
    ({"status": "disappeared"}, False, Fraction(0), True),
    ({"status": "too_small"}, False, Fraction(5), False),                           # §3.3.1: default 5 mm
    ({"status": "too_small"}, True, Fraction(5), True),                             # a 5 mm node is normal
    ({"status": "measured", "diameter_mm": 10}, True, Fraction(10), False),         # node 10 mm: not normal
    ({"status": "measured", "diameter_mm": 9.9}, True, Fraction(99, 10), True),     # node < 10 mm: normal
    ({"status": "split", "fragments_mm": [6.1, 4.2]}, False, Fraction(103, 10), False),
    ({"status": "split", "fragments_mm": [6, 7]}, True, Fraction(13), True),        # each node fragment < 10 mm
    ({"status": "coalesced", "diameter_mm": 41}, False, Fraction(41), False),
    ({"status": "not_evaluated"}, False, None, False),
])
def test_follow_up_values(record, node, value, normal):
    m = measure(VisitLesion(id="L1", **record), node, TOO_SMALL)
    assert m.value == value and m.normal is normal


def test_coalesced_into_counts_zero():
    assert measure(VisitLesion(id="L2", status="coalesced_into", into="L1"), False, TOO_SMALL).value == 0


def visit(*records):
    return visit_problems([VisitLesion(**r) for r in records], [lesion("L1"), lesion("L2", "lung")], "v.target_lesions")


def test_visit_rules_per_status():
    assert not visit({"id": "L1", "diameter_mm": 12}, {"id": "L2", "status": "too_small"})
    assert not visit({"id": "L1", "status": "coalesced", "diameter_mm": 40},
                     {"id": "L2", "status": "coalesced_into", "into": "L1"})
    assert not visit({"id": "L1", "status": "coalesced", "diameter_mm": 40},
                     {"id": "L2", "status": "coalesced_into", "into": "L1", "diameter_mm": 0})
    fields = lambda found: [p.field for p in found]  # noqa: E731
    assert fields(visit({"id": "L1"}, {"id": "L2", "status": "not_evaluated"})) == ["v.target_lesions[0].diameter_mm"]
    assert fields(visit({"id": "L1", "status": "too_small", "diameter_mm": 3},
                        {"id": "L2", "diameter_mm": 1})) == ["v.target_lesions[0].diameter_mm"]
    assert fields(visit({"id": "L1", "status": "split", "fragments_mm": [5]},
                        {"id": "L2", "diameter_mm": 1})) == ["v.target_lesions[0].fragments_mm"]
    assert fields(visit({"id": "L1", "diameter_mm": 12},
                        {"id": "L2", "status": "coalesced_into", "into": "L1"})) == ["v.target_lesions[1].into"]
    assert fields(visit({"id": "L1", "diameter_mm": 12})) == ["v.target_lesions"]
    assert fields(visit({"id": "L1", "diameter_mm": 12}, {"id": "L2", "diameter_mm": 1},
                        {"id": "L9", "diameter_mm": 1})) == ["v.target_lesions[2].id"]
    assert fields(visit({"id": "L1", "status": "disappeared", "diameter_mm": 4},
                        {"id": "L2", "diameter_mm": 1})) == ["v.target_lesions[0].diameter_mm"]
