"""The trial as a whole: arms, committee decisions and their signatures, the engine's summary."""

from __future__ import annotations

from typing import Any, Literal, Optional

from fastapi import APIRouter, Depends, Path, Query

from dartnk.service.context import Conduct
from dartnk.service.errors import ERROR_RESPONSES
from dartnk.service.routers.deps import conduct
from dartnk.service.schemas import SignatureIn
from dartnk.service.workflow import decisions, safety, views

router = APIRouter(tags=["trial"], responses=ERROR_RESPONSES)


@router.get("/arms")
def list_arms(c: Conduct = Depends(conduct)) -> list[dict[str, Any]]:
    """Per arm: construct, current level, cohort, open slots, patients and DLTs per level, pending decision."""
    return views.arms(c)


@router.get("/trial")
def trial_summary(c: Conduct = Depends(conduct)) -> dict[str, Any]:
    """Phase, counts, waitlist and pending proposals of the engine."""
    return views.trial_summary(c)


@router.get("/visits/overdue")
def overdue_visits(c: Conduct = Depends(conduct)) -> list[dict[str, Any]]:
    """Per patient (own site for site staff): required visits whose window closed with no record."""
    return views.overdue_visits(c)


@router.post("/trial/advance")
def advance(c: Conduct = Depends(conduct)) -> dict[str, Any]:
    """Close the DLT windows that are over and adjudicated (this also happens on every safety entry)."""
    return safety.advance_now(c)


@router.get("/decisions")
def list_decisions(status: Optional[Literal["proposed", "approved", "rejected"]] = Query(default=None),
                   c: Conduct = Depends(conduct)) -> list[dict[str, Any]]:
    """Decisions the engine proposed, with their status and signatures."""
    return decisions.list_decisions(c, status)


@router.post("/decisions/{decision_id}/sign")
def sign_decision(body: SignatureIn, decision_id: int = Path(ge=1, le=2**31 - 1),
                  c: Conduct = Depends(conduct)) -> dict[str, Any]:
    """A committee member signs (approved or rejected); the protocol's ``committee.approvals_required``-th
    approval by distinct members makes the engine act on it (until then the proposal stays pending).

    A signer who has a password gives it in ``password`` (the token is the other component)."""
    return decisions.sign(c, decision_id, body, require_password=True)
