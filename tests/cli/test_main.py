"""The ``dartnk`` entry point: fast help (no heavy imports at start-up) and the error contract."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("numpy", "scipy", "pandas", "lifelines", "matplotlib", "dask", "distributed", "sqlalchemy",
         "fastapi", "alembic", "pyreadstat", "jinja2", "uvicorn")


def test_help_imports_nothing_heavy():
    code = ("import sys; from dartnk.cli import main; "
            "import json; print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    loaded = set(json.loads(out))
    assert not loaded & set(HEAVY), f"heavy modules imported by the CLI at start-up: {sorted(loaded & set(HEAVY))}"


def test_help_lists_commands(cli):
    res = cli("--help")
    assert res.returncode == 0
    assert "protocol" in res.stdout


def test_unknown_command_is_a_usage_error(cli):
    res = cli("no-such-command")
    assert res.returncode == 2
    assert "Traceback" not in res.stderr
