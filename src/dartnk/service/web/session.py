"""Signed session cookies and CSRF tokens for the web pages.

The cookie holds the user id, a random nonce and an expiry, signed with HMAC-SHA256 under the
app's secret (``DARTNK_SECRET_KEY``, or a random key per process: sessions then end on restart).
The CSRF token is HMAC(secret, "csrf:" + nonce): a form or a ``fetch`` must echo it, and the cookie
is ``SameSite=Strict`` and ``HttpOnly``. The user is re-read from the database on every request,
so a deactivated user loses access at once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass

COOKIE_NAME = "dartnk_session"
SESSION_SECONDS = 8 * 3600
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


def wall_clock() -> float:
    """Real time for session expiry (not the trial's clock, which tests and back-entry may move)."""
    import time

    return time.time()


@dataclass(frozen=True)
class WebSession:
    user_id: int
    nonce: str
    expires: int  # Unix seconds


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: bytes, message: str) -> str:
    return _b64(hmac.new(secret, message.encode("utf-8"), hashlib.sha256).digest())


def new_session(user_id: int, now: float) -> WebSession:
    return WebSession(user_id=user_id, nonce=secrets.token_urlsafe(16), expires=int(now) + SESSION_SECONDS)


def encode(secret: bytes, s: WebSession) -> str:
    payload = _b64(json.dumps({"u": s.user_id, "n": s.nonce, "e": s.expires}, separators=(",", ":")).encode())
    return f"{payload}.{_mac(secret, payload)}"


def decode(secret: bytes, cookie: str | None, now: float) -> WebSession | None:
    """The session in a cookie, or None if absent, forged, malformed or expired."""
    if not cookie or "." not in cookie:
        return None
    payload, sig = cookie.rsplit(".", 1)
    if not hmac.compare_digest(sig, _mac(secret, payload)):
        return None
    try:
        data = json.loads(_unb64(payload))
        s = WebSession(user_id=int(data["u"]), nonce=str(data["n"]), expires=int(data["e"]))
    except (ValueError, KeyError, TypeError):
        return None
    return s if s.expires > now else None


def csrf_token(secret: bytes, s: WebSession) -> str:
    return _mac(secret, "csrf:" + s.nonce)


def csrf_ok(secret: bytes, s: WebSession, token: str | None) -> bool:
    return bool(token) and hmac.compare_digest(token, csrf_token(secret, s))
