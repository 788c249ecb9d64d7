"""The role × site access matrix (SQLite and PostgreSQL), and authentication.

Site staff see only their own site's patients; another site's patient answers **404 exactly like a
patient that does not exist**, so a denied request reveals nothing. A role that may never perform
an action answers 403; no or a bad token answers 401. Every error has the one JSON shape.
"""

from __future__ import annotations

import pytest

from tests.service.conftest import STANDARD_USERS, screened_patient

ROLES = [name for name, _, _ in STANDARD_USERS]

# who may do what: the expected status per user (S01 patient; inv2 is at site S02)
MATRIX = {
    "register_at_S01": {"inv1": 201, "crc1": 201, "inv2": 403, "monitor": 403, "dm": 201, "smc": 403, "smc2": 403,
                        "stat": 403, "admin": 403},
    "read_patient": {"inv1": 200, "crc1": 200, "inv2": 404, "monitor": 200, "dm": 200, "smc": 200, "smc2": 200,
                     "stat": 200, "admin": 200},
    "add_lab": {"inv1": 201, "crc1": 201, "inv2": 404, "monitor": 403, "dm": 201, "smc": 403, "smc2": 403,
                "stat": 403, "admin": 403},
    "confirm_dlt": {"inv1": 403, "crc1": 403, "inv2": 403, "monitor": 409, "dm": 403, "smc": 403, "smc2": 403,
                    "stat": 403, "admin": 403},
    "audit_verify": {"inv1": 403, "crc1": 403, "inv2": 403, "monitor": 200, "dm": 200, "smc": 403, "smc2": 403,
                     "stat": 200, "admin": 200},
    "add_user": {"inv1": 403, "crc1": 403, "inv2": 403, "monitor": 403, "dm": 403, "smc": 403, "smc2": 403,
                 "stat": 403, "admin": 201},
    "arms": {name: 200 for name in ROLES},
}


def perform(api, action: str, who: str, pid: str, n: int):
    if action == "register_at_S01":
        return api.call("POST", "/patients", who, {"site": "S01", "sex": "male", "birth_year": 1950})
    if action == "read_patient":
        return api.call("GET", f"/patients/{pid}", who)
    if action == "add_lab":
        return api.call("POST", f"/patients/{pid}/labs", who, {"test": "anc", "value": 1.2, "unit": "10^9/L",
                                                               "collected_on": api.clock.today.isoformat()})
    if action == "confirm_dlt":
        return api.call("POST", f"/patients/{pid}/dlt/confirm", who, {"is_dlt": False})
    if action == "audit_verify":
        return api.call("GET", "/audit/verify", who)
    if action == "add_user":
        return api.call("POST", "/users", who, {"name": f"new{n}", "role": "statistician"})
    if action == "arms":
        return api.call("GET", "/arms", who)
    raise AssertionError(action)


def test_role_and_site_matrix(api):
    pid = screened_patient(api)
    n = 0
    for action, expected in MATRIX.items():
        for who in ROLES:
            n += 1
            r = perform(api, action, who, pid, n)
            assert r.status_code == expected[who], (action, who, r.text)
            if r.status_code >= 400:
                body = r.json()
                assert set(body) <= {"error", "detail", "field"} and body["error"] and body["detail"]


def test_other_sites_patient_is_indistinguishable_from_a_missing_one(api):
    pid = screened_patient(api)
    theirs = api.call("GET", f"/patients/{pid}", "inv2")
    missing = api.call("GET", "/patients/S01-9999", "inv2")
    assert theirs.status_code == missing.status_code == 404
    assert theirs.json()["error"] == missing.json()["error"] == "not_found"
    assert theirs.json()["detail"].replace(pid, "X") == missing.json()["detail"].replace("S01-9999", "X")
    # the same for writes: no hint that the patient exists
    for path, body in ((f"/patients/{pid}/enrollment", None),
                       (f"/patients/{pid}/adverse-events", {"term": "Fatigue", "grade": 1, "onset_on": "2026-11-10",
                                                           "attribution": "possible"})):
        assert api.call("POST", path, "inv2", body).status_code == 404
    assert [p["id"] for p in api.call("GET", "/patients", "inv2").json()] == []
    assert [p["id"] for p in api.call("GET", "/patients", "inv1").json()] == [pid]


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic abc"},
                                     {"Authorization": "Bearer "}])
def test_without_a_valid_token_401(api, headers):
    r = api.client.get("/api/v1/arms", headers=headers)
    assert r.status_code == 401 and r.json()["error"] == "unauthorized" and r.json()["field"] == "Authorization"
    assert r.headers["www-authenticate"] == "Bearer"


def test_password_sign_in_issues_a_new_token(api):
    r = api.call("POST", "/users", "admin", {"name": "carol", "role": "data_manager", "password": "correct horse"})
    old = r.json()["token"]
    assert api.client.post("/api/v1/auth/token", json={"name": "carol", "password": "wrong"}).status_code == 401
    r = api.client.post("/api/v1/auth/token", json={"name": "carol", "password": "correct horse"})
    assert r.status_code == 201 and r.json()["token"] != old
    assert api.client.get("/api/v1/me", headers={"Authorization": f"Bearer {r.json()['token']}"}).json()["role"] == "data_manager"
    assert api.client.get("/api/v1/me", headers={"Authorization": f"Bearer {old}"}).status_code == 401


def test_tokens_and_passwords_are_stored_hashed(api):
    from sqlalchemy import select

    from dartnk.store.models import AuditEntry, User

    api.call("POST", "/users", "admin", {"name": "dave", "role": "statistician", "password": "s3cret-pass"})
    with api.app.state.db.read() as session:
        for user in session.execute(select(User)).scalars():
            assert user.token_hash != api.tokens.get(user.name) and len(user.token_hash) == 64
        dave = session.execute(select(User).where(User.name == "dave")).scalar_one()
        assert dave.password_hash.startswith("$argon2id$")
        logged = [e.new for e in session.execute(select(AuditEntry).where(AuditEntry.entity == "users")).scalars()]
        assert '"[secret]"' in logged and not any("argon2" in (x or "") for x in logged)


def test_site_staff_cannot_register_for_another_site(api):
    r = api.call("POST", "/patients", "inv2", {"site": "S01", "sex": "female", "birth_year": 1970})
    assert r.status_code == 403 and r.json()["field"] == "site"


def test_deactivated_user_loses_access(api):
    r = api.client.patch("/api/v1/users/inv1", headers=api.h("admin"), json={"active": False})
    assert r.status_code == 422 and r.json()["field"] == "reason"
    r = api.client.patch("/api/v1/users/inv1", headers=api.h("admin"), json={"active": False, "reason": "left the site"})
    assert r.status_code == 200 and r.json()["active"] is False
    assert api.call("GET", "/me", "inv1").status_code == 401
    assert api.client.patch("/api/v1/users/inv1", headers=api.h("dm"), json={"active": True, "reason": "x"}).status_code == 403
    assert api.client.patch("/api/v1/users/admin", headers=api.h("admin"),
                            json={"active": False, "reason": "x"}).status_code == 409
    users = {u["name"]: u for u in api.call("GET", "/users", "admin").json()}
    assert users["inv1"]["active"] is False and users["admin"]["active"] is True
