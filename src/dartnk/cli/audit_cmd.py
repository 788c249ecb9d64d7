"""``dartnk audit verify``: check the audit trail's hash chain and name the first bad entry."""

from __future__ import annotations

from typing import Optional

import typer

audit_app = typer.Typer(help="Check the audit trail.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(audit_app, name="audit")


@audit_app.command("verify")
def verify(db: Optional[str] = typer.Option(None, "--db", help="database URL (default: $DARTNK_DATABASE_URL or ./dartnk.sqlite)"),
           protocol: Optional[str] = typer.Option(None, "--protocol", help="protocol YAML (default: the shipped protocol)"),
           as_json: bool = typer.Option(False, "--json", help="print {\"ok\", \"entries\", \"first_bad\"} as JSON")) -> None:
    """Recompute every entry's SHA-256 and link, and compare every record with the trail; exit 1
    naming the first tampered entry (or the records that differ)."""
    from dartnk.cli.common import echo_json, load_protocol
    from dartnk.errors import InputError
    from dartnk.store.audit import verify as verify_chain
    from dartnk.store.db import Database, current_revision, describe_url, resolve_url

    url = resolve_url(db)
    proto = load_protocol(protocol)
    _require_database(url)
    if current_revision(url) is None:
        raise InputError.field("--db", describe_url(url), "a dartnk database (run `dartnk db upgrade` first)")
    database = Database(url, proto.trial.id)
    try:
        with database.read() as session:
            result = verify_chain(session, database.trial_id)
    finally:
        database.dispose()
    if as_json:
        echo_json(result.to_json())
    elif result.ok:
        typer.echo(f"ok: {result.entries} audit entries, hash chain intact ({describe_url(url)})")
    elif result.first_bad is not None:
        typer.echo(f"TAMPERED: audit entry {result.first_bad} is bad: {result.problem} "
                   f"({result.entries} entries read, {describe_url(url)})", err=True)
    else:
        typer.echo(f"TAMPERED: {result.problem} ({result.entries} entries intact, {describe_url(url)})", err=True)
    if not result.ok:
        raise typer.Exit(1)


def _require_database(url: str) -> None:
    """A SQLite file that does not exist is a user error (not an empty new database)."""
    from pathlib import Path

    from sqlalchemy.engine import make_url

    from dartnk.errors import InputError

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database and not Path(parsed.database).is_file():
        raise InputError.field("--db", url, "an existing database file (run `dartnk db upgrade` to create one)")
