"""Treatment and follow-up records: product failure and replacement, infusion schedule windows,
AE resolution with a reason, persistence, survival, follow-up and overdue visits, withdrawal."""

from __future__ import annotations

from datetime import timedelta

from tests.service.conftest import screened_patient
from tests.service.test_workflow import ONLY_DLL3_CD56, at, first_cohort, infuse, release


def enrolled(api) -> str:
    pid = screened_patient(api, antigens=ONLY_DLL3_CD56)
    assert api.call("POST", f"/patients/{pid}/enrollment", "inv1").status_code == 201
    return pid


def test_failed_product_frees_the_slot_for_the_waitlist(api):
    pids = [enrolled(api) for _ in range(3)]
    waiting = screened_patient(api, antigens=ONLY_DLL3_CD56)
    assert api.call("POST", f"/patients/{waiting}/enrollment", "inv1").status_code == 202
    r = api.call("POST", f"/patients/{pids[2]}/product-lots", "inv1",
                 {"lot_number": "L-F", "status": "manufactured", "manufactured_on": api.clock.today.isoformat()})
    assert r.status_code == 201 and r.json()["status"] == "manufactured"
    r = api.client.patch(f"/api/v1/patients/{pids[2]}/product-lots/L-F", headers=api.h("inv1"),
                         json={"status": "failed", "on": api.clock.today.isoformat()})
    assert r.status_code == 422 and r.json()["field"] == "reason"
    r = api.client.patch(f"/api/v1/patients/{pids[2]}/product-lots/L-F", headers=api.h("inv1"),
                         json={"status": "failed", "on": api.clock.today.isoformat(), "reason": "sterility failure"})
    assert r.status_code == 200 and r.json()["status"] == "failed"
    view = api.call("GET", f"/patients/{waiting}", "inv1").json()
    assert view["status"] == "enrolled" and view["enrollment"]["slot"] == 4 and view["enrollment"]["cohort"] == 1
    assert api.call("GET", f"/patients/{pids[2]}", "inv1").json()["status"] == "replaced"
    r = api.call("POST", f"/patients/{pids[2]}/infusions", "inv1",
                 {"given_on": api.clock.today.isoformat(), "lot_number": "L-F", "cells": 3e8})
    assert r.status_code == 409 and r.json()["field"] == "lot_number"


def test_infusion_schedule_windows(api):
    pid = enrolled(api)
    release(api, pid, "L1", api.clock.today)
    d0 = api.clock.today + timedelta(days=5)
    infuse(api, pid, d0, "L1")
    r = infuse(api, pid, d0 + timedelta(days=5), "L1", expect=422)        # Day 5: outside Day 7 ± 1
    assert r.json()["field"] == "given_on" and "Day 7 ± 1" in r.json()["detail"]
    infuse(api, pid, d0 + timedelta(days=8), "L1")                          # Day 8: the window's edge
    infuse(api, pid, d0 + timedelta(days=13), "L1")                         # Day 13: Day 14 − 1
    r = infuse(api, pid, d0 + timedelta(days=21), "L1", expect=409)         # a fourth infusion
    assert "at most 3" in r.json()["detail"]
    r = api.call("POST", f"/patients/{pid}/infusions", "inv1",
                 {"given_on": (api.clock.today + timedelta(days=1)).isoformat(), "lot_number": "L1", "cells": 3e8})
    assert r.status_code == 422 and "not after today" in r.json()["detail"]


