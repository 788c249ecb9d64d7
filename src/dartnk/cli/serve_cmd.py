"""``dartnk serve [--db URL] [--host] [--port]``: run the trial conduct API (migrating the database first)."""

from __future__ import annotations

from typing import Optional

import typer


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)


def serve(db: Optional[str] = typer.Option(None, "--db", help="database URL (default: $DARTNK_DATABASE_URL, else "
                                           "sqlite:///dartnk.sqlite in the working directory)"),
          host: str = typer.Option("127.0.0.1", "--host", help="interface to listen on"),
          port: int = typer.Option(8000, "--port", min=1, max=65535, help="TCP port"),
          protocol: Optional[str] = typer.Option(None, "--protocol", help="protocol YAML (default: the shipped protocol)")) -> None:
    """Start the API (OpenAPI at /docs and /openapi.json); prints the URL and where the data lives."""
    import uvicorn

    from dartnk.cli.common import load_protocol
    from dartnk.cli.db_cmd import _open
    from dartnk.service.app import create_app
    from dartnk.service.settings import ServiceSettings
    from dartnk.store.db import describe_url, resolve_url

    url = resolve_url(db)
    proto = load_protocol(protocol)
    _open(url, proto).dispose()
    app = create_app(ServiceSettings(database_url=url, protocol=proto, migrate=False))
    shown = f"[{host}]" if ":" in host else host
    typer.echo(f"dartnk service for {proto.trial.id}: http://{shown}:{port}/api/v1 (API docs http://{shown}:{port}/docs)")
    typer.echo(f"database: {describe_url(url)}")
    typer.echo("add users with: dartnk user add NAME --role ROLE [--site SITE]" + (f" --db {db}" if db else ""))
    uvicorn.run(app, host=host, port=port, log_level="info")
