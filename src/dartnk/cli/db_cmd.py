"""``dartnk db upgrade``: create or migrate the trial database (SQLite file by default, PostgreSQL by URL)."""

from __future__ import annotations

from typing import Optional

import typer

db_app = typer.Typer(help="Create or migrate the trial database.", no_args_is_help=True)

DB_HELP = "database URL (default: $DARTNK_DATABASE_URL, else sqlite:///dartnk.sqlite in the working directory)"


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")


@db_app.command("upgrade")
def upgrade(db: Optional[str] = typer.Option(None, "--db", help=DB_HELP),
            protocol: Optional[str] = typer.Option(None, "--protocol", help="protocol YAML (default: the shipped protocol)")) -> None:
    """Create the database or migrate it to the newest schema (safe to run again)."""
    from dartnk.cli.common import load_protocol
    from dartnk.store.db import current_revision, describe_url, open_database, resolve_url

    url = resolve_url(db)
    proto = load_protocol(protocol)
    database = _open(url, proto)
    database.dispose()
    typer.echo(f"database {describe_url(url)} is at revision {current_revision(url)} (trial {proto.trial.id})")


def _open(url: str, proto):
    """Open and migrate; a database that cannot be reached is a user error naming the URL."""
    from sqlalchemy.exc import OperationalError

    from dartnk.errors import InputError
    from dartnk.store.db import describe_url, open_database

    try:
        return open_database(url, proto)
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else "unreachable"
        raise InputError.field("--db", describe_url(url), f"a reachable database ({reason})") from None
