"""A process that writes to the trial database as fast as it can until it is killed (crash tests).

``python -m tests.service.crash_writer URL TOKEN``: registers, consents and screens patients
through the app in-process, printing one line per completed patient.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime, timezone


def main(url: str, token: str) -> None:
    from fastapi.testclient import TestClient

    from dartnk.service.app import create_app
    from dartnk.service.settings import ServiceSettings
    from tests.service.conftest import EXAMPLES

    record = json.loads((EXAMPLES / "screening-eligible.json").read_text())
    clock = lambda: datetime(2026, 11, 10, 9, tzinfo=timezone.utc)  # noqa: E731
    app = create_app(ServiceSettings(database_url=url, clock=clock, migrate=False))
    h = {"Authorization": f"Bearer {token}"}
    with TestClient(app) as client:
        n = 0
        while True:
            r = client.post("/api/v1/patients", headers=h, json={"site": "S01", "sex": "female", "birth_year": 1960})
            pid = r.json()["id"]
            client.post(f"/api/v1/patients/{pid}/consent", headers=h, json={"signed_on": "2026-11-10", "version": "v1"})
            client.post(f"/api/v1/patients/{pid}/screening", headers=h, json=record)
            n += 1
            print(f"done {n} {pid}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
