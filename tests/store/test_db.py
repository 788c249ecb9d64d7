"""Database URLs, migrations and the engine's event replay."""

from __future__ import annotations

from pathlib import Path

import pytest

from dartnk.errors import InputError
from dartnk.store.db import current_revision, describe_url, resolve_url, upgrade


def test_default_url_is_a_file_in_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.delenv("DARTNK_DATABASE_URL", raising=False)
    assert resolve_url(None, cwd=tmp_path) == f"sqlite:///{tmp_path / 'dartnk.sqlite'}"
    monkeypatch.setenv("DARTNK_DATABASE_URL", "sqlite:////x/y.sqlite")
    assert resolve_url(None) == "sqlite:////x/y.sqlite"
    assert resolve_url("sqlite:///z.sqlite") == "sqlite:///z.sqlite"


def test_plain_postgresql_url_uses_psycopg():
    assert resolve_url("postgresql://u@h/db").startswith("postgresql+psycopg://u@h/db")
    assert "secret" not in describe_url("postgresql+psycopg://u:secret@h/db")


@pytest.mark.parametrize("bad", ["not a url", "mysql://u@h/db"])
def test_bad_url_is_a_user_error(bad):
    with pytest.raises(InputError, match="--db"):
        resolve_url(bad)


def test_upgrade_is_idempotent(database_url):
    assert current_revision(database_url) is None
    upgrade(database_url)
    head = current_revision(database_url)
    upgrade(database_url)
    assert current_revision(database_url) == head == "0003"


def test_upgrade_migrates_an_existing_database_keeping_its_data(database_url):
    """A database made by an older release (revision 0002) is migrated in place; data and chain survive."""
    from sqlalchemy import select

    from dartnk.protocol import default_protocol
    from dartnk.store.audit import verify
    from dartnk.store.db import Database
    from dartnk.store.models import Site
    from dartnk.store.recorder import Recorder
    from dartnk.store.users import ensure_site
    from datetime import datetime, timezone

    upgrade(database_url, "0002")
    proto = default_protocol()
    db = Database(database_url, proto.trial.id, proto.trial.registry_id)
    db.ensure_trial()
    with db.write() as s:
        ensure_site(Recorder(s, db.trial_id, "old", datetime(2026, 1, 1, tzinfo=timezone.utc)), "S07")
    db.dispose()
    upgrade(database_url)
    assert current_revision(database_url) == "0003"
    db = Database(database_url, proto.trial.id)
    with db.read() as s:
        assert s.execute(select(Site.id)).scalars().all() == ["S07"] and verify(s, db.trial_id).ok
    db.dispose()


def test_replayed_state_equals_the_live_state(database_url):
    """Event sourcing: replaying the stored events from scratch gives the engine's live state."""
    from tests.service.conftest import make_api
    from tests.service.test_workflow import first_cohort

    from dartnk.service.workflow.engine import forget_cache

    api = make_api(database_url)
    first_cohort(api)
    live = api.call("GET", "/arms", "stat").json(), api.call("GET", "/trial", "stat").json()
    forget_cache()
    replayed = api.call("GET", "/arms", "stat").json(), api.call("GET", "/trial", "stat").json()
    assert live == replayed
    api.app.state.db.dispose()


def test_migrations_ship_inside_the_package():
    import dartnk.store

    root = Path(dartnk.store.__file__).parent
    assert (root / "alembic.ini").is_file() and (root / "migrations" / "env.py").is_file()
    assert sorted(p.name for p in (root / "migrations" / "versions").glob("0*.py")) == [
        "0001_initial_schema.py", "0002_append_only_audit.py", "0003_lab_grades.py"]
