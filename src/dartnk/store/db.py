"""Connecting to the database: the URL, the engine, write transactions serialised per trial, migrations.

SQLite (a file; the default) and PostgreSQL (by URL) are supported. Every write transaction is
serialised per trial so that an enrollment never assigns a slot twice and the audit chain never
forks: on SQLite each transaction starts with ``BEGIN IMMEDIATE`` (the database's single writer
lock, taken before anything is read); on PostgreSQL :func:`lock_trial` takes
``SELECT … FOR UPDATE`` on the trial's row, held until commit.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import Engine, create_engine, event, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

DEFAULT_SQLITE_FILE = "dartnk.sqlite"
URL_ENV = "DARTNK_DATABASE_URL"
SQLITE_BUSY_TIMEOUT_S = 60
READ_ONLY = "dartnk_read_only"


def resolve_url(url: str | None = None, cwd: Path | None = None) -> str:
    """The database URL: ``url``, else ``$DARTNK_DATABASE_URL``, else ``dartnk.sqlite`` in ``cwd``."""
    from dartnk.errors import InputError

    chosen = url or os.environ.get(URL_ENV)
    if not chosen:
        return f"sqlite:///{(cwd or Path.cwd()) / DEFAULT_SQLITE_FILE}"
    try:
        parsed = make_url(chosen)
    except ArgumentError:
        raise InputError.field("--db", chosen, "a database URL such as sqlite:///dartnk.sqlite or "
                               "postgresql+psycopg://user@host/dbname") from None
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise InputError.field("--db", chosen, "a sqlite:/// or postgresql+psycopg:// URL")
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        chosen = str(parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False))
    return chosen


def describe_url(url: str) -> str:
    """Where the data lives, for people: the SQLite file path, or the URL without its password."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return str(Path(parsed.database or ":memory:").resolve()) if parsed.database else ":memory:"
    return parsed.render_as_string(hide_password=True)


def make_engine(url: str) -> Engine:
    """An engine whose write transactions are serialised (see the module docstring)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        # Take transaction control away from pysqlite so that BEGIN IMMEDIATE is ours to emit
        # (SQLAlchemy's documented recipe for serialisable SQLite transactions).
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn, _record):  # noqa: ANN001
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=FULL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn):  # noqa: ANN001
            # Readers take a WAL snapshot (BEGIN); writers take the write lock up front (BEGIN IMMEDIATE).
            read_only = conn.get_execution_options().get(READ_ONLY, False)
            conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

        return engine
    return create_engine(url, pool_pre_ping=True)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def write_transaction(factory: sessionmaker[Session], trial_id: str) -> Iterator[Session]:
    """A session in one transaction holding the trial's write lock; commits, or rolls back on error."""
    with factory() as session:
        with session.begin():
            lock_trial(session, trial_id)
            yield session


def lock_trial(session: Session, trial_id: str) -> None:
    """Serialise writers of one trial (PostgreSQL: row lock; SQLite: BEGIN IMMEDIATE already holds it)."""
    from dartnk.store.models import Trial

    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(Trial.id).where(Trial.id == trial_id).with_for_update()).first()


def alembic_config(url: str):
    """The packaged Alembic configuration pointed at ``url`` (works from an installed package)."""
    from alembic.config import Config

    ini = Path(__file__).with_name("alembic.ini")
    cfg = Config(str(ini))
    cfg.set_main_option("script_location", str(Path(__file__).with_name("migrations")))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    """Create or migrate the database at ``url`` to ``revision``."""
    from alembic import command

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database:
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(url), revision)


def current_revision(url: str) -> str | None:
    """The Alembic revision the database is at (None before the first upgrade)."""
    from alembic.runtime.migration import MigrationContext

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()


class Database:
    """One trial's database: the engine, sessions, and write transactions under the trial's lock."""

    def __init__(self, url: str, trial_id: str, registry_id: str = ""):
        self.url = url
        self.trial_id = trial_id
        self.engine = make_engine(url)
        self.sessions = session_factory(self.engine)
        self._registry_id = registry_id

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def ensure_trial(self) -> None:
        """Insert the trial's row (the lock and the audit chain's head) if it is not there yet."""
        from dartnk.store.audit import GENESIS_HASH
        from dartnk.store.models import Trial

        with self.sessions() as session, session.begin():
            if session.get(Trial, self.trial_id) is None:
                session.add(Trial(id=self.trial_id, registry_id=self._registry_id, audit_head_seq=0,
                                  audit_head_hash=GENESIS_HASH))

    def write(self):
        """``with db.write() as session:`` one transaction holding the trial's write lock."""
        return write_transaction(self.sessions, self.trial_id)

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only transaction (on SQLite a snapshot that neither waits for nor blocks the writer)."""
        with self.sessions() as session, session.begin():
            session.connection(execution_options={READ_ONLY: True})
            yield session

    def dispose(self) -> None:
        self.engine.dispose()


def open_database(url: str, protocol, *, migrate: bool = True) -> Database:
    """Migrate (unless ``migrate`` is False) and open the database of ``protocol``'s trial at ``url``."""
    if migrate:
        upgrade(url)
    db = Database(url, protocol.trial.id, protocol.trial.registry_id)
    db.ensure_trial()
    return db
