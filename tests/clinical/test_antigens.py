"""IHC antigen positivity (H-score per Hirsch et al., J Clin Oncol 2003;21:3798) and construct qualification."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, strategies as st

from dartnk.clinical.antigens import IhcResult, h_score_bounds, percent_at_bounds, profile_antigens
from dartnk.errors import InputError
from dartnk.protocol import default_protocol


def profile(antigens):
    return profile_antigens(default_protocol(), {"antigens": antigens})


ALL = {"DLL3": {"percent_positive": 60, "intensity": 2}, "CD56": {"percent_positive": 90, "intensity": 3},
       "GD2": {"percent_by_intensity": {"1": 20, "2": 15, "3": 5}}}


def test_all_positive_qualifies_for_every_construct():
    p = profile(ALL)
    assert all(a.positive for a in p.antigens.values())
    assert p.qualifying_constructs == ["DLL3-CD56", "DLL3-GD2", "CD56-GD2"]
    out = p.to_json()
    assert out["antigens"]["GD2"]["h_score"] == 65.0          # 1×20 + 2×15 + 3×5
    assert out["antigens"]["DLL3"]["h_score"] == 120.0        # uniform 2+ on 60%
    assert set(out) == {"antigens", "qualifying_constructs", "constructs"}


def test_h_score_formula():
    # H-score = 1 × %1+ + 2 × %2+ + 3 × %3+, range 0–300
    assert h_score_bounds(IhcResult(percent_by_intensity={"1": 10, "2": 20, "3": 30})).exact == 140
    assert h_score_bounds(IhcResult(percent_by_intensity={"3": 100})).exact == 300
    assert h_score_bounds(IhcResult(percent_by_intensity={"0": 100})).exact == 0


@pytest.mark.parametrize("pct,positive", [(1, True), (0.99, False), (1.01, True), (0, False)])
def test_dll3_one_percent_boundary(pct, positive):
    # DEFAULT rule: DLL3 ≥ 1% tumour cells at any intensity (SP347)
    intensity = 0 if pct == 0 else 1
    assert profile({"DLL3": {"percent_positive": pct, "intensity": intensity}}).antigens["DLL3"].positive is positive


@pytest.mark.parametrize("pct,positive", [(10, True), (9.99, False), (10.01, True)])
def test_cd56_ten_percent_boundary(pct, positive):
    assert profile({"CD56": {"percent_positive": pct}}).antigens["CD56"].positive is positive


@pytest.mark.parametrize("dist,positive", [
    ({"1": 9, "2": 1}, True),      # 9 + 1 = 10% stained: positive by percent (H only 11)
    ({"1": 9}, False),             # 9%, H 9
    ({"3": 9.99}, False),          # 9.99% and H 29.97
    ({"1": 5, "3": 15}, True),     # 20%
])
def test_gd2_percent_or_h_score(dist, positive):
    expected = positive or sum(dist.values()) >= 10
    assert profile({"GD2": {"percent_by_intensity": dist}}).antigens["GD2"].positive is expected


@pytest.mark.parametrize("h,positive", [(50, True), (50.01, True), (49.99, True), (30, True), (29.97, None),
                                        (29, None), (10, None), (9.99, False)])
def test_gd2_h_score_only_boundaries(h, positive):
    # H ≥ 50 suffices (combine any). Below 50, % at ≥ 1+ lies in [H/3, H]: ≥ 10% for sure when H ≥ 30,
    # < 10% for sure when H < 10, undetermined between
    assert profile({"GD2": {"h_score": h}}).antigens["GD2"].positive is positive


def test_h_score_only_decides_when_bounds_decide():
    assert profile({"GD2": {"h_score": 9}}).antigens["GD2"].positive is False       # ≤ 9% stained, H 9 < 50
    assert profile({"GD2": {"h_score": 30}}).antigens["GD2"].positive is True       # ≥ 10% stained
    assert profile({"DLL3": {"h_score": 3}}).antigens["DLL3"].positive is True      # ≥ 1% stained
    assert profile({"DLL3": {"h_score": 0}}).antigens["DLL3"].positive is False
    assert profile({"DLL3": {"h_score": 2}}).antigens["DLL3"].positive is None      # 0.67–2%


def test_bounds_for_stronger_minimum_intensity():
    r = IhcResult(h_score=250)
    b = percent_at_bounds(r, 2)
    # cells < 2+ give ≤ 1 each: 250 ≤ (100 − P) + 3P → P ≥ 75; cells ≥ 2+ give ≥ 2: P ≤ 125 → 100
    assert (b.lo, b.hi) == (Fraction(75), Fraction(100))
    b = percent_at_bounds(IhcResult(percent_positive=40, h_score=100), 2)
    # 40% stained, H 100: P ≥ (100 − 40)/2 = 30, P ≤ (100 − 40)/1 = 60 → capped at 40
    assert (b.lo, b.hi) == (Fraction(30), Fraction(40))
    assert percent_at_bounds(IhcResult(percent_positive=40, intensity=1), 2).exact == 0
    assert percent_at_bounds(IhcResult(percent_positive=40), 2) == percent_at_bounds(IhcResult(percent_positive=40), 2)


def test_percent_only_h_score_bounded():
    b = h_score_bounds(IhcResult(percent_positive=20))
    assert (b.lo, b.hi) == (20, 60)
    assert profile({"GD2": {"percent_positive": 20}}).antigens["GD2"].h_score is None


def test_aliases_case_and_missing():
    p = profile({"ncam1": {"percent_positive": 50}, "dll3": {"percent_positive": 5}})
    assert p.antigens["CD56"].positive is True and p.antigens["DLL3"].positive is True
    assert p.antigens["GD2"].positive is None and "GD2" in p.antigens["GD2"].reason
    assert p.constructs == {"DLL3-CD56": True, "DLL3-GD2": None, "CD56-GD2": None}
    assert p.qualifying_constructs == ["DLL3-CD56"]


def test_gd2_negative_leaves_one_construct():
    p = profile({**ALL, "GD2": {"percent_positive": 0, "intensity": 0}})
    assert p.antigens["GD2"].positive is False
    assert p.qualifying_constructs == ["DLL3-CD56"]
    assert p.constructs["DLL3-GD2"] is False


@pytest.mark.parametrize("antigens,field", [
    ({"HER2": {"percent_positive": 5}}, "antigens.HER2"),
    ({"CD56": {"percent_positive": 5}, "NCAM1": {"percent_positive": 5}}, "antigens.NCAM1"),
    ({"GD2": {"percent_by_intensity": {"1": 50, "2": 40, "3": 20}}}, "antigens.GD2"),
    ({"GD2": {"percent_by_intensity": {"4": 5}}}, "antigens.GD2.percent_by_intensity"),
    ({"GD2": {"percent_positive": 101}}, "antigens.GD2.percent_positive"),
    ({"GD2": {"intensity": 4, "percent_positive": 5}}, "antigens.GD2.intensity"),
    ({"GD2": {"h_score": 301}}, "antigens.GD2.h_score"),
    ({"GD2": {"h_score": 100, "percent_by_intensity": {"1": 100}}}, "antigens.GD2"),
    ({"GD2": {"h_score": 100, "intensity": 2, "percent_positive": 40}}, "antigens.GD2"),
    ({"GD2": {"h_score": 100, "percent_positive": 20}}, "antigens.GD2"),
    ({"GD2": {"intensity": 0, "percent_positive": 20}}, "antigens.GD2"),
    ({"GD2": {"intensity": 2}}, "antigens.GD2"),
    ({"GD2": {"percent_positive": 30, "percent_by_intensity": {"1": 20}}}, "antigens.GD2"),
    ({"GD2": {"colour": "brown"}}, "antigens.GD2.colour"),
    ({"GD2": 40}, "antigens.GD2"),
])
def test_bad_input_names_the_field(antigens, field):
    with pytest.raises(InputError) as exc:
        profile(antigens)
    assert exc.value.field_path.startswith(field)


def test_record_shape_errors():
    with pytest.raises(InputError, match="antigens"):
        profile_antigens(default_protocol(), {})
    with pytest.raises(InputError, match="extra"):
        profile_antigens(default_protocol(), {"antigens": {}, "extra": 1})
    with pytest.raises(InputError, match=r"\[2\]"):
        profile_antigens(default_protocol(), [], "[2]")


pct = st.integers(0, 100)


@given(a=pct, b=pct, c=pct)
def test_bounds_contain_the_truth(a, b, c):
    if a + b + c > 100:
        return
    full = IhcResult(percent_by_intensity={"1": a, "2": b, "3": c})
    h = h_score_bounds(full).exact
    assert 0 <= h <= 300
    for k in (1, 2, 3):
        truth = percent_at_bounds(full, k).exact
        for partial in (IhcResult(h_score=h), IhcResult(h_score=h, percent_positive=a + b + c) if a + b + c else IhcResult(h_score=0)):
            bound = percent_at_bounds(partial, k)
            assert bound.lo <= truth <= bound.hi