def test_ae_resolution_and_regrading_are_changes_with_reasons(api):
    pids, d0 = first_cohort(api)
    at(api, d0[0] + timedelta(days=20))
    ae = {"term": "Neutrophil count decreased", "grade": 4, "onset_on": (d0[0] + timedelta(days=2)).isoformat(),
          "attribution": "probable"}
    r = api.call("POST", f"/patients/{pids[0]}/adverse-events", "inv1", ae)
    assert r.status_code == 201
    ae_id = r.json()["id"]
    dlt = api.call("GET", f"/patients/{pids[0]}", "monitor").json()["dlt"]
    assert dlt["proposed"] == "dlt" and dlt["rule_id"] == "cytopenia-prolonged"   # ongoing > 14 days
    resolved = (d0[0] + timedelta(days=16)).isoformat()                            # lasted exactly 14 days
    r = api.client.patch(f"/api/v1/patients/{pids[0]}/adverse-events/{ae_id}", headers=api.h("inv1"),
                         json={"resolved_on": resolved, "reason": "recovered per lab of that day"})
    assert r.status_code == 200 and r.json()["resolved_on"] == resolved
    dlt = api.call("GET", f"/patients/{pids[0]}", "monitor").json()["dlt"]
    assert dlt["proposed"] == "no_dlt"        # 14 days is not "more than 14 days"
    r = api.client.patch(f"/api/v1/patients/{pids[0]}/adverse-events/999", headers=api.h("inv1"),
                         json={"serious": True, "reason": "x"})
    assert r.status_code == 404


def test_persistence_survival_and_follow_up(api):
    pids, d0 = first_cohort(api)
    pid = pids[0]
    at(api, d0[0] + timedelta(days=40))
    r = api.call("POST", f"/patients/{pid}/persistence", "crc1",
                 {"collected_on": (d0[0] + timedelta(days=28)).isoformat(), "copies_per_ug_dna": 1520.5})
    assert r.status_code == 201 and r.json()["study_day"] == 28
    view = api.call("GET", f"/patients/{pid}", "inv1").json()
    names = {v["name"]: v for v in view["calendar"]}
    assert names["Persistence sample Day 28"]["done"] is True
    overdue = {v["name"] for v in view["overdue_visits"]}
    assert "Persistence sample Day 1" in overdue and "Persistence sample Day 28" not in overdue
    assert any(v["kind"] == "long_term_follow_up" for v in view["calendar"])

    r = api.call("POST", f"/patients/{pid}/follow-up", "crc1", {"contacted_on": api.clock.today.isoformat(), "kind": "phone"})
    assert r.status_code == 201
    r = api.call("POST", f"/patients/{pid}/survival", "inv1", {"status": "dead", "as_of": api.clock.today.isoformat()})
    assert r.status_code == 422 and r.json()["field"] == "cause"
    r = api.call("POST", f"/patients/{pid}/survival", "inv1",
                 {"status": "dead", "as_of": api.clock.today.isoformat(), "cause": "disease progression"})
    assert r.status_code == 201
    assert api.call("GET", f"/patients/{pid}", "inv1").json()["status"] == "dead"
    assert api.call("POST", f"/patients/{pid}/survival", "inv1",
                    {"status": "alive", "as_of": api.clock.today.isoformat()}).status_code == 409


def test_consent_withdrawal_before_dosing_replaces_the_patient(api):
    pid = enrolled(api)
    r = api.call("POST", f"/patients/{pid}/consent/withdrawal", "inv1",
                 {"withdrawn_on": api.clock.today.isoformat(), "reason": "patient decision"})
    assert r.status_code == 200 and r.json()["withdrawn_on"] == api.clock.today.isoformat()
    assert api.call("GET", f"/patients/{pid}", "inv1").json()["status"] == "withdrawn"
    arm = {a["arm"]: a for a in api.call("GET", "/arms", "stat").json()}["DLL3-CD56"]
    assert arm["open_slots"] == 3
    r = api.call("POST", f"/patients/{pid}/screening", "inv1", {}, params={"reason": "x"})
    assert r.status_code == 409


def test_waitlisted_patient_is_lost_after_the_maximum_wait(api):
    for _ in range(3):
        enrolled(api)
    waiting = screened_patient(api, antigens=ONLY_DLL3_CD56)
    assert api.call("POST", f"/patients/{waiting}/enrollment", "inv1").status_code == 202
    at(api, api.clock.today + timedelta(days=28))      # assignment.max_wait_days = 28: still waiting on day 28
    api.call("POST", "/trial/advance", "monitor")
    assert api.call("GET", f"/patients/{waiting}", "inv1").json()["status"] == "waitlisted"
    at(api, api.clock.today + timedelta(days=1))
    api.call("POST", "/trial/advance", "monitor")
    assert api.call("GET", f"/patients/{waiting}", "inv1").json()["status"] == "waitlist_lost"
    assert api.call("GET", "/trial", "stat").json()["waitlist"] == []


