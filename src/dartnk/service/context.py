"""What every workflow step needs: the database, the protocol, who is acting and the time.

Route handlers build a :class:`Conduct` and call a workflow function; business rules live in the
workflow modules, never in the handlers. The service is the layer that may read the clock: dates
become engine days here (:meth:`Conduct.today`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Callable

from sqlalchemy.orm import Session

from dartnk.service.auth import Principal
from dartnk.store.db import Database
from dartnk.store.recorder import Recorder


@dataclass(frozen=True)
class Conduct:
    """One request's view of the trial: database, protocol, principal and the request time (UTC)."""

    db: Database
    protocol: object
    principal: Principal
    now: datetime

    def recorder(self, session: Session) -> Recorder:
        return Recorder(session=session, trial_id=self.db.trial_id, actor=self.principal.name, now=self.now)

    @property
    def today(self) -> date:
        return self.now.date()


Clock = Callable[[], datetime]
