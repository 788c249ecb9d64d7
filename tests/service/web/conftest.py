"""A live conduct service (uvicorn on 127.0.0.1, in a thread) with a controllable clock, and a real
headless Chromium driven by Playwright (Debian's ``/usr/bin/chromium``; ``.ci/run`` installs it).

Screenshots of the main pages go to ``test-artifacts/screenshots/`` for review.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

from tests.service.conftest import REPO, make_api

CHROMIUM = os.environ.get("DARTNK_CHROMIUM", "/usr/bin/chromium")
SHOTS = REPO / "test-artifacts" / "screenshots"
PASSWORD = "correct horse battery"
WEB_USERS = (("crc-web", "site_coordinator", "S01"), ("crc-other", "site_coordinator", "S02"),
             ("smc-web", "committee_member", None), ("monitor-web", "medical_monitor", None))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def live(tmp_path):
    """The service on a free loopback port; ``live.api`` drives it through the API as well."""
    import uvicorn

    from dartnk.store.recorder import Recorder
    from dartnk.store.users import add_user

    api = make_api(f"sqlite:///{tmp_path / 'web.sqlite'}")
    db = api.app.state.db
    with db.write() as session:
        rec = Recorder(session, db.trial_id, "test", api.clock())
        for name, role, site in WEB_USERS:
            add_user(rec, name, role, site, PASSWORD)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(api.app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the service did not start")
        time.sleep(0.05)
    api.base_url = f"http://127.0.0.1:{port}"
    yield api
    server.should_exit = True
    thread.join(timeout=10)
    api.client.close()
    db.dispose()


@pytest.fixture(scope="session")
def browser():
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        pytest.skip(f"browser tests skipped: no Chromium at {CHROMIUM} (apt-get install chromium; .ci/run does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"])
        yield b
        b.close()


@pytest.fixture
def new_page(browser, live):
    contexts = []

    def make(user: str):
        ctx = browser.new_context(viewport={"width": 1366, "height": 900}, base_url=live.base_url)
        ctx.set_default_timeout(15000)
        contexts.append(ctx)
        page = ctx.new_page()
        page.goto("/login")
        page.fill("#name", user)
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(live.base_url + "/")
        return page

    yield make
    for ctx in contexts:
        ctx.close()


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
