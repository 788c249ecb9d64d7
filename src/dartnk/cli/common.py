"""What every command shares: the error contract, reading JSON input, loading the protocol."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Callable

import typer

EXIT_USER_ERROR = 2


def handle_errors(app: typer.Typer) -> int:
    """Run the Typer app; print a user's mistake as one line and return 2, never a traceback."""
    from dartnk.errors import DartnkError

    try:
        code = app(standalone_mode=False)  # click returns Exit's code instead of raising here
    except DartnkError as exc:
        for problem in exc.problems:
            typer.echo(f"error: {problem}", err=True)
        return EXIT_USER_ERROR
    except typer.Exit as exc:
        return exc.exit_code
    except typer.Abort:
        typer.echo("aborted", err=True)
        return 1
    except Exception as exc:  # click's usage errors (Typer may vendor click as typer._click)
        if any(cls.__name__ == "ClickException" for cls in type(exc).__mro__):
            exc.show()
            return EXIT_USER_ERROR
        raise
    return code if isinstance(code, int) else 0


def fail(field: str, value: Any, expected: str) -> None:
    """Raise the user-error contract for one field."""
    from dartnk.errors import InputError

    raise InputError.field(field, value, expected)


def read_text(path: str, what: str = "FILE") -> str:
    """Read a file, or standard input for ``-``; a missing file is a user error."""
    if path == "-":
        return sys.stdin.read()
    p = Path(path)
    if not p.is_file():
        fail(what, path, "an existing file (or - for standard input)")
    return p.read_text(encoding="utf-8")


def read_json(path: str) -> Any:
    """Parse a JSON file (or ``-``) into Python; bad JSON is a user error naming line and column."""
    text = read_text(path)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        fail(path if path != "-" else "stdin", f"line {exc.lineno} column {exc.colno}", f"valid JSON ({exc.msg})")


def load_protocol(path: str | None):
    """The protocol at ``path``, or the shipped default when ``path`` is None."""
    from dartnk.protocol import default_protocol, parse_protocol

    if path is None:
        return default_protocol()
    return parse_protocol(read_text(path, "--protocol"))


def each_record(data: Any, fn: Callable[[Any, str], Any]) -> Any:
    """Apply ``fn(record, field_prefix)`` to one object or each object of a list; answer in kind."""
    if isinstance(data, list):
        return [fn(item, f"[{i}]") for i, item in enumerate(data)]
    return fn(data, "")


def echo_json(obj: Any) -> None:
    typer.echo(json.dumps(obj, indent=2, ensure_ascii=False, default=_json_default))


def _json_default(obj: Any) -> Any:
    from enum import Enum

    if isinstance(obj, Enum):
        return obj.value
    if hasattr(obj, "model_dump"):
        return obj.model_dump(mode="json")
    if hasattr(obj, "isoformat"):
        return obj.isoformat()
    if hasattr(obj, "tolist"):
        return obj.tolist()
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")
