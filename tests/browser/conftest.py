"""A real Chromium (Debian's) driven by Playwright, against the live uvicorn server.

Playwright's own browser download does not work here, so the tests use
/usr/bin/chromium and install Debian's package when it is missing (tests/debian.py). If the browser
cannot be had, the tests fail (they are never skipped).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Iterator

import pytest

from tests.debian import ensure_package

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


@pytest.fixture(scope="session")
def browser() -> Iterator["Browser"]:
    """One Chromium for the session; any problem getting it is a test failure, never a skip."""
    ensure_package("chromium", CHROMIUM)
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
    """Uncaught page errors and console errors. Expected: refused requests (422), and a guess the page asked
    ahead (Purpose: prefetch) that the server, busy, answered 503 (busy_ahead: it makes guesses only when idle)."""

    def watch(self, page):
        guesses = set()
        page.on("request", lambda r: guesses.add(r.url) if r.headers.get("purpose") == "prefetch" else None)
        page.on("pageerror", lambda e: self.append(f"pageerror: {e}"))
        page.on("console", lambda m: self.append(f"console: {m.text}") if m.type == "error" and not self.expected(m, guesses) else None)
        return page

    @staticmethod
    def expected(message, guesses: set) -> bool:
        return "status of 422" in message.text or ("status of 503" in message.text and message.location.get("url") in guesses)


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
