"""``dartnk serve`` end to end: with no options a SQLite file in the working directory; prints the
URL and the database path; answers HTTP; a bad port or URL exits 2."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

import httpx

from tests.conftest import run_cli


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_defaults_to_a_sqlite_file_here(tmp_path):
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "dartnk.cli.main", "serve", "--port", str(port)], cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={k: v for k, v in __import__("os").environ.items() if k != "DARTNK_DATABASE_URL"})
    try:
        lines = [proc.stdout.readline() for _ in range(2)]
        assert f"http://127.0.0.1:{port}/api/v1" in lines[0]
        assert lines[1].strip() == f"database: {tmp_path / 'dartnk.sqlite'}"
        deadline = time.monotonic() + 30
        while True:
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/api/v1/arms", timeout=2)
                break
            except httpx.HTTPError:
                assert time.monotonic() < deadline
                time.sleep(0.2)
        assert r.status_code == 401 and r.json()["error"] == "unauthorized"
        assert (tmp_path / "dartnk.sqlite").is_file()
    finally:
        proc.terminate()
        proc.wait(15)


def test_bad_options_exit_2(tmp_path):
    r = run_cli("serve", "--port", "0", cwd=tmp_path)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    r = run_cli("serve", "--db", "mysql://x@y/z", cwd=tmp_path)
    assert r.returncode == 2 and r.stderr.startswith("error: --db:")
