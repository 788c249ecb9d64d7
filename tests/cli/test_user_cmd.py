"""``dartnk user add`` end to end: the token is printed once and works; bad input exits 2."""

from __future__ import annotations

from tests.conftest import run_cli


def test_user_add_prints_a_working_token(tmp_path):
    db = f"sqlite:///{tmp_path / 'd.sqlite'}"
    r = run_cli("user", "add", "alice", "--role", "site_investigator", "--site", "S01", "--db", db)
    assert r.returncode == 0, r.stderr
    token = r.stdout.strip()
    assert token.startswith("dnk_") and len(token) > 40 and "shown once" in r.stderr

    from fastapi.testclient import TestClient

    from dartnk.service.app import create_app
    from dartnk.service.settings import ServiceSettings

    app = create_app(ServiceSettings(database_url=db))
    with TestClient(app) as client:
        me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).json()
    app.state.db.dispose()
    assert me == {"name": "alice", "role": "site_investigator", "site": "S01"}


def test_password_from_stdin(tmp_path):
    db = f"sqlite:///{tmp_path / 'd.sqlite'}"
    r = run_cli("user", "add", "bob", "--role", "data_manager", "--password-stdin", "--db", db, input="long enough pw\n")
    assert r.returncode == 0, r.stderr
    r = run_cli("user", "add", "eve", "--role", "data_manager", "--password-stdin", "--db", db, input="short\n")
    assert r.returncode == 2 and "password" in r.stderr


def test_bad_input_exits_2_with_one_line(tmp_path):
    db = f"sqlite:///{tmp_path / 'd.sqlite'}"
    cases = [(["user", "add", "x", "--role", "wizard"], "role"),
             (["user", "add", "x", "--role", "site_investigator"], "site"),
             (["user", "add", "x", "--role", "statistician", "--site", "S01"], "site"),
             (["user", "add", "bad name!", "--role", "statistician"], "name")]
    for args, field in cases:
        r = run_cli(*args, "--db", db)
        assert r.returncode == 2, (args, r.stderr)
        assert r.stderr.startswith(f"error: {field}:") and r.stderr.count("\n") == 1 and "Traceback" not in r.stderr
    assert run_cli("user", "add", "x", "--role", "statistician", "--db", db).returncode == 0
    dup = run_cli("user", "add", "x", "--role", "statistician", "--db", db)
    assert dup.returncode == 2 and "already taken" in dup.stderr
