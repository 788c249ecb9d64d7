"""The API's one error shape for request validation: 422 naming the first bad field's path."""

from __future__ import annotations

import pytest


@pytest.fixture
def sapi(tmp_path):
    from tests.service.conftest import make_api

    a = make_api(f"sqlite:///{tmp_path / 'dartnk.sqlite'}")
    yield a
    a.client.close()
    a.app.state.db.dispose()


@pytest.mark.parametrize("body, field, words", [
    ({"sex": "female", "birth_year": 1960}, "site", "required field is missing"),
    ({"site": "S01", "sex": "x", "birth_year": 1960}, "sex", "got 'x'"),
    ({"site": "S01", "sex": "female", "birth_year": 1899}, "birth_year", "greater than or equal to 1900"),
    ({"site": "S01", "sex": "female", "birth_year": 1960, "name": "Jane"}, "name", "unknown field"),
    ({"site": "S99", "sex": "female", "birth_year": 1960}, "site", "a site of the trial"),
    ({"site": "S01", "sex": "female", "birth_year": 1960, "registered_on": "2030-01-01"}, "registered_on", "not after today"),
])
def test_register_validation(sapi, body, field, words):
    r = sapi.call("POST", "/patients", "dm", body)
    assert r.status_code == 422
    assert r.json()["error"] == "invalid_input" and r.json()["field"] == field and words in r.json()["detail"]


def test_malformed_json_names_the_body(sapi):
    r = sapi.client.post("/api/v1/patients", headers={**sapi.h("dm"), "Content-Type": "application/json"}, content=b"{nope")
    assert r.status_code == 422 and r.json()["field"] == "body"


def test_screening_record_errors_name_the_record_field(sapi):
    from tests.service.conftest import example

    pid = sapi.call("POST", "/patients", "dm", {"site": "S01", "sex": "female", "birth_year": 1960}).json()["id"]
    sapi.call("POST", f"/patients/{pid}/consent", "dm", {"signed_on": "2026-11-10", "version": "v1"})
    record = example("screening-eligible.json") | {"ecog": 7}
    r = sapi.call("POST", f"/patients/{pid}/screening", "dm", record)
    assert r.status_code == 422 and r.json()["field"] == "ecog"


def test_screening_needs_consent_first(sapi):
    from tests.service.conftest import example

    pid = sapi.call("POST", "/patients", "dm", {"site": "S01", "sex": "female", "birth_year": 1960}).json()["id"]
    r = sapi.call("POST", f"/patients/{pid}/screening", "dm", example("screening-eligible.json"))
    assert r.status_code == 409 and r.json()["field"] == "consent"


def test_unknown_route_and_method_use_the_shape(sapi):
    r = sapi.client.get("/api/v1/nowhere", headers=sapi.h("dm"))
    assert r.status_code == 404 and r.json()["error"] == "not_found"
    r = sapi.client.delete("/api/v1/patients", headers=sapi.h("dm"))
    assert r.status_code == 405 and r.json()["error"] == "method_not_allowed"


def test_there_is_no_delete(sapi):
    spec = sapi.client.get("/openapi.json").json()
    assert not any("delete" in ops for ops in spec["paths"].values())
    assert {"/api/v1/patients", "/api/v1/patients/{patient_id}/screening", "/api/v1/patients/{patient_id}/antigens",
            "/api/v1/patients/{patient_id}/enrollment", "/api/v1/patients/{patient_id}/infusions",
            "/api/v1/patients/{patient_id}/adverse-events", "/api/v1/patients/{patient_id}/tumor-assessments",
            "/api/v1/patients/{patient_id}", "/api/v1/arms", "/api/v1/decisions", "/api/v1/decisions/{decision_id}/sign",
            "/api/v1/audit/verify"} <= set(spec["paths"])


def test_database_unavailable_is_503_with_the_shape(tmp_path):
    from tests.service.conftest import make_api

    api = make_api(f"sqlite:///{tmp_path / 'dartnk.sqlite'}")
    token = api.tokens["stat"]
    api.app.state.db.dispose()
    (tmp_path / "dartnk.sqlite").unlink()
    (tmp_path / "dartnk.sqlite").mkdir()          # the file is gone and cannot be re-created
    r = api.client.get("/api/v1/arms", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 503 and r.json()["error"] == "unavailable" and r.headers["retry-after"] == "5"
