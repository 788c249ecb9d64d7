"""The service's settings: where the data lives, which protocol, and the clock."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class ServiceSettings:
    """``database_url``: SQLAlchemy URL; ``protocol``: a :class:`~dartnk.protocol.Protocol` (default: shipped);
    ``clock``: the time source (tests pass a fixed clock); ``migrate``: run Alembic upgrades on start."""

    database_url: str
    protocol: object | None = None
    clock: Callable[[], datetime] = field(default=utc_now)
    migrate: bool = True
