"""Authentication (``Authorization: Bearer TOKEN``) and authorisation by role and site.

What each role may do is the table :data:`PERMISSIONS` (data, not branches). Site investigators and
coordinators see only their own site's patients: another site's patient answers **404 exactly as a
patient that does not exist**, so a denied request reveals nothing about other sites' data; a
forbidden *action* (a role that may never do it) answers 403.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from dartnk.errors import NotFoundError
from dartnk.service.errors import Forbidden, Unauthorized
from dartnk.store.models import Patient, Role


class Action(str, Enum):
    READ_PATIENTS = "read_patients"
    WRITE_PATIENT_DATA = "write_patient_data"
    CONFIRM_DLT = "confirm_dlt"
    SIGN_DECISION = "sign_decision"
    READ_TRIAL = "read_trial"
    VERIFY_AUDIT = "verify_audit"
    READ_AUDIT = "read_audit"
    MANAGE_USERS = "manage_users"


_R = Role
PERMISSIONS: dict[Action, frozenset[Role]] = {
    Action.READ_PATIENTS: frozenset({_R.SITE_INVESTIGATOR, _R.SITE_COORDINATOR, _R.MEDICAL_MONITOR, _R.DATA_MANAGER,
                                     _R.COMMITTEE_MEMBER, _R.STATISTICIAN, _R.ADMINISTRATOR}),
    Action.WRITE_PATIENT_DATA: frozenset({_R.SITE_INVESTIGATOR, _R.SITE_COORDINATOR, _R.DATA_MANAGER}),
    Action.CONFIRM_DLT: frozenset({_R.MEDICAL_MONITOR}),
    Action.SIGN_DECISION: frozenset({_R.COMMITTEE_MEMBER}),
    Action.READ_TRIAL: frozenset(Role),
    Action.VERIFY_AUDIT: frozenset({_R.ADMINISTRATOR, _R.DATA_MANAGER, _R.MEDICAL_MONITOR, _R.STATISTICIAN}),
    Action.READ_AUDIT: frozenset({_R.ADMINISTRATOR, _R.DATA_MANAGER, _R.MEDICAL_MONITOR}),
    Action.MANAGE_USERS: frozenset({_R.ADMINISTRATOR}),
}
"""Role × action. Statisticians and committee members read; only site staff and data managers enter data."""


@dataclass(frozen=True)
class Principal:
    """The authenticated user of a request."""

    user_id: int
    name: str
    role: Role
    site_id: str | None

    def may(self, action: Action) -> bool:
        return self.role in PERMISSIONS[action]

    def require(self, action: Action) -> None:
        """403 unless the role may do ``action``."""
        if not self.may(action):
            raise Forbidden.field("role", self.role.value, f"a role allowed to {action.value.replace('_', ' ')} "
                                  f"({', '.join(sorted(r.value for r in PERMISSIONS[action]))})")

    def sees_site(self, site_id: str) -> bool:
        return not self.role.site_scoped or self.site_id == site_id

    def require_site(self, site_id: str) -> None:
        """403 when site staff act for another site (only for a site they named themselves)."""
        if not self.sees_site(site_id):
            raise Forbidden.field("site", site_id, f"your own site ({self.site_id})")


def visible_patient(principal: Principal, patient: Patient | None, patient_id: str) -> Patient:
    """The patient if it exists and the principal may see it; otherwise 404 (the same answer for both)."""
    if patient is None or not principal.sees_site(patient.site_id):
        raise NotFoundError.field("id", patient_id, "the id of a patient you can access")
    return patient


def bearer_token(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized.field("Authorization", "" if not header else scheme, "Bearer TOKEN (from `dartnk user add`)")
    return token.strip()


BEARER = HTTPBearer(auto_error=False, scheme_name="token",
                    description="an API token from `dartnk user add` (or POST /api/v1/auth/token)")
"""Declares the bearer scheme in the OpenAPI document (the check itself is :func:`bearer_token`)."""


def current_principal(request: Request,
                      _credentials: HTTPAuthorizationCredentials | None = Depends(BEARER)) -> Principal:
    """FastAPI dependency: the user holding the request's bearer token (401 otherwise)."""
    from dartnk.store.users import user_by_token

    token = bearer_token(request)
    db = request.app.state.db
    with db.read() as session:
        user = user_by_token(session, token)
        if user is None:
            raise Unauthorized.field("Authorization", "Bearer …", "a valid, active API token")
        return Principal(user_id=user.id, name=user.name, role=Role(user.role), site_id=user.site_id)
