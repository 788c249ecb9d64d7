"""Plots: each returns a Figure with the expected artists; PNGs saved to test-artifacts/plots/ for review."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from dartnk.analysis import plots as P

OUT = Path(__file__).resolve().parents[2] / "test-artifacts" / "plots"


def save(fig, name: str) -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"{name}.png"
    fig.savefig(path)
    assert path.stat().st_size > 5000
    return path


def texts(fig) -> str:
    out = []
    for ax in fig.axes:
        out += [ax.get_xlabel(), ax.get_ylabel(), ax.get_title()]
        out += [t.get_text() for t in ax.texts]
        out += [t.get_text() for t in ax.get_xticklabels() + ax.get_yticklabels()]
        leg = ax.get_legend()
        if leg:
            out += [t.get_text() for t in leg.get_texts()]
    return "\n".join(out)


def test_waterfall_sorted_and_hatched():
    changes = [P.BestChange("P01", -45.0, "PR"), P.BestChange("P02", 25.0, "PD"), P.BestChange("P03", -100.0, "CR"),
               P.BestChange("P04", -30.0, "PR"), P.BestChange("P05", 5.0, "SD")]
    fig = P.waterfall(changes)
    ax = fig.axes[0]
    heights = [b.get_height() for b in ax.patches]
    assert heights == sorted(heights, reverse=True) == [25.0, 5.0, -30.0, -45.0, -100.0]
    hatches = {b.get_hatch() for b in ax.patches}
    assert len(hatches) == 4  # CR, PR, SD, PD each its own hatch (black-and-white readable)
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels == ["P02", "P05", "P04", "P01", "P03"]
    assert "(%)" in ax.get_ylabel()
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["CR", "PR", "SD", "PD"]
    assert {l.get_ydata()[0] for l in ax.lines} >= {20.0, -30.0}
    save(fig, "waterfall")


def test_spider_lines_per_patient_in_weeks():
    series = [P.ChangeSeries("P01", (0, 42, 84), (0.0, -35.0, -50.0), "DLL3-CD56"),
              P.ChangeSeries("P02", (0, 42), (0.0, 22.0), "CD56-GD2")]
    fig = P.spider(series)
    ax = fig.axes[0]
    data = [l for l in ax.lines if len(l.get_xdata()) > 2 or l.get_label() in ("DLL3-CD56", "CD56-GD2")]
    xs = [list(l.get_xdata()) for l in data]
    assert [0.0, 6.0, 12.0] in xs and [0.0, 6.0] in xs
    styles = {l.get_linestyle() for l in data}
    assert len(styles) == 2
    assert "weeks" in ax.get_xlabel()
    save(fig, "spider")


def test_swimmer_has_markers_for_every_event():
    lanes = [P.SwimLane("P01", 400, died=True, infusion_days=(0, 7, 14), responses=((42, "PR"), (84, "PR")),
                        progression_day=200, group="DLL3-CD56"),
             P.SwimLane("P02", 700, ongoing=True, infusion_days=(0, 7, 14), responses=((42, "CR"),), group="DLL3-GD2"),
             P.SwimLane("P03", 90, infusion_days=(0,), responses=((42, "SD"),), group="CD56-GD2")]
    fig = P.swimmer(lanes)
    t = texts(fig)
    for word in ("CAR-NK infusion", "PR", "CR", "SD", "Progression", "Death", "In follow-up", "Censored (off study)",
                 "months"):
        assert word in t, word
    ax = fig.axes[0]
    widths = sorted(round(b.get_width(), 3) for b in ax.patches if b.get_width() > 0)
    assert widths == [round(90 / P.survival.DAYS_PER_MONTH, 3), round(400 / P.survival.DAYS_PER_MONTH, 3),
                      round(700 / P.survival.DAYS_PER_MONTH, 3)]
    save(fig, "swimmer")


def test_kaplan_meier_median_matches_hand_computation():
    # Hand KM: times 1..10 months all events, median = 5th event time (S drops to 0.5 at t=5).
    d = P.survival.DAYS_PER_MONTH
    g = P.SurvivalGroup("all", tuple(i * d for i in range(1, 11)), (True,) * 10)
    fits, meds = P.fit_groups([g])
    assert meds[0].median == pytest.approx(5.0)
    assert meds[0].n == 10 and meds[0].events == 10
    # With censoring so S never reaches 0.5: not reached.
    g2 = P.SurvivalGroup("censored", (30.0, 60.0, 90.0, 120.0), (True, False, False, False))
    _, meds2 = P.fit_groups([g2])
    assert meds2[0].median is None and "NR" in meds2[0].text()
    fig = P.kaplan_meier([g, P.SurvivalGroup("B", tuple(i * 1.5 * d for i in range(1, 9)), (True, False) * 4)],
                         endpoint="Progression-free survival")
    t = texts(fig)
    assert "At risk" in t and "median 5.0 mo" in t and "months" in t
    save(fig, "kaplan_meier")


def test_persistence_log_scale_and_lloq():
    rng = np.random.default_rng(1)
    days = (1, 4, 7, 10, 14, 21, 28)
    series = []
    for c in ("DLL3-CD56", "DLL3-GD2"):
        for lv, base in (("DL1", 3e3), ("DL2", 3e4)):
            for k in range(3):
                vals = tuple(float(base * np.exp(-0.15 * d) * rng.lognormal(0, 0.3)) for d in days)
                series.append(P.PersistenceSeries(f"{c}-{lv}-{k}", c, lv, days, vals))
    fig = P.persistence_curves(series, lloq=10.0)
    assert len(fig.axes) == 2
    for ax in fig.axes:
        assert ax.get_yscale() == "log"
    t = texts(fig)
    assert "copies/µg" in t and "DL1 median (n=3)" in t and "LLOQ" in t
    save(fig, "persistence")


def test_dlt_rates_exact_ci_reference():
    # Clopper–Pearson 95% for 1/6: 0.004211–0.641235 (R: binom.test(1, 6)$conf.int).
    lo, hi = P.exact_ci(1, 6)
    assert lo == pytest.approx(0.004211, abs=1e-5) and hi == pytest.approx(0.641235, abs=1e-5)
    assert P.exact_ci(0, 3) == (0.0, pytest.approx(0.707598, abs=1e-5))
    assert P.exact_ci(3, 3) == (pytest.approx(0.292402, abs=1e-5), 1.0)
    counts = [P.DltCount("DLL3-CD56", "DL1", 0, 3), P.DltCount("DLL3-CD56", "DL2", 1, 6),
              P.DltCount("CD56-GD2", "DL1", 2, 3), P.DltCount("CD56-GD2", "DL3", 0, 0)]
    fig = P.dlt_rates(counts, level_order=["DL-1", "DL1", "DL2", "DL3"])
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["DL1", "DL2"]
    t = texts(fig)
    assert "1/6" in t and "2/3" in t and "exact 95% CI" in t
    save(fig, "dlt_rates")


def test_persistence_by_response_strip():
    fig = P.persistence_by_response({"Responders (CR/PR)": [3e4, 1e4], "Non-responders": [2e3, 5.0, 800.0]}, lloq=10)
    ax = fig.axes[0]
    assert ax.get_yscale() == "log"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["Responders (CR/PR)", "Non-responders"]
    medians = [l.get_ydata()[0] for l in ax.lines if len(l.get_xdata()) == 2 and l.get_linewidth() == 2]
    assert medians == [2e4, 800.0]  # 5 copies is below the LLOQ and drawn at 10
    assert "Non-responders (n=3)" in texts(fig)
    save(fig, "persistence_by_response")


@pytest.mark.parametrize("fn", [lambda: P.waterfall([]), lambda: P.spider([]), lambda: P.swimmer([]),
                                lambda: P.kaplan_meier([]), lambda: P.persistence_curves([]), lambda: P.dlt_rates([]),
                                lambda: P.persistence_by_response({})])
def test_empty_data_draws_a_note(fn):
    fig = fn()
    assert any(t.get_text() for ax in fig.axes for t in ax.texts)


def test_data_uri_is_png():
    uri = P.figure_data_uri(P.waterfall([P.BestChange("P1", -10.0, "SD")]))
    assert uri.startswith("data:image/png;base64,iVBOR")
