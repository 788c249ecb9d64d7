"""Users, sites, tokens and the audit trail."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request

from dartnk.service.context import Conduct
from dartnk.service.errors import ERROR_RESPONSES
from dartnk.service.routers.deps import conduct
from dartnk.service.schemas import AuditVerification, SiteIn, TokenRequest, UserChange, UserIn
from dartnk.service.workflow import administration

router = APIRouter(tags=["administration"], responses=ERROR_RESPONSES)


@router.get("/audit/verify", responses={200: {"model": AuditVerification}})
def verify_audit(c: Conduct = Depends(conduct)) -> dict[str, Any]:
    """Walk the hash chain: ``{"ok", "entries", "first_bad"}`` (first_bad names the first tampered entry)."""
    return administration.verify_audit(c)


@router.get("/audit")
def audit_entries(after: int = Query(default=0, ge=0, le=2**31 - 1), limit: int = Query(default=100, ge=1, le=1000),
                  entity: str | None = Query(default=None, max_length=48),
                  entity_id: str | None = Query(default=None, max_length=64),
                  c: Conduct = Depends(conduct)) -> list[dict[str, Any]]:
    """Audit entries in order, after sequence number ``after``."""
    return administration.audit_entries(c, after, limit, entity, entity_id)


@router.get("/me")
def me(c: Conduct = Depends(conduct)) -> dict[str, Any]:
    p = c.principal
    return {"name": p.name, "role": p.role.value, "site": p.site_id}


@router.post("/users", status_code=201)
def add_user(body: UserIn, c: Conduct = Depends(conduct)) -> dict[str, Any]:
    """Create a user (administrators); the token is answered once and stored only as a hash."""
    return administration.add_user(c, body)


@router.get("/users")
def list_users(c: Conduct = Depends(conduct)) -> list[dict[str, Any]]:
    return administration.list_users(c)


@router.patch("/users/{name}")
def change_user(name: str, body: UserChange, c: Conduct = Depends(conduct)) -> dict[str, Any]:
    """Deactivate (or reactivate) a user, with a reason; users are never deleted."""
    return administration.change_user(c, name, body)


@router.post("/sites", status_code=201)
def add_site(body: SiteIn, c: Conduct = Depends(conduct)) -> dict[str, Any]:
    return administration.add_site(c, body)


@router.post("/auth/token", status_code=201)
def token(body: TokenRequest, request: Request) -> dict[str, Any]:
    """Exchange a user name and password for a new API token (the previous token stops working)."""
    return administration.token_for_password(request.app.state.db, request.app.state.settings.clock(), body)
