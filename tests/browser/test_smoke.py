"""Smoke: Debian's Chromium, driven by Playwright, loads the app's pages with no errors.

If this fails, the browser stack itself is broken (install, launch, server), not a feature.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_healthz_in_chromium(page, live_server):
    # A JSON URL has no <link rel=icon>, so Chromium asks for /favicon.ico, which the app
    # does not serve (its pages carry an inline icon): answer it here, count everything else.
    page.route("**/favicon.ico", lambda route: route.fulfill(status=204))
    response = page.goto(f"{live_server}/healthz")
    assert response is not None and response.status == 200
    assert '"status":"ok"' in page.inner_text("body").replace(" ", "")
    assert not page.problems, page.problems


def test_playground_loads_without_page_errors(page, live_server, artifacts_dir):
    response = page.goto(f"{live_server}/")
    assert response is not None and response.status == 200
    page.wait_for_load_state("networkidle")
    assert page.title()
    assert page.locator("#stage").count() == 1
    page.screenshot(path=str(artifacts_dir / "smoke-playground.png"))
    assert not page.problems, page.problems