def test_a_rejected_proposal_stays_pending(api):
    pids, d0 = first_cohort(api)
    at(api, d0[1] + timedelta(days=28))
    api.call("POST", "/trial/advance", "monitor")
    d = api.call("GET", "/decisions", "smc").json()[0]
    r = api.call("POST", f"/decisions/{d['id']}/sign", "smc", {"meaning": "rejected", "comment": "await labs"})
    assert r.status_code == 200 and r.json()["status"] == "rejected"
    arm = {a["arm"]: a for a in api.call("GET", "/arms", "stat").json()}["DLL3-CD56"]
    assert arm["status"] == "awaiting_committee" and arm["current_level"] == "DL1"
    r = api.call("POST", f"/decisions/{d['id']}/sign", "smc2", {"meaning": "approved"})
    assert r.status_code == 200 and r.json()["status"] == "approved" and len(r.json()["signatures"]) == 2
    assert {a["arm"]: a for a in api.call("GET", "/arms", "stat").json()}["DLL3-CD56"]["current_level"] == "DL2"


def test_enrollment_needs_consent_not_withdrawn(api):
    pid = screened_patient(api, antigens=ONLY_DLL3_CD56)
    api.call("POST", f"/patients/{pid}/consent/withdrawal", "inv1",
             {"withdrawn_on": api.clock.today.isoformat(), "reason": "patient decision"})
    r = api.call("POST", f"/patients/{pid}/enrollment", "inv1")
    assert r.status_code == 409 and r.json()["field"] == "consent"


def test_overdue_visits_are_listed_per_site(api):
    pids, d0 = first_cohort(api)
    at(api, d0[0] + timedelta(days=3))
    rows = {r["patient"]: r for r in api.call("GET", "/visits/overdue", "inv1").json()}
    names = [v["name"] for v in rows[pids[0]]["overdue"]]
    assert "DLT visit Day 1" in names and "DLT visit Day 2" in names and "DLT visit Day 3" not in names
    api.call("POST", f"/patients/{pids[0]}/follow-up", "crc1",
             {"contacted_on": (d0[0] + timedelta(days=1)).isoformat(), "kind": "visit"})
    rows = {r["patient"]: r for r in api.call("GET", "/visits/overdue", "inv1").json()}
    assert "DLT visit Day 1" not in [v["name"] for v in rows[pids[0]]["overdue"]]
    assert api.call("GET", "/visits/overdue", "inv2").json() == []


def test_labs_are_graded_by_ctcae_when_a_term_is_given(api):
    pid = screened_patient(api)
    r = api.call("POST", f"/patients/{pid}/labs", "crc1", {"test": "anc", "value": 0.5, "unit": "10^9/L", "lln": 1.8,
                                                           "ctcae_term": "Neutrophil count decreased",
                                                           "collected_on": api.clock.today.isoformat()})
    # CTCAE v5.0 neutrophil count decreased: grade 4 is < 0.5 × 10^9/L, so exactly 0.5 is grade 3
    assert r.status_code == 201 and r.json()["ctcae_grade"] == 3
    r = api.call("POST", f"/patients/{pid}/labs", "crc1", {"test": "anc", "value": 2.0, "unit": "10^9/L",
                                                           "collected_on": api.clock.today.isoformat()})
    assert r.status_code == 201 and r.json()["ctcae_grade"] is None
    r = api.call("POST", f"/patients/{pid}/labs", "crc1", {"test": "x", "value": 1, "unit": "10^9/L", "ctcae_term": "Nope",
                                                           "collected_on": api.clock.today.isoformat()})
    assert r.status_code == 422 and r.json()["field"] == "ctcae_term"
