"""Committee decisions: the engine proposes (escalation, selection, stopping); committee members sign.

A signature records the signer's printed name, the time (UTC) and its meaning — approved or
rejected (21 CFR 11.50) — and is audited. When the protocol's ``committee.approvals_required``
distinct members have approved, the approval is sent to the engine as a ``CommitteeDecision``, which
opens the next level, the expansion, or stops the trial; until then the proposal stays pending.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from dartnk.errors import ConflictError, NotFoundError
from dartnk.service.auth import Action
from dartnk.service.context import Conduct
from dartnk.service.schemas import SignatureIn
from dartnk.service.workflow.engine import record
from dartnk.store.models import Decision, Signature

APPROVED = "approved"
REJECTED = "rejected"
PROPOSED = "proposed"


def list_decisions(c: Conduct, status: str | None = None) -> list[dict[str, Any]]:
    c.principal.require(Action.READ_TRIAL)
    with c.db.read() as session:
        q = select(Decision).order_by(Decision.id)
        if status:
            q = q.where(Decision.status == status)
        rows = session.execute(q).scalars().all()
        sigs = session.execute(select(Signature).order_by(Signature.id)).scalars().all()
        by_decision: dict[int, list[Signature]] = {}
        for s in sigs:
            by_decision.setdefault(s.decision_id, []).append(s)
        required = approvals_required(c)
        return [decision_json(d, by_decision.get(d.id, []), required) for d in rows]


def approvals_required(c: Conduct) -> int:
    """Approvals by distinct committee members that make a proposal effective (protocol ``committee``)."""
    return c.protocol.committee.approvals_required


def sign(c: Conduct, decision_id: int, body: SignatureIn, *, require_password: bool = False) -> dict[str, Any]:
    """Sign a proposal (409 if it is already approved, or already signed by this member). The
    ``committee.approvals_required``-th approval makes the engine act on it; a rejection is recorded
    (status ``rejected``) and leaves the proposal pending in the engine.

    With ``require_password`` (the API, where the bearer token is the only other component), a
    signer who has a password must give it: 21 CFR 11.200(a)(1) asks for two distinct
    identification components. A password given is always checked.
    """
    from dartnk.trial.events import CommitteeDecision

    c.principal.require(Action.SIGN_DECISION)
    with c.db.write() as session:
        _check_password(session, c, body.password, require_password)
        d = session.get(Decision, decision_id)
        if d is None:
            raise NotFoundError.field("id", decision_id, "the id of a decision (GET /api/v1/decisions)")
        if d.status == APPROVED:
            raise ConflictError.field("id", decision_id, "a decision still awaiting the committee (already approved)")
        if session.execute(select(Signature.id).where(Signature.decision_id == d.id,
                                                      Signature.user_id == c.principal.user_id)).first():
            raise ConflictError.field("id", decision_id, "a decision you have not signed yet")
        rec = c.recorder(session)
        sig = rec.create(Signature(decision_id=d.id, user_id=c.principal.user_id, signer_name=c.principal.name,
                                   meaning=body.meaning, comment=body.comment, signed_at=c.now))
        rec.sign(d, body.meaning, body.comment)
        sigs = session.execute(select(Signature).where(Signature.decision_id == d.id).order_by(Signature.id)).scalars().all()
        required = approvals_required(c)
        approvals = _approvals(sigs)
        if body.meaning == REJECTED or approvals >= required:  # else: audited signature, proposal still pending
            record(c, session, CommitteeDecision, c.today, decision_id=d.key, approved=body.meaning == APPROVED,
                   note=body.comment)
            rec.change(d, {"status": APPROVED if body.meaning == APPROVED else REJECTED},
                       f"signed {body.meaning} by {c.principal.name}"
                       + (f" ({approvals} of {required} approvals)" if required > 1 else ""))
        return decision_json(d, sigs, required) | {"signature": signature_json(sig)}


def _approvals(sigs: list[Signature]) -> int:
    return len({s.user_id for s in sigs if s.meaning == APPROVED})


def _check_password(session, c: Conduct, password: str | None, required: bool) -> None:
    from dartnk.errors import InputError
    from dartnk.service.errors import Unauthorized
    from dartnk.store.models import User
    from dartnk.store.users import user_by_password

    user = session.get(User, c.principal.user_id)
    if user is None or not user.password_hash:
        return
    if password is None:
        if required:
            raise InputError.field("password", None, "your password to sign electronically (21 CFR 11.200(a)(1))")
        return
    if user_by_password(session, user.name, password) is None:
        raise Unauthorized.field("password", "…", "your own password")


def decision_json(d: Decision, sigs: list[Signature], required: int) -> dict[str, Any]:
    return {"id": d.id, "key": d.key, "kind": d.kind, "arm": d.arm, "dose_level": d.dose_level,
            "action": d.proposal.get("action"), "n_patients": d.proposal.get("n_patients"), "reason": d.reason,
            "status": d.status, "proposed_at": d.proposed_at.isoformat(),
            "approvals": _approvals(sigs), "approvals_required": required,
            "signatures": [signature_json(s) for s in sigs]}


def signature_json(s: Signature) -> dict[str, Any]:
    return {"signer": s.signer_name, "meaning": s.meaning, "signed_at": s.signed_at.isoformat(), "comment": s.comment}
