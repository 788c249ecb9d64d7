"""Users, sites and credentials: argon2id password hashes, random API tokens stored as SHA-256."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from dartnk.errors import ConflictError, InputError
from dartnk.store.models import Role, Site, User
from dartnk.store.recorder import Recorder

TOKEN_PREFIX = "dnk_"
TOKEN_BYTES = 32
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$")
SITE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")


def token_hash(token: str) -> str:
    """SHA-256 (hex) of an API token: only this is stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    """A random API token (256 bits from :mod:`secrets`)."""
    return TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_BYTES)


def hash_password(password: str) -> str:
    """An argon2id hash (argon2-cffi's RFC 9106 defaults)."""
    from argon2 import PasswordHasher

    return PasswordHasher().hash(password)


def parse_role(value: str, field: str = "role") -> Role:
    try:
        return Role(value)
    except ValueError:
        raise InputError.field(field, value, "one of " + ", ".join(r.value for r in Role)) from None


def ensure_site(rec: Recorder, site_id: str, name: str | None = None) -> Site:
    """The site with this id, created (and audited) if new."""
    if not SITE_PATTERN.match(site_id or ""):
        raise InputError.field("site", site_id, "a site id of letters, digits, - or _ (at most 32)")
    site = rec.session.get(Site, site_id)
    if site is None:
        site = rec.create(Site(id=site_id, name=name or site_id, created_at=rec.now))
    return site


def add_user(rec: Recorder, name: str, role: str, site: str | None, password: str | None) -> tuple[User, str]:
    """Create a user; returns it with its API token (shown once, stored only as a hash)."""
    if not NAME_PATTERN.match(name or ""):
        raise InputError.field("name", name, "a user name of letters, digits, . _ @ or - (at most 100)")
    r = parse_role(role)
    if r.site_scoped and not site:
        raise InputError.field("site", site, f"a site for the role {r.value}")
    if not r.site_scoped and site:
        raise InputError.field("site", site, f"no site: the role {r.value} is not tied to a site")
    if rec.session.execute(select(User.id).where(User.name == name)).first():
        raise ConflictError.field("name", name, "a user name not already taken")
    if site:
        ensure_site(rec, site)
    token = new_token()
    user = User(name=name, role=r.value, site_id=site, token_hash=token_hash(token),
                password_hash=hash_password(password) if password else None, active=True, created_at=rec.now)
    rec.create(user)
    return user, token


def user_by_token(session: Session, token: str) -> User | None:
    """The active user holding this API token, or None."""
    user = session.execute(select(User).where(User.token_hash == token_hash(token))).scalar_one_or_none()
    return user if user is not None and user.active else None


def user_by_password(session: Session, name: str, password: str) -> User | None:
    """The active user with this name and password, or None (for the web sign-in)."""
    from argon2 import PasswordHasher
    from argon2.exceptions import InvalidHashError, VerificationError

    user = session.execute(select(User).where(User.name == name)).scalar_one_or_none()
    if user is None or not user.active or not user.password_hash:
        return None
    try:
        PasswordHasher().verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    return user


def rotate_token(rec: Recorder, user: User, reason: str) -> str:
    """Issue a new API token for ``user`` (the old one stops working)."""
    token = new_token()
    rec.change(user, {"token_hash": token_hash(token)}, reason)
    return token


def now_utc() -> datetime:
    """The service's clock (the store may read it; the pure layers may not)."""
    from datetime import timezone

    return datetime.now(timezone.utc)
