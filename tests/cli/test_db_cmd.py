"""``dartnk db upgrade`` end to end (a real process)."""

from __future__ import annotations

from tests.conftest import run_cli


def test_db_upgrade_creates_the_default_file(tmp_path):
    r = run_cli("db", "upgrade", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "dartnk.sqlite").is_file()
    assert str(tmp_path / "dartnk.sqlite") in r.stdout and "revision 0003" in r.stdout
    again = run_cli("db", "upgrade", cwd=tmp_path)
    assert again.returncode == 0 and "revision 0003" in again.stdout


def test_db_upgrade_with_url(tmp_path):
    r = run_cli("db", "upgrade", "--db", f"sqlite:///{tmp_path / 'other.sqlite'}")
    assert r.returncode == 0 and (tmp_path / "other.sqlite").is_file()


def test_bad_url_is_one_line_exit_2(tmp_path):
    r = run_cli("db", "upgrade", "--db", "mysql://u@h/db", cwd=tmp_path)
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "--db" in r.stderr and "Traceback" not in r.stderr


def test_unreachable_postgres_is_one_line_exit_2(tmp_path):
    r = run_cli("db", "upgrade", "--db", "postgresql+psycopg://nobody@127.0.0.1:1/none", cwd=tmp_path)
    assert r.returncode == 2 and "a reachable database" in r.stderr and "Traceback" not in r.stderr
