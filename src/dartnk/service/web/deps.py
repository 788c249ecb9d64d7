"""Who is signed in: the page's :class:`~dartnk.service.context.Conduct`, or a redirect to sign-in."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from dartnk.service.auth import Principal
from dartnk.service.context import Conduct
from dartnk.service.errors import Forbidden
from dartnk.service.web import session as ws
from dartnk.store.models import Role, User


class SignInRequired(Exception):
    """No valid session: the page answers with a redirect to ``/login``."""


@dataclass(frozen=True)
class Page:
    """A signed-in page request: the workflow's Conduct plus the CSRF token for its forms."""

    conduct: Conduct
    csrf: str
    session: ws.WebSession

    @property
    def principal(self) -> Principal:
        return self.conduct.principal


def secret(request: Request) -> bytes:
    return request.app.state.web_secret


def _session(request: Request) -> ws.WebSession | None:
    return ws.decode(secret(request), request.cookies.get(ws.COOKIE_NAME), ws.wall_clock())


def page(request: Request) -> Page:
    """FastAPI dependency for pages: the signed-in user (else :class:`SignInRequired`)."""
    s = _session(request)
    if s is None:
        raise SignInRequired()
    db = request.app.state.db
    with db.read() as session:
        user = session.get(User, s.user_id)
        if user is None or not user.active:
            raise SignInRequired()
        principal = Principal(user_id=user.id, name=user.name, role=Role(user.role), site_id=user.site_id)
    conduct = Conduct(db=db, protocol=request.app.state.protocol, principal=principal,
                      now=request.app.state.settings.clock())
    return Page(conduct=conduct, csrf=ws.csrf_token(secret(request), s), session=s)


def require_csrf(request: Request, p: Page, token: str | None) -> None:
    """403 unless the form field or the ``X-CSRF-Token`` header carries this session's token."""
    token = token or request.headers.get(ws.CSRF_HEADER)
    if not ws.csrf_ok(secret(request), p.session, token):
        raise Forbidden.field("csrf_token", "missing or wrong", "the form's CSRF token (reload the page)")


async def checked_form(request: Request, p: Page) -> dict[str, str]:
    """The posted form's fields as text, after its CSRF token is checked (403 otherwise)."""
    form = {k: str(v) for k, v in (await request.form()).items()}
    require_csrf(request, p, form.get("csrf_token"))
    return form
