"""The system of record: SQLAlchemy models, Alembic migrations, users and the hash-chained audit trail.

``open_database(url, protocol)`` migrates and opens a trial's database; ``Database.write()`` is a
transaction holding the trial's write lock; every record is written through a
:class:`~dartnk.store.recorder.Recorder` so it is audited; ``audit.verify`` checks the chain.
"""

from dartnk.store.db import Database, open_database, resolve_url, upgrade

__all__ = ["Database", "open_database", "resolve_url", "upgrade"]
