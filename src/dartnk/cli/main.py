"""The ``dartnk`` command: registers each command module and turns user mistakes into exit 2.

Command modules import only Typer and the standard library at import time; everything heavy
(numpy, scipy, pydantic models, lifelines, matplotlib, dask) is imported inside the command that
needs it, so ``dartnk --help`` answers quickly.
"""

from __future__ import annotations

import importlib
import sys

import typer

app = typer.Typer(
    name="dartnk",
    help="Design, simulate and run the DART-NK-SCLC adaptive Phase 1/2 CAR-NK trial.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _command_modules() -> list[str]:
    """Every ``dartnk/cli/*_cmd.py``; each defines ``register(app)`` and adds its commands."""
    import pkgutil

    from dartnk import cli

    return sorted(m.name for m in pkgutil.iter_modules(cli.__path__) if m.name.endswith("_cmd"))


for _name in _command_modules():
    importlib.import_module(f"dartnk.cli.{_name}").register(app)


def run() -> None:
    """Entry point: run the app; a :class:`DartnkError` becomes one line on stderr and exit 2."""
    from dartnk.cli.common import handle_errors

    sys.exit(handle_errors(app))


if __name__ == "__main__":
    run()
