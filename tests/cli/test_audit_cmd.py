"""``dartnk audit verify`` end to end: intact chain exits 0; an edited row is named, exit 1."""

from __future__ import annotations

import json
import sqlite3

from tests.conftest import run_cli


def test_verify_intact_then_tampered(tmp_path):
    path = tmp_path / "d.sqlite"
    db = f"sqlite:///{path}"
    for name in ("a", "b", "c"):
        assert run_cli("user", "add", name, "--role", "statistician", "--db", db).returncode == 0
    r = run_cli("audit", "verify", "--db", db)
    assert r.returncode == 0 and r.stdout.startswith("ok:") and "hash chain intact" in r.stdout
    r = run_cli("audit", "verify", "--db", db, "--json")
    first = json.loads(r.stdout)
    assert first["ok"] is True and first["first_bad"] is None and first["entries"] >= 15

    con = sqlite3.connect(path)   # someone edits a row behind the application's back
    con.execute("DROP TRIGGER audit_log_no_update")
    con.execute("UPDATE audit_log SET actor = 'mallory' WHERE seq = 7")
    con.commit()
    con.close()
    r = run_cli("audit", "verify", "--db", db)
    assert r.returncode == 1 and "audit entry 7" in r.stderr and "altered" in r.stderr
    r = run_cli("audit", "verify", "--db", db, "--json")
    assert json.loads(r.stdout)["first_bad"] == 7 and r.returncode == 1


def test_missing_database_is_exit_2(tmp_path):
    r = run_cli("audit", "verify", "--db", f"sqlite:///{tmp_path / 'none.sqlite'}")
    assert r.returncode == 2 and "dartnk db upgrade" in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "none.sqlite").exists()


def test_a_record_edited_behind_the_apps_back_is_named(tmp_path):
    path = tmp_path / "d.sqlite"
    db = f"sqlite:///{path}"
    assert run_cli("user", "add", "a", "--role", "site_coordinator", "--site", "S01", "--db", db).returncode == 0
    con = sqlite3.connect(path)
    con.execute("UPDATE users SET role = 'administrator' WHERE name = 'a'")   # privilege escalation
    con.commit()
    con.close()
    r = run_cli("audit", "verify", "--db", db)
    assert r.returncode == 1 and "users 1 role" in r.stderr and r.stderr.startswith("TAMPERED: records differ")
