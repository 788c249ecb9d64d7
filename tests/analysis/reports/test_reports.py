"""Safety and final reports: the numbers of the factory trial appear in the HTML and the PDF text."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from dartnk.analysis.reports import render_html, render_pdf, write_report
from dartnk.analysis.reports.final import final_report
from dartnk.analysis.reports.safety import safety_report
from dartnk.errors import InputError

OUT = Path(__file__).resolve().parents[3] / "test-artifacts" / "reports"


def text_of_html(page: str) -> str:
    page = re.sub(r"<style.*?</style>", "", page, flags=re.S)
    page = re.sub(r"<img[^>]*>", " [figure] ", page)
    page = html.unescape(re.sub(r"<[^>]+>", " | ", page))
    return re.sub(r"(\s*\|\s*)+", " | ", re.sub(r"\s+", " ", page))


def text_of_pdf(data: bytes) -> str:
    import io

    from pypdf import PdfReader

    return re.sub(r"\s+", "", " ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages))


def squash(s: str) -> str:
    return re.sub(r"\s+", "", s)


def test_safety_report_html_content(trial):
    page = render_html(safety_report(trial, "DLL3-CD56"), source="test")
    assert page.count("data:image/png;base64,") == 1  # DLT-rate figure embedded: self-contained
    t = text_of_html(page)
    # DL2: 6 treated, 6 evaluable, 1 DLT → 16.7% (exact 0.4%–64.1%, R binom.test(1, 6))
    assert "| DLL3-CD56 | DL2 | 6 | 6 | 1 | 1/6 = 16.7% (0.4%–64.1%) |" in t
    assert "| DLL3-CD56 | DL1 | 3 | 3 | 0 | 0/3 = 0.0% (0.0%–70.8%) |" in t
    # the DLT listing with its rule and adjudication
    assert "D2-04 | DL2 | Cytokine release syndrome | 4 | 2 | crs-grade-4 | Grade ≥ 4 CRS of any duration" in t
    assert "Dr Monitor" in t
    # AE table: CRS worst grades over 9 patients: grade 1 ×? grade 2 ×?, grade 4 ×1 (D2-04)
    crs = re.search(r"\| Cytokine release syndrome \| 9 \(100\.0%\) \| (\d) \| (\d) \| 0 \| 1 \| 0 \| 1 \(11\.1%\) \|", t)
    assert crs and int(crs.group(1)) + int(crs.group(2)) == 8
    # CRS/ICANS section with onset/duration; ICANS absent in this arm
    assert "| crs | 9 (100.0%) |" in t and "| icans | 0 (0.0%) |" in t
    # onset days 1 (×9) and 2 (D2-04's grade 4); durations 3 days (×9) and 4 days: median (range)
    assert re.search(r"\| crs \| 9 \(100\.0%\) \| \d \| \d \| 0 \| 1 \| 0 \| 1 \(1–2\) \| 3 \(3–4\) \| 0 \|", t)
    # decision and reason, and the signature block with the signed member
    assert "1/6 DLTs at DL2 (≤ 1/6): escalate to DL3" in t
    assert "Dr Chair | approved" in t and "Safety monitoring committee chair" in t
    assert "ASTCT 2019" in t and "CTCAE v5.0" in t


def test_safety_report_one_level_and_pdf(trial):
    report = safety_report(trial, "CD56-GD2", "DL1")
    pdf = render_pdf(report)
    assert pdf.startswith(b"%PDF")
    t = text_of_pdf(pdf)
    for want in ("Safety monitoring committee report — arm CD56-GD2",
                 "2/3 = 66.7% (9.4%–99.2%)",  # Clopper–Pearson 2/3: 0.0943–0.9916
                 "icans-grade-3-prolonged", "grade-5", "Sepsis", "de-escalate to DL-1", "Printed name", "page 1 of 4"):
        assert squash(want) in t, want
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "safety-CD56-GD2-DL1.pdf").write_bytes(pdf)


def test_safety_report_bad_arm_and_level(trial):
    with pytest.raises(InputError, match=r"--arm: a construct id of the protocol \(DLL3-CD56, DLL3-GD2, CD56-GD2\), got 'XX'"):
        safety_report(trial, "XX")
    with pytest.raises(InputError, match="--level"):
        safety_report(trial, "DLL3-CD56", "DL9")


def test_safety_report_level_without_patients(trial):
    t = text_of_html(render_html(safety_report(trial, "DLL3-GD2", "DL3")))
    assert "Patients treated | 0" in t and "No decision has been proposed" in t


def test_final_report_content(trial):
    report = final_report(trial)
    page = render_html(report)
    assert page.count("data:image/png;base64,") == 8
    t = text_of_html(page)
    # BOR: CR D2-02, PR D2-01 (D2-04's PR unconfirmed: 18 days); ORR 2/15, exact CI 1.7%–40.5%
    assert "| All treated | 15 | 1 | 1 | 7 | 4 | 2 | 2/15 = 13.3% (1.7%–40.5%) |" in t
    assert "| Arm DLL3-CD56, DL2 | 6 | 1 | 1 | 2 | 1 | 1 | 2/6 = 33.3% (4.3%–77.7%) |" in t
    assert "| DLL3+ CD56+ GD2− | 9 |" in t  # by antigen profile
    assert "| D2-04 | DLL3-CD56 | DL2 | SD |" in t
    assert "Overall survival: Kaplan–Meier medians" in t and "Progression-free survival" in t
    assert "| CD56-GD2 | 3 | 2 | 2/3 = 66.7% (9.4%–99.2%)" not in t  # DLT row has level column
    assert "| CD56-GD2 | DL1 | 3 | 3 | 2 | 2/3 = 66.7% (9.4%–99.2%) |" in t
    assert "Responders (CR/PR) | 2 |" in t
    assert "| DLL3-GD2 | DL1 | DL1 | 0/3 DLTs at DL1, DL2 closed by the sponsor: RP2D DL1 | signed |" in t
    assert "| DLL3-CD56 | not declared | not declared |" in t
    assert "Mann–Whitney" in t


def test_final_report_os_median_matches_lifelines(trial):
    # OS for all treated, computed independently with lifelines on the factory's death/censor days.
    from lifelines import KaplanMeierFitter

    from tests.analysis.reports.factory import CUTOFF, PLAN

    from datetime import timedelta

    from tests.analysis.reports.factory import START

    durations, events = [], []
    for sid, _arm, _lv, off, _dlt, _course, (vital, death_day) in PLAN:
        day0 = START + timedelta(days=off + 14)
        durations.append((death_day if death_day else (CUTOFF - day0).days) / (365.25 / 12))
        events.append(vital == "dead")
    km = KaplanMeierFitter().fit(durations, events)
    t = text_of_html(render_html(final_report(trial)))
    m = re.search(r"Overall survival: Kaplan–Meier medians \(months\) .*?\| All treated \| 15 \| (\d+) \| ([\d.]+) \|", t)
    assert m and int(m.group(1)) == sum(events) and float(m.group(2)) == pytest.approx(km.median_survival_time_, abs=0.05)


def test_write_report_by_suffix(trial, tmp_path):
    report = safety_report(trial, "DLL3-CD56")
    assert write_report(report, tmp_path / "s.html").read_text().startswith("<!DOCTYPE html>")
    assert write_report(report, tmp_path / "s.pdf").read_bytes().startswith(b"%PDF")
    with pytest.raises(InputError, match=r"--out: a file name ending in \.html or \.pdf"):
        write_report(report, tmp_path / "s.docx")
    with pytest.raises(InputError, match="existing directory"):
        write_report(report, tmp_path / "nope" / "s.html")
    assert not list(tmp_path.glob("*.part"))


def test_safety_report_blood_count_nadirs(trial):
    # factory: ANC on days −7, 7, 28; day 7 is in the window (0–27): 0.4/0.5/0.6 by subject index
    t = text_of_html(render_html(safety_report(trial, "CD56-GD2", "DL1")))
    assert "Blood count nadirs in the DLT window (days 0–27)" in t
    assert "| N1-01 | DL1 | 0.4 10^9/L | 7 | 4 |" in t  # CTCAE v5.0: ANC < 0.5 × 10^9/L is grade 4
    assert "| N1-02 | DL1 | 0.5 10^9/L | 7 | 3 |" in t  # exactly 0.5: grade 3 (< 1.0 − 0.5)


def test_final_report_expansion_rows(trial):
    """Expansion (Phase 2) patients get their own ORR row; escalation-only trials have none."""
    from dataclasses import replace

    from dartnk.analysis.report_data import Phase

    assert "Phase 2 expansion" not in text_of_html(render_html(final_report(trial)))
    moved = tuple(replace(p, phase=Phase.EXPANSION, cohort=0) if p.subject_id in ("D2-01", "D2-02", "D2-03") else p
                  for p in trial.patients)
    t = text_of_html(render_html(final_report(replace(trial, patients=moved))))
    # D2-01 PR (confirmed), D2-02 CR, D2-03 SD: 2/3 responders, Clopper–Pearson 9.4%–99.2%
    assert "| Arm DLL3-CD56, Phase 2 expansion | 3 | 1 | 1 | 1 | 0 | 0 | 2/3 = 66.7% (9.4%–99.2%) |" in t
    assert "| DLL3-CD56 | expansion | 3 | 3 |" in t  # disposition by phase
    # Simon minimax 1/15, 5/25 (protocol): 3 of 25 treated, first look at 15 not reached yet
    assert "| 15 | ≤ 1 | not reached |" in t
    assert "incomplete: 3 of 25 patients; 2 responses so far (6 needed at 25)" in t


def test_expansion_rule_verdicts(trial):
    """Simon r1/n1 = 1/15, r/n = 5/25 (Simon 1989 Table 1, p0 0.10, p1 0.30): ≥ 6 of 25 rejects H0."""
    from dataclasses import replace
    from datetime import timedelta

    from dartnk.analysis.report_data import Phase, ResponseAssessment
    from dartnk.analysis.reports.document import Report
    from dartnk.analysis.reports.endpoints import best_responses
    from dartnk.analysis.reports.expansion import expansion_section

    base = trial.patients[0]

    def cohort(responders: list[int], n: int = 25):
        pts, resp = [], []
        for i in range(n):
            p = replace(base, subject_id=f"E{i:02d}", phase=Phase.EXPANSION, cohort=0,
                        day0=base.day0 + timedelta(days=i))
            pts.append(p)
            overall = "PR" if i in responders else "PD"
            resp += [ResponseAssessment(p.subject_id, p.day0 + timedelta(days=42), 42, overall),
                     ResponseAssessment(p.subject_id, p.day0 + timedelta(days=84), 84, overall)]
        data = replace(trial, patients=tuple(pts), responses=tuple(resp))
        r = Report("t", "s", [])
        expansion_section(r, data, best_responses(data, pts))
        return text_of_html(render_html(r))

    t = cohort([0, 20, 21, 22, 23, 24])  # 1 response in the first 15: the rule stops at the look
    assert "| 15 | ≤ 1 | 1 | stop for futility |" in t
    t = cohort([0, 1, 20, 21, 22, 23])  # 2 in the first 15, 6 in 25: H0 rejected (boundary: exactly r + 1)
    assert "| 15 | ≤ 1 | 2 | continue |" in t and "6 responses ≥ 6: the null hypothesis ORR ≤ 0.1 is rejected" in t
    t = cohort([0, 1, 20, 21, 22])  # 5 of 25 = r: not rejected
    assert "5 responses < 6: the null hypothesis ORR ≤ 0.1 is not rejected" in t
    t = cohort([0, 1, 2, 3, 4, 5], n=20)  # 6 responders among 20 of 25: already decided
    assert "6 responses among 20 of 25 patients already ≥ 6: the null hypothesis ORR ≤ 0.1 is rejected" in t
    t = cohort([0, 1], n=22)  # 2 + 3 remaining < 6: cannot succeed
    assert "2 responses among 22 of 25 patients: 6 cannot be reached" in t
    t = cohort([0, 1], n=21)  # 2 + 4 remaining = 6: still open
    assert "incomplete: 21 of 25 patients; 2 responses so far (6 needed at 25)" in t
