"""The one error type users see.

Every mistake a user can make (a bad protocol field, a bad CLI argument, a bad JSON record) is
raised as a :class:`DartnkError` whose message names the field, the value and what was expected.
The CLI prints the message on one line and exits 2; the API answers 422 with the field path.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One problem with one field: ``path: expected …, got …``."""

    field: str
    expected: str
    value: Any = None
    has_value: bool = True

    def __str__(self) -> str:
        if not self.has_value:
            return f"{self.field}: {self.expected}"
        return f"{self.field}: {self.expected}, got {self.value!r}"


class DartnkError(Exception):
    """A user's mistake, with the field, the value and what was expected."""

    def __init__(self, problems: list[Problem] | Problem | str):
        if isinstance(problems, str):
            problems = [Problem(field="input", expected=problems, has_value=False)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        super().__init__("; ".join(str(p) for p in self.problems))

    @classmethod
    def field(cls, field: str, value: Any, expected: str) -> "DartnkError":
        """Shorthand for one problem with one field."""
        return cls(Problem(field=field, expected=expected, value=value))

    @property
    def field_path(self) -> str:
        """The first problem's field path (for the API's ``field``)."""
        return self.problems[0].field


class ProtocolError(DartnkError):
    """The protocol file is not valid."""


class InputError(DartnkError):
    """A command's or endpoint's input is not valid."""


class ConflictError(DartnkError):
    """The request is valid but the trial's state does not allow it (HTTP 409)."""


class NotFoundError(DartnkError):
    """The thing asked for does not exist (HTTP 404)."""


def problems_from_pydantic(exc: Any, prefix: str = "") -> list[Problem]:
    """Turn a pydantic ``ValidationError`` into problems with dotted field paths."""
    out: list[Problem] = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err.get("loc", ()))
        path = f"{prefix}.{loc}" if prefix and loc else (prefix or loc or "input")
        msg = err.get("msg", "invalid")
        if msg.startswith("Value error, "):
            msg = msg[len("Value error, "):]
        if err.get("type") == "missing":
            out.append(Problem(field=path, expected="required field is missing", has_value=False))
        elif err.get("type") == "extra_forbidden":
            out.append(Problem(field=path, expected="unknown field", has_value=False))
        else:
            out.append(Problem(field=path, expected=msg.lower() if msg[:1].isupper() and not msg[:2].isupper() else msg,
                               value=err.get("input")))
    return out
