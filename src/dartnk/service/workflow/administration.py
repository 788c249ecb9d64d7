"""Users, sites, sign-in and the audit trail, for administrators and auditors."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from dartnk.errors import ConflictError, NotFoundError
from dartnk.service.auth import Action
from dartnk.service.context import Conduct
from dartnk.service.errors import Unauthorized
from dartnk.service.schemas import SiteIn, TokenRequest, UserChange, UserIn
from dartnk.store import users as user_store
from dartnk.store.audit import verify
from dartnk.store.db import Database
from dartnk.store.models import AuditEntry, Site, User
from dartnk.store.recorder import Recorder


def verify_audit(c: Conduct) -> dict[str, Any]:
    c.principal.require(Action.VERIFY_AUDIT)
    with c.db.read() as session:
        return verify(session, c.db.trial_id).to_json()


def audit_entries(c: Conduct, after: int, limit: int, entity: str | None, entity_id: str | None) -> list[dict[str, Any]]:
    c.principal.require(Action.READ_AUDIT)
    with c.db.read() as session:
        q = select(AuditEntry).where(AuditEntry.seq > after).order_by(AuditEntry.seq).limit(limit)
        if entity:
            q = q.where(AuditEntry.entity == entity)
        if entity_id:
            q = q.where(AuditEntry.entity_id == entity_id)
        return [{"seq": e.seq, "at": e.at, "actor": e.actor, "action": e.action, "entity": e.entity,
                 "entity_id": e.entity_id, "field": e.field, "old": e.old, "new": e.new, "reason": e.reason,
                 "prev_hash": e.prev_hash, "hash": e.hash} for e in session.execute(q).scalars()]


def add_user(c: Conduct, body: UserIn) -> dict[str, Any]:
    c.principal.require(Action.MANAGE_USERS)
    with c.db.write() as session:
        user, token = user_store.add_user(c.recorder(session), body.name, body.role, body.site, body.password)
        return {"name": user.name, "role": user.role, "site": user.site_id, "token": token}


def list_users(c: Conduct) -> list[dict[str, Any]]:
    c.principal.require(Action.MANAGE_USERS)
    with c.db.read() as session:
        return [{"name": u.name, "role": u.role, "site": u.site_id, "active": u.active,
                 "created_at": u.created_at.isoformat()} for u in session.execute(select(User).order_by(User.id)).scalars()]


def change_user(c: Conduct, name: str, body: UserChange) -> dict[str, Any]:
    c.principal.require(Action.MANAGE_USERS)
    with c.db.write() as session:
        user = session.execute(select(User).where(User.name == name)).scalar_one_or_none()
        if user is None:
            raise NotFoundError.field("name", name, "the name of a user")
        if user.id == c.principal.user_id and not body.active:
            raise ConflictError.field("name", name, "another user (you cannot deactivate yourself)")
        c.recorder(session).change(user, {"active": body.active}, body.reason)
        return {"name": user.name, "role": user.role, "site": user.site_id, "active": user.active}


def add_site(c: Conduct, body: SiteIn) -> dict[str, Any]:
    c.principal.require(Action.MANAGE_USERS)
    with c.db.write() as session:
        if session.get(Site, body.id) is not None:
            raise ConflictError.field("id", body.id, "a site id not already taken")
        site = user_store.ensure_site(c.recorder(session), body.id, body.name)
        return {"id": site.id, "name": site.name}


def token_for_password(db: Database, now: datetime, body: TokenRequest) -> dict[str, Any]:
    with db.write() as session:
        user = user_store.user_by_password(session, body.name, body.password)
        if user is None:
            raise Unauthorized.field("password", "…", "the name and password of an active user")
        token = user_store.rotate_token(Recorder(session, db.trial_id, user.name, now), user, "token issued at sign-in")
        return {"name": user.name, "role": user.role, "site": user.site_id, "token": token}
