"""The whole conduct workflow through the API, on SQLite and PostgreSQL: registration to a
committee-signed escalation decision after the first cohort's DLT window, DLTs, waitlist, refusals."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from tests.service.conftest import example, screened_patient

ONLY_DLL3_CD56 = "antigens-gd2-negative.json"   # DLL3+, CD56 (NCAM1)+, GD2− → qualifies for DLL3-CD56 only


def at(api, d: date) -> None:
    api.clock.now = datetime.combine(d, time(9), tzinfo=timezone.utc)


def release(api, pid: str, lot: str, on: date) -> None:
    at(api, on)
    r = api.call("POST", f"/patients/{pid}/product-lots", "inv1",
                 {"lot_number": lot, "status": "released", "cell_dose": 3e8, "manufactured_on": on.isoformat()})
    assert r.status_code == 201, r.text


def lymphodeplete(api, pid: str, on: date) -> None:
    at(api, on)
    for agent, dose in (("fludarabine", 30), ("cyclophosphamide", 300)):
        r = api.call("POST", f"/patients/{pid}/lymphodepletion", "crc1",
                     {"agent": agent, "dose_mg_m2": dose, "given_on": on.isoformat()})
        assert r.status_code == 201, r.text


def infuse(api, pid: str, on: date, lot: str, expect: int = 201):
    at(api, on)
    r = api.call("POST", f"/patients/{pid}/infusions", "inv1", {"given_on": on.isoformat(), "lot_number": lot, "cells": 3e8})
    assert r.status_code == expect, r.text
    return r


def first_cohort(api) -> tuple[list[str], list[date]]:
    """Three patients in DLL3-CD56 at DL1: lymphodepletion Days −5..−3, infusions Day 0/7/14, the
    sentinel first and the others 7 days later (escalation.stagger.sentinel_days)."""
    start = api.clock.today
    pids = []
    for i in range(3):
        pid = screened_patient(api, antigens=ONLY_DLL3_CD56)
        r = api.call("POST", f"/patients/{pid}/enrollment", "inv1")
        assert r.status_code == 201, r.text
        assert r.json()["arm"] == "DLL3-CD56" and r.json()["dose_level"] == "DL1"
        assert (r.json()["cohort"], r.json()["slot"]) == (1, i + 1)
        pids.append(pid)
        release(api, pid, f"LOT-{i}", start)
    d0 = [start + timedelta(days=6), start + timedelta(days=13), start + timedelta(days=13)]
    steps = []
    for k in range(3):
        steps += [(d0[k] + timedelta(days=d), 0, k, "ld", d) for d in (-5, -4, -3)]
        steps += [(d0[k] + timedelta(days=d), 1, k, "inf", d) for d in (0, 7, 14)]
    steps.append((d0[0] + timedelta(days=6), 0, 1, "early", 0))
    for when, _, k, what, _d in sorted(steps):
        if what == "ld":
            lymphodeplete(api, pids[k], when)
        elif what == "early":
            # patient 2 may not start before the sentinel's 7 days of observation are over
            r = infuse(api, pids[1], when, "LOT-1", expect=409)
            assert r.json()["error"] == "conflict" and "sentinel" in r.json()["detail"]
        else:
            infuse(api, pids[k], when, f"LOT-{k}")
    return pids, d0


def test_registration_to_signed_escalation(api):
    pids, d0 = first_cohort(api)
    view = api.call("GET", f"/patients/{pids[0]}", "inv1").json()
    assert view["status"] == "dlt_window" and view["day0"] == d0[0].isoformat()
    assert view["enrollment"]["arm"] == "DLL3-CD56" and len(view["calendar"]) > 20
    arms = {a["arm"]: a for a in api.call("GET", "/arms", "stat").json()}
    assert arms["DLL3-CD56"]["open_slots"] == 0 and arms["DLL3-CD56"]["levels"][1]["patients"] == 3

    # Day 27 of the last patients is the last window day: nothing closes before Day 28
    at(api, d0[1] + timedelta(days=27))
    assert set(api.call("POST", "/trial/advance", "monitor").json()["closed_windows"]) == {pids[0]}
    assert api.call("GET", "/decisions", "smc").json() == []
    at(api, d0[1] + timedelta(days=28))
    assert set(api.call("POST", "/trial/advance", "monitor").json()["closed_windows"]) == set(pids[1:])

    decisions = api.call("GET", "/decisions", "smc").json()
    assert len(decisions) == 1
    d = decisions[0]
    assert d["status"] == "proposed" and d["kind"] == "escalation" and d["arm"] == "DLL3-CD56"
    arm = {a["arm"]: a for a in api.call("GET", "/arms", "smc").json()}["DLL3-CD56"]
    assert arm["status"] == "awaiting_committee" and arm["pending_decision"]["key"] == d["key"]
    assert arm["levels"][1]["evaluable"] == 3 and arm["levels"][1]["dlts"] == 0

    # only the committee signs; the investigator is refused (403) and nothing changes
    r = api.call("POST", f"/decisions/{d['id']}/sign", "inv1", {"meaning": "approved"})
    assert r.status_code == 403 and r.json()["error"] == "forbidden"
    r = api.call("POST", f"/decisions/{d['id']}/sign", "smc", {"meaning": "approved", "comment": "0/3 DLT at DL1"})
    assert r.status_code == 200, r.text
    signed = r.json()
    assert signed["status"] == "approved" and signed["signature"]["signer"] == "smc"
    assert signed["signature"]["meaning"] == "approved" and signed["signature"]["signed_at"].startswith(api.clock.today.isoformat())
    r = api.call("POST", f"/decisions/{d['id']}/sign", "smc2", {"meaning": "approved"})
    assert r.status_code == 409

    arm = {a["arm"]: a for a in api.call("GET", "/arms", "stat").json()}["DLL3-CD56"]
    assert arm["current_level"] == "DL2" and arm["cohort"]["number"] == 2 and arm["open_slots"] == 3
    pid = screened_patient(api, antigens=ONLY_DLL3_CD56)
    r = api.call("POST", f"/patients/{pid}/enrollment", "inv1")
    assert r.status_code == 201 and r.json() | {"enrolled_on": None} == {
        "arm": "DLL3-CD56", "dose_level": "DL2", "cohort": 2, "slot": 1, "enrolled_on": None}
    verified = api.call("GET", "/audit/verify", "admin").json()
    assert verified["ok"] is True and verified["first_bad"] is None and verified["entries"] > 100


def test_dlt_proposed_confirmed_and_counted(api):
    pids, d0 = first_cohort(api)
    at(api, d0[1] + timedelta(days=3))
    crs = {"term": "Cytokine release syndrome", "crs": {"temperature_c": 39.5, "hypotension": "multiple_vasopressors"},
           "onset_on": (d0[1] + timedelta(days=2)).isoformat(), "attribution": "probable", "serious": True}
    r = api.call("POST", f"/patients/{pids[1]}/adverse-events", "inv1", crs)
    assert r.status_code == 201, r.text
    assert r.json()["grade"] == 4 and r.json()["onset_day"] == 2
    dlt = api.call("GET", f"/patients/{pids[1]}", "monitor").json()["dlt"]
    assert dlt["proposed"] == "dlt" and dlt["rule_id"] == "crs-grade-4" and dlt["confirmed_dlt"] is None
    # the site cannot confirm; the monitor can
    assert api.call("POST", f"/patients/{pids[1]}/dlt/confirm", "inv1", {"is_dlt": True}).status_code == 403
    r = api.call("POST", f"/patients/{pids[1]}/dlt/confirm", "monitor", {"is_dlt": True})
    assert r.status_code == 200 and r.json()["confirmed_dlt"] is True and r.json()["confirmed_by"] == "monitor"
    at(api, d0[1] + timedelta(days=28))
    api.call("POST", "/trial/advance", "monitor")
    d = api.call("GET", "/decisions", "smc").json()[0]
    assert d["action"] == "treat_same" and d["n_patients"] == 3  # 1/3 DLT: 3 more at DL1 (3+3)
    arm = {a["arm"]: a for a in api.call("GET", "/arms", "smc").json()}["DLL3-CD56"]
    assert arm["levels"][1]["dlts"] == 1


def test_overruling_a_proposal_needs_a_comment(api):
    pids, d0 = first_cohort(api)
    at(api, d0[1] + timedelta(days=3))
    ae = {"term": "Fatigue", "grade": 2, "onset_on": (d0[1] + timedelta(days=1)).isoformat(), "attribution": "possible"}
    assert api.call("POST", f"/patients/{pids[1]}/adverse-events", "crc1", ae).status_code == 201
    r = api.call("POST", f"/patients/{pids[1]}/dlt/confirm", "monitor", {"is_dlt": True})
    assert r.status_code == 422 and r.json()["field"] == "comment"


def test_waitlist_then_refusals(api):
    first_cohort(api)
    pid = screened_patient(api, antigens=ONLY_DLL3_CD56)
    r = api.call("POST", f"/patients/{pid}/enrollment", "inv1")
    assert r.status_code == 202 and r.json()["waitlisted"] is True and r.json()["position"] == 1
    assert api.call("GET", f"/patients/{pid}", "inv1").json()["status"] == "waitlisted"
    assert api.call("POST", f"/patients/{pid}/enrollment", "inv1").status_code == 409

    r = api.call("POST", "/patients", "inv1", {"site": "S01", "sex": "male", "birth_year": 1970})
    other = r.json()["id"]
    api.call("POST", f"/patients/{other}/consent", "inv1", {"signed_on": api.clock.today.isoformat(), "version": "v1.0"})
    r = api.call("POST", f"/patients/{other}/enrollment", "inv1")
    assert r.status_code == 409 and r.json()["field"] == "screening"
    r = api.call("POST", f"/patients/{other}/screening", "inv1", example("screening-ineligible.json"))
    assert r.status_code == 200 and r.json()["eligible"] is False
    r = api.call("POST", f"/patients/{other}/antigens", "inv1", example("antigens-all-positive.json"))
    r = api.call("POST", f"/patients/{other}/enrollment", "inv1")
    assert r.status_code == 409 and r.json()["error"] == "conflict" and "eligible" in r.json()["detail"]


def test_no_qualifying_construct_is_refused(api):
    pid = screened_patient(api, antigens="antigens-all-positive.json")
    none = {"antigens": {"DLL3": {"percent_positive": 0, "intensity": 0}, "CD56": {"percent_positive": 0, "intensity": 0},
                         "GD2": {"percent_positive": 0, "intensity": 0}}}
    r = api.call("POST", f"/patients/{pid}/antigens", "inv1", none)
    assert r.status_code == 422 and r.json()["field"] == "reason"
    r = api.call("POST", f"/patients/{pid}/antigens", "inv1", none, params={"reason": "re-read by central lab"})
    assert r.status_code == 200 and r.json()["qualifying_constructs"] == []
    r = api.call("POST", f"/patients/{pid}/enrollment", "inv1")
    assert r.status_code == 409 and "no construct" in r.json()["detail"]


def test_changes_need_a_reason_and_are_audited(api):
    pid = screened_patient(api)
    r = api.client.patch(f"/api/v1/patients/{pid}", headers=api.h("dm"), json={"birth_year": 1961})
    assert r.status_code == 422 and r.json()["field"] == "reason"
    r = api.client.patch(f"/api/v1/patients/{pid}", headers=api.h("dm"), json={"birth_year": 1961, "reason": "transcription error"})
    assert r.status_code == 200 and r.json()["birth_year"] == 1961
    entries = api.call("GET", "/audit", "dm", params={"entity": "patients", "entity_id": pid}).json()
    change = [e for e in entries if e["action"] == "change"]
    assert len(change) == 1 and change[0] | {} == change[0]
    assert (change[0]["field"], change[0]["old"], change[0]["new"], change[0]["reason"], change[0]["actor"]) == \
        ("birth_year", "1962", "1961", "transcription error", "dm")
    assert change[0]["at"].endswith("Z")


def test_tumour_assessments_compute_recist(api):
    pids, d0 = first_cohort(api)
    pid = pids[0]
    at(api, d0[1] + timedelta(days=28))
    base = {"assessed_on": (d0[0] - timedelta(days=7)).isoformat(), "baseline": True,
            "target_lesions": [{"id": "T1", "organ": "lung", "diameter_mm": 50}, {"id": "T2", "organ": "liver", "diameter_mm": 50}]}
    r = api.call("POST", f"/patients/{pid}/tumor-assessments", "inv1", base)
    assert r.status_code == 201, r.text
    follow = {"assessed_on": (d0[0] + timedelta(days=42)).isoformat(), "new_lesions": False, "non_target": "NONE",
              "target_lesions": [{"id": "T1", "diameter_mm": 35}, {"id": "T2", "diameter_mm": 35}]}
    at(api, d0[0] + timedelta(days=42))
    r = api.call("POST", f"/patients/{pid}/tumor-assessments", "inv1", follow)
    assert r.status_code == 201, r.text
    # exactly −30% is a PR (RECIST 1.1 §4.3.1: "at least a 30% decrease"), unconfirmed so far
    assert r.json()["recist"]["visits"][0]["overall"] == "PR"
    view = api.call("GET", f"/patients/{pid}", "inv1").json()
    assert view["response"]["assessments"] == 2


def test_a_baseline_is_checked_against_recist_when_it_is_stored(api):
    # RECIST 1.1 §3.2: at most 5 target lesions; the baseline is refused at entry, not at the first follow-up
    pid = screened_patient(api)
    base = {"assessed_on": api.clock.today.isoformat(), "baseline": True,
            "target_lesions": [{"id": f"T{i}", "organ": f"organ {i}", "diameter_mm": 20} for i in range(6)]}
    r = api.call("POST", f"/patients/{pid}/tumor-assessments", "inv1", base)
    assert r.status_code == 422 and r.json()["field"] == "target_lesions", r.text
    assert api.call("GET", f"/patients/{pid}", "inv1").json()["response"] is None


def small_protocol():
    """One construct, one dose level, cohorts of one, no stagger: MTD, selection and expansion quickly."""
    from dartnk.protocol import default_protocol

    p = default_protocol()
    esc = p.escalation.model_copy(update={
        "start_level": "DL1", "cohort_size": 1, "cohort_expansion": 0, "expand_max_dlts": 0,
        "escalate_max_dlts_expanded": 0, "stagger": p.escalation.stagger.model_copy(update={"sentinel_days": 0})})
    gates = p.selection.gates.model_copy(update={"min_patients_at_rp2d": 1})
    return p.model_copy(update={"constructs": p.constructs[:1], "dose_levels": p.dose_levels[1:2], "escalation": esc,
                                "selection": p.selection.model_copy(update={"gates": gates})})


def test_mtd_selection_and_expansion_are_signed_by_the_committee(database_url):
    from tests.service.conftest import make_api

    api = make_api(database_url, protocol=small_protocol())
    pid = screened_patient(api, antigens=ONLY_DLL3_CD56)
    assert api.call("POST", f"/patients/{pid}/enrollment", "inv1").status_code == 201
    release(api, pid, "L1", api.clock.today)
    d0 = api.clock.today + timedelta(days=1)
    for d in (0, 7, 14):
        infuse(api, pid, d0 + timedelta(days=d), "L1")
    at(api, d0 + timedelta(days=28))
    assert api.call("POST", "/trial/advance", "monitor").json()["closed_windows"] == [pid]
    kinds = []
    while proposed := api.call("GET", "/decisions", "smc", params={"status": "proposed"}).json():
        kinds.append((proposed[0]["kind"], proposed[0]["action"]))
        assert api.call("POST", f"/decisions/{proposed[0]['id']}/sign", "smc", {"meaning": "approved"}).status_code == 200
    assert kinds == [("escalation", "declare_mtd"), ("select_construct", None)]
    trial = api.call("GET", "/trial", "stat").json()
    assert trial["phase"] == "expansion" and trial["selected"] == "DLL3-CD56"
    assert trial["expansion"]["dose_level"] == "DL1" and trial["expansion"]["open_slots"] > 0
    nxt = screened_patient(api, antigens=ONLY_DLL3_CD56)
    r = api.call("POST", f"/patients/{nxt}/enrollment", "inv1")
    assert r.status_code == 201 and (r.json()["arm"], r.json()["dose_level"], r.json()["cohort"], r.json()["slot"]) == \
        ("DLL3-CD56", "DL1", 0, 1)
    api.app.state.db.dispose()


def test_a_signer_with_a_password_must_give_it(api):
    pids, d0 = first_cohort(api)
    at(api, d0[1] + timedelta(days=28))
    api.call("POST", "/trial/advance", "monitor")
    d = api.call("GET", "/decisions", "smc").json()[0]
    r = api.call("POST", "/users", "admin", {"name": "chair", "role": "committee_member", "password": "long password 1"})
    api.tokens["chair"] = r.json()["token"]
    r = api.call("POST", f"/decisions/{d['id']}/sign", "chair", {"meaning": "approved"})
    assert r.status_code == 422 and r.json()["field"] == "password"
    r = api.call("POST", f"/decisions/{d['id']}/sign", "chair", {"meaning": "approved", "password": "wrong"})
    assert r.status_code == 401 and r.json()["field"] == "password"
    assert api.call("GET", "/decisions", "smc").json()[0]["status"] == "proposed"
    r = api.call("POST", f"/decisions/{d['id']}/sign", "chair", {"meaning": "approved", "password": "long password 1"})
    assert r.status_code == 200 and r.json()["status"] == "approved"
    assert "long password" not in str(api.call("GET", "/audit", "admin", params={"limit": 1000}).json())


def test_a_committee_quorum_needs_approvals_by_distinct_members(database_url):
    # protocol committee.approvals_required = 2 (e.g. a majority of a 3-member committee): the first approval
    # is signed and audited but changes nothing; a rejection is shown and leaves the proposal pending; the
    # second member's approval makes it effective.
    from dartnk.protocol.loader import default_protocol
    from tests.service.conftest import make_api

    p = default_protocol()
    api = make_api(database_url, protocol=p.model_copy(update={
        "committee": p.committee.model_copy(update={"approvals_required": 2})}))
    api.add_user("smc3", "committee_member")
    pids, d0 = first_cohort(api)
    at(api, d0[1] + timedelta(days=28))
    api.call("POST", "/trial/advance", "monitor")
    d = api.call("GET", "/decisions", "smc").json()[0]
    assert (d["status"], d["approvals"], d["approvals_required"]) == ("proposed", 0, 2)

    r = api.call("POST", f"/decisions/{d['id']}/sign", "smc", {"meaning": "approved", "comment": "0/3 at DL1"})
    assert r.status_code == 200 and (r.json()["status"], r.json()["approvals"]) == ("proposed", 1)
    arm = {a["arm"]: a for a in api.call("GET", "/arms", "stat").json()}["DLL3-CD56"]
    assert arm["status"] == "awaiting_committee" and arm["current_level"] == "DL1" and arm["open_slots"] == 0
    assert api.call("POST", f"/decisions/{d['id']}/sign", "smc", {"meaning": "approved"}).status_code == 409
    # the committee's web page says how far the quorum is
    api.call("POST", "/users", "admin", {"name": "chair", "role": "committee_member", "password": "long password 1"})
    assert api.client.post("/login", data={"name": "chair", "password": "long password 1"}).status_code == 200
    page = api.client.get("/decisions").text
    assert "1 of 2 approvals" in page and "2 approvals by different members make" in page

    r = api.call("POST", f"/decisions/{d['id']}/sign", "smc3", {"meaning": "rejected", "comment": "wait for PK"})
    assert r.status_code == 200 and (r.json()["status"], r.json()["approvals"]) == ("rejected", 1)
    assert {a["arm"]: a for a in api.call("GET", "/arms", "stat").json()}["DLL3-CD56"]["current_level"] == "DL1"

    r = api.call("POST", f"/decisions/{d['id']}/sign", "smc2", {"meaning": "approved"})
    assert r.status_code == 200 and (r.json()["status"], r.json()["approvals"]) == ("approved", 2)
    assert [s["signer"] for s in r.json()["signatures"]] == ["smc", "smc3", "smc2"]
    arm = {a["arm"]: a for a in api.call("GET", "/arms", "stat").json()}["DLL3-CD56"]
    assert arm["current_level"] == "DL2" and arm["open_slots"] == 3
    assert api.call("GET", "/audit/verify", "admin").json()["ok"] is True
    api.client.close()
    api.app.state.db.dispose()
