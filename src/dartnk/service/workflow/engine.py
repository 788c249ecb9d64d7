"""The event store: the ``trial_events`` table drives :mod:`dartnk.trial` (event sourcing).

The engine's state is rebuilt by replaying the stored events in ``seq`` order, so every conduct
decision is exactly the one the simulator's engine makes. Engine days are trial-calendar days:
day 0 is the date of the trial's first recorded event (its ``_date``); the service converts
dates here and nowhere else. A replayed state is cached per database and sequence number, so a
request replays only the events it has not seen (the cache is only read under the trial's write
lock, or checked against the stored head).
"""

from __future__ import annotations

import dataclasses
import threading
import typing
from datetime import date, timedelta
from enum import Enum
from typing import Any

from sqlalchemy import event as sa_event, func, select
from sqlalchemy.orm import Session

from dartnk.errors import ConflictError, InputError
from dartnk.service.context import Conduct
from dartnk.store.models import Decision as DecisionRow, TrialEvent

_CACHE: dict[tuple[str, str], tuple[int, Any, Any]] = {}
_CACHE_LOCK = threading.Lock()


# -- (de)serialising events -----------------------------------------------------------------------
def event_payload(event: Any) -> dict[str, Any]:
    out = {}
    for f in dataclasses.fields(event):
        v = getattr(event, f.name)
        out[f.name] = v.value if isinstance(v, Enum) else (list(v) if isinstance(v, tuple) else v)
    return out


def event_from_row(kind: str, payload: dict[str, Any]) -> Any:
    from dartnk.trial import events as ev

    cls = getattr(ev, kind, None)
    if cls is None or not dataclasses.is_dataclass(cls):
        raise LookupError(f"unknown trial event kind {kind!r} in trial_events")
    hints = typing.get_type_hints(cls)
    kwargs = {}
    for name, value in payload.items():
        if name.startswith("_"):
            continue  # the service's own annotations (the event's date)
        hint = hints.get(name)
        if isinstance(hint, type) and issubclass(hint, Enum) and value is not None:
            value = hint(value)
        elif isinstance(value, list):
            value = tuple(value)
        kwargs[name] = value
    return cls(**kwargs)


# -- days -----------------------------------------------------------------------------------------
def trial_origin(session: Session, trial_id: str) -> date | None:
    first = session.get(TrialEvent, 1)
    return None if first is None else date.fromisoformat(first.payload["_date"])


def engine_day(session: Session, c: Conduct, on: date) -> int:
    """The trial-calendar day of ``on`` (day 0 = the date of the first event ever recorded)."""
    origin = trial_origin(session, c.db.trial_id)
    return 0 if origin is None else (on - origin).days


def date_of_day(session: Session, c: Conduct, day: int) -> date | None:
    origin = trial_origin(session, c.db.trial_id)
    return None if origin is None else origin + timedelta(days=day)


# -- state ----------------------------------------------------------------------------------------
def current_state(session: Session, c: Conduct):
    """The engine's state after every stored event (replaying only what no committed cache has seen).

    The process-wide cache holds states built from committed events only (it is filled after
    commit), and a cached state is used only if the stored event at its sequence number is still
    the one it was built on; within a transaction the latest state is kept on the session.
    """
    from dartnk.trial.state import initial_state
    from dartnk.trial.transition import apply

    local = session.info.get(_SESSION_KEY)
    head = session.execute(select(func.max(TrialEvent.seq))).scalar_one() or 0
    if local is not None and local[0] == head:
        return local[2]
    seq, state = 0, initial_state(c.protocol)
    with _CACHE_LOCK:
        cached = _CACHE.get((c.db.url, c.db.trial_id))
    if cached is not None and cached[0] <= head:
        row = session.get(TrialEvent, cached[0])
        if row is not None and (row.kind, row.payload) == cached[1]:
            seq, state = cached[0], cached[2]
    last = None
    if seq < head:
        rows = session.execute(select(TrialEvent).where(TrialEvent.seq > seq).order_by(TrialEvent.seq)).scalars()
        for row in rows:
            state, _ = apply(c.protocol, state, event_from_row(row.kind, row.payload))
            seq, last = row.seq, (row.kind, row.payload)
        _remember(session, c, seq, last, state)
    return state


_SESSION_KEY = "dartnk_engine_state"


def _remember(session: Session, c: Conduct, seq: int, signature, state) -> None:
    session.info[_SESSION_KEY] = (seq, signature, state)
    session.info["dartnk_engine_key"] = (c.db.url, c.db.trial_id)


@sa_event.listens_for(Session, "after_commit")
def _publish_committed_state(session: Session) -> None:
    local = session.info.pop(_SESSION_KEY, None)
    key = session.info.pop("dartnk_engine_key", None)
    if local is not None and key is not None and local[1] is not None:
        with _CACHE_LOCK:
            _CACHE[key] = local


@sa_event.listens_for(Session, "after_rollback")
def _drop_uncommitted_state(session: Session) -> None:
    session.info.pop(_SESSION_KEY, None)
    session.info.pop("dartnk_engine_key", None)


def forget_cache() -> None:
    """Drop cached states (tests that rewrite a database behind the service's back)."""
    with _CACHE_LOCK:
        _CACHE.clear()


