"""The append-only, hash-chained audit trail (in the spirit of 21 CFR Part 11 §11.10(e)).

Every create and change of a record is one :class:`~dartnk.store.models.AuditEntry` per field:
who, when (UTC), the entity and field, the old and new values, and the reason (required for any
change after the first entry). Each entry's ``hash`` is SHA-256 over the canonical JSON
(sorted keys, no whitespace, UTF-8) of its content and the previous entry's hash, so editing,
deleting or re-ordering any entry breaks the chain from that entry on. The chain's head (last
sequence number and hash) is also kept on the trial row, so removing the newest entries is caught
too. The application has no UPDATE or DELETE path for the table; on PostgreSQL and SQLite a
trigger refuses both.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime, timezone
from enum import Enum
from typing import Any, Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from dartnk.store.models import AuditEntry, Trial

GENESIS_HASH = "0" * 64


class AuditAction(str, Enum):
    CREATE = "create"
    CHANGE = "change"
    SIGN = "sign"


def canonical_json(value: Any) -> str:
    """Deterministic JSON: sorted keys, no whitespace, dates as ISO 8601, enums by value."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_plain)


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def utc_timestamp(now: datetime) -> str:
    """``now`` in UTC as ISO 8601 with microseconds and a ``Z`` (naive datetimes are taken as UTC)."""
    if now.tzinfo is None:
        now = now.replace(tzinfo=timezone.utc)
    return now.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_hash(fields: dict[str, Any]) -> str:
    """SHA-256 (hex) of the canonical JSON of an entry's content, which includes ``prev_hash``."""
    return hashlib.sha256(canonical_json(fields).encode("utf-8")).hexdigest()


def _content(e: AuditEntry) -> dict[str, Any]:
    return {"seq": e.seq, "at": e.at, "actor": e.actor, "action": e.action, "entity": e.entity,
            "entity_id": e.entity_id, "field": e.field, "old": e.old, "new": e.new, "reason": e.reason,
            "prev_hash": e.prev_hash}


@dataclass(frozen=True)
class FieldChange:
    """One field's old and new value (``old`` is None on creation)."""

    field: str
    old: Any
    new: Any


def append(session: Session, trial_id: str, *, actor: str, action: AuditAction, entity: str, entity_id: Any,
           changes: Iterable[FieldChange], reason: str | None, now: datetime) -> list[AuditEntry]:
    """Append one chained entry per change; the caller holds the trial's write lock (same transaction)."""
    trial = session.get(Trial, trial_id)
    if trial is None:
        raise LookupError(f"trial {trial_id} is not in the database (run `dartnk db upgrade`)")
    seq, prev = trial.audit_head_seq, trial.audit_head_hash
    out = []
    for change in changes:
        seq += 1
        e = AuditEntry(seq=seq, at=utc_timestamp(now), actor=actor, action=AuditAction(action).value, entity=entity,
                       entity_id=str(entity_id), field=change.field,
                       old=None if change.old is None else canonical_json(change.old),
                       new=None if change.new is None else canonical_json(change.new),
                       reason=reason, prev_hash=prev)
        e.hash = entry_hash(_content(e))
        prev = e.hash
        session.add(e)
        out.append(e)
    trial.audit_head_seq, trial.audit_head_hash = seq, prev
    session.flush()
    return out


@dataclass(frozen=True)
class Verification:
    """``ok`` when every entry's hash and link hold; ``first_bad`` is the first broken entry's seq."""

    ok: bool
    entries: int
    first_bad: int | None
    problem: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"ok": self.ok, "entries": self.entries, "first_bad": self.first_bad}
        if self.problem:
            out["problem"] = self.problem
        return out


def verify(session: Session, trial_id: str) -> Verification:
    """Walk the whole chain in order and name the first entry that was edited, removed or inserted."""
    prev, expected, count = GENESIS_HASH, 1, 0
    rows = session.execute(select(AuditEntry).order_by(AuditEntry.seq).execution_options(yield_per=1000)).scalars()
    for e in rows:
        count += 1
        if e.seq != expected:
            return Verification(False, count, expected, f"entry {expected} is missing (next is {e.seq})")
        if e.prev_hash != prev:
            return Verification(False, count, e.seq, f"entry {e.seq} does not link to entry {e.seq - 1}")
        if entry_hash(_content(e)) != e.hash:
            return Verification(False, count, e.seq, f"entry {e.seq} was altered (its hash does not match)")
        prev, expected = e.hash, expected + 1
    trial = session.get(Trial, trial_id)
    head_seq = trial.audit_head_seq if trial else 0
    if head_seq > count:
        return Verification(False, count, count + 1, f"entries {count + 1} to {head_seq} are missing")
    if trial is not None and (head_seq != count or trial.audit_head_hash != prev):
        return Verification(False, count, head_seq or 1, "the chain's head does not match the trial's record")
    mismatches = record_mismatches(session)
    if mismatches:
        shown = "; ".join(mismatches[:5]) + (f" (and {len(mismatches) - 5} more)" if len(mismatches) > 5 else "")
        return Verification(False, count, None, "records differ from the audit trail: " + shown)
    return Verification(True, count, None)


UNCHECKED_TABLES = frozenset({"trial", "audit_log"})
"""The lock row (it holds the chain's head, checked above) and the log itself."""


def record_mismatches(session: Session) -> list[str]:
    """Records changed, inserted or removed behind the application's back.

    Every record is written with its audit entries, so each field's current value must equal the
    newest value the trail recorded for it (a field never audited must be empty), every record must
    have been created in the trail, and every record created in the trail must still exist.
    Credentials (recorded as ``[secret]``) and timestamps of the records' own bookkeeping
    (``DateTime`` columns, whose time zone a database may not keep) are not compared.
    """
    from sqlalchemy import DateTime, inspect as sa_inspect

    from dartnk.store.models import Base
    from dartnk.store.recorder import SECRET_FIELDS, _value

    latest: dict[tuple[str, str], dict[str, str | None]] = {}
    rows = session.execute(select(AuditEntry.entity, AuditEntry.entity_id, AuditEntry.field, AuditEntry.new)
                           .order_by(AuditEntry.seq).execution_options(yield_per=5000))
    for entity, entity_id, field, new in rows:
        latest.setdefault((entity, entity_id), {})[field] = new
    out: list[str] = []
    seen: set[tuple[str, str]] = set()
    for mapper in Base.registry.mappers:
        cls = mapper.class_
        table = cls.__tablename__
        if table in UNCHECKED_TABLES:
            continue
        columns = [c for c in mapper.column_attrs
                   if c.key not in SECRET_FIELDS and not isinstance(c.columns[0].type, DateTime)]
        for obj in session.execute(select(cls)).scalars():
            key = (table, ",".join(str(v) for v in sa_inspect(obj).identity or ()))
            seen.add(key)
            audited = latest.get(key)
            if audited is None:
                out.append(f"{table} {key[1]} has no audit entries")
                continue
            for col in columns:
                value = getattr(obj, col.key)
                current = None if value is None else canonical_json(_value(value))
                if audited.get(col.key) != current:
                    out.append(f"{table} {key[1]} {col.key}")
    known = {m.class_.__tablename__ for m in Base.registry.mappers} - UNCHECKED_TABLES
    out += [f"{entity} {entity_id} was removed" for (entity, entity_id) in latest
            if entity in known and (entity, entity_id) not in seen]
    return out
