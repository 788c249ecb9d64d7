"""FastAPI dependencies shared by the routers: the authenticated request's :class:`Conduct`."""

from __future__ import annotations

from fastapi import Depends, Request

from dartnk.service.auth import Principal, current_principal
from dartnk.service.context import Conduct


def conduct(request: Request, principal: Principal = Depends(current_principal)) -> Conduct:
    """The trial, the user and the request's time (from the settings' clock)."""
    app = request.app
    return Conduct(db=app.state.db, protocol=app.state.protocol, principal=principal, now=app.state.settings.clock())
