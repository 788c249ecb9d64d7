"""Shared fixtures: the default protocol, and running the ``dartnk`` CLI in-process or as a process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def protocol():
    from dartnk.protocol import default_protocol

    return default_protocol()


def run_cli(*args: str, input: str | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run ``dartnk ARGS`` as a user would (a new process), capturing output."""
    return subprocess.run([sys.executable, "-m", "dartnk.cli.main", *args], input=input, capture_output=True,
                          text=True, cwd=cwd or REPO, timeout=300)


@pytest.fixture
def cli():
    return run_cli
