"""API routers, one per resource; :data:`ROUTERS` is what :func:`dartnk.service.app.create_app` mounts."""

from dartnk.service.routers.admin import router as admin_router
from dartnk.service.routers.patients import router as patients_router
from dartnk.service.routers.records import router as records_router
from dartnk.service.routers.trial import router as trial_router

ROUTERS = (patients_router, records_router, trial_router, admin_router)

__all__ = ["ROUTERS"]
