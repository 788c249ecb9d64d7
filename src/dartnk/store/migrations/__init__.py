"""Alembic migrations of the dartnk database (run by ``dartnk db upgrade``)."""
