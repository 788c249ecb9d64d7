"""``dartnk demo``: a seeded virtual trial through the conduct API; the same seed gives the same trial."""

from __future__ import annotations

import re

from tests.conftest import run_cli
from tests.export.demo_db import demo_database, demo_output


def test_demo_fills_the_database_through_the_service():
    url = demo_database()
    out, err = demo_output()
    m = re.search(r"(\d+) registered, (\d+) enrolled, (\d+) treated, (\d+) DLTs confirmed, (\d+) committee decisions "
                  r"signed, (\d+) deaths", out)
    assert m, out
    registered, enrolled, treated, dlts, signed, deaths = map(int, m.groups())
    assert registered == 12 and 0 < treated == enrolled <= registered and signed >= 1 and deaths >= 1
    assert err == ""  # no warnings or tracebacks for the user
    # through the service: the audit chain records every entry and verifies
    from dartnk.protocol import default_protocol
    from dartnk.store.audit import verify
    from dartnk.store.db import Database
    from sqlalchemy import func, select

    from dartnk.store.models import AuditEntry, Patient, TrialEvent

    db = Database(url, default_protocol().trial.id)
    with db.read() as s:
        assert s.execute(select(func.count()).select_from(Patient)).scalar_one() == 12
        assert s.execute(select(func.count()).select_from(TrialEvent)).scalar_one() > 50
        assert s.execute(select(func.count()).select_from(AuditEntry)).scalar_one() > 300
        assert verify(s, db.trial_id).ok
    db.dispose()


def test_demo_is_reproducible(tmp_path):
    """Same seed, same trial: the same summary and the same SDTM records (in process, a small trial)."""
    from dartnk.service.demo import run_demo
    from dartnk.export.sdtm import build_datasets
    from dartnk.export.store_reader import read_trial
    from dartnk.protocol import default_protocol

    runs = []
    for name in ("a", "b"):
        url = f"sqlite:///{tmp_path / name}.sqlite"
        summary = run_demo(url, patients=5, follow_up_days=90, seed=11)
        data = build_datasets(read_trial(url, default_protocol()))
        rows = {k: [{c: (None if isinstance(x, float) and x != x else x) for c, x in r.items()} for r in v.rows]
                for k, v in data.items() if k in ("DM", "EX", "AE", "LB", "RS")}  # NaN ≠ NaN: compare as None
        runs.append((summary.to_json(), rows))
    assert runs[0] == runs[1]
    assert runs[0][0]["registered"] == 5


def test_demo_refuses_a_database_with_patients():
    r = run_cli("demo", "--db", demo_database(), "--patients", "2")
    assert r.returncode == 2
    assert r.stderr.startswith("error: --db: an empty database") and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_demo_bad_arguments(tmp_path):
    r = run_cli("demo", "--db", f"sqlite:///{tmp_path / 'x.sqlite'}", "--patients", "0")
    assert r.returncode == 2 and "--patients: at least 1 patient, got 0" in r.stderr and "Traceback" not in r.stderr
    r = run_cli("demo", "--db", f"sqlite:///{tmp_path / 'y.sqlite'}", "--start", "2026-13-01")
    assert r.returncode == 2 and "--start: a date YYYY-MM-DD, got '2026-13-01'" in r.stderr
