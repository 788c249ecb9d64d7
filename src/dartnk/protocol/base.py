"""Base class of every protocol model: frozen, strict about unknown fields."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class ProtocolModel(BaseModel):
    """A frozen part of the protocol; unknown fields are errors (a typo is never ignored)."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=False)
