"""The safety monitoring committee's signing rule.

The registry record: "An independent safety monitoring committee reviews cumulative safety at each dose
level and prior to construct selection." The engine proposes (escalation, selection, stopping); the
committee's approvals make a proposal effective. How many approvals that takes is the committee charter's
choice, so it is a protocol setting.
"""

from __future__ import annotations

from pydantic import Field

from dartnk.protocol.base import ProtocolModel


class CommitteeSettings(ProtocolModel):
    """``approvals_required``: approvals by distinct committee members that make a proposal effective
    (1: the chair signs for the committee; 2 of a 3-member committee: a majority). A rejection is
    recorded and shown, and leaves the proposal pending, so the committee may approve it later."""

    approvals_required: int = Field(default=1, ge=1, le=15,
                                    description="approvals by distinct committee members that make a proposal effective")
