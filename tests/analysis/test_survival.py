"""Kaplan–Meier, median CIs and log-rank against R survival on public data sets.

Freireich 6-MP data (Freireich et al., Blood 1963;21:699–716; Gehan, Biometrika 1965;52:203–223;
``MASS::gehan``): R ``summary(survfit(Surv(time, cens) ~ treat, data = gehan))`` and
``print(...)``; ``survdiff`` gives Chisq = 16.8 on 1 df, p = 4.17e-05.
AML data (``survival::aml``, Miller 1981): ``survfit(Surv(time, status) ~ x, data = aml)`` prints
medians 31 (18, NA) and 23 (8, NA); ``survdiff``: Chisq = 3.4 on 1 df, p = 0.07.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dartnk.analysis.survival import parse_survival_csv, survival_analysis
from dartnk.errors import InputError

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _load(name, time, event, group):
    return parse_survival_csv((EXAMPLES / name).read_text(), time, event, group)


@pytest.fixture(scope="module")
def gehan():
    t, e, g = _load("km-gehan-6mp.csv", "weeks", "relapse", "treatment")
    return survival_analysis(t, e, g, at=[10, 23, 40])


def test_gehan_medians_and_log_ci(gehan):
    mp, control = gehan["groups"]["6-MP"], gehan["groups"]["control"]
    assert (mp["n"], mp["events"], control["n"], control["events"]) == (21, 9, 21, 21)
    assert mp["median"] == 23 and mp["median_ci"] == [16, None]
    assert control["median"] == 8 and control["median_ci"] == [4, 12]
    assert "upper limit undefined" in mp["median_ci_reason"]


def test_gehan_survival_at_times(gehan):
    # R summary(fit, times = c(10, 23)) for 6-MP: 0.753 (0.586, 0.968); 0.448 (0.249, 0.807)
    s10, s23 = gehan["groups"]["6-MP"]["survival_at"]["10"], gehan["groups"]["6-MP"]["survival_at"]["23"]
    assert (round(s10["s"], 3), round(s10["lower"], 3), round(s10["upper"], 3)) == (0.753, 0.586, 0.968)
    assert (round(s23["s"], 3), round(s23["lower"], 3), round(s23["upper"], 3)) == (0.448, 0.249, 0.807)
    beyond = gehan["groups"]["6-MP"]["survival_at"]["40"]
    assert beyond["s"] is None and "beyond" in beyond["reason"]


def test_gehan_logrank(gehan):
    lr = gehan["logrank"]
    assert lr["df"] == 1
    assert round(lr["chi2"], 1) == 16.8
    assert lr["p"] == pytest.approx(4.17e-05, rel=5e-3)


def test_aml_medians_and_logrank():
    t, e, g = _load("km-aml.csv", "weeks", "status", "x")
    out = survival_analysis(t, e, g)
    assert out["groups"]["Maintained"]["median"] == 31
    assert out["groups"]["Maintained"]["median_ci"] == [18, None]
    assert out["groups"]["Nonmaintained"]["median"] == 23
    assert out["groups"]["Nonmaintained"]["median_ci"] == [8, None]
    assert round(out["logrank"]["chi2"], 1) == 3.4 and round(out["logrank"]["p"], 2) == 0.07


def test_log_log_median_ci_agrees_with_lifelines():
    from lifelines import KaplanMeierFitter
    from lifelines.utils import median_survival_times

    for name, cols in (("km-aml.csv", ("weeks", "status", "x")), ("km-gehan-6mp.csv", ("weeks", "relapse", "treatment"))):
        t, e, g = _load(name, *cols)
        out = survival_analysis(t, e, g, transform="log-log")
        for group in set(g):
            idx = [i for i, v in enumerate(g) if v == group]
            kmf = KaplanMeierFitter().fit([t[i] for i in idx], [e[i] for i in idx])
            ref = median_survival_times(kmf.confidence_interval_).iloc[0].tolist()
            ref = [None if v == float("inf") else v for v in ref]
            assert out["groups"][group]["median_ci_by_transform"]["log-log"] == ref


def test_log_log_pointwise_limits_agree_with_lifelines():
    from lifelines import KaplanMeierFitter

    t, e, _ = _load("km-gehan-6mp.csv", "weeks", "relapse", "treatment")
    t, e = t[:21], e[:21]
    out = survival_analysis(t, e, transform="log-log", at=[6, 7, 10, 13, 16, 22, 23])
    ci = KaplanMeierFitter().fit(t, e).confidence_interval_
    for label, s in out["groups"]["all"]["survival_at"].items():
        row = ci.loc[float(label)]
        assert s["lower"] == pytest.approx(row.iloc[0], abs=1e-9)
        assert s["upper"] == pytest.approx(row.iloc[1], abs=1e-9)


def test_median_midpoint_when_curve_sits_at_half():
    # R: survfit(Surv(1:4)) has median 2.5 (S = 0.5 on [2, 3))
    out = survival_analysis([1, 2, 3, 4], [1, 1, 1, 1])
    assert out["groups"]["all"]["median"] == 2.5
    assert out["logrank"] is None


def test_median_undefined_has_reason():
    out = survival_analysis([1, 2, 3], [1, 0, 0])["groups"]["all"]
    assert out["median"] is None and "does not fall to 0.5" in out["median_reason"]
    # R survival quantile.survfit: a curve flat at exactly 0.5 to the end → midpoint with the last time
    assert survival_analysis([1, 2, 4], [1, 1, 0])["groups"]["all"]["median"] == 2  # S = 2/3, then 1/3
    assert survival_analysis([1, 2, 4], [1, 0, 0])["groups"]["all"]["median"] is None
    assert survival_analysis([1, 3], [1, 0])["groups"]["all"]["median"] == 2.0


def test_survival_before_first_event_is_one():
    s = survival_analysis([5, 6], [1, 1], at=[0, 4.5])["groups"]["all"]["survival_at"]
    assert s["0"] == {"s": 1.0, "lower": 1.0, "upper": 1.0} and s["4.5"]["s"] == 1.0


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 60), st.booleans()), min_size=1, max_size=40))
def test_limits_bracket_the_estimate(data):
    times = [float(t) for t, _ in data]
    events = [int(e) for _, e in data]
    at = sorted({t for t, _ in data})
    for transform in ("log", "log-log"):
        g = survival_analysis(times, events, transform=transform, at=at)["groups"]["all"]
        for s in g["survival_at"].values():
            if s["s"] is not None and s["lower"] is not None:
                assert s["lower"] - 1e-12 <= s["s"] <= s["upper"] + 1e-12 <= 1 + 1e-12
        lo, hi = g["median_ci"]
        if g["median"] is not None and lo is not None:
            assert lo <= g["median"]
        if g["median"] is not None and hi is not None:
            assert g["median"] <= hi


def test_r_event_codings():
    # R Surv: 2 = event, 1 = censored when the status column holds only 1s and 2s (survival::lung)
    t, e, _ = parse_survival_csv("t,s\n5,2\n6,1\n7,2\n", "t", "s")
    assert e == [1, 0, 1]
    assert parse_survival_csv("t,s\n5,TRUE\n6,false\n", "t", "s")[1] == [1, 0]
    assert parse_survival_csv("t,s\n5,1\n6,1\n", "t", "s")[1] == [1, 1]  # no 2: 0/1 coding
    with pytest.raises(InputError, match=r"s \(row 3\)"):
        parse_survival_csv("t,s\n5,2\n6,0\n", "t", "s")


def test_csv_errors_name_the_column():
    text = "t,e,g\n1,1,a\n2,x,b\n"
    with pytest.raises(InputError, match=r"e \(row 3\)"):
        parse_survival_csv(text, "t", "e", "g")
    with pytest.raises(InputError, match="--time"):
        parse_survival_csv(text, "time", "e")
    with pytest.raises(InputError, match=r"t \(row 2\)"):
        parse_survival_csv("t,e\n-1,1\n", "t", "e")
    with pytest.raises(InputError, match="ci"):
        survival_analysis([1.0], [1], transform="arcsine")
