"""Many simultaneous enrollment requests for the last open slots, over real HTTP, against two
uvicorn server processes sharing one database (SQLite file and PostgreSQL): exactly the open
slots are assigned (each once), everyone else is waitlisted in a distinct position, nothing is
lost, and the audit chain stays intact."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time

import httpx
import pytest

from tests.service.conftest import REPO, Clock, make_api, screened_patient

ONLY_DLL3_CD56 = "antigens-gd2-negative.json"
REQUESTS = 12


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(url: str, port: int) -> subprocess.Popen:
    env = {**os.environ, "DARTNK_DATABASE_URL": url}
    proc = subprocess.Popen([sys.executable, "-m", "dartnk.cli.main", "serve", "--port", str(port)], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/openapi.json", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
        if proc.poll() is not None:
            raise RuntimeError("server exited: " + proc.stdout.read())
    proc.kill()
    raise RuntimeError("server did not start")


@pytest.fixture
def servers(database_url):
    """Prepare patients in-process, then serve the same database from two processes."""
    from datetime import datetime, timezone

    api = make_api(database_url, Clock(datetime.now(timezone.utc)))
    first = screened_patient(api, antigens=ONLY_DLL3_CD56)
    assert api.call("POST", f"/patients/{first}/enrollment", "inv1").status_code == 201  # 2 of 3 slots left
    pids = [screened_patient(api, antigens=ONLY_DLL3_CD56) for _ in range(REQUESTS)]
    token = api.tokens["inv1"]
    admin = api.tokens["admin"]
    api.client.close()
    api.app.state.db.dispose()
    procs = [start_server(database_url, free_port()) for _ in range(2)]
    ports = [int(p.args[-1]) for p in procs]
    yield ports, pids, token, admin
    for p in procs:
        p.terminate()
        try:
            p.wait(10)
        except subprocess.TimeoutExpired:
            p.kill()


def test_last_slots_are_assigned_exactly_once(servers):
    ports, pids, token, admin = servers
    barrier = threading.Barrier(len(pids))
    answers: dict[str, httpx.Response] = {}

    def enrol(i: int, pid: str) -> None:
        with httpx.Client(base_url=f"http://127.0.0.1:{ports[i % 2]}", timeout=120) as client:
            barrier.wait()
            answers[pid] = client.post(f"/api/v1/patients/{pid}/enrollment", headers={"Authorization": f"Bearer {token}"})

    threads = [threading.Thread(target=enrol, args=(i, pid)) for i, pid in enumerate(pids)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    codes = sorted(r.status_code for r in answers.values())
    assert len(answers) == REQUESTS and codes == [201] * 2 + [202] * (REQUESTS - 2), [r.text for r in answers.values()]
    assigned = [r.json() for r in answers.values() if r.status_code == 201]
    assert sorted((a["arm"], a["dose_level"], a["cohort"], a["slot"]) for a in assigned) == [
        ("DLL3-CD56", "DL1", 1, 2), ("DLL3-CD56", "DL1", 1, 3)]
    positions = sorted(r.json()["position"] for r in answers.values() if r.status_code == 202)
    assert positions == list(range(1, REQUESTS - 1))

    with httpx.Client(base_url=f"http://127.0.0.1:{ports[0]}", timeout=60) as client:
        auth = {"Authorization": f"Bearer {admin}"}
        trial = client.get("/api/v1/trial", headers=auth).json()
        assert len(trial["waitlist"]) == REQUESTS - 2
        statuses = {pid: client.get(f"/api/v1/patients/{pid}", headers=auth).json()["status"] for pid in pids}
        assert sorted(statuses.values()) == ["enrolled"] * 2 + ["waitlisted"] * (REQUESTS - 2)
        arm = {a["arm"]: a for a in client.get("/api/v1/arms", headers=auth).json()}["DLL3-CD56"]
        assert arm["open_slots"] == 0 and arm["levels"][1]["patients"] == 3
        assert client.get("/api/v1/audit/verify", headers=auth).json()["ok"] is True
