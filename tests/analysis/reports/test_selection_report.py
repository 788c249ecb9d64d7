"""Interim selection report: the rule's gates, scores and sensitivity appear, matching select_construct."""

from __future__ import annotations

import pytest

from dartnk.analysis.reports import render_html, render_pdf
from dartnk.analysis.reports.selection import arm_summary, declared_rp2d, selection_report
from tests.analysis.reports.test_reports import squash, text_of_html, text_of_pdf


def test_arm_summary_from_trial_data(trial):
    assert declared_rp2d(trial, "DLL3-GD2") == "DL1"
    assert declared_rp2d(trial, "DLL3-CD56") is None
    s = arm_summary(trial, "DLL3-CD56", rp2d="DL2")
    assert (s.rp2d_level, s.patients_at_rp2d, s.dlts_at_rp2d) == ("DL2", 6, 1)
    assert (s.products_manufactured, s.products_released, s.products_failed) == (9, 9, 0)
    assert s.vein_to_vein_days == (3.0,) * 9  # lot made on day +5, enrolled on day +2
    assert (s.responders, s.evaluable_for_response) == (2, 9)
    assert len(s.persistence) == 9 and s.persistence[0][28] == pytest.approx(round(2e3 * 0.85 ** 28, 2))


def test_selection_report_matches_the_rule(trial):
    from dartnk.design.selection import select_construct

    report = selection_report(trial, rp2d={"DLL3-CD56": "DL2"})
    arms = [arm_summary(trial, a, {"DLL3-CD56": "DL2"}.get(a)) for a in ("DLL3-CD56", "DLL3-GD2", "CD56-GD2")]
    expected = select_construct(trial.protocol.selection, arms)
    t = text_of_html(render_html(report))
    assert f"Selected construct: {expected.selected}." in t
    for c in expected.constructs:
        assert f"| {c.rank} | {c.construct} | {'yes' if c.eligible else 'no'} | {c.composite:.3f} |" in t
        assert f"| {c.construct} | {c.p_best['efficacy']:.3f} |" not in t  # P(best) row starts with safety
        assert f"{c.p_best['safety']:.3f} | {c.p_best['manufacturability']:.3f}" in t
    # CD56-GD2 has no RP2D: the rp2d gate fails with its reason
    assert "| CD56-GD2 | rp2d | no | no MTD/RP2D declared |" in t
    limit = trial.protocol.selection.gates.max_dlt_rate_at_rp2d
    assert f"| DLL3-CD56 | dlt_rate | yes | 1/6 DLTs (0.167; ≤ {limit:g}) |" in t
    assert "Share of settings won" in t and "grid of" in t
    assert t.count("[figure]") == 2
    pdf = text_of_pdf(render_pdf(report))
    assert squash(f"Selected construct: {expected.selected}.") in pdf


def test_selection_report_without_rp2d_selects_none(trial):
    t = text_of_html(render_html(selection_report(trial)))
    assert "Selected construct: none" not in t or "none passes every gate" in t


def test_rp2d_from_the_engines_declare_mtd_decision(trial):
    """The conduct service stores the engine's escalation proposal with ``action``; only an approved
    ``declare_mtd`` declares the RP2D."""
    from dataclasses import replace

    from dartnk.analysis.report_data import DecisionData

    proposed = DecisionData("P9-escalation-CD56-GD2", "escalation", "CD56-GD2", "DL-1",
                            {"action": "declare_mtd", "n_patients": 0}, "DL-1 is the MTD", "proposed", "2026-09-01")
    assert declared_rp2d(replace(trial, decisions=trial.decisions + (proposed,)), "CD56-GD2") is None
    approved = replace(proposed, status="approved")
    assert declared_rp2d(replace(trial, decisions=trial.decisions + (approved,)), "CD56-GD2") == "DL-1"
    escalate = DecisionData("P10-escalation-CD56-GD2", "escalation", "CD56-GD2", "DL2", {"action": "escalate"},
                            "escalate", "approved", "2026-10-01")
    assert declared_rp2d(replace(trial, decisions=trial.decisions + (escalate,)), "CD56-GD2") is None
