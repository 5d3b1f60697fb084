"""A real Chromium (Debian's) driven by Playwright, against the live uvicorn server.

Playwright's own browser download does not work here, so the tests use
/usr/bin/chromium and install Debian's package when it is missing. If the browser
cannot be had, the tests fail (they are never skipped).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


def ensure_chromium() -> None:
    if Path(CHROMIUM).exists():
        return
    prefix = [] if os.geteuid() == 0 else (["sudo", "-n"] if shutil.which("sudo") else None)
    if prefix is None:
        pytest.fail("Chromium is missing and this user cannot install it (apt-get install chromium needs root)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "chromium"]):
        done = subprocess.run(prefix + cmd, env=env, capture_output=True, text=True)
        if done.returncode:
            pytest.fail(f"{' '.join(cmd)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    if not Path(CHROMIUM).exists():
        pytest.fail("apt-get installed chromium but /usr/bin/chromium is not there")


@pytest.fixture(scope="session")
def browser():
    ensure_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


class Problems(list):
    """Uncaught page errors and console errors (refused requests, 422, are expected)."""

    def watch(self, page):
        page.on("pageerror", lambda e: self.append(f"pageerror: {e}"))
        page.on("console", lambda m: self.append(f"console: {m.text}") if m.type == "error" and "status of 422" not in m.text else None)
        return page


@pytest.fixture
def problems():
    return Problems()


@pytest.fixture
def page(browser, problems):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True, locale="en-US")
    pg = problems.watch(context.new_page())
    yield pg
    context.close()