def record(c: Conduct, session: Session, event_type: type, on: date, **fields: Any):
    """Apply an event dated ``on`` and store it; returns the engine's decisions.

    Infusions drive decisions by their date (Day 0, the sentinel stagger) and must not be dated
    before the last recorded event: the engine's past decisions stand (409 otherwise). Other facts
    dated earlier are applied on the last event's day. Records that decide nothing (lymphodepletion,
    adverse events as reported, tumour assessments, persistence) never move the engine's calendar
    forward, so they do not block back-dated infusions entered after them.
    """
    from dartnk.trial.transition import apply

    state = current_state(session, c)
    day = engine_day(session, c, on)
    if event_type.__name__ in _RECORD_ONLY and _has_events(session):
        day = state.day
    if day < state.day:
        if event_type.__name__ in _ORDER_SENSITIVE:
            raise ConflictError.field(_DATE_FIELD.get(event_type.__name__, "date"), on.isoformat(),
                                      f"a date on or after {date_of_day(session, c, state.day)}, the last event the "
                                      "trial's decisions were based on (enter data in date order)")
        day = state.day
    event = event_type(day=day, **fields)
    new_state, decisions = apply(c.protocol, state, event)
    head = session.execute(select(func.max(TrialEvent.seq))).scalar_one() or 0
    payload = event_payload(event)
    payload["_date"] = (date_of_day(session, c, day) or on).isoformat()
    row = TrialEvent(seq=head + 1, kind=event_type.__name__, payload=payload, study_day=day, recorded_at=c.now,
                     recorded_by=c.principal.name)
    c.recorder(session).create(row)
    _remember(session, c, head + 1, (row.kind, row.payload), new_state)
    sync_proposals(c, session, new_state)
    materialise(c, session, new_state, decisions, on)
    return decisions


def slot_of(state, patient_id: str) -> tuple[int, int]:
    """(cohort, slot) of an assigned patient: slot is the 1-based position in the cohort (or expansion)."""
    from dartnk.trial.state import Stage

    p = state.patients[patient_id]
    if p.stage == Stage.EXPANSION:
        return 0, state.expansion.patient_ids.index(patient_id) + 1
    return p.cohort, _cohort_members(state, p).index(patient_id) + 1


def _cohort_members(state, p) -> list[str]:
    return sorted((q.patient_id for q in state.patients.values()
                   if q.construct == p.construct and q.cohort == p.cohort and q.stage == p.stage),
                  key=lambda q: (state.patients[q].assigned_day, _order(state, q)))


def _order(state, pid: str) -> int:
    return list(state.patients).index(pid)


def materialise(c: Conduct, session: Session, state, decisions, on: date) -> None:
    """Store what the engine decided about enrolment: assignments, waitlist entries and losses."""
    from dartnk.store.models import Enrollment, WaitlistEntry
    from dartnk.trial.decisions import DecisionKind as K

    rec = c.recorder(session)
    for d in decisions:
        if d.kind == K.ASSIGN:
            p = state.patients[d.patient_id]
            cohort, slot = slot_of(state, d.patient_id)
            rec.create(Enrollment(patient_id=d.patient_id, arm=d.construct, dose_level=d.level, cohort=cohort,
                                  slot=slot, enrolled_on=on))
            _close_wait(rec, session, d.patient_id, "assigned", "assigned by the engine: " + d.reason)
        elif d.kind == K.WAITLIST:
            rec.create(WaitlistEntry(patient_id=d.patient_id, requested_on=on, status="waiting"))
        elif d.kind == K.LOST_TO_WAIT:
            _close_wait(rec, session, d.patient_id, "lost", d.reason)


def _close_wait(rec, session: Session, patient_id: str, status: str, reason: str) -> None:
    from dartnk.store.models import WaitlistEntry

    w = session.execute(select(WaitlistEntry).where(WaitlistEntry.patient_id == patient_id)).scalar_one_or_none()
    if w is not None and w.status == "waiting":
        rec.change(w, {"status": status}, reason)


_ORDER_SENSITIVE = {"Infused"}
_RECORD_ONLY = {"LymphodepletionStarted", "AdverseEventReported", "TumourAssessed", "PersistenceMeasured"}


def _has_events(session: Session) -> bool:
    return session.get(TrialEvent, 1) is not None
_DATE_FIELD = {"Infused": "given_on"}


def sync_proposals(c: Conduct, session: Session, state) -> None:
    """Store every pending proposal of the engine as a decision the committee can sign."""
    for d in state.pending:
        if session.execute(select(DecisionRow.id).where(DecisionRow.key == d.id)).first():
            continue
        c.recorder(session).create(DecisionRow(
            key=d.id, kind=d.kind.value, arm=d.construct, dose_level=d.level, status="proposed",
            proposal={"action": d.action, "n_patients": d.n_patients, "day": d.day, "patient_id": d.patient_id},
            reason=d.reason, proposed_at=c.now))


def record_withdrawal(c: Conduct, session: Session, patient_id: str, on: date, reason: str) -> None:
    """Tell the engine a patient left the study (only if the engine knows the patient)."""
    from dartnk.trial.events import Withdrew

    state = current_state(session, c)
    if patient_id in state.patients or any(w.patient_id == patient_id for w in state.waitlist):
        record(c, session, Withdrew, on, patient_id=patient_id, reason=reason)


def require_known(state, patient_id: str, field: str = "id"):
    p = state.patients.get(patient_id)
    if p is None:
        raise ConflictError.field(field, patient_id, "a patient assigned to an arm (request enrollment first)")
    return p


def check_not_future(field: str, on: date, today: date) -> None:
    if on > today:
        raise InputError.field(field, on.isoformat(), f"a date not after today ({today.isoformat()})")
