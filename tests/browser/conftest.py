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
from typing import TYPE_CHECKING, Iterator

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


def ensure_chromium() -> None:
    """Install Debian's chromium when missing: the project's files must install what CI needs."""
    if Path(CHROMIUM).exists():
        return
    prefix = [] if os.geteuid() == 0 else (["sudo", "-n"] if shutil.which("sudo") else None)
    if prefix is None:
        pytest.fail(f"{CHROMIUM} is missing and this user cannot install it (apt-get install chromium needs root or sudo)", pytrace=False)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    lock = ["-o", "DPkg::Lock::Timeout=300"]  # wait for another apt/dpkg rather than fail at once
    for cmd in (["apt-get", "update", "-qq"], ["apt-get", *lock, "install", "-y", "-qq", "chromium"]):
        done = subprocess.run(prefix + cmd, env=env, capture_output=True, text=True)
        if done.returncode:
            pytest.fail(f"{' '.join(cmd)} failed (exit {done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}", pytrace=False)
    if not Path(CHROMIUM).exists():
        pytest.fail(f"apt-get installed chromium but {CHROMIUM} is not there", pytrace=False)


@pytest.fixture(scope="session")
def browser() -> Iterator["Browser"]:
    """One Chromium for the session; any problem getting it is a test failure, never a skip."""
    ensure_chromium()
    from playwright.sync_api import Error, sync_playwright

    with sync_playwright() as p:
        try:
            b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        except Error as e:
            pytest.fail(f"Chromium at {CHROMIUM} did not launch under Playwright:\n{e}", pytrace=False)
        yield b
        b.close()


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """tests/artifacts/ (gitignored): screenshots a person can look at after a run."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


class Problems(list):
    """Uncaught page errors and console errors (refused requests, 422, are expected)."""

    def watch(self, page):
        page.on("pageerror", lambda e: self.append(f"pageerror: {e}"))
        page.on("console", lambda m: self.append(f"console: {m.text}") if m.type == "error" and "status of 422" not in m.text else None)
        return page


@pytest.fixture
def problems() -> Problems:
    """What went wrong in the page of this test; `assert not problems` at the end."""
    return Problems()


@pytest.fixture
def page(browser, problems) -> Iterator["Page"]:
    """A fresh context and page; its errors are collected in `problems`, also `page.problems`."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True, locale="en-US")
    pg = problems.watch(context.new_page())
    pg.problems = problems
    yield pg
    context.close()
