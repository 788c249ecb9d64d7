"""Database fixtures shared by the store and service tests: SQLite and PostgreSQL backends.

``backend`` is parametrised over ``sqlite`` and ``postgresql``. PostgreSQL needs
``DARTNK_TEST_POSTGRES_URL`` (CI: ``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``); one
fresh database ``dartnk_test_<random>`` is created per test session and dropped at the end, and
each test gets its own schema in it. Without the variable, or when the server cannot be reached,
the PostgreSQL cases are skipped with a message naming the URL.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

PG_ENV = "DARTNK_TEST_POSTGRES_URL"
REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
START = datetime(2026, 11, 10, 9, 0, tzinfo=timezone.utc)


def _admin_url(base: str, database: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(base).set(database=database).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def postgres_database():
    """A fresh PostgreSQL database for this test session (skips when none is reachable)."""
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(f"PostgreSQL tests skipped: {PG_ENV} is not set "
                    "(CI sets postgresql+psycopg://postgres@127.0.0.1:5432/postgres)")
    from sqlalchemy import create_engine, text

    name = f"dartnk_test_{secrets.token_hex(4)}"
    try:
        admin = create_engine(base, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001 — any connection failure means: skip, saying why
        pytest.skip(f"PostgreSQL tests skipped: {PG_ENV}={base} is unreachable ({type(exc).__name__}: "
                    f"{str(exc).splitlines()[0]})")
    try:
        yield _admin_url(base, name)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def new_database_url(backend: str, tmp_path: Path, request) -> str:
    """An empty database: a SQLite file in ``tmp_path``, or a new schema in the session's PostgreSQL database."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'dartnk.sqlite'}"
    base = request.getfixturevalue("postgres_database")
    from sqlalchemy import create_engine, text

    schema = f"t_{secrets.token_hex(5)}"
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    return f"{base}?options=-csearch_path%3D{schema}"


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request) -> str:
    return request.param


@pytest.fixture
def database_url(backend, tmp_path, request) -> str:
    return new_database_url(backend, tmp_path, request)


@dataclass
class Clock:
    """A controllable UTC clock for the service (the tests move time forward by days)."""

    now: datetime = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, days: int) -> None:
        self.now += timedelta(days=days)

    @property
    def today(self) -> date:
        return self.now.date()


@dataclass
class Api:
    """The app under test with a client, a clock, and users of every role (tokens by role)."""

    client: Any
    app: Any
    clock: Clock
    tokens: dict[str, str] = field(default_factory=dict)

    def add_user(self, name: str, role: str, site: str | None = None) -> str:
        from dartnk.store.recorder import Recorder
        from dartnk.store.users import add_user

        db = self.app.state.db
        with db.write() as session:
            _, token = add_user(Recorder(session, db.trial_id, "test", self.clock()), name, role, site, None)
        self.tokens[name] = token
        return token

    def h(self, name: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[name]}"}

    def call(self, method: str, path: str, who: str, body: Any = None, **kw) -> Any:
        return self.client.request(method, f"/api/v1{path}", headers=self.h(who), json=body, **kw)


STANDARD_USERS = (("inv1", "site_investigator", "S01"), ("crc1", "site_coordinator", "S01"),
                  ("inv2", "site_investigator", "S02"), ("monitor", "medical_monitor", None),
                  ("dm", "data_manager", None), ("smc", "committee_member", None),
                  ("smc2", "committee_member", None), ("stat", "statistician", None), ("admin", "administrator", None))


def make_api(url: str, clock: Clock | None = None, protocol=None) -> Api:
    from fastapi.testclient import TestClient

    from dartnk.service.app import create_app
    from dartnk.service.settings import ServiceSettings
    from dartnk.service.workflow.engine import forget_cache

    forget_cache()
    clock = clock or Clock()
    app = create_app(ServiceSettings(database_url=url, clock=clock, protocol=protocol))
    api = Api(client=TestClient(app), app=app, clock=clock)
    for name, role, site in STANDARD_USERS:
        api.add_user(name, role, site)
    return api


@pytest.fixture
def api(database_url):
    a = make_api(database_url)
    yield a
    a.client.close()
    a.app.state.db.dispose()


def example(name: str) -> Any:
    return json.loads((EXAMPLES / name).read_text())


def screened_patient(api: Api, who: str = "inv1", site: str = "S01", antigens: str = "antigens-all-positive.json") -> str:
    """Register, consent, screen (eligible) and profile a patient; returns the subject id."""
    r = api.call("POST", "/patients", who, {"site": site, "sex": "female", "birth_year": 1962})
    assert r.status_code == 201, r.text
    pid = r.json()["id"]
    r = api.call("POST", f"/patients/{pid}/consent", who, {"signed_on": api.clock.today.isoformat(), "version": "v1.0"})
    assert r.status_code == 201, r.text
    r = api.call("POST", f"/patients/{pid}/screening", who, example("screening-eligible.json"))
    assert r.status_code == 200 and r.json()["eligible"] is True, r.text
    r = api.call("POST", f"/patients/{pid}/antigens", who, example(antigens))
    assert r.status_code == 200, r.text
    return pid
