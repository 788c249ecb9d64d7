"""``dartnk report safety|selection|final`` end to end on the demo database: content, formats, errors."""

from __future__ import annotations

import re

import pytest

from tests.analysis.reports.test_reports import squash, text_of_html, text_of_pdf
from tests.conftest import run_cli
from tests.export.demo_db import demo_database


@pytest.fixture(scope="module")
def data():
    from dartnk.export.store_reader import read_trial
    from dartnk.protocol import default_protocol

    return read_trial(demo_database(), default_protocol())


def test_safety_html_matches_the_database(tmp_path, data):
    from dartnk.analysis.reports.tables import dlt_counts

    arm = data.arms()[0]
    out = tmp_path / "safety.html"
    r = run_cli("report", "safety", "--arm", arm, "--db", demo_database(), "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith(f"wrote {out}")
    t = text_of_html(out.read_text())
    assert f"Safety monitoring committee report — arm {arm}" in t
    for level in data.levels(arm):
        pts = data.treated(arm, level)
        k, n = dlt_counts(data, pts)
        assert re.search(rf"\| {arm} \| {level} \| {len(pts)} \| {n} \| {k} \| {k}/{n} = ", t), (level, t[:3000])
    for p in data.treated(arm):
        assert f"| {p.subject_id} | {p.dose_level} |" in t
    signed = [d for d in data.decisions if d.arm == arm]
    if signed:
        assert signed[-1].reason.split(" — ")[0] in t
    assert "Decision and signatures" in t and "Printed name" in t


def test_safety_pdf_one_level(tmp_path, data):
    arm = data.arms()[0]
    level = data.levels(arm)[0]
    out = tmp_path / "safety.pdf"
    r = run_cli("report", "safety", "--arm", arm, "--level", level, "--db", demo_database(), "--out", str(out))
    assert r.returncode == 0, r.stderr
    t = text_of_pdf(out.read_bytes())
    assert squash(f"{arm}") in t and squash(f"dose level {level}") in t and "Printedname" in t
    for p in data.treated(arm, level):
        assert squash(p.subject_id) in t


def test_final_report(tmp_path, data):
    from dartnk.analysis.reports.endpoints import best_responses

    out = tmp_path / "final.html"
    r = run_cli("report", "final", "--db", demo_database(), "--out", str(out))
    assert r.returncode == 0, r.stderr
    page = out.read_text()
    assert page.count("data:image/png;base64,") == 8
    t = text_of_html(page)
    treated = data.treated()
    bor = best_responses(data, treated)
    k = sum(1 for b in bor.values() if b.category in ("CR", "PR"))
    assert f"| All treated | {len(treated)} |" in t and f"{k}/{len(treated)} = " in t
    assert "Kaplan–Meier medians" in t and "Best overall response per patient" in t


def test_selection_report_with_rp2d_override(tmp_path, data):
    out = tmp_path / "selection.pdf"
    arm = data.arms()[0]
    r = run_cli("report", "selection", "--db", demo_database(), "--out", str(out), "--rp2d", f"{arm}=DL1")
    assert r.returncode == 0, r.stderr
    t = text_of_pdf(out.read_bytes())
    assert "Selectedconstruct:" in t and "RP2DDL1" in t  # the override reaches the rp2d gate


def test_cutoff_limits_the_data(tmp_path, data):
    out = tmp_path / "early.html"
    first_day0 = min(p.day0 for p in data.treated())
    r = run_cli("report", "final", "--db", demo_database(), "--out", str(out), "--cutoff", first_day0.isoformat())
    assert r.returncode == 0, r.stderr
    assert "1 patients treated" in r.stdout and f"cut-off {first_day0}" in r.stdout


@pytest.mark.parametrize("args, message", [
    (["safety", "--arm", "XX", "--out", "x.html"], "error: --arm: a construct id of the protocol (DLL3-CD56, DLL3-GD2, CD56-GD2), got 'XX'"),
    (["safety", "--arm", "DLL3-CD56", "--level", "DL9", "--out", "x.html"], "error: --level: a dose level id"),
    (["final", "--out", "x.docx"], "error: --out: a file name ending in .html or .pdf, got"),
    (["final", "--out", "x.html", "--cutoff", "31/12/2026"], "error: --cutoff: a date YYYY-MM-DD, got '31/12/2026'"),
    (["selection", "--out", "x.html", "--rp2d", "DLL3-CD56"], "error: --rp2d: ARM=LEVEL"),
])
def test_bad_input_one_line_exit_2(tmp_path, args, message):
    args = [a if a not in ("x.html", "x.docx") else str(tmp_path / a) for a in args]
    r = run_cli("report", *args, "--db", demo_database())
    assert r.returncode == 2, r.stdout + r.stderr
    assert r.stderr.startswith(message) and len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr


def test_missing_database(tmp_path):
    r = run_cli("report", "final", "--db", f"sqlite:///{tmp_path / 'none.sqlite'}", "--out", str(tmp_path / "f.html"))
    assert r.returncode == 2 and r.stderr.startswith("error: --db: an existing dartnk database")
    assert not (tmp_path / "f.html").exists()


def test_cutoff_hides_later_decisions(data):
    from dartnk.export.store_reader import read_trial

    signed = [d for d in data.decisions if d.signatures]
    assert signed, "the demo signs at least one decision"
    first = signed[0]
    proposed_on = first.proposed_at[:10]
    from datetime import date, timedelta

    before = read_trial(demo_database(), data.protocol, date.fromisoformat(proposed_on) - timedelta(days=1))
    assert first.key not in {d.key for d in before.decisions}
    assert len(before.treated()) < len(data.treated())
