"""A writer process killed with SIGKILL in the middle of its writes leaves a consistent database:
every committed record has its audit entries, no audit entry points at a record that was rolled
back, the hash chain verifies, and the service carries on writing (SQLite and PostgreSQL)."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time

from sqlalchemy import select

from tests.service.conftest import REPO, make_api, screened_patient

KILLS = 3


def run_and_kill(url: str, token: str, rng: random.Random) -> int:
    proc = subprocess.Popen([sys.executable, "-m", "tests.service.crash_writer", url, token], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=os.environ.copy())
    lines = 0
    deadline = time.monotonic() + 120
    while lines < 2 and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines += 1
    assert lines >= 2, proc.stderr.read()
    time.sleep(rng.uniform(0.0, 0.3))   # land anywhere inside the next patient's transactions
    proc.send_signal(signal.SIGKILL)
    proc.wait(30)
    assert proc.returncode == -signal.SIGKILL
    return lines


def test_sigkill_mid_write_leaves_a_consistent_database(database_url):
    from dartnk.store import models as m
    from dartnk.store.audit import verify

    api = make_api(database_url)
    token = api.tokens["inv1"]
    db = api.app.state.db
    rng = random.Random(20261121)
    for _ in range(KILLS):
        run_and_kill(database_url, token, rng)

    with db.read() as session:
        result = verify(session, db.trial_id)
        assert result.ok, result
        patients = set(session.execute(select(m.Patient.id)).scalars())
        audited = set(session.execute(select(m.AuditEntry.entity_id).where(m.AuditEntry.entity == "patients",
                                                                           m.AuditEntry.field == "id")).scalars())
        assert patients and patients == audited
        screenings = set(session.execute(select(m.Screening.id)).scalars())
        audited_screenings = {int(x) for x in session.execute(select(m.AuditEntry.entity_id).where(
            m.AuditEntry.entity == "screenings", m.AuditEntry.field == "id")).scalars()}
        assert screenings == audited_screenings
        for sid in session.execute(select(m.Screening.patient_id)).scalars():
            assert sid in patients

    # the service carries on: more writes, and the chain still verifies
    screened_patient(api)
    assert api.call("GET", "/audit/verify", "admin").json()["ok"] is True
    api.app.state.db.dispose()
