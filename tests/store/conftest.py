"""The store tests use the service's database fixtures (SQLite and PostgreSQL)."""

from tests.service.conftest import backend, database_url, postgres_database  # noqa: F401
from tests.service.conftest import api  # noqa: F401,E402
