"""``dartnk user add NAME --role ROLE [--site SITE]``: create a user and print their API token once."""

from __future__ import annotations

from typing import Optional

import typer

user_app = typer.Typer(help="Manage the service's users.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(user_app, name="user")


@user_app.command("add")
def add(name: str = typer.Argument(..., help="user name (letters, digits, . _ @ -)"),
        role: str = typer.Option(..., "--role", help="site_investigator, site_coordinator, medical_monitor, data_manager, "
                                 "committee_member, statistician or administrator"),
        site: Optional[str] = typer.Option(None, "--site", help="the user's site (site investigators and coordinators)"),
        password_stdin: bool = typer.Option(False, "--password-stdin", help="read a password (for web sign-in) from stdin"),
        db: Optional[str] = typer.Option(None, "--db", help="database URL (default: $DARTNK_DATABASE_URL or ./dartnk.sqlite)"),
        protocol: Optional[str] = typer.Option(None, "--protocol", help="protocol YAML (default: the shipped protocol)")) -> None:
    """Create a user; the API token is printed once (only its SHA-256 hash is stored)."""
    import sys

    from dartnk.cli.common import load_protocol
    from dartnk.cli.db_cmd import _open
    from dartnk.errors import InputError
    from dartnk.store.db import resolve_url
    from dartnk.store.recorder import Recorder
    from dartnk.store.users import add_user, now_utc

    password = None
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
        if len(password) < 8:
            raise InputError.field("password", "…", "at least 8 characters")
    database = _open(resolve_url(db), load_protocol(protocol))
    try:
        with database.write() as session:
            user, token = add_user(Recorder(session, database.trial_id, "cli:user-add", now_utc()), name, role, site, password)
            summary = f"user {user.name} ({user.role}{', site ' + user.site_id if user.site_id else ''}) created"
    finally:
        database.dispose()
    typer.echo(summary, err=True)
    typer.echo("API token (shown once; use it as 'Authorization: Bearer TOKEN'):", err=True)
    typer.echo(token)
