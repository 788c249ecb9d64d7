"""Writing records with their audit entries: one object that knows who writes, when, in which trial.

Every insert and change of a conduct record goes through a :class:`Recorder`, so no write can skip
the audit trail. A change after a record's first entry needs a reason (21 CFR 11.10(e)); there is
no delete.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Mapping

from sqlalchemy import inspect
from sqlalchemy.orm import Session

from dartnk.errors import InputError
from dartnk.store.audit import AuditAction, FieldChange, append
from dartnk.store.models import Base


SECRET_FIELDS = frozenset({"password_hash", "token_hash"})
"""Credentials are audited as set or changed, never with their (hashed) value."""


def entity_name(obj: Base) -> str:
    """The audit trail's name of a record's entity: its table name."""
    return obj.__tablename__


def _primary_key(obj: Base) -> str:
    return ",".join(str(v) for v in inspect(obj).identity or ())


def _audited(field: str, v: Any) -> Any:
    return "[secret]" if field in SECRET_FIELDS and v is not None else _value(v)


def _value(v: Any) -> Any:
    if isinstance(v, datetime):
        return v.isoformat()
    if isinstance(v, date):
        return v.isoformat()
    return v


@dataclass
class Recorder:
    """Writes records in ``session`` (which holds the trial's write lock) on behalf of ``actor``."""

    session: Session
    trial_id: str
    actor: str
    now: datetime

    def create(self, obj: Base) -> Base:
        """Insert ``obj`` and audit every field it was created with."""
        self.session.add(obj)
        self.session.flush()
        cols = [c.key for c in inspect(type(obj)).column_attrs]
        changes = [FieldChange(c, None, _audited(c, getattr(obj, c))) for c in cols if getattr(obj, c) is not None]
        append(self.session, self.trial_id, actor=self.actor, action=AuditAction.CREATE, entity=entity_name(obj),
               entity_id=_primary_key(obj), changes=changes, reason=None, now=self.now)
        return obj

    def change(self, obj: Base, values: Mapping[str, Any], reason: str | None) -> list[str]:
        """Change fields of an existing record; a reason is required; returns the fields that changed."""
        if reason is None or not str(reason).strip():
            raise InputError.field("reason", reason, "a reason for changing a record after its first entry")
        changed: list[FieldChange] = []
        for key, new in values.items():
            old = getattr(obj, key)
            if _value(old) != _value(new):
                changed.append(FieldChange(key, _audited(key, old), _audited(key, new)))
                setattr(obj, key, new)
        if changed:
            self.session.flush()
            append(self.session, self.trial_id, actor=self.actor, action=AuditAction.CHANGE, entity=entity_name(obj),
                   entity_id=_primary_key(obj), changes=changed, reason=str(reason).strip(), now=self.now)
        return [c.field for c in changed]

    def sign(self, obj: Base, meaning: str, comment: str) -> None:
        """Audit an electronic signature (the signature record itself is created with :meth:`create`)."""
        append(self.session, self.trial_id, actor=self.actor, action=AuditAction.SIGN, entity=entity_name(obj),
               entity_id=_primary_key(obj), changes=[FieldChange("signature", None, meaning)],
               reason=comment or None, now=self.now)
