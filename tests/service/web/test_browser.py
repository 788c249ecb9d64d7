"""The conduct pages in a real headless Chromium: a coordinator takes a patient from registration to
a flagged DLT, a committee member signs an escalation decision, and another site sees nothing.

Dates: the service's clock is the test's (``live.clock``), so the 28-day DLT window passes in a step.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, time as dtime, timedelta, timezone

import pytest

from tests.service.conftest import EXAMPLES
from tests.service.web.conftest import PASSWORD, shot

pytestmark = pytest.mark.browser


def fill_screening(page, record: dict) -> None:
    """Type a screening record into the form, field by field, as a coordinator would."""
    for key, value in record.items():
        if key == "labs":
            for lab, entry in value.items():
                for part, v in entry.items():
                    sel = f"[name='lab.{lab}.{part}']"
                    if part == "unit":
                        page.select_option(sel, str(v))
                    else:
                        page.fill(sel, str(v))
            continue
        locator = page.locator(f"[name='{key}']")
        if locator.count() == 0:
            continue
        if isinstance(value, bool):
            locator.select_option("yes" if value else "no")
        elif locator.evaluate("el => el.tagName") == "SELECT":
            locator.select_option(str(value))
        else:
            locator.fill(str(value))
    page.fill("[name='corticosteroid_prednisone_mg_day']", "0")


def test_coordinator_registers_enrolls_doses_and_sees_a_crs_dlt(live, new_page):
    page = new_page("crc-web")
    shot(page, "01-dashboard-empty")
    page.click("nav >> text=Patients")
    page.select_option("#sex", "female")
    page.fill("#birth_year", "1962")
    page.click("#register-form button")
    page.wait_for_url(re.compile(r"/patients/S01-\d{4}$"))
    pid = page.url.rsplit("/", 1)[1]

    page.fill("#version", "v1.0")
    page.click("#consent-form button")
    assert "consent signed" in page.inner_text("#timeline")

    page.click("text=Screening form")
    record = json.loads((EXAMPLES / "screening-eligible.json").read_text())
    record["consent_date"] = live.clock.today.isoformat()
    fill_screening(page, record)
    page.wait_for_function("document.getElementById('live-result').innerText.includes('\\nEligible')")
    page.fill("[name='ecog']", "2")  # the live result follows the typing
    page.wait_for_function("document.getElementById('live-result').innerText.includes('Not eligible')")
    page.fill("[name='ecog']", "1")
    page.wait_for_function("document.getElementById('live-result').innerText.includes('\\nEligible')")
    shot(page, "02-screening-form")
    page.click("#screening-form button[type=submit]")
    assert page.inner_text("#eligibility-result") == "Eligible"

    page.click("text=Antigen form")
    page.fill("#DLL3-pct", "0")
    page.fill("#DLL3-int", "0")
    page.fill("#CD56-pct", "95")
    page.fill("#CD56-int", "3")
    for i, pct in ((1, "20"), (2, "15"), (3, "5")):
        page.fill(f"#GD2-p{i}", pct)
    page.wait_for_function("document.getElementById('live-result').innerText.includes('Qualifies for: CD56-GD2')")
    page.click("#antigen-form button[type=submit]")
    assert "CD56-GD2" in page.inner_text("#qualifying")

    page.click("#enroll-form button")
    assert page.inner_text("#assignment") == "CD56-GD2 at DL1, cohort 1, slot 1"

    day0 = live.clock.today
    page.fill("#lot_number", "LOT-W1")
    page.click("#lot-form button")
    for agent in ("fludarabine", "cyclophosphamide"):
        page.select_option("#ld_agent", agent)
        page.fill("#ld_dose", "30" if agent == "fludarabine" else "300")
        page.fill("#ld_given_on", (day0 - timedelta(days=3)).isoformat())
        page.click("#ld-form button")
        assert "Not saved" not in page.inner_text("main")
    page.fill("#inf_given_on", day0.isoformat())
    page.click("#infusion-form button")
    assert "CAR-NK infusion" in page.inner_text("#timeline")
    shot(page, "03-patient-dosed")

    live.clock.now = datetime.combine(day0 + timedelta(days=5), dtime(9), tzinfo=timezone.utc)
    page.click("text=Record an adverse event")
    page.select_option("#ae-kind", "crs")
    page.fill("#crs-temp", "39.2")
    page.select_option("#crs-hypo", "one_vasopressor")
    page.wait_for_function("document.getElementById('live-result').innerText.includes('Grade 3')")
    assert "vasopressor" in page.inner_text("#live-result")
    page.fill("#onset_on", (day0 + timedelta(days=1)).isoformat())
    shot(page, "04-adverse-event-live-grade")
    page.click("#ae-form button[type=submit]")
    page.wait_for_url(re.compile(f"/patients/{pid}$"))
    banner = page.inner_text("#dlt-status")
    assert "Engine proposal: DLT" in banner and "crs-grade-3-prolonged" in banner
    assert "Cytokine release syndrome" in page.inner_text("#adverse-events")
    shot(page, "05-patient-dlt-flagged")

    # the site learns the CRS resolved on Day 3 (2 days at grade 3 ≤ 72 h): a change needs a reason,
    # and the engine re-adjudicates: no longer a DLT
    row = page.locator("#adverse-events tbody tr").first
    row.locator("summary").click()
    row.locator("input[name=resolved_on]").fill((day0 + timedelta(days=3)).isoformat())
    row.locator("input[name=reason]").fill("discharge letter received: CRS resolved on Day 3")
    row.locator("button").click()
    page.wait_for_url(re.compile(f"/patients/{pid}$"))
    assert "Engine proposal: NO DLT" in page.inner_text("#dlt-status")
    audit = live.call("GET", "/audit/verify", "admin").json()
    assert audit["ok"] is True

    page.click("nav >> text=Dashboard")
    cell = page.inner_text("td[data-arm='CD56-GD2'][data-level='DL1']")
    assert "(1 enrolled)" in cell
    assert pid in page.inner_text("#overdue-visits")  # lymphodepletion Days −5 and −4 were not recorded
    shot(page, "06-dashboard")


def test_committee_member_signs_an_escalation_decision(live, new_page):
    from tests.service.test_workflow import at, first_cohort

    pids, d0 = first_cohort(live)
    at(live, d0[1] + timedelta(days=28))
    assert set(live.call("POST", "/trial/advance", "monitor").json()["closed_windows"]) == set(pids)

    page = new_page("smc-web")
    page.click("nav >> text=Decisions")
    row = page.locator("#decisions tbody tr").first
    assert "escalate" in row.inner_text() and "proposed" in row.inner_text()
    shot(page, "07-decisions-proposed")
    row.locator("select[name=meaning]").select_option("approved")
    row.locator("input[name=comment]").fill("0/3 DLT at DL1")
    row.locator("input[name=attest]").check()
    row.locator("input[name=password]").fill("not my password")
    row.locator("button").click()
    assert "Not saved" in page.inner_text("#form-error")  # a wrong password signs nothing
    row = page.locator("#decisions tbody tr").first
    assert row.locator(".status").inner_text() == "proposed"
    row.locator("select[name=meaning]").select_option("approved")
    row.locator("input[name=comment]").fill("0/3 DLT at DL1")
    row.locator("input[name=attest]").check()
    row.locator("input[name=password]").fill(PASSWORD)
    row.locator("button").click()
    row = page.locator("#decisions tbody tr").first
    assert row.locator(".status").inner_text() == "approved"
    assert "approved by smc-web" in row.inner_text()
    shot(page, "08-decision-signed")
    page.click("nav >> text=Dashboard")
    assert "▶" in page.inner_text("td[data-arm='DLL3-CD56'][data-level='DL2']")
    assert page.inner_text("td.slots[data-arm='DLL3-CD56']") == "3"
    page.click("nav >> text=Reports")
    page.click("#safety-report-form button")
    assert "DLL3-CD56" in page.inner_text("body")
    shot(page, "09-safety-report")


def test_another_sites_coordinator_cannot_see_the_patient(live, new_page):
    from tests.service.conftest import screened_patient

    pid = screened_patient(live)  # site S01
    page = new_page("crc-other")
    page.click("nav >> text=Patients")
    assert pid not in page.inner_text("#patients")
    response = page.goto(f"/patients/{pid}")
    assert response.status == 404
    assert "patient you can access" in page.inner_text("main")
    assert "eligib" not in page.inner_text("main").lower()
    own = new_page("crc-web")
    own.goto(f"/patients/{pid}")
    assert own.inner_text("#eligibility-result") == "Eligible"


def test_forms_refuse_a_post_without_the_csrf_token(live, new_page):
    page = new_page("crc-web")
    response = page.request.post(live.base_url + "/patients", form={"site": "S01", "sex": "female", "birth_year": "1970"})
    assert response.status == 403
    assert live.call("GET", "/patients", "dm").json() == []


def test_tumour_measurements_show_the_recist_sum_and_response_as_typed(live, new_page):
    from tests.service.conftest import screened_patient

    pid = screened_patient(live)
    page = new_page("crc-web")
    page.goto(f"/patients/{pid}/tumor-assessments")
    for i, (organ, node, mm) in enumerate((("liver", False, "32"), ("lung", False, "18"), ("mediastinum", True, "20"))):
        page.fill(f"[name='lesion.{i}.organ']", organ)
        if node:
            page.check(f"[name='lesion.{i}.lymph_node']")
        page.fill(f"[name='lesion.{i}.diameter_mm']", mm)
    page.wait_for_function("document.getElementById('live-result').innerText.includes('Baseline sum 70 mm')")
    page.click("#tumor-form button[type=submit]")
    page.wait_for_url(re.compile(f"/patients/{pid}$"))

    live.clock.advance(42)
    page.goto(f"/patients/{pid}/tumor-assessments")
    for i, mm in enumerate(("22", "12", "15")):  # 49 mm: exactly −30.0% (RECIST 1.1 §4.3.1: PR)
        page.fill(f"[name='lesion.{i}.diameter_mm']", mm)
    page.wait_for_function("document.getElementById('live-result').innerText.includes('Overall: PR')")
    text = page.inner_text("#live-result")
    assert "Sum 49 mm" in text and "-30" in text
    shot(page, "10-tumour-assessment-live-recist")
    page.fill("[name='lesion.0.diameter_mm']", "40")  # 58 mm: −17%, SD
    page.wait_for_function("document.getElementById('live-result').innerText.includes('Overall: SD')")


def test_a_small_simulation_runs_with_progress_and_report(live, new_page):
    page = new_page("smc-web")
    page.click("nav >> text=Simulate")
    page.fill("#trials", "40")
    page.click("#simulate-form button")
    page.wait_for_selector("#job-report:not([hidden])", timeout=120000)
    assert "done" in page.inner_text("#job-status")
    shot(page, "11-simulation-done")
    page.click("#job-report")
    assert "DLL3-CD56" in page.inner_text("body")
