"""The FastAPI application factory: ``create_app(settings)``.

Routers are modular (one per resource, all under ``/api/v1``) so web pages can be mounted on the
same app later; route handlers only translate HTTP to calls of :mod:`dartnk.service.workflow`.
"""

from __future__ import annotations

from contextlib import asynccontextmanager

from fastapi import FastAPI

from dartnk.service.errors import install_error_handlers
from dartnk.service.settings import ServiceSettings

API_PREFIX = "/api/v1"


def create_app(settings: ServiceSettings) -> FastAPI:
    """Open (and migrate) the database, and build the app with every API router."""
    from dartnk.protocol import default_protocol
    from dartnk.service.routers import ROUTERS
    from dartnk.store.db import open_database

    protocol = settings.protocol or default_protocol()
    db = open_database(settings.database_url, protocol, migrate=settings.migrate)

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        yield
        db.dispose()

    app = FastAPI(title="dartnk trial conduct API",
                  description=f"System of record of {protocol.trial.id} ({protocol.trial.registry_id}). "
                              "Authenticate with `Authorization: Bearer TOKEN` (a token from `dartnk user add`).",
                  version="1", lifespan=lifespan)
    app.state.db = db
    app.state.protocol = protocol
    app.state.settings = settings
    install_error_handlers(app)
    for router in ROUTERS:
        app.include_router(router, prefix=API_PREFIX)
    from dartnk.service.web import mount_web

    mount_web(app)
    return app
