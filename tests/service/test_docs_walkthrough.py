"""docs/service.md is a walk-through a new user follows: run its bash blocks, in order, in one shell
(a real server on a free port, curl and jq), and check what it prints — registration to a
committee-signed DLT-window decision."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.service.conftest import REPO
from tests.service.test_concurrency import free_port

DOC = REPO / "docs" / "service.md"


def bash_blocks(text: str) -> list[str]:
    return re.findall(r"```bash\n(.*?)```", text, flags=re.S)


@pytest.mark.skipif(not (shutil.which("curl") and shutil.which("jq")), reason="the walk-through needs curl and jq")
def test_walkthrough_runs_as_written(tmp_path):
    script = "\n".join(bash_blocks(DOC.read_text()))
    assert "PORT=8000" in script
    script = "set -u\n" + script.replace("PORT=8000", f"PORT={free_port()}")
    env = {k: v for k, v in os.environ.items() if k != "DARTNK_DATABASE_URL"}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    r = subprocess.run(["bash", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    out = r.stdout
    assert r.returncode == 0, r.stdout + r.stderr
    assert (tmp_path / "dartnk-demo" / "dartnk.sqlite").is_file()
    assert out.count('{"eligible":true,"unmet":[]}') == 3
    assert out.count('["DLL3-CD56"]') == 3
    for slot in (1, 2, 3):
        assert f'"arm":"DLL3-CD56","dose_level":"DL1","cohort":1,"slot":{slot}' in out
    assert '"error":"conflict"' in out and "sentinel" in out          # the early Day 0 is refused
    assert '{"grade":1,' in out and '"onset_day":1}' in out
    assert '{"proposed":"no_dlt","confirmed_dlt":false,"confirmed_by":"mona"}' in out
    assert '"status":"awaiting_committee","current_level":"DL1"' in out
    assert '"kind":"escalation","arm":"DLL3-CD56","action":"escalate"' in out
    assert '{"status":"approved","signature":{"signer":"sam","meaning":"approved"' in out
    assert '"status":"enrolling","current_level":"DL2"' in out and '"open_slots":3' in out
    assert '"field":"reason"' in out and '"reason":"transcription error"' in out
    assert '{"ok":true,' in out and '"first_bad":null}' in out
    assert "hash chain intact" in out
