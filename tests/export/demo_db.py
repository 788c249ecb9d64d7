"""One demo database per test process, built by ``dartnk demo`` (a real process), shared by tests."""

from __future__ import annotations

import tempfile
from pathlib import Path

from tests.conftest import run_cli

DEMO_ARGS = ("--patients", "12", "--follow-up-days", "250", "--seed", "20260302")
_cache: dict[str, str] = {}


def demo_database() -> str:
    """The URL of a demo database (12 patients registered, seeded), created on first use."""
    if "url" not in _cache:
        folder = Path(tempfile.mkdtemp(prefix="dartnk-demo-"))
        url = f"sqlite:///{folder / 'demo.sqlite'}"
        r = run_cli("demo", "--db", url, *DEMO_ARGS)
        assert r.returncode == 0, r.stderr
        _cache["url"] = url
        _cache["stdout"] = r.stdout
        _cache["stderr"] = r.stderr
    return _cache["url"]


def demo_output() -> tuple[str, str]:
    demo_database()
    return _cache["stdout"], _cache["stderr"]
